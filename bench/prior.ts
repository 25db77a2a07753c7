import { ForecasterModel } from '../src/learning/forecaster';
import { fitPrior, LabelledSequence, PriorOptions, PriorSequence, SensorSequence } from '../src/learning/prior';
import { isActivity } from '../src/learning/occupancy-now';
import { Household } from '../src/sim/household';
import { House, MINUTE_MS } from './loaders/types';

/**
 * Formats whose licence lets a shipped model learn from them: the Kasteren houses are MIT.
 * Ordonez forbids commercial use and KIT/MIT state no licence, so they only ever test.
 */
export const PRIOR_FORMATS = ['kasteren-tl', 'kasteren-orig'];

export function mayTrainOn(house: House): boolean {
  return PRIOR_FORMATS.includes(house.format);
}

export function houseSequence(h: House): LabelledSequence {
  const activity = new Uint8Array(h.labels.length);
  for (const e of h.events) {
    const i = Math.floor((e.t - h.start) / MINUTE_MS);
    if (i >= 0 && i < activity.length && isActivity(e)) activity[i] = 1;
  }
  return { name: h.name, start: h.start, labels: h.labels, activity };
}

/** The plugin's default occupancy timeout, with which the prior learns how a zone's belief behaves. */
export const PRIOR_TIMEOUT_MS = 30 * MINUTE_MS;

/** The same home as its sensors alone show it: the zone's belief is the state (see SensorSequence). */
export function houseSensorSequence(h: House): SensorSequence {
  return { name: `${h.name} (sensors)`, start: h.start, minutes: h.labels.length, events: h.events, timeoutMs: PRIOR_TIMEOUT_MS };
}

export interface SimulatedSet {
  households: number;
  days: number;
}

/**
 * Simulated households of 1–3 people (seeded), for the prior: each one twice, as minute labels with
 * activity and as its sensor events.
 */
export function simulatedSequences({ households, days }: SimulatedSet): PriorSequence[] {
  const out: PriorSequence[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let s = 1; s <= households; s++) {
    const hh = new Household({ seed: 1000 + s, occupants: 1 + (s % 3) });
    const n = days * 1440;
    const labels = new Int8Array(n);
    const activity = new Uint8Array(n);
    for (let i = 0; i < n; i++) labels[i] = hh.isHome(start + i * MINUTE_MS) ? 1 : 0;
    const events = hh.events(start, start + n * MINUTE_MS);
    for (const e of events) {
      if (isActivity(e)) activity[Math.floor((e.t - start) / MINUTE_MS)] = 1;
    }
    out.push({ name: `simulated-${s}`, start, labels, activity });
    out.push({ name: `simulated-${s} (sensors)`, start, minutes: n, events, timeoutMs: PRIOR_TIMEOUT_MS });
  }
  return out;
}

export const PRIOR_SIMULATION: SimulatedSet = { households: 6, days: 42 };

/** The prior as shipped, minus one home: what "ours" starts from when that home is evaluated. */
export function priorExcluding(
  houses: House[], exclude: string | undefined, sim: PriorSequence[], options: Partial<PriorOptions> = {},
): { model: ForecasterModel; sources: string[] } {
  // Each real home twice: its true labels (how people come and go) and its sensors alone (what a
  // zone believes, misfires and quiet occupants included).
  const real = houses.filter((h) => mayTrainOn(h) && h.name !== exclude).flatMap((h) => [houseSequence(h), houseSensorSequence(h)]);
  // Interleave real and simulated homes so neither dominates the end of training.
  const seqs: PriorSequence[] = [];
  for (let i = 0; i < Math.max(real.length, sim.length); i++) {
    if (sim[i]) seqs.push(sim[i]);
    if (real[i]) seqs.push(real[i]);
  }
  return { model: fitPrior(seqs, options), sources: seqs.map((s) => s.name) };
}
