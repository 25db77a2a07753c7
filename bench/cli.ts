import * as fs from 'fs';
import * as path from 'path';
import { forEachFlag } from './args';
import { discoverHouses } from './loaders/discover';
import { House } from './loaders/types';
import { METHODS, Ours } from './methods';
import { decodeModel, encodeModel } from '../src/learning/model-file';
import { mayTrainOn, PRIOR_SIMULATION, priorExcluding, simulatedSequences } from './prior';
import { HORIZONS, HouseResult, TrackResult, evaluateHouse } from './evaluate';
import { BenchExtras, EXTRA_USAGE, parseExtraArgs } from './extras';
import { forecastCheck, forecastCheckText } from './check';

const USAGE = `usage: node dist-bench/bench/cli.js [--data DIR] [--json FILE] [--houses a,b] [--methods m1,m2] [--quick] [--keep-duplicates]
  --data DIR          data root, searched recursively (default: <repo>/../shared/data)
  --json FILE         also write all results as JSON
  --houses a,b        only houses whose name contains one of these substrings
  --methods m1,m2     subset of: ${Object.keys(METHODS).join(', ')}
  --quick             only the first 7 days of each house
  --keep-duplicates   keep every export of a home found in more than one format
${EXTRA_USAGE}`;

function repoRoot(): string {
  // Works from bench/ (ts) and dist-bench/bench/ (compiled).
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

interface Args {
  data: string;
  json?: string;
  houses?: string[];
  methods?: string[];
  quick: boolean;
  keepDuplicates: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { data: path.resolve(repoRoot(), '../shared/data'), quick: false, keepDuplicates: false };
  forEachFlag(argv, (k, val) => {
    if (k === '--data') a.data = path.resolve(val());
    else if (k === '--json') a.json = path.resolve(val());
    else if (k === '--houses') a.houses = val().split(',').filter(Boolean);
    else if (k === '--methods') a.methods = val().split(',').filter(Boolean);
    else if (k === '--quick') a.quick = true;
    else if (k === '--keep-duplicates') a.keepDuplicates = true;
    else if (k === '--help' || k === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${k}\n${USAGE}`);
  });
  return a;
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined ? '   -' : x.toFixed(3).replace(/^0/, ''));
const f0 = (x: number | null | undefined): string => (x === null || x === undefined ? '  -' : x.toFixed(0));

function awayFraction(h: House): number {
  let a = 0;
  let k = 0;
  for (const l of h.labels) if (l >= 0) (k++, l === 0 && a++);
  return k ? a / k : NaN;
}

function table(r: HouseResult): string {
  const methods = Object.keys(r.forecast).concat(Object.keys(r.sensorOnly.forecast).filter((m) => !(m in r.forecast)));
  const hs = HORIZONS.map(String);
  const cells = (tr: TrackResult, m: string): string => hs.map((h) => f3(tr[m]?.[h]?.brier).padStart(6)).join('');
  const lines: string[] = [];
  lines.push(`Brier          ${'forecast track'.padEnd(24)}   sensor-only track`);
  lines.push(`method      ${hs.map((h) => `+${h}`.padStart(6)).join('')}   ${hs.map((h) => `+${h}`.padStart(6)).join('')}`);
  for (const m of methods) lines.push(`${m.padEnd(12)}${cells(r.forecast, m)}   ${cells(r.sensorOnly.forecast, m)}`);
  lines.push('');
  lines.push('forecast track, +60: F1home F1away  BalAcc  arrival |err| / bias min (n)');
  for (const m of Object.keys(r.forecast)) {
    const x = r.forecast[m]['60'];
    if (!x) continue;
    lines.push(
      `${m.padEnd(18)}${f3(x.f1Home).padStart(6)} ${f3(x.f1Away).padStart(6)} ${f3(x.balancedAccuracy).padStart(7)}  ` +
        `${f0(x.arrivalErrorMin).padStart(5)} / ${f0(x.arrivalBiasMin).padStart(4)} (${x.arrivals})`,
    );
  }
  for (const d of r.disqualified) lines.push(`DISQUALIFIED ${d.method} on ${d.track}: ${d.error}`);
  return lines.join('\n');
}

function main(): void {
  const extra = parseExtraArgs(process.argv.slice(2), repoRoot());
  const args = parseArgs(extra.rest);
  const extras = new BenchExtras(extra, args.data, args.quick);
  const methods = args.methods
    ? Object.fromEntries(
        args.methods.map((m) => {
          if (!METHODS[m]) throw new Error(`unknown method ${m}; known: ${Object.keys(METHODS).join(', ')}`);
          return [m, METHODS[m]];
        }),
      )
    : METHODS;

  const tLoad = Date.now();
  const found = discoverHouses(args.data, { filter: args.houses, keepDuplicates: args.keepDuplicates });
  console.log(`data: ${args.data}  (${found.houses.length} houses loaded in ${Date.now() - tLoad} ms)`);
  for (const e of found.errors) console.log(`LOAD ERROR ${e.message}`);
  for (const d of found.duplicates) {
    console.log(`duplicate: ${d.dropped} is the same home as ${d.kept} (${(100 * d.matchedDepartures).toFixed(0)}% departures match); keeping ${d.kept}`);
  }
  console.log(extras.outdoorNote);

  // "ours" starts from a prior fitted on the other homes it may learn from (never the home under test).
  const withOurs = 'ours' in methods;
  const trainable = withOurs ? discoverHouses(args.data).houses.filter(mayTrainOn) : [];
  const sim = withOurs ? simulatedSequences(PRIOR_SIMULATION) : [];

  const results: HouseResult[] = [];
  const tAll = Date.now();
  for (const h of found.houses) {
    const t0 = Date.now();
    let houseMethods = methods;
    if (withOurs) {
      const { model, sources } = priorExcluding(trainable, h.name, sim);
      console.log(`\n${h.name}: ours starts from a prior fitted on ${sources.filter((s) => !s.startsWith('simulated')).join(', ') || 'no real home'} and ${sim.filter((s) => "labels" in s).length} simulated households, each from its labels and from its sensors`);
      const { ours: _ours, ...rest } = methods;
      // As shipped, the prior is stored as int8; "ours-float" shows what that quantization costs.
      const stored = decodeModel(JSON.parse(JSON.stringify(encodeModel(model, { sources, trainedAt: '' })))).model;
      houseMethods = {
        ours: () => new Ours('ours', stored),
        'ours-float': () => new Ours('ours-float', model),
        'ours-noprior': () => new Ours('ours-noprior'),
        ...rest,
      };
    }
    const r = evaluateHouse(h, { methods: houseMethods, maxDays: args.quick ? 7 : undefined, ...extras.evalOptions() });
    results.push(r);
    console.log(
      `\n== ${h.name} [${h.format}] ${r.days.toFixed(1)} d walked, away ${(100 * awayFraction(h)).toFixed(0)}% of labelled minutes, ` +
        `${h.events.length} events, ${Date.now() - t0} ms ==`,
    );
    for (const w of h.warnings.slice(0, 5)) console.log(`  warning: ${w}`);
    if (h.warnings.length > 5) console.log(`  (${h.warnings.length - 5} more warnings)`);
    console.log(table(r));
    const ctl = extras.afterHouse(h, r);
    if (ctl) console.log(`\n${ctl}`);
  }
  console.log(`\nevaluated ${results.length} houses in ${((Date.now() - tAll) / 1000).toFixed(1)} s${args.quick ? ' (quick: first 7 days)' : ''}`);
  const check = 'ours' in methods ? forecastCheck(results) : undefined;
  if (check) console.log(forecastCheckText(check));
  const fin = extras.finish();
  if (fin.text) console.log(`\n${fin.text}`);

  if (args.json) {
    fs.mkdirSync(path.dirname(args.json), { recursive: true });
    const out = {
      generated: new Date().toISOString(),
      data: args.data,
      quick: args.quick,
      errors: found.errors,
      duplicates: found.duplicates,
      houses: results.map((r) => extras.houseJson(r)),
      forecastCheck: check,
      ...fin.json,
    };
    fs.writeFileSync(args.json, JSON.stringify(out, null, 1));
    console.log(`wrote ${args.json}`);
  }
  if (results.some((r) => r.disqualified.length > 0)) process.exitCode = 2;
}

try {
  main();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
