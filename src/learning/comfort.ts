import type { HeatCool } from '../config/types';

/**
 * Learned comfort temperatures: what the household sets in Apple Home while it is home, per hour of
 * a weekday or a weekend day, for heating and for cooling separately. Each slot holds a
 * forgetting-weighted mean of the setpoints chosen at (and, more weakly, around) that time, shrunk
 * toward the configured comfort by a prior worth `priorWeight` changes:
 *
 *   learned = configured + S / (priorWeight + W),  S = Σ w·(chosen − configured),  W = Σ w
 *
 * where w is the kernel weight of the change for that slot times 2^(−age / halfLife). With no new
 * changes S and W fade together, so the slot drifts back to the configured comfort; a preference
 * stated often fades more slowly than a one-off. Every contribution is bounded, so the learned value
 * stays within ±maxOffset of the configured comfort and within [frostProtection, maximum].
 * Pure and synchronous on typed arrays; times are clock ms, local time is UTC + utcOffsetMinutes.
 */

// Module-level aliases: global lookups are slow inside Jest's vm sandbox.
const { exp, floor, round, min, max, abs, LN2 } = Math;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type ComfortAction = 'heat' | 'cool';

/**
 * Slots: heat and cool (separately: they are different temperatures, and a change of one says
 * nothing about the other) × weekday and weekend × 24 one-hour slots. One hour, not 30 min, because
 * changes are sparse (a few a week per time of day) and the ±2 h kernel already smooths across
 * slots; weekday/weekend as in the occupancy forecaster's profile.
 */
export const HOURS_PER_DAY = 24;
export const SLOT_COUNT = 2 * 2 * HOURS_PER_DAY;
/** Layout of the serialized arrays, index ((action * 2) + weekend) * 24 + hour; checked on load. */
export const COMFORT_LAYOUT = 'heat,cool x weekday,weekend x 24h';

export interface ComfortTuning {
  /** How many changes' worth the configured comfort counts for: a slot's first change moves it 1/(1 + this) of the way. */
  priorWeight: number;
  /** Half-life of what was learned, in days: S and W halve in this time without changes. */
  halfLifeDays: number;
  /** Weight of a change for its own hour, for ±1 h, ±2 h, …: kernel[0] must be 1. */
  kernel: readonly number[];
  /** A learned comfort stays within ±this of the configured comfort, °C (at most 12.7: int8 tenths). */
  maxOffset: number;
  /** One change counts as at most this far beyond the slot's current learned value, °C: a one-off 30 °C is not taken at face value. */
  maxStep: number;
  /**
   * Cap on a slot's evidence W, in changes (at most 25.5): every change then still moves its slot at
   * least 1/(priorWeight + maxWeight + 1) of the way, so a new preference takes over within a week or two.
   */
  maxWeight: number;
  /** A change within this many minutes of the previous one for the same action replaces it (one decision, several taps). */
  coalesceMinutes: number;
  /** Evidence (in changes) from which a slot counts as learned even when its value equals the configured one. */
  minWeight: number;
}

export const DEFAULT_COMFORT_TUNING: Readonly<ComfortTuning> = Object.freeze({
  priorWeight: 0.75,
  halfLifeDays: 14,
  kernel: Object.freeze([1, 0.5, 0.15]),
  maxOffset: 4,
  maxStep: 2,
  maxWeight: 4,
  coalesceMinutes: 10,
  minWeight: 0.5,
});

export interface ComfortLearnerOptions extends Partial<ComfortTuning> {
  comfort: HeatCool;
  limits: { frostProtection: number; maximum: number };
  /** Local time = UTC + this. */
  utcOffsetMinutes: number;
}

/** A target change made in Apple Home. */
export interface ComfortChange {
  t: number;
  action: ComfortAction;
  /** The target chosen, °C. */
  setpoint: number;
  /** Whether the zone believed someone was home: only those changes teach comfort. */
  occupied: boolean;
  /** The target before the change, °C. */
  previous: number;
}

export interface RecordResult {
  learned: boolean;
  reason: string;
}

export interface ComfortAt {
  setpoint: number;
  learned: boolean;
  reason: string;
}

/** The persisted form: about 400 bytes of JSON. */
export interface ComfortFile {
  format: 'comfort-learner';
  version: 1;
  slots: string;
  /** Clock ms the numbers are as of (forgetting runs from here). */
  at: number;
  /** int8 per slot: learned − configured comfort in tenths of °C, base64. */
  offsets: string;
  /** uint8 per slot: evidence W in tenths of a change, base64. */
  weights: string;
}

/** A decoded ComfortFile: per-slot offsets (°C from the configured comfort) and evidence (changes). */
export interface ComfortState {
  at: number;
  offsets: Float32Array;
  weights: Float32Array;
}

const actionIndex = (a: ComfortAction): number => (a === 'cool' ? 1 : 0);
const round10 = (x: number): number => round(x * 10) / 10;
const hhmm = (minutes: number): string =>
  `${String(floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

function checkTuning(o: ComfortTuning): void {
  const bad = (field: string, allowed: string, v: unknown) => {
    throw new RangeError(`comfort learning: ${field} must be ${allowed}, got ${String(v)}`);
  };
  const num = (field: keyof ComfortTuning, lo: number, hi: number, loOpen = false) => {
    const v = o[field] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v > hi || (loOpen ? v <= lo : v < lo)) {
      bad(field, `a number ${loOpen ? 'above' : 'from'} ${lo}${Number.isFinite(hi) ? ` to ${hi}` : ''}`, v);
    }
  };
  num('priorWeight', 0, Infinity, true);
  num('halfLifeDays', 0, Infinity, true);
  num('maxOffset', 0, 12.7, true);
  num('maxStep', 0, Infinity, true);
  num('maxWeight', 0, 25.5, true);
  num('coalesceMinutes', 0, 1440);
  num('minWeight', 0, Infinity);
  const k = o.kernel;
  if (!Array.isArray(k) || k.length < 1 || k.length > 12 || k[0] !== 1
    || !k.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 1)) {
    bad('kernel', '1 then up to 11 weights from 0 to 1', JSON.stringify(k));
  }
}

export class ComfortLearner {
  readonly tuning: Readonly<ComfortTuning>;
  /** Σ w·(chosen − configured) per slot, as of `at`. */
  private readonly sum = new Float64Array(SLOT_COUNT);
  /** Σ w per slot, as of `at`. */
  private readonly weight = new Float64Array(SLOT_COUNT);
  private at = 0;
  private readonly configured: Float64Array;
  private readonly frost: number;
  private readonly maximum: number;
  private readonly offsetMs: number;
  private readonly halfLifeMs: number;

  // The last change learned, so that a quick follow-up can replace it: the slots it touched and their values before.
  private pendingT = NaN;
  /** The time the saved values are as of (the learner's `at` when the change was learned). */
  private pendingAsOf = NaN;
  private pendingAction = -1;
  private pendingPrevious = NaN;
  private pendingN = 0;
  private readonly undoSlot: Int16Array;
  private readonly undoSum: Float64Array;
  private readonly undoWeight: Float64Array;

  constructor(options: ComfortLearnerOptions, saved?: ComfortState) {
    const { comfort, limits, utcOffsetMinutes, ...rest } = options;
    const tuning: ComfortTuning = { ...DEFAULT_COMFORT_TUNING };
    for (const [key, value] of Object.entries(rest) as [keyof ComfortTuning, unknown][]) {
      if (value !== undefined) {
        (tuning as unknown as Record<string, unknown>)[key] = value;
      }
    }
    checkTuning(tuning);
    const finite = (v: unknown, field: string) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`comfort learning: ${field} must be a finite number, got ${String(v)}`);
      }
      return v;
    };
    this.configured = Float64Array.of(finite(comfort?.heat, 'comfort.heat'), finite(comfort?.cool, 'comfort.cool'));
    this.frost = finite(limits?.frostProtection, 'limits.frostProtection');
    this.maximum = finite(limits?.maximum, 'limits.maximum');
    if (this.maximum <= this.frost) {
      throw new RangeError(`comfort learning: limits.maximum (${this.maximum}) must be above limits.frostProtection (${this.frost})`);
    }
    this.offsetMs = finite(utcOffsetMinutes, 'utcOffsetMinutes') * MINUTE_MS;
    this.tuning = Object.freeze({ ...tuning, kernel: Object.freeze([...tuning.kernel]) });
    this.halfLifeMs = tuning.halfLifeDays * DAY_MS;
    const span = 2 * tuning.kernel.length - 1;
    this.undoSlot = new Int16Array(span);
    this.undoSum = new Float64Array(span);
    this.undoWeight = new Float64Array(span);
    if (saved) {
      this.restore(saved);
    }
  }

  /** A learner from a persisted file; throws (naming the field) when the file is damaged. */
  static fromFile(options: ComfortLearnerOptions, raw: unknown): ComfortLearner {
    return new ComfortLearner(options, decodeComfort(raw));
  }

  /**
   * Learns from a target change made in Apple Home. Only changes made while someone is home teach
   * comfort; a change that is no change, or not a number, teaches nothing. Returns what was learned
   * and why, for the log.
   */
  record(change: ComfortChange): RecordResult {
    const { t, action, setpoint, occupied } = change;
    if (action !== 'heat' && action !== 'cool') {
      return { learned: false, reason: `not learned: unknown action ${String(action)}` };
    }
    if (typeof t !== 'number' || !Number.isFinite(t) || typeof setpoint !== 'number' || !Number.isFinite(setpoint)) {
      return { learned: false, reason: `not learned: the change (${String(setpoint)} °C at ${String(t)}) is not a finite number` };
    }
    if (!occupied) {
      return { learned: false, reason: 'not learned: nobody home, a change while away is a one-off' };
    }
    const a = actionIndex(action);
    const base = this.configured[a];
    const tn = this.tuning;
    this.decayTo(t);

    // Several changes in quick succession are one decision: the last replaces the earlier ones.
    let previous = change.previous;
    let replaced = NaN;
    if (this.pendingAction === a && t >= this.pendingT && t - this.pendingT <= tn.coalesceMinutes * MINUTE_MS) {
      const f = this.decayFactor(this.pendingAsOf, this.at);
      for (let j = 0; j < this.pendingN; j++) {
        const i = this.undoSlot[j];
        this.sum[i] = this.undoSum[j] * f;
        this.weight[i] = this.undoWeight[j] * f;
      }
      previous = this.pendingPrevious;
      replaced = this.pendingT;
    }
    this.pendingAction = -1;
    this.pendingN = 0;
    const replaces = Number.isNaN(replaced) ? '' : `; replaces the change at ${this.localTime(replaced)}`;
    if (typeof previous === 'number' && Number.isFinite(previous) && abs(setpoint - previous) < 0.05) {
      return {
        learned: false,
        reason: replaces
          ? `not learned: back to ${setpoint.toFixed(1)} °C, which withdraws the change at ${this.localTime(replaced)}`
          : `not learned: ${setpoint.toFixed(1)} °C is no change`,
      };
    }

    const dLo = max(this.frost - base, -tn.maxOffset);
    const dHi = min(this.maximum - base, tn.maxOffset);
    if (dLo > dHi) {
      return { learned: false, reason: `not learned: the configured comfort ${base.toFixed(1)} °C is far outside the limits` };
    }
    const d = min(dHi, max(dLo, setpoint - base));
    const center = this.slotOf(t, a);
    const before = this.estimate(center, 1);
    const k = tn.kernel;
    const w0 = tn.priorWeight;
    let n = 0;
    for (let h = 1 - k.length; h < k.length; h++) {
      const w = k[h < 0 ? -h : h];
      if (w <= 0) {
        continue;
      }
      const i = h === 0 ? center : this.slotOf(t + h * HOUR_MS, a);
      this.undoSlot[n] = i;
      this.undoSum[n] = this.sum[i];
      this.undoWeight[n] = this.weight[i];
      n++;
      const e = this.sum[i] / (w0 + this.weight[i]);
      const step = min(e + tn.maxStep, max(e - tn.maxStep, d));
      this.sum[i] += w * step;
      this.weight[i] += w;
      if (this.weight[i] > tn.maxWeight) {
        // Keep the value, cap the evidence.
        this.sum[i] = (this.sum[i] / (w0 + this.weight[i])) * (w0 + tn.maxWeight);
        this.weight[i] = tn.maxWeight;
      }
    }
    this.pendingT = t;
    this.pendingAsOf = this.at;
    this.pendingAction = a;
    this.pendingPrevious = previous;
    this.pendingN = n;

    const after = this.estimate(center, 1);
    const counted = d !== setpoint - base ? `; ${setpoint.toFixed(1)} °C counted as ${(base + d).toFixed(1)} °C (the learning bound)` : '';
    return {
      learned: true,
      reason: `learned: ${action} comfort for ${this.slotLabel(center)} now ${round10(base + after).toFixed(1)} °C `
        + `(was ${round10(base + before).toFixed(1)} °C, weight ${formatCount(this.weight[center])} of recent changes)${counted}${replaces}`,
    };
  }

  /**
   * The comfort temperature for `t`: learned for its slot, or the configured one when nothing
   * (left) is learned there. Within [frostProtection, maximum]. Does not change the learner.
   */
  comfortAt(t: number, action: ComfortAction): ComfortAt {
    const a = actionIndex(action);
    const i = this.slotOf(t, a);
    const f = this.decayFactor(this.at, t);
    const w = this.weight[i] * f;
    const base = this.configured[a];
    const learnedValue = round10(base + this.estimate(i, f));
    const learned = learnedValue !== round10(base) || w >= this.tuning.minWeight;
    const raw = learned ? learnedValue : base;
    const setpoint = min(this.maximum, max(this.frost, raw));
    const limited = setpoint !== raw
      ? ` (limited to ${setpoint === this.frost ? 'frost protection' : 'the maximum'} ${setpoint.toFixed(1)} °C)`
      : '';
    const reason = learned
      ? `learned ${raw.toFixed(1)} °C for ${this.slotLabel(i)} (weight ${formatCount(w)} of recent changes)${limited}`
      : `configured ${raw.toFixed(1)} °C${limited}`;
    return { setpoint, learned, reason };
  }

  /** comfortAt(t, action).setpoint without the reason: allocates nothing. */
  setpointAt(t: number, action: ComfortAction): number {
    const a = actionIndex(action);
    const i = this.slotOf(t, a);
    const f = this.decayFactor(this.at, t);
    const base = this.configured[a];
    const learnedValue = round10(base + this.estimate(i, f));
    const raw = learnedValue !== round10(base) || this.weight[i] * f >= this.tuning.minWeight ? learnedValue : base;
    return min(this.maximum, max(this.frost, raw));
  }

  /** The persisted form, as of the last change learned (forgetting since then is re-applied on use). */
  encode(): ComfortFile {
    const offsets = new Int8Array(SLOT_COUNT);
    const weights = new Uint8Array(SLOT_COUNT);
    for (let i = 0; i < SLOT_COUNT; i++) {
      const tenths = this.estimate(i, 1) * 10;
      offsets[i] = max(-127, min(127, tenths < 0 ? -round(-tenths) : round(tenths)));
      weights[i] = min(255, round(this.weight[i] * 10));
    }
    return {
      format: 'comfort-learner',
      version: 1,
      slots: COMFORT_LAYOUT,
      at: round(this.at),
      offsets: b64(offsets),
      weights: b64(weights),
    };
  }

  private restore(saved: ComfortState): void {
    const tn = this.tuning;
    if (saved.offsets.length !== SLOT_COUNT || saved.weights.length !== SLOT_COUNT || !Number.isFinite(saved.at)) {
      throw new RangeError(`comfort learning: a saved state needs ${SLOT_COUNT} offsets and weights and a finite time`);
    }
    this.at = saved.at;
    for (let i = 0; i < SLOT_COUNT; i++) {
      const w = min(tn.maxWeight, max(0, saved.weights[i]));
      const o = min(tn.maxOffset, max(-tn.maxOffset, saved.offsets[i]));
      this.weight[i] = w;
      this.sum[i] = o * (tn.priorWeight + w);
    }
  }

  /** Learned offset from the configured comfort, with S and W scaled by the forgetting factor f. */
  private estimate(i: number, f: number): number {
    const w = this.weight[i] * f;
    return (this.sum[i] * f) / (this.tuning.priorWeight + w);
  }

  private decayFactor(from: number, to: number): number {
    return to > from ? exp((-LN2 * (to - from)) / this.halfLifeMs) : 1;
  }

  /** Forgets everything up to t (never backwards). */
  private decayTo(t: number): void {
    if (t <= this.at) {
      return;
    }
    const f = this.decayFactor(this.at, t);
    for (let i = 0; i < SLOT_COUNT; i++) {
      this.sum[i] *= f;
      this.weight[i] *= f;
    }
    this.at = t;
  }

  private slotOf(t: number, a: number): number {
    const local = t + this.offsetMs;
    const day = floor(local / DAY_MS);
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const weekend = weekday === 0 || weekday === 6 ? 1 : 0;
    const hour = min(HOURS_PER_DAY - 1, floor((local - day * DAY_MS) / HOUR_MS));
    return (a * 2 + weekend) * HOURS_PER_DAY + hour;
  }

  private slotLabel(i: number): string {
    const weekend = floor(i / HOURS_PER_DAY) % 2 === 1;
    return `${weekend ? 'weekend' : 'weekday'} ${hhmm((i % HOURS_PER_DAY) * 60)}`;
  }

  private localTime(t: number): string {
    const local = t + this.offsetMs;
    return hhmm(floor((local - floor(local / DAY_MS) * DAY_MS) / MINUTE_MS));
  }
}

/** Evidence in changes, one decimal: each change adds its kernel weight, halving every halfLifeDays, capped at maxWeight. */
function formatCount(w: number): string {
  return w.toFixed(1);
}

function b64(bytes: Int8Array | Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads a persisted comfort file, checking every field; errors name the field. The values are
 * bounded again when a learner is built from them (its own maxOffset and maxWeight).
 */
export function decodeComfort(raw: unknown): ComfortState {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`not a comfort-learner file: expected an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const f = raw as Partial<Record<keyof ComfortFile, unknown>>;
  if (f.format !== 'comfort-learner') {
    throw new Error(`not a comfort-learner file (field "format" is ${JSON.stringify(f.format) ?? 'missing'})`);
  }
  if (f.version !== 1) {
    throw new Error(`comfort file version ${String(f.version)} is not supported (field "version"; expected 1)`);
  }
  if (f.slots !== COMFORT_LAYOUT) {
    throw new Error(`comfort file has another slot layout (field "slots" is ${JSON.stringify(f.slots) ?? 'missing'}; expected "${COMFORT_LAYOUT}")`);
  }
  if (typeof f.at !== 'number' || !Number.isFinite(f.at) || f.at < 0) {
    throw new Error(`field "at" must be a time in ms (a finite number ≥ 0), got ${JSON.stringify(f.at) ?? 'nothing'}`);
  }
  const bytes = (field: 'offsets' | 'weights'): Uint8Array => {
    const value = f[field];
    if (typeof value !== 'string' || !BASE64.test(value) || value.length % 4 !== 0) {
      throw new Error(`field "${field}" must be a base64 string of ${SLOT_COUNT} bytes, got ${typeof value === 'string' ? 'malformed base64' : typeof value}`);
    }
    const buf = Buffer.from(value, 'base64');
    if (buf.length !== SLOT_COUNT) {
      throw new Error(`field "${field}" must be base64 of ${SLOT_COUNT} bytes, got ${buf.length}`);
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  };
  const o = bytes('offsets');
  const w = bytes('weights');
  const signed = new Int8Array(o.buffer, o.byteOffset, o.length);
  const offsets = new Float32Array(SLOT_COUNT);
  const weights = new Float32Array(SLOT_COUNT);
  for (let i = 0; i < SLOT_COUNT; i++) {
    if (signed[i] === -128) {
      throw new Error(`field "offsets" holds -128 at slot ${i}: not written by this version`);
    }
    offsets[i] = signed[i] / 10;
    weights[i] = w[i] / 10;
  }
  return { at: f.at, offsets, weights };
}

/** Size of the file as stored (compact JSON), in bytes. */
export function comfortBytes(file: ComfortFile): number {
  return Buffer.byteLength(JSON.stringify(file));
}
