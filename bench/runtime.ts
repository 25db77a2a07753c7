import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ManualClock } from '../src/clock';
import { parseConfig } from '../src/config/validate';
import { SimulatedInput, SimulatedOutput } from '../src/io/simulated';
import { emptyModel, ForecasterModel, OccupancyForecaster } from '../src/learning/forecaster';
import { decodeModel, encodeModel, modelBytes } from '../src/learning/model-file';
import { SimulatedHome } from '../src/sim/home';
import { Zone } from '../src/zone/zone';

/**
 * Runtime figures of the plugin's own code, as a device would run it: model file size, cost of one
 * forecaster tick, cost of a whole zone tick (simulated home + Zone + forecaster), the time to
 * simulate a year of one zone minute by minute, and resident memory afterwards.
 */

export interface RuntimeFigures {
  modelBytes: number;
  /** OccupancyForecaster.observe + predictions(), one zone, per minute tick. */
  tickMicrosMedian: number;
  tickMicrosP99: number;
  ticks: number;
  /** SimulatedHome + Zone.tick (with its forecaster), per minute tick, over the simulated span. */
  zoneTickMicrosMedian: number;
  zoneTickMicrosP99: number;
  /** Seconds for 365 simulated days of one zone (extrapolated when fewer days were run). */
  simYearSeconds: number;
  simulatedDays: number;
  /** process.memoryUsage().rss after the simulated span, MB (of a process doing only this when run via runRuntimeChild). */
  rssMB: number;
  /** RSS before any of this ran (Node and the loaded modules), MB. */
  rssBaselineMB: number;
  /** Which model the forecasters started from. */
  model: string;
  node: string;
}

const MIN = 60_000;
const START = Date.UTC(2024, 0, 1);

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Office-hours household with a little activity noise (deterministic). */
function syntheticState(minute: number): { state: number; activity: boolean } {
  const m = minute % 1440;
  const day = Math.floor(minute / 1440) % 7;
  const away = day < 5 && m >= 8 * 60 + 30 && m < 17 * 60 + 30;
  return { state: away ? 0 : 1, activity: !away && (minute * 2654435761) % 7 === 0 };
}

export function measureRuntime(opts: { ticks?: number; days?: number; model?: ForecasterModel; modelName?: string } = {}): RuntimeFigures {
  const ticks = opts.ticks ?? 50_000;
  const days = opts.days ?? 365;
  const model = opts.model ?? emptyModel();
  const rss0 = process.memoryUsage().rss / 2 ** 20;

  // Forecaster alone; a few thousand untimed ticks first so the JIT has settled.
  const f = new OccupancyForecaster(model);
  const warm = Math.min(5000, ticks);
  const times = new Float64Array(ticks);
  let sink = 0;
  for (let i = -warm; i < ticks; i++) {
    const minute = i + warm;
    const { state, activity } = syntheticState(minute);
    const a = process.hrtime.bigint();
    f.observe(START + minute * MIN, state, activity);
    sink += f.predictions()[0];
    const b = process.hrtime.bigint();
    if (i >= 0) times[i] = Number(b - a) / 1000;
  }
  times.sort();
  const bytes = modelBytes(encodeModel(f.model, { sources: ['benchmark runtime loop (synthetic)'], trainedAt: new Date(0).toISOString() }));

  // A zone in the simulated home, ticking every simulated minute as the platform does (TICK_MS = 60 s).
  const settings = parseConfig({ zones: [{ name: 'Living', modes: ['heat'] }] }).settings.zones[0];
  const home = new SimulatedHome({
    start: START,
    household: { seed: 1, occupants: 2 },
    zones: [{
      name: settings.name,
      initialTemperature: settings.simulated.initialTemperature,
      thermal: { tauHours: settings.simulated.tauHours, heaterCPerHour: settings.simulated.heaterPower, coolerCPerHour: settings.simulated.coolerPower },
    }],
  });
  const clock = new ManualClock(START);
  const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
  const zone = new Zone(settings, {
    input: new SimulatedInput(home, settings.name),
    output: new SimulatedOutput(home, settings.name),
    clock,
    log: quiet,
    forecaster: new OccupancyForecaster(model),
  });
  const n = days * 1440;
  const zt = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    clock.advance(MIN);
    zone.tick();
    sink += zone.forecaster?.predictions()[3] ?? 0;
    zt[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = process.memoryUsage().rss / 2 ** 20;
  zt.sort();
  if (!Number.isFinite(sink)) throw new Error('forecaster produced a non-finite prediction');
  return {
    modelBytes: bytes,
    tickMicrosMedian: r3(quantile(times, 0.5)),
    tickMicrosP99: r3(quantile(times, 0.99)),
    ticks,
    zoneTickMicrosMedian: r3(quantile(zt, 0.5)),
    zoneTickMicrosP99: r3(quantile(zt, 0.99)),
    simYearSeconds: r3((seconds * 365) / days),
    simulatedDays: days,
    rssMB: Math.round(rss * 10) / 10,
    rssBaselineMB: Math.round(rss0 * 10) / 10,
    model: opts.modelName ?? (opts.model ? 'given' : 'empty'),
    node: process.version,
  };
}

/**
 * Runs measureRuntime in a fresh Node process so the RSS is that of one zone, not of the benchmark
 * holding every house in memory; also keeps the timings clear of the benchmark's garbage.
 */
export function runRuntimeChild(opts: { ticks: number; days: number }): RuntimeFigures {
  const script = path.join(__dirname, 'runtime.js');
  const r = spawnSync(process.execPath, [script, '--ticks', String(opts.ticks), '--days', String(opts.days)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runtime measurement failed (${r.status}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as RuntimeFigures;
}

export function runtimeTable(r: RuntimeFigures): string {
  return [
    `runtime (${r.node}, one zone):`,
    `  model file ${r.modelBytes} bytes; forecaster tick ${r.tickMicrosMedian} µs median, ${r.tickMicrosP99} µs p99 (${r.ticks} ticks)`,
    `  zone tick (simulated home + Zone with forecaster) ${r.zoneTickMicrosMedian} µs median, ${r.zoneTickMicrosP99} µs p99`,
    `  one simulated year ${r.simYearSeconds} s${r.simulatedDays < 365 ? ` (extrapolated from ${r.simulatedDays} days)` : ''}; RSS ${r.rssMB} MB after it (${r.rssBaselineMB} MB before)`,
  ].join('\n');
}

if (require.main === module) {
  const arg = (k: string, d: number): number => {
    const i = process.argv.indexOf(k);
    return i >= 0 ? Number(process.argv[i + 1]) : d;
  };
  // The shipped prior when there is one (same size and cost as any model, but what a device loads).
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  const prior = path.join(d, 'models', 'prior.json');
  const model = fs.existsSync(prior) ? decodeModel(JSON.parse(fs.readFileSync(prior, 'utf8'))).model : undefined;
  const modelName = model ? 'models/prior.json' : 'empty';
  process.stdout.write(JSON.stringify(measureRuntime({ ticks: arg('--ticks', 50_000), days: arg('--days', 365), model, modelName })));
}
