// Compares forecaster option sets on every home (mean Brier over homes, both tracks), for choosing
// defaults on the homes as a whole rather than on any one of them. Usage:
//   node dist-bench/bench/variants.js '{"a":{"learningRate":0.001},"b":{"learningRate":0.003}}' ['{prior options}'] [--data DIR]
import * as path from 'path';
import { discoverHouses } from './loaders/discover';
import { evaluateHouse } from './evaluate';
import { MethodFactory, Ours } from './methods';
import { Persistence } from './methods/simple';
import { mayTrainOn, PRIOR_SIMULATION, priorExcluding, simulatedSequences } from './prior';
import { ForecasterOptions } from '../src/learning/forecaster';

const dataFlag = process.argv.indexOf('--data');
const data = dataFlag > 0 ? process.argv[dataFlag + 1] : path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
const houses = discoverHouses(data).houses;
const trainable = houses.filter(mayTrainOn);
const sim = simulatedSequences(PRIOR_SIMULATION);
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--data');
const variants: Record<string, Partial<ForecasterOptions>> = JSON.parse(positional[0] ?? '{"default":{}}');
const priorOpts = JSON.parse(positional[1] ?? '{}');
const rows: string[] = [];
const sums: Record<string, number[]> = {};
for (const h of houses) {
  const { model } = priorExcluding(trainable, h.name, sim, priorOpts);
  const methods: Record<string, MethodFactory> = { persistence: () => new Persistence() };
  for (const [k, o] of Object.entries(variants)) methods[k] = () => new Ours(k, model, o);
  const r = evaluateHouse(h, { methods, tracks: ['forecast', 'sensorOnly'] });
  for (const m of Object.keys(methods)) {
    const f = [30, 60, 120].map((x) => r.forecast[m][String(x)].brier!);
    const s = [30, 60, 120].map((x) => r.sensorOnly.forecast[m][String(x)].brier!);
    rows.push(`${h.name.padEnd(20)} ${m.padEnd(14)} ${f.map((v) => v.toFixed(3)).join(' ')}   ${s.map((v) => v.toFixed(3)).join(' ')}`);
    sums[m] = (sums[m] ?? [0, 0, 0, 0, 0, 0]).map((v, i) => v + [...f, ...s][i] / houses.length);
  }
}
console.log(rows.join('\n'));
for (const [m, v] of Object.entries(sums)) console.log(`MEAN ${m.padEnd(14)} ${v.slice(0, 3).map((x) => x.toFixed(4)).join(' ')}   ${v.slice(3).map((x) => x.toFixed(4)).join(' ')}`);
