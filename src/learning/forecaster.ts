/**
 * On-device occupancy forecaster: P(someone home at now + h) for a few horizons, from the zone's
 * own history. One small logistic model per horizon and current state, fed by learned tables (a
 * weekly presence profile, "how likely the state still holds h minutes on", and the last four weeks
 * day by day, from which the days most like today are read as PreHeat does), trained online with
 * delayed labels: the sample formed at t for horizon h is learned at t + h, never earlier.
 * Plain TypeScript on typed arrays; a tick allocates nothing.
 */

// Up to +240 min: reheating from a deep setback can take about 3 h, so pre-heating needs to see that far.
export const HORIZONS = [15, 30, 60, 120, 180, 240] as const;
export const FEATURES = [
  'bias', 'durationTable', 'profile', 'sinTarget', 'cosTarget', 'sinNow', 'cosNow', 'stateAge', 'quiet', 'similarDays',
] as const;
/** Days the similar-days memory keeps, and how many of the nearest it reads (PreHeat's K). */
export const SIMILAR_DAYS_KEPT = 28;
const SIM_K = 5;
/** Fewer nearest days than this with a value at the target slot: the weekly profile stands in. */
const SIM_MIN = 3;

const NH = HORIZONS.length;
const NF = FEATURES.length;
const MIN = 60_000;
const DAY_MIN = 1440;
const SLOT_MIN = 15;
const SLOTS = DAY_MIN / SLOT_MIN;
const TOD_BUCKETS = 6;
const DUR_EDGES = [15, 60, 180, 480, 1440];
const DUR_BUCKETS = DUR_EDGES.length + 1;
const LOGIT_CLIP = 4;
// One ring of pending samples per horizon, h + 1 minutes long, laid end to end.
const RING_LEN = HORIZONS.map((h) => h + 1);
const RING_BASE = RING_LEN.map((_, i) => RING_LEN.slice(0, i).reduce((a, b) => a + b, 0));
const RING_TOTAL = RING_LEN.reduce((a, b) => a + b, 0);

export interface ForecasterModel {
  /** weights[((h * 2) + state) * NF + f] */
  weights: Float32Array;
  /** Pseudo-counts of "state unchanged h minutes on": [(((h*2)+s)*TOD + tod)*DUR + dur] * 2 + {0: same, 1: total} */
  duration: Float32Array;
  /** Weekly presence profile of completed 15-minute slots: [(weekend * 96 + slot) * 2 + {0: home, 1: count}]. */
  profile: Float32Array;
  /**
   * The last SIMILAR_DAYS_KEPT local days, slot by slot: 1 if anyone was home in the 15-minute slot,
   * 0 if not, -1 unknown: [row * 96 + slot], row = day mod SIMILAR_DAYS_KEPT. Personal, like the profile.
   */
  days: Int8Array;
  /** The local day (days since 1970) each row of `days` holds, -1 for none. */
  dayIndex: Int32Array;
}

export interface ForecasterOptions {
  learningRate: number;
  /** Pull of the weights back toward the prior, per update. */
  priorPull: number;
  /** Forgetting of the presence profile per visit of a slot (1 = never forget). */
  profileDecay: number;
  /** Forgetting of the duration table per update. */
  durationDecay: number;
  /** Local time = UTC + offset. */
  utcOffsetMinutes: number;
  /** Whether to learn at all (off: the prior alone, tables still fill). */
  learn: boolean;
  /**
   * Share of each forecast taken from the weekly profile at the target time, the rest from the
   * model: P = (1 - share)·model + share·profile. The model reads the current state; after a long
   * absence it can put a return at P 0.002 while the household has come home at that hour on many
   * other days. The share keeps that in the forecast. Learning is unchanged: the weights are fitted
   * to the model's own output, not to the mix.
   */
  profileShare: number;
}

// Chosen on the benchmark's homes as a whole (mean Brier, leave-one-home-out prior), not per home;
// profileShare on the mean savings-against-MissTime curve of the control track (BENCHMARKS.md).
export const DEFAULT_OPTIONS: ForecasterOptions = {
  learningRate: 0.001,
  priorPull: 0.00001,
  profileDecay: 0.93,
  durationDecay: 0.9995,
  utcOffsetMinutes: 0,
  learn: true,
  profileShare: 0.05,
};

/** Thrown when a label would be learned before its horizon has passed. */
export class FutureLabelError extends Error {
  override readonly name = 'FutureLabelError';
}

export function emptyModel(): ForecasterModel {
  const duration = new Float32Array(NH * 2 * TOD_BUCKETS * DUR_BUCKETS * 2);
  for (let i = 0; i < duration.length; i += 2) {
    duration[i] = 1; // a weak "the state holds" prior: 1 of 2
    duration[i + 1] = 2;
  }
  const weights = new Float32Array(NH * 2 * NF);
  // Without a prior: trust the duration table and nothing else.
  for (let h = 0; h < NH; h++) {
    for (let s = 0; s < 2; s++) {
      weights[(h * 2 + s) * NF + 1] = 1;
    }
  }
  return {
    weights, duration, profile: new Float32Array(2 * SLOTS * 2),
    days: new Int8Array(SIMILAR_DAYS_KEPT * SLOTS).fill(-1), dayIndex: new Int32Array(SIMILAR_DAYS_KEPT).fill(-1),
  };
}

export function cloneModel(m: ForecasterModel): ForecasterModel {
  return {
    weights: Float32Array.from(m.weights), duration: Float32Array.from(m.duration), profile: Float32Array.from(m.profile),
    days: Int8Array.from(m.days), dayIndex: Int32Array.from(m.dayIndex),
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const clipLogit = (p: number) => {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.max(-LOGIT_CLIP, Math.min(LOGIT_CLIP, Math.log(q / (1 - q))));
};

function durationBucket(minutes: number): number {
  let b = 0;
  while (b < DUR_EDGES.length && minutes >= DUR_EDGES[b]) {
    b++;
  }
  return b;
}

export class OccupancyForecaster {
  readonly model: ForecasterModel;
  private readonly prior: Float32Array;
  private readonly opts: ForecasterOptions;

  // Current belief.
  private state = -1;
  private stateSince = 0;
  private lastMinute = -Infinity;
  private lastActivity = -Infinity;

  /** The open 15-minute slot: its absolute index and its cell in the profile. */
  private openSlot = -1;
  private openSlotCell = -1;
  private slotHome = 0;
  private slotKnown = 0;

  // Pending samples, one ring per horizon indexed by minute: features, state, cell, time.
  private readonly ringX: Float32Array;
  private readonly ringState = new Int8Array(RING_TOTAL);
  private readonly ringCell = new Int32Array(RING_TOTAL);
  private readonly ringMinute = new Float64Array(RING_TOTAL).fill(NaN);

  private readonly x = new Float32Array(NF);
  /** Rows of model.days nearest today so far (PreHeat's K nearest days), nearest first. */
  private readonly near = new Int32Array(SIM_K);
  private nearCount = 0;
  private readonly p = new Float64Array(NH).fill(0.5);

  constructor(model: ForecasterModel = emptyModel(), options: Partial<ForecasterOptions> = {}) {
    this.model = cloneModel(model);
    this.prior = Float32Array.from(model.weights);
    this.opts = { ...DEFAULT_OPTIONS, ...options };
    this.ringX = new Float32Array(RING_TOTAL * NF);
  }

  /**
   * Starts again from `model` (a reset to the shipped prior): its tables and weights are copied into
   * this forecaster's own arrays, which also become the weights it is pulled back toward, and every
   * pending sample and the current belief are forgotten. Afterwards it predicts exactly as a new
   * forecaster built from `model` with the same options; references to `this.model` stay valid.
   */
  resetTo(model: ForecasterModel): void {
    const m = this.model;
    if (model.weights.length !== m.weights.length || model.duration.length !== m.duration.length
      || model.profile.length !== m.profile.length || model.days.length !== m.days.length) {
      throw new RangeError('the model to reset to does not have this forecaster\'s shape');
    }
    m.weights.set(model.weights);
    m.duration.set(model.duration);
    m.profile.set(model.profile);
    m.days.set(model.days);
    m.dayIndex.set(model.dayIndex);
    this.nearCount = 0;
    this.prior.set(model.weights);
    this.state = -1;
    this.stateSince = 0;
    this.lastMinute = -Infinity;
    this.lastActivity = -Infinity;
    this.openSlot = -1;
    this.openSlotCell = -1;
    this.slotHome = 0;
    this.slotKnown = 0;
    this.ringX.fill(0);
    this.ringState.fill(0);
    this.ringCell.fill(0);
    this.ringMinute.fill(NaN);
    this.x.fill(0);
    this.p.fill(0.5);
    this.observing = undefined;
  }

  /** The belief this forecaster holds about now: 1 home, 0 away, -1 unknown. */
  get current(): number {
    return this.state;
  }

  /**
   * Feeds one minute: the zone's belief about occupancy at `t` (1, 0, or -1 when unknown) and
   * whether any activity was seen in that minute. Learns every pending sample whose horizon ends at `t`.
   */
  observe(t: number, state: number, activity = false): void {
    const minute = Math.floor(t / MIN);
    if (minute <= this.lastMinute) {
      return; // one sample per minute; ticks may jitter
    }
    if (activity) {
      this.lastActivity = t;
    }
    if (state === 0 || state === 1) {
      this.resolveAt(minute, state);
      if (state !== this.state) {
        this.state = state;
        this.stateSince = t;
      }
    }
    this.lastMinute = minute;
    this.addToProfile(t, state);
    this.formSamples(minute, t);
  }

  /** P(home at the last observed time + h minutes). h must be one of HORIZONS. */
  predict(h: number): number {
    const i = (HORIZONS as readonly number[]).indexOf(h);
    if (i < 0) {
      throw new RangeError(`horizon ${h} min is not one of ${HORIZONS.join(', ')}`);
    }
    return this.p[i];
  }

  /**
   * How often the household was home in this 15-minute slot of the week (weekday or weekend),
   * from completed slots; undefined until the slot has been seen a few times.
   */
  usuallyHome(t: number): number | undefined {
    const key = (this.isWeekend(t) * SLOTS + Math.floor(this.localMinute(t) / SLOT_MIN)) * 2;
    return this.model.profile[key + 1] >= 3 ? this.profileAt(t) : undefined;
  }

  /** P(home) for every horizon, in HORIZONS order. */
  predictions(): Float64Array {
    return this.p;
  }

  /**
   * Learns one labelled sample formed at `formedAt` for horizon index `hi`. Refuses (throws) a
   * label whose time has not come: learning it would read the future.
   */
  learn(
    hi: number, formedMinute: number, labelMinute: number, x: Float32Array, xOffset: number, state: number, label: number,
  ): void {
    const due = formedMinute + HORIZONS[hi];
    if (labelMinute > this.lastMinuteSeen() || labelMinute < due) {
      const iso = (m: number) => new Date(m * MIN).toISOString();
      throw new FutureLabelError(
        `the label for +${HORIZONS[hi]} min of the sample formed at ${iso(formedMinute)} is not due until `
        + `${iso(due)}; it was offered for ${iso(labelMinute)} at ${iso(this.lastMinuteSeen())}`,
      );
    }
    if (!this.opts.learn) {
      return;
    }
    const w = this.model.weights;
    const base = (hi * 2 + state) * NF;
    let z = 0;
    for (let f = 0; f < NF; f++) {
      z += w[base + f] * x[xOffset + f];
    }
    const g = label - sigmoid(z);
    const lr = this.opts.learningRate;
    const pull = this.opts.priorPull;
    for (let f = 0; f < NF; f++) {
      w[base + f] += lr * g * x[xOffset + f] - pull * (w[base + f] - this.prior[base + f]);
    }
  }

  /** The newest minute observed, including the one being observed right now. */
  private lastMinuteSeen(): number {
    return this.observing ?? this.lastMinute;
  }

  private observing?: number;

  private resolveAt(minute: number, label: number): void {
    this.observing = minute;
    try {
      this.resolvePending(minute, label);
    } finally {
      this.observing = undefined;
    }
  }

  private resolvePending(minute: number, label: number): void {
    const d = this.model.duration;
    const decay = this.opts.durationDecay;
    for (let hi = 0; hi < NH; hi++) {
      const h = HORIZONS[hi];
      const len = RING_LEN[hi];
      const slot = RING_BASE[hi] + ((minute - h) % len + len) % len;
      if (this.ringMinute[slot] !== minute - h) {
        continue; // no sample at exactly minute - h (a gap in the history)
      }
      const s = this.ringState[slot];
      this.learn(hi, minute - h, minute, this.ringX, slot * NF, s, label);
      const cell = this.ringCell[slot];
      d[cell] = d[cell] * decay + (label === s ? 1 : 0);
      d[cell + 1] = d[cell + 1] * decay + 1;
      this.ringMinute[slot] = NaN;
    }
  }

  private localMinute(t: number): number {
    const m = Math.floor(t / MIN) + this.opts.utcOffsetMinutes;
    return ((m % DAY_MIN) + DAY_MIN) % DAY_MIN;
  }

  /** Local calendar day of t, in days since 1970. */
  private localDay(t: number): number {
    return Math.floor((Math.floor(t / MIN) + this.opts.utcOffsetMinutes) / DAY_MIN);
  }

  private isWeekend(t: number): number {
    const day = new Date(t + this.opts.utcOffsetMinutes * MIN).getUTCDay();
    return day === 0 || day === 6 ? 1 : 0;
  }

  /** Only completed slots reach the profile, so it never holds a partial view of "now". */
  private addToProfile(t: number, state: number): void {
    const slot = Math.floor(Math.floor(t / MIN) / SLOT_MIN);
    if (slot !== this.openSlot) {
      this.flushSlot();
      this.openSlot = slot;
      this.openSlotCell = this.isWeekend(t) * SLOTS + Math.floor(this.localMinute(t) / SLOT_MIN);
    }
    if (state === 0 || state === 1) {
      this.slotHome += state;
      this.slotKnown += 1;
    }
  }

  private flushSlot(): void {
    if (this.openSlotCell >= 0 && this.slotKnown > 0) {
      this.recordDaySlot();
    }
    if (this.openSlotCell >= 0 && this.slotKnown > 0) {
      const i = this.openSlotCell * 2;
      const decay = this.opts.profileDecay;
      const profile = this.model.profile;
      profile[i] = profile[i] * decay + this.slotHome / this.slotKnown;
      profile[i + 1] = profile[i + 1] * decay + 1;
    }
    this.slotHome = 0;
    this.slotKnown = 0;
  }

  /** The open slot, as completed: into today's row of the similar-days memory, then re-rank the past days. */
  private recordDaySlot(): void {
    const { days, dayIndex } = this.model;
    const t = this.openSlot * SLOT_MIN * MIN;
    const day = this.localDay(t);
    const slotOfDay = Math.floor(this.localMinute(t) / SLOT_MIN);
    const row = day % SIMILAR_DAYS_KEPT;
    if (dayIndex[row] !== day) {
      dayIndex[row] = day;
      days.fill(-1, row * SLOTS, (row + 1) * SLOTS);
    }
    days[row * SLOTS + slotOfDay] = this.slotHome > 0 ? 1 : 0;
    this.rankDays(day, row, slotOfDay + 1);
  }

  /**
   * PreHeat's matching: the past days (within the memory) nearest today over today's completed
   * slots, by the share of slots that differ (unknown slots left out), SIM_K kept, nearest first.
   */
  private rankDays(today: number, todayRow: number, completed: number): void {
    const { days, dayIndex } = this.model;
    const score = this.dayScore;
    let candidates = 0;
    for (let r = 0; r < SIMILAR_DAYS_KEPT; r++) {
      const d = dayIndex[r];
      score[r] = Infinity;
      if (d < 0 || d >= today || d <= today - SIMILAR_DAYS_KEPT) {
        continue;
      }
      let differ = 0;
      let n = 0;
      for (let k = 0; k < completed; k++) {
        const a = days[todayRow * SLOTS + k];
        const b = days[r * SLOTS + k];
        if (a >= 0 && b >= 0) {
          differ += a === b ? 0 : 1;
          n++;
        }
      }
      score[r] = n > 0 ? differ / n : 0.5;
      candidates++;
    }
    // The SIM_K lowest scores, nearest first; a tie goes to the more recent day.
    this.nearCount = Math.min(SIM_K, candidates);
    for (let i = 0; i < this.nearCount; i++) {
      let best = -1;
      for (let r = 0; r < SIMILAR_DAYS_KEPT; r++) {
        if (score[r] === Infinity) {
          continue;
        }
        if (best < 0 || score[r] < score[best] || (score[r] === score[best] && dayIndex[r] > dayIndex[best])) {
          best = r;
        }
      }
      this.near[i] = best;
      score[best] = Infinity;
    }
  }

  /** Scratch for rankDays, one score per row of the memory (a tick allocates nothing). */
  private readonly dayScore = new Float64Array(SIMILAR_DAYS_KEPT);

  /**
   * P(home) at t on the days most like today (PreHeat): the share of the nearest days on which
   * someone was home at t's slot (t's day relative to today, so tomorrow reads their next days),
   * lightly smoothed; undefined with fewer than SIM_MIN such days.
   */
  similarDaysAt(t: number): number | undefined {
    if (this.nearCount < SIM_MIN || this.openSlot < 0) {
      return undefined;
    }
    const { days, dayIndex } = this.model;
    const slot = Math.floor(this.localMinute(t) / SLOT_MIN);
    const today = this.localDay(this.openSlot * SLOT_MIN * MIN);
    const ahead = this.localDay(t) - today;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < this.nearCount; i++) {
      const d = dayIndex[this.near[i]] + ahead;
      const r = ((d % SIMILAR_DAYS_KEPT) + SIMILAR_DAYS_KEPT) % SIMILAR_DAYS_KEPT;
      if (d >= today || dayIndex[r] !== d) {
        continue;
      }
      const b = days[r * SLOTS + slot];
      if (b >= 0) {
        sum += b;
        n++;
      }
    }
    return n >= SIM_MIN ? (sum + 0.5) / (n + 1) : undefined;
  }

  /** Smoothed P(home) of a slot of the weekly profile: a beta(1,1) prior over completed slots only. */
  private profileAt(t: number): number {
    const key = (this.isWeekend(t) * SLOTS + Math.floor(this.localMinute(t) / SLOT_MIN)) * 2;
    const profile = this.model.profile;
    return (profile[key] + 1) / (profile[key + 1] + 2);
  }

  private formSamples(minute: number, t: number): void {
    const s = this.state;
    if (s < 0) {
      this.p.fill(0.5);
      return;
    }
    const age = (t - this.stateSince) / MIN;
    const tod = this.localMinute(t);
    const todBucket = Math.floor(tod / (DAY_MIN / TOD_BUCKETS));
    const durBucket = durationBucket(age);
    const quiet = Number.isFinite(this.lastActivity) ? Math.min(1, (t - this.lastActivity) / (60 * MIN)) : 1;
    const w = this.model.weights;
    const d = this.model.duration;
    const x = this.x;
    const share = this.opts.profileShare;
    const angleNow = (2 * Math.PI * tod) / DAY_MIN;
    for (let hi = 0; hi < NH; hi++) {
      const h = HORIZONS[hi];
      const cell = ((((hi * 2 + s) * TOD_BUCKETS + todBucket) * DUR_BUCKETS) + durBucket) * 2;
      const same = d[cell] / d[cell + 1];
      const target = t + h * MIN;
      const angle = (2 * Math.PI * this.localMinute(target)) / DAY_MIN;
      x[0] = 1;
      x[1] = clipLogit(s === 1 ? same : 1 - same);
      x[2] = clipLogit(this.profileAt(target));
      x[3] = Math.sin(angle);
      x[4] = Math.cos(angle);
      x[5] = Math.sin(angleNow);
      x[6] = Math.cos(angleNow);
      x[7] = Math.log1p(age) / Math.log1p(DAY_MIN);
      x[8] = quiet;
      x[9] = clipLogit(this.similarDaysAt(target) ?? this.profileAt(target));
      const base = (hi * 2 + s) * NF;
      let z = 0;
      for (let f = 0; f < NF; f++) {
        z += w[base + f] * x[f];
      }
      this.p[hi] = share > 0 ? (1 - share) * sigmoid(z) + share * this.profileAt(target) : sigmoid(z);
      const len = RING_LEN[hi];
      const slot = RING_BASE[hi] + ((minute % len) + len) % len;
      this.ringX.set(x, slot * NF);
      this.ringState[slot] = s;
      this.ringCell[slot] = cell;
      this.ringMinute[slot] = minute;
    }
  }
}
