// Trains the forecaster prior shipped in models/prior.json from the homes whose licence allows it
// (the Kasteren houses, MIT) plus simulated households. Usage: npm run train-prior [-- --data DIR --out FILE]
import * as fs from 'fs';
import * as path from 'path';
import { encodeModel, modelBytes } from '../src/learning/model-file';
import { evaluateHouse } from './evaluate';
import { discoverHouses } from './loaders/discover';
import { Ours } from './methods';
import { mayTrainOn, PRIOR_SIMULATION, priorExcluding, simulatedSequences } from './prior';

const REPO = path.resolve(__dirname, '..', '..');
/** The shipped model, provenance included, stays this small as compact JSON (test/learning/prior.test.ts). */
const MAX_BYTES = 4096;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

function main(): void {
  const data = path.resolve(arg('--data', path.join(REPO, '..', 'shared', 'data')));
  const out = path.resolve(arg('--out', path.join(REPO, 'models', 'prior.json')));
  const found = discoverHouses(data);
  for (const e of found.errors) console.log(`LOAD ERROR ${e.message}`);
  const trainable = found.houses.filter(mayTrainOn);
  if (trainable.length === 0) throw new Error(`no home under ${data} may be used for the prior (need Kasteren-format homes)`);
  const sim = simulatedSequences(PRIOR_SIMULATION);

  // Leave-one-home-out scores of the recipe, for the provenance: each home forecast from a prior without it.
  const scores: Record<string, number> = {};
  for (const h of trainable) {
    const { model } = priorExcluding(trainable, h.name, sim);
    // +240 too: the longest horizon, which pre-heating from a deep setback reads.
    const r = evaluateHouse(h, { methods: { ours: () => new Ours('ours', model) }, tracks: ['forecast'], horizons: [30, 60, 120, 240] });
    for (const hz of ['30', '60', '120', '240']) scores[`looBrier${hz}:${h.name}`] = Number(r.forecast.ours[hz].brier!.toFixed(4));
  }

  const { model, sources } = priorExcluding(trainable, undefined, sim);
  const file = encodeModel(model, {
    // One line per home: each is learned from its labels and from its sensor events as a zone believes them.
    sources: [...new Set(sources.map((s) => s.replace(/ \(sensors\)$/, '')))].map((s) => (s.startsWith('simulated')
      ? `${s}: simulated household (this repository's src/sim), ${PRIOR_SIMULATION.days} days, labels and sensor events`
      : `${s}: van Kasteren et al. home/away labels and sensor events (MIT licence, tim0306/activityrecognition)`)),
    trainedAt: new Date().toISOString(),
    scores,
    notes: 'Weights and duration table only; the weekly profile is learned in each home. Made by npm run train-prior.',
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (modelBytes(file) > MAX_BYTES) throw new Error(`the model file would be ${modelBytes(file)} bytes, over ${MAX_BYTES}: trim provenance.scores`);
  fs.writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`wrote ${out}: ${modelBytes(file)} bytes (compact JSON), trained on ${sources.join(', ')}`);
  for (const [k, v] of Object.entries(scores)) console.log(`  ${k} = ${v}`);
}

main();
