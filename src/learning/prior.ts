import { cloneModel, emptyModel, ForecasterModel, OccupancyForecaster } from './forecaster';

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

export interface PriorOptions {
  epochs: number;
  learningRate: number;
  /** Effective count a duration-table cell keeps at most, so a new home soon outweighs the prior. */
  durationCountCap: number;
}

export const DEFAULT_PRIOR_OPTIONS: PriorOptions = { epochs: 5, learningRate: 0.002, durationCountCap: 30 };

/**
 * Fits the household-independent part of the forecaster (weights and the duration table) on other
 * homes: each home is walked forward as a zone would, with delayed labels, carrying the model from
 * home to home. The weekly profile is personal and starts empty in every home.
 */
export function fitPrior(sequences: LabelledSequence[], options: Partial<PriorOptions> = {}): ForecasterModel {
  const o = { ...DEFAULT_PRIOR_OPTIONS, ...options };
  let model = emptyModel();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    // Later epochs take smaller steps, so the order of homes matters less.
    const lr = o.learningRate / (1 + epoch);
    for (const seq of sequences) {
      const start = cloneModel(model);
      start.profile.fill(0);
      const f = new OccupancyForecaster(start, { learningRate: lr, priorPull: 0 });
      for (let i = 0; i < seq.labels.length; i++) {
        f.observe(seq.start + i * 60_000, seq.labels[i], seq.activity ? seq.activity[i] === 1 : false);
      }
      model = f.model;
    }
  }
  const prior = cloneModel(model);
  prior.profile.fill(0);
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
