// Does federated averaging between zones help? Splits each home's sensors into two zones (by a
// stable hash of the sensor name; presence reports go to both), runs the plugin's estimator and
// forecaster per zone on the sensor-only track, with and without a daily federated average of the
// household part, and scores each zone's forecasts against the household's true state.
// Usage: node dist-bench/bench/federated.js [--data DIR]
import * as path from 'path';
import { OccupancyForecaster } from '../src/learning/forecaster';
import { federatedAverage } from '../src/learning/federated';
import { isActivity, OccupancyEstimator } from '../src/learning/occupancy-now';
import { discoverHouses } from './loaders/discover';
import { House, MINUTE_MS } from './loaders/types';
import { mayTrainOn, PRIOR_SIMULATION, priorExcluding, simulatedSequences } from './prior';

const SCORED = [30, 60, 120];
const DAY_MIN = 1440;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function runZones(house: House, prior: ReturnType<typeof priorExcluding>['model'], federated: boolean): number[] {
  const zones = [0, 1].map(() => ({ est: new OccupancyEstimator(30 * 60_000), f: new OccupancyForecaster(prior) }));
  const n = house.labels.length;
  const preds = SCORED.map(() => zones.map(() => new Float32Array(n)));
  let j = 0;
  for (let i = 0; i < n; i++) {
    const t = house.start + i * MINUTE_MS;
    const activity = [false, false];
    while (j < house.events.length && house.events[j].t <= t) {
      const e = house.events[j++];
      const targets = e.kind === 'presence' ? [0, 1] : [hash(e.sensor) % 2];
      for (const z of targets) {
        zones[z].est.add(e);
        activity[z] ||= isActivity(e);
      }
    }
    zones.forEach((z, k) => {
      const belief = z.est.belief(t, z.f.usuallyHome(t)).occupied ? 1 : 0;
      z.f.observe(t, belief, activity[k]);
      SCORED.forEach((h, s) => { preds[s][k][i] = z.f.predict(h); });
    });
    if (federated && i % DAY_MIN === DAY_MIN - 1) federatedAverage(zones.map((z) => z.f.model));
  }
  return SCORED.map((h, s) => {
    let sum = 0;
    let cnt = 0;
    for (let i = DAY_MIN; i + h < n; i++) {
      const y = house.labels[i + h];
      if (y < 0) continue;
      for (let k = 0; k < zones.length; k++) {
        sum += (preds[s][k][i] - y) ** 2;
        cnt++;
      }
    }
    return sum / cnt;
  });
}

function main(): void {
  const i = process.argv.indexOf('--data');
  const data = i > 0 ? path.resolve(process.argv[i + 1]) : path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
  const houses = discoverHouses(data).houses;
  const trainable = houses.filter(mayTrainOn);
  const sim = simulatedSequences(PRIOR_SIMULATION);
  console.log(`two zones per home, sensor-only; Brier ${SCORED.map((h) => `+${h}`).join(' / ')}`);
  const mean = { alone: [0, 0, 0], federated: [0, 0, 0] };
  for (const h of houses) {
    const { model } = priorExcluding(trainable, h.name, sim);
    const alone = runZones(h, model, false);
    const fed = runZones(h, model, true);
    alone.forEach((v, k) => { mean.alone[k] += v / houses.length; mean.federated[k] += fed[k] / houses.length; });
    console.log(`${h.name.padEnd(20)} alone ${alone.map((v) => v.toFixed(3)).join(' / ')}   federated ${fed.map((v) => v.toFixed(3)).join(' / ')}`);
  }
  console.log(`${'mean'.padEnd(20)} alone ${mean.alone.map((v) => v.toFixed(4)).join(' / ')}   federated ${mean.federated.map((v) => v.toFixed(4)).join(' / ')}`);
}

if (require.main === module) main();
