import { cloneModel, emptyModel, ForecasterModel, OccupancyForecaster } from './forecaster';
import { InputEvent, isActivity, OccupancyEstimator } from './occupancy-now';

/** One home's labelled history, minute by minute. */
export interface LabelledSequence {
  name: string;
  /** Time of minute 0 (ms, local wall-clock as UTC). */
  start: number;
  /** Per minute: 1 home, 0 away, -1 unknown. */
  labels: Int8Array;
  /** Optional per minute: 1 if any sensor activity was seen in that minute. */
  activity?: Uint8Array;
}

/**
 * One home's sensor events over a span of minutes, without labels: walked as a zone walks its own
 * history, the state of each minute is the occupancy estimator's belief (with the zone's own
 * weekly profile), which is all a zone ever sees. Training on these teaches the prior how a
 * belief behaves, lone misfires and missed quiet occupants included, not only how people do.
 */
export interface SensorSequence {
  name: string;
  start: number;
  minutes: number;
  /** In time order. */
  events: readonly InputEvent[];
  /** The occupancy timeout the estimator uses. */
  timeoutMs: number;
}

export type PriorSequence = LabelledSequence | SensorSequence;

/** Walks a sequence through `f` a day at a time (each `next()` feeds up to one more day). */
function* walk(f: OccupancyForecaster, seq: PriorSequence): Generator<void> {
  const DAY = 1440;
  if ('labels' in seq) {
    for (let i = 0; i < seq.labels.length; i++) {
      f.observe(seq.start + i * 60_000, seq.labels[i], seq.activity ? seq.activity[i] === 1 : false);
      if (i % DAY === DAY - 1) yield;
    }
    return;
  }
  const est = new OccupancyEstimator(seq.timeoutMs);
  let j = 0;
  for (let i = 0; i < seq.minutes; i++) {
    const t = seq.start + i * 60_000;
    let activity = false;
    while (j < seq.events.length && seq.events[j].t <= t) {
      const e = seq.events[j++];
      est.add(e);
      activity ||= isActivity(e);
    }
    f.observe(t, est.belief(t, f.usuallyHome(t)).occupied ? 1 : 0, activity);
    if (i % DAY === DAY - 1) yield;
  }
}

export interface PriorOptions {
  epochs: number;
  learningRate: number;
  /** Effective count a duration-table cell keeps at most, so a new home soon outweighs the prior. */
  durationCountCap: number;
}

export const DEFAULT_PRIOR_OPTIONS: PriorOptions = { epochs: 5, learningRate: 0.002, durationCountCap: 30 };

/**
 * Fits the household-independent part of the forecaster (weights and the duration table) on other
 * homes: each home is walked forward as a zone would, with delayed labels, from its true labels
 * and/or from the belief its sensors give (SensorSequence). The weekly profile is personal and starts
 * empty in every home.
 */
export function fitPrior(sequences: PriorSequence[], options: Partial<PriorOptions> = {}): ForecasterModel {
  const o = { ...DEFAULT_PRIOR_OPTIONS, ...options };
  const model = emptyModel();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    // Later epochs take smaller steps.
    const lr = o.learningRate / (1 + epoch);
    // Every home is walked side by side, a day of each in turn, each with its own belief, pending
    // samples and weekly profile but all on the same weights and duration table: no home's place in
    // the list decides what the prior ends on.
    const walks = sequences.map((seq) => {
      const f = new OccupancyForecaster(emptyModel(), { learningRate: lr, priorPull: 0 });
      f.model.weights = model.weights;
      f.model.duration = model.duration;
      return walk(f, seq);
    });
    let open = walks;
    while (open.length > 0) {
      open = open.filter((w) => !w.next().done);
    }
  }
  const prior = cloneModel(model);
  // The weekly profile and the similar-days memory are personal: every home starts them empty.
  prior.profile.fill(0);
  prior.days.fill(-1);
  prior.dayIndex.fill(-1);
  const d = prior.duration;
  for (let i = 0; i < d.length; i += 2) {
    if (d[i + 1] > o.durationCountCap) {
      const k = o.durationCountCap / d[i + 1];
      d[i] *= k;
      d[i + 1] *= k;
    }
  }
  return prior;
}
