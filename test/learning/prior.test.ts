import fs from 'node:fs';
import path from 'node:path';

import { emptyModel, HORIZONS, OccupancyForecaster } from '../../src/learning/forecaster';
import { decodeModel } from '../../src/learning/model-file';
import { InputEvent } from '../../src/learning/occupancy-now';
import { fitPrior, LabelledSequence, SensorSequence } from '../../src/learning/prior';

const MIN = 60_000;
const START = Date.UTC(2024, 0, 1);

function officeWorker(name: string, days: number, leave: number, back: number): LabelledSequence {
  const labels = new Int8Array(days * 1440);
  for (let i = 0; i < labels.length; i++) {
    const d = new Date(START + i * MIN);
    const m = d.getUTCHours() * 60 + d.getUTCMinutes();
    const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
    labels[i] = weekday && m >= leave && m < back ? 0 : 1;
  }
  return { name, start: START, labels };
}

function brier(model: ReturnType<typeof emptyModel>, seq: LabelledSequence, days: number): number {
  const f = new OccupancyForecaster(model);
  const preds: number[][] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < days * 1440; i++) {
    f.observe(seq.start + i * MIN, seq.labels[i]);
    preds.push(Array.from(f.predictions()));
    const j = i - 60;
    if (j >= 1440) {
      sum += (preds[j][HORIZONS.indexOf(60)] - seq.labels[i]) ** 2;
      n++;
    }
  }
  return sum / n;
}

describe('fitPrior', () => {
  it('learned on other homes, it forecasts a new home better in its first week than starting from nothing', () => {
    const prior = fitPrior([officeWorker('a', 14, 480, 1020), officeWorker('b', 14, 510, 1050)], { epochs: 2 });
    expect(Array.from(prior.profile).every((v) => v === 0)).toBe(true);
    const newHome = officeWorker('c', 7, 450, 990);
    expect(brier(prior, newHome, 7)).toBeLessThan(brier(emptyModel(), newHome, 7));
  });

  it('learns a sensor sequence from the belief its events give, as a zone would', () => {
    // A phone's presence reports are the whole belief (no activity, so no timeout or profile plays a part).
    const home = officeWorker('a', 10, 480, 1020);
    const events: InputEvent[] = [];
    for (let i = 1; i < home.labels.length; i++) {
      if (home.labels[i] !== home.labels[i - 1]) events.push({ t: START + i * MIN, kind: 'presence', value: home.labels[i] === 1 });
    }
    // Before the first report the zone believes nobody is home.
    const labels = Int8Array.from(home.labels, (v, i) => (i < events[0].t / MIN - START / MIN ? 0 : v));
    const sensors: SensorSequence = { name: 'a (sensors)', start: START, minutes: labels.length, events, timeoutMs: 30 * MIN };
    const fromSensors = fitPrior([sensors], { epochs: 1 });
    const fromBelief = fitPrior([{ name: 'a', start: START, labels }], { epochs: 1 });
    expect(Array.from(fromSensors.weights)).toEqual(Array.from(fromBelief.weights));
    expect(Array.from(fromSensors.duration)).toEqual(Array.from(fromBelief.duration));
  });

  it('walks the homes side by side, so their order in the list hardly matters', () => {
    // An office worker and a household always home. Walked one after the other, whichever came last
    // decided the prior: the new home's Brier differed by about a third between the two orders.
    const homes = [officeWorker('a', 14, 480, 1020), officeWorker('b', 14, 0, 0)];
    const forward = fitPrior(homes, { epochs: 1 });
    const backward = fitPrior([...homes].reverse(), { epochs: 1 });
    const newHome = officeWorker('d', 7, 450, 990);
    const [a, b] = [brier(forward, newHome, 7), brier(backward, newHome, 7)];
    expect(Math.abs(a - b)).toBeLessThan(0.05 * Math.min(a, b));
  });

  it('caps the duration table so a new home soon outweighs the prior', () => {
    const prior = fitPrior([officeWorker('a', 7, 480, 1020)], { epochs: 1, durationCountCap: 10 });
    for (let i = 1; i < prior.duration.length; i += 2) expect(prior.duration[i]).toBeLessThanOrEqual(10 + 1e-4);
  });
});

describe('the shipped prior', () => {
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, '../../models/prior.json'), 'utf8'));

  it('loads, fits in 4 KB and says where it came from', () => {
    const { model, provenance } = decodeModel(file);
    expect(Buffer.byteLength(JSON.stringify(file))).toBeLessThanOrEqual(4096);
    expect(provenance.sources.some((s) => /Kasteren.*MIT/.test(s))).toBe(true);
    // Only data whose licence allows it: nothing from the Ordonez (non-commercial) or unlicensed sets.
    expect(provenance.sources.join(' ')).not.toMatch(/Ordonez|eshl|kit|tapia/i);
    expect(Number.isNaN(Date.parse(provenance.trainedAt))).toBe(false);
    expect(Array.from(model.profile).every((v) => v === 0)).toBe(true);
  });
});
