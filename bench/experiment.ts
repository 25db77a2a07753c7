// Scratch: compare forecaster variants across all homes (not committed).
import { discoverHouses } from './loaders/discover';
import { evaluateHouse } from './evaluate';
import { Ours } from './methods';
import { Persistence } from './methods/simple';
import { mayTrainOn, PRIOR_SIMULATION, priorExcluding, simulatedSequences } from './prior';
import { ForecasterOptions } from '../src/learning/forecaster';

const data = '/work/shared/data';
const houses = discoverHouses(data).houses;
const trainable = houses.filter(mayTrainOn);
const sim = simulatedSequences(PRIOR_SIMULATION);
const variants: Record<string, Partial<ForecasterOptions>> = JSON.parse(process.argv[2] ?? '{"base":{}}');
const priorOpts = JSON.parse(process.argv[3] ?? '{}');
const rows: string[] = [];
const sums: Record<string, number[]> = {};
for (const h of houses) {
  const { model } = priorExcluding(trainable, h.name, sim, priorOpts);
  const methods: Record<string, () => any> = { persistence: () => new Persistence() };
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
