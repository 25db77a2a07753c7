import { CONSERVATIVE_ROOM } from '../control/lead';
import type { HistoryRecord } from '../store/history';

/**
 * Grey-box fit of the zone's first-order room from its history (the model of src/sim/thermal.ts):
 *
 *   dT/dt = (Tout − T)/tau + H·heating − C·cooling
 *
 * The history is cut into stretches with the equipment constant (between two equipment changes),
 * and each stretch into steps of about `stepMinutes` that start and end on it, so no step ever holds
 * an equipment change or interpolates across one. Over a step of length Δ with constant inputs the
 * model's exact solution gives
 *
 *   (T1 − T0)/Δ = (k/Δ)·(Tout − (T0 + T1)/2) + (k/Δ)·tau·(H·heating − C·cooling),  k = 2·tanh(Δ/(2·tau))
 *
 * and k/Δ = (1/tau)·(1 − Δ²/(12·tau²) + …), so regressing the step's slope on (Tout − Tmid), heating
 * and cooling by ordinary least squares (each step weighted by its length, so every hour counts the
 * same) fits 1/tau, H and C. The midpoint keeps sensor noise in the regressor uncorrelated with the
 * noise in the slope (using T0 would bias tau), and the small Δ²/tau² term is undone at the end.
 *
 * Plain least squares, no mathjs: the system is at most 3×3, and the normal equations with partial
 * pivoting solve it exactly; mathjs would add ~74 MB and ~1 s of loading for nothing.
 *
 * Pure: no I/O, no clock. Runs in the maintenance worker (thermal-worker.ts) and in tests.
 */

export interface ThermalFitOptions {
  /** Target step length, minutes (default 10). Steps are 2/3 to 3/2 of this, or a whole short stretch. */
  stepMinutes?: number;
  /** Stretches with the equipment constant shorter than this (between readings) are not used, minutes (default 4). */
  minStepMinutes?: number;
  /**
   * Longest gap between indoor readings that is interpolated across, minutes (default 30, the zone's
   * default `staleSensorMinutes`; the zone records a reading at least every 15 min while it has one).
   */
  maxGapMinutes?: number;
  /** The same for outdoor readings, which change slowly and may come from a weather service (default 90). */
  outdoorMaxGapMinutes?: number;
  /** Hours of usable heating (cooling) needed before a heating (cooling) rate is reported (default 2 each). */
  minHeatHours?: number;
  minCoolHours?: number;
  /** Hours of usable time with the equipment idle needed before anything is reported (default 2). */
  minIdleHours?: number;
  /** Plausible time constants, hours (default 2–300); a fit outside is refused. */
  tauBounds?: readonly [number, number];
  /** Plausible heating and cooling rates, °C/h (default 0.1–20); a rate outside is not reported. */
  rateBounds?: readonly [number, number];
  /**
   * Refit once without steps whose residual is over 4 robust standard deviations (a window left open,
   * sun on the sensor, a shower next door). Default true.
   */
  trim?: boolean;
}

export interface ThermalFit {
  /** Fitted time constant, hours; the conservative default (CONSERVATIVE_ROOM) when `ok` is false. */
  tauHours: number;
  /** °C/h the heater adds with indoor = outdoor; absent with too little heating, or an implausible value. */
  heatPerHour?: number;
  /** °C/h the cooler removes with indoor = outdoor; absent likewise. */
  coolPerHour?: number;
  /** Steps used in the fit, by equipment state (each about `stepMinutes` long). */
  samples: { heat: number; cool: number; idle: number };
  /** Hours those steps cover, by equipment state. */
  hours: { heat: number; cool: number; idle: number };
  stepMinutes: number;
  /** RMS residual of the temperature change over a step, °C (NaN when nothing was fitted). */
  rmseC: number;
  /** Steps left out of the refit as outliers. */
  trimmed: number;
  /** True when tau and at least one rate are fitted and plausible; otherwise keep the default room. */
  ok: boolean;
  /** What was fitted on what, or why the default room stays. One line, for the log. */
  reason: string;
}

const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;

const DEFAULTS = {
  stepMinutes: 10,
  minStepMinutes: 4,
  maxGapMinutes: 30,
  outdoorMaxGapMinutes: 90,
  minHeatHours: 2,
  minCoolHours: 2,
  minIdleHours: 2,
  tauBounds: [2, 300] as readonly [number, number],
  rateBounds: [0.1, 20] as readonly [number, number],
  trim: true,
};

/** Equipment states, as bit flags (0 is idle). */
const HEAT = 1;
const COOL = 2;
const BOTH = 3;

/** Time-ordered samples of one reading kind. */
interface Series {
  t: Float64Array;
  v: Float64Array;
}

/** The steps: slope y (°C/h) against x = Tout − Tmid (°C), with length w (h) and equipment state. */
interface Steps {
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  s: Uint8Array;
  n: number;
}

/** Hours left out, and why, for the reason when too little is left. */
interface Discarded {
  beforeEquipment: number;
  indoorGap: number;
  outdoorGap: number;
  heatAndCool: number;
  short: number;
}

type Counts = { heat: number; cool: number; idle: number };

/**
 * The readings a fit uses, gathered a record at a time into typed arrays (16 bytes a reading), so a
 * month of history need never be held as records: thermal-worker.ts streams the files into one.
 */
export class ThermalSeries {
  /** Records taken: indoor and outdoor readings and equipment states that are well formed. */
  records = 0;
  private readonly indoor = new Growing();
  private readonly outdoor = new Growing();
  private readonly equipment = new Growing();

  static of(records: readonly HistoryRecord[]): ThermalSeries {
    const series = new ThermalSeries();
    for (const r of records) {
      series.add(r);
    }
    return series;
  }

  /** Takes the record when it is a reading or an equipment state; anything else, or not well formed, is skipped. */
  add(r: HistoryRecord): void {
    if (typeof r !== 'object' || r === null || typeof r.t !== 'number' || !Number.isFinite(r.t)) {
      return;
    }
    if (r.kind === 'temperature' || r.kind === 'outdoor') {
      if (typeof r.v === 'number' && Number.isFinite(r.v)) {
        (r.kind === 'temperature' ? this.indoor : this.outdoor).push(r.t, r.v);
        this.records++;
      }
    } else if (r.kind === 'equipment' && typeof r.heat === 'boolean' && typeof r.cool === 'boolean') {
      this.equipment.push(r.t, (r.heat ? HEAT : 0) | (r.cool ? COOL : 0));
      this.records++;
    }
  }

  /**
   * Indoor and outdoor series and the equipment's state changes, in time order; of several values
   * at the same instant the last added counts.
   */
  extract(): { indoor: Series; outdoor: Series; changeT: Float64Array; changeS: Uint8Array } {
    const eq = this.equipment.ordered();
    // Only changes of state matter (the zone re-records its state at start-up).
    let n = 0;
    const changeT = new Float64Array(eq.t.length);
    const changeS = new Uint8Array(eq.t.length);
    for (let i = 0; i < eq.t.length; i++) {
      if (n === 0 || eq.v[i] !== changeS[n - 1]) {
        changeT[n] = eq.t[i];
        changeS[n] = eq.v[i];
        n++;
      }
    }
    return { indoor: this.indoor.ordered(), outdoor: this.outdoor.ordered(), changeT: changeT.slice(0, n), changeS: changeS.slice(0, n) };
  }
}

/** The fit of `records` (any order; other kinds and records not well formed are skipped). */
export function fitThermal(records: readonly HistoryRecord[], options: ThermalFitOptions = {}): ThermalFit {
  return fitThermalSeries(ThermalSeries.of(records), options);
}

export function fitThermalSeries(series: ThermalSeries, options: ThermalFitOptions = {}): ThermalFit {
  const o = resolve(options);
  const zero = (): Counts => ({ heat: 0, cool: 0, idle: 0 });
  const fallback = (reason: string, samples = zero(), hours = zero(), rmseC = NaN, trimmed = 0): ThermalFit => ({
    tauHours: CONSERVATIVE_ROOM.tauHours, samples, hours, stepMinutes: o.stepMinutes, rmseC, trimmed, ok: false,
    reason: `${reason}; keeping the default room (tau ${CONSERVATIVE_ROOM.tauHours} h, ${CONSERVATIVE_ROOM.ratePerHour} °C/h)`,
  });

  const { indoor, outdoor, changeT, changeS } = series.extract();
  if (indoor.t.length < 2) {
    return fallback(`no thermal model: ${indoor.t.length} indoor reading(s) in the history`);
  }
  if (outdoor.t.length < 2) {
    return fallback(`no thermal model: ${outdoor.t.length} outdoor reading(s) in the history; the heat loss needs outdoor temperatures`);
  }
  if (changeT.length === 0) {
    return fallback('no thermal model: no equipment records in the history');
  }
  const discarded: Discarded = { beforeEquipment: 0, indoorGap: 0, outdoorGap: 0, heatAndCool: 0, short: 0 };
  const steps = buildSteps(indoor, outdoor, changeT, changeS, o, discarded);
  const keep = new Uint8Array(steps.n).fill(1);
  let tally = count(steps, keep);
  const h = (hours: number) => hours.toFixed(1);
  if (steps.n === 0) {
    return fallback(`no thermal model: no usable steps (${describeDiscarded(discarded)})`);
  }
  if (tally.hours.heat < o.minHeatHours && tally.hours.cool < o.minCoolHours) {
    return fallback(
      `too little data for a thermal model: ${h(tally.hours.heat)} h of heating and ${h(tally.hours.cool)} h of cooling usable `
      + `(need ${o.minHeatHours} h of heating or ${o.minCoolHours} h of cooling)`, tally.samples, tally.hours,
    );
  }
  if (tally.hours.idle < o.minIdleHours) {
    return fallback(
      `too little data for a thermal model: ${h(tally.hours.idle)} h with the equipment idle usable (need ${o.minIdleHours} h)`,
      tally.samples, tally.hours,
    );
  }

  // --- Weighted least squares on [x, heating, cooling]; a column only when it has samples. ---
  let fit = solve(steps, keep, tally.samples.heat > 0, tally.samples.cool > 0);
  if (!fit) {
    return fallback('no thermal model: the least-squares system is singular', tally.samples, tally.hours);
  }
  let trimmed = 0;
  if (o.trim) {
    const res = residualsC(steps, fit);
    const kept = new Float64Array(steps.n);
    let nKept = 0;
    for (let i = 0; i < steps.n; i++) {
      if (keep[i]) {
        kept[nKept++] = Math.abs(res[i]);
      }
    }
    // The floor keeps a near-perfect fit from trimming rounding: a simulation, a sensor without noise,
    // or one that reports only changes of a coarse step (whose idle stretches fit exactly).
    const limit = Math.max(4 * 1.4826 * median(kept.subarray(0, nKept)), 0.02, resolution(indoor));
    for (let i = 0; i < steps.n; i++) {
      if (Math.abs(res[i]) > limit) {
        keep[i] = 0;
        trimmed++;
      }
    }
    if (trimmed > 0) {
      tally = count(steps, keep);
      fit = solve(steps, keep, tally.samples.heat > 0, tally.samples.cool > 0);
      if (!fit) {
        return fallback('no thermal model: the least-squares system is singular without the outliers', tally.samples, tally.hours);
      }
    }
  }
  const { samples, hours } = tally;
  const res = residualsC(steps, fit);
  let sse = 0;
  let used = 0;
  let meanStep = 0;
  for (let i = 0; i < steps.n; i++) {
    if (keep[i]) {
      sse += res[i] * res[i];
      meanStep += steps.w[i];
      used++;
    }
  }
  const rmseC = Math.sqrt(sse / used);
  meanStep /= used;

  // --- Back to physical parameters, with sanity bounds. ---
  const on = `${h(hours.heat)} h heating, ${h(hours.cool)} h cooling, ${h(hours.idle)} h idle`;
  const a = fit.loss;
  // a = 2·tanh(Δ/(2·tau))/Δ at the mean step Δ; solvable for 0 < a·Δ < 2.
  if (!(a > 0 && a * meanStep < 2)) {
    return fallback(`no thermal model: no heat loss to outdoors is visible in ${on} (coefficient ${a.toPrecision(3)} per h)`,
      samples, hours, rmseC, trimmed);
  }
  const tauHours = meanStep / (2 * Math.atanh((a * meanStep) / 2));
  const [tauLo, tauHi] = o.tauBounds;
  if (!(tauHours >= tauLo && tauHours <= tauHi)) {
    return fallback(`thermal fit refused: tau ${tauHours.toPrecision(3)} h is outside ${tauLo}–${tauHi} h (${on})`,
      samples, hours, rmseC, trimmed);
  }
  const [rateLo, rateHi] = o.rateBounds;
  const notes: string[] = [];
  const rate = (what: 'heating' | 'cooling', have: number, min: number, coefficient: number): number | undefined => {
    if (!(have >= min && have > 0)) {
      notes.push(have > 0 ? `${what}: only ${h(have)} h (need ${min} h), not fitted` : `no ${what} seen`);
      return undefined;
    }
    const value = coefficient / (a * tauHours);
    if (!(value >= rateLo && value <= rateHi)) {
      notes.push(`${what} rate ${value.toPrecision(3)} °C/h is outside ${rateLo}–${rateHi} °C/h, not used`);
      return undefined;
    }
    return value;
  };
  const heatPerHour = rate('heating', hours.heat, o.minHeatHours, fit.heat);
  const coolPerHour = rate('cooling', hours.cool, o.minCoolHours, -fit.cool);
  const fitted = [`tau ${tauHours.toFixed(1)} h`];
  if (heatPerHour !== undefined) {
    fitted.push(`heating ${heatPerHour.toFixed(2)} °C/h`);
  }
  if (coolPerHour !== undefined) {
    fitted.push(`cooling ${coolPerHour.toFixed(2)} °C/h`);
  }
  const detail = `from ${on}; rmse ${rmseC.toFixed(3)} °C per step`
    + `${trimmed ? `; ${trimmed} outlier step(s) left out` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`;
  if (heatPerHour === undefined && coolPerHour === undefined) {
    return fallback(`thermal fit refused: no plausible heating or cooling rate (${fitted.join(', ')} ${detail})`,
      samples, hours, rmseC, trimmed);
  }
  return {
    tauHours, heatPerHour, coolPerHour, samples, hours, stepMinutes: o.stepMinutes, rmseC, trimmed, ok: true,
    reason: `thermal model fitted: ${fitted.join(', ')} ${detail}`,
  };
}

function resolve(options: ThermalFitOptions): typeof DEFAULTS {
  const num = (v: number | undefined, fallback: number, lo: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= lo ? v : fallback;
  const pair = (v: readonly [number, number] | undefined, fallback: readonly [number, number]): readonly [number, number] =>
    Array.isArray(v) && v.length === 2 && v.every(Number.isFinite) && v[0] < v[1] ? v : fallback;
  const stepMinutes = num(options.stepMinutes, DEFAULTS.stepMinutes, 1);
  return {
    stepMinutes,
    minStepMinutes: Math.min(num(options.minStepMinutes, DEFAULTS.minStepMinutes, 0.5), stepMinutes),
    maxGapMinutes: num(options.maxGapMinutes, DEFAULTS.maxGapMinutes, 1),
    outdoorMaxGapMinutes: num(options.outdoorMaxGapMinutes, DEFAULTS.outdoorMaxGapMinutes, 1),
    minHeatHours: num(options.minHeatHours, DEFAULTS.minHeatHours, 0),
    minCoolHours: num(options.minCoolHours, DEFAULTS.minCoolHours, 0),
    minIdleHours: num(options.minIdleHours, DEFAULTS.minIdleHours, 0),
    tauBounds: pair(options.tauBounds, DEFAULTS.tauBounds),
    rateBounds: pair(options.rateBounds, DEFAULTS.rateBounds),
    trim: typeof options.trim === 'boolean' ? options.trim : DEFAULTS.trim,
  };
}

/**
 * Cuts the history into steps. A stretch runs from one equipment change to the next; its readings
 * are those strictly between the two. A reading taken at the instant of a change is the one the
 * thermostat acted on (the zone reads, then decides, in the same tick), so its sensor noise is
 * selected (low when heating starts, high when it stops) and would bias the slopes; it is left out.
 * Within a stretch, runs of readings with no gap over `maxGapMinutes` are split into equal steps of
 * about `stepMinutes`, interpolating linearly between the stretch's own readings only, so no step
 * holds or smears a switch.
 */
function buildSteps(
  indoor: Series, outdoor: Series, changeT: Float64Array, changeS: Uint8Array, o: typeof DEFAULTS, discarded: Discarded,
): Steps {
  const { t, v } = indoor;
  const stepMs = o.stepMinutes * MIN_MS;
  // Each run of readings gives max(1, round(span / step)) steps, at most span / step + 1, and the runs
  // do not overlap; a run ends at an equipment change or at a gap.
  const maxGap = o.maxGapMinutes * MIN_MS;
  let gaps = 0;
  for (let i = 1; i < t.length; i++) {
    if (t[i] - t[i - 1] > maxGap) {
      gaps++;
    }
  }
  const capacity = Math.ceil((t[t.length - 1] - t[0]) / stepMs) + changeT.length + gaps + 1;
  const steps: Steps = {
    x: new Float64Array(capacity), y: new Float64Array(capacity), w: new Float64Array(capacity), s: new Uint8Array(capacity), n: 0,
  };
  const minMs = o.minStepMinutes * MIN_MS;
  const out = new Cursor(outdoor, o.outdoorMaxGapMinutes * MIN_MS);
  let r = 0;
  // Readings before the first equipment record: the state is unknown.
  while (r < t.length && t[r] < changeT[0]) {
    r++;
  }
  if (r > 0) {
    discarded.beforeEquipment += (Math.min(t[r - 1], changeT[0]) - t[0]) / HOUR_MS;
  }
  for (let c = 0; c < changeT.length && r < t.length; c++) {
    const end = c + 1 < changeT.length ? changeT[c + 1] : Infinity;
    const state = changeS[c];
    // Readings of this stretch: index r (first at or after the change) up to the last at or before `end`.
    while (r < t.length && t[r] <= changeT[c]) {
      r++;
    }
    if (r >= t.length) {
      break;
    }
    let last = r;
    while (last + 1 < t.length && t[last + 1] < end) {
      last++;
    }
    if (t[r] >= end) {
      continue; // no reading in this stretch
    }
    // Split at gaps, then into steps.
    let a = r;
    for (let j = r; j <= last; j++) {
      if (j === last || t[j + 1] - t[j] > maxGap) {
        if (j < last) {
          discarded.indoorGap += (t[j + 1] - t[j]) / HOUR_MS;
        }
        const span = t[j] - t[a];
        if (span < minMs) {
          discarded.short += span / HOUR_MS;
        } else if (state === BOTH) {
          discarded.heatAndCool += span / HOUR_MS;
        } else {
          addRun(steps, t, v, a, j, state, stepMs, out, discarded);
        }
        a = j + 1;
      }
    }
    r = last + 1;
  }
  return steps;
}

/** Equal steps of about `stepMs` over readings a..b (no gaps), appended to `steps`. */
function addRun(
  steps: Steps, t: Float64Array, v: Float64Array, a: number, b: number, state: number, stepMs: number, out: Cursor, discarded: Discarded,
): void {
  const span = t[b] - t[a];
  const m = Math.max(1, Math.round(span / stepMs));
  const len = span / m;
  let j = a; // t[j] <= s0 < t[j + 1] (or s0 at the end)
  const at = (s: number): number => {
    while (j + 1 < b && t[j + 1] <= s) {
      j++;
    }
    const f = t[j + 1] === t[j] ? 0 : (s - t[j]) / (t[j + 1] - t[j]);
    return v[j] + Math.min(1, Math.max(0, f)) * (v[j + 1] - v[j]);
  };
  let T0 = v[a];
  let s0 = t[a];
  let O0 = out.at(s0);
  for (let q = 1; q <= m; q++) {
    const s1 = q === m ? t[b] : t[a] + q * len;
    const T1 = q === m ? v[b] : at(s1);
    const O1 = out.at(s1);
    const hours = (s1 - s0) / HOUR_MS;
    if (Number.isFinite(O0) && Number.isFinite(O1)) {
      const i = steps.n++;
      steps.x[i] = (O0 + O1) / 2 - (T0 + T1) / 2;
      steps.y[i] = (T1 - T0) / hours;
      steps.w[i] = hours;
      steps.s[i] = state;
    } else {
      discarded.outdoorGap += hours;
    }
    T0 = T1;
    s0 = s1;
    O0 = O1;
  }
}

/** A series being gathered: times and values in typed arrays that double as they fill. */
class Growing {
  private t = new Float64Array(1024);
  private v = new Float64Array(1024);
  private n = 0;

  push(t: number, v: number): void {
    if (this.n === this.t.length) {
      const t2 = new Float64Array(this.n * 2);
      const v2 = new Float64Array(this.n * 2);
      t2.set(this.t);
      v2.set(this.v);
      this.t = t2;
      this.v = v2;
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }

  /** Sorted by time (stable), keeping the last of equal times. */
  ordered(): Series {
    const { t, v, n } = this;
    let sorted = true;
    let distinct = true;
    for (let i = 1; i < n && sorted; i++) {
      sorted = t[i] >= t[i - 1];
      distinct &&= t[i] !== t[i - 1];
    }
    if (sorted && distinct) {
      return { t: t.subarray(0, n), v: v.subarray(0, n) };
    }
    let idx: Uint32Array | undefined;
    if (!sorted) {
      idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        idx[i] = i;
      }
      idx.sort((a, b) => t[a] - t[b] || a - b);
    }
    const outT = new Float64Array(n);
    const outV = new Float64Array(n);
    let m = 0;
    for (let k = 0; k < n; k++) {
      const i = idx ? idx[k] : k;
      if (m > 0 && outT[m - 1] === t[i]) {
        outV[m - 1] = v[i];
      } else {
        outT[m] = t[i];
        outV[m] = v[i];
        m++;
      }
    }
    return { t: outT.subarray(0, m), v: outV.subarray(0, m) };
  }
}

/** Linear interpolation in a time-ordered series for non-decreasing query times; NaN across a gap. */
class Cursor {
  private i = 0;

  constructor(private readonly s: Series, private readonly maxGap: number) {}

  at(t: number): number {
    const { t: ts, v } = this.s;
    while (this.i + 1 < ts.length && ts[this.i + 1] <= t) {
      this.i++;
    }
    const i = this.i;
    if (ts[i] === t) {
      return v[i];
    }
    if (!(ts[i] < t) || i + 1 >= ts.length || ts[i + 1] - ts[i] > this.maxGap) {
      return NaN;
    }
    return v[i] + ((t - ts[i]) / (ts[i + 1] - ts[i])) * (v[i + 1] - v[i]);
  }
}

function count(steps: Steps, keep: Uint8Array): { samples: Counts; hours: Counts } {
  const samples: Counts = { heat: 0, cool: 0, idle: 0 };
  const hours: Counts = { heat: 0, cool: 0, idle: 0 };
  for (let i = 0; i < steps.n; i++) {
    if (keep[i]) {
      const key = steps.s[i] === HEAT ? 'heat' : steps.s[i] === COOL ? 'cool' : 'idle';
      samples[key]++;
      hours[key] += steps.w[i];
    }
  }
  return { samples, hours };
}

/** Fitted slope: y = loss·x + heat·[heating] + cool·[cooling] (°C/h); 0 for a column not used. */
interface Coefficients {
  loss: number;
  heat: number;
  cool: number;
}

/**
 * Weighted least squares (weights: step lengths) on the columns [x, heating?, cooling?] via the
 * normal equations, at most 3×3, solved by Gaussian elimination with partial pivoting; undefined
 * when singular.
 */
function solve(steps: Steps, keep: Uint8Array, useHeat: boolean, useCool: boolean): Coefficients | undefined {
  const m = 1 + (useHeat ? 1 : 0) + (useCool ? 1 : 0);
  const hc = 1;
  const cc = useHeat ? 2 : 1;
  const A = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  const r = new Array<number>(m).fill(0);
  for (let i = 0; i < steps.n; i++) {
    if (!keep[i]) {
      continue;
    }
    const w = steps.w[i];
    r[0] = steps.x[i];
    if (useHeat) {
      r[hc] = steps.s[i] === HEAT ? 1 : 0;
    }
    if (useCool) {
      r[cc] = steps.s[i] === COOL ? 1 : 0;
    }
    for (let p = 0; p < m; p++) {
      for (let q = 0; q < m; q++) {
        A[p][q] += w * r[p] * r[q];
      }
      A[p][m] += w * r[p] * steps.y[i];
    }
  }
  const scale = Math.max(...A.map((row, i) => Math.abs(row[i])));
  if (!(scale > 0)) {
    return undefined;
  }
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let q = c + 1; q < m; q++) {
      if (Math.abs(A[q][c]) > Math.abs(A[p][c])) {
        p = q;
      }
    }
    if (Math.abs(A[p][c]) <= 1e-12 * scale) {
      return undefined;
    }
    [A[c], A[p]] = [A[p], A[c]];
    for (let q = 0; q < m; q++) {
      if (q !== c) {
        const f = A[q][c] / A[c][c];
        for (let j = c; j <= m; j++) {
          A[q][j] -= f * A[c][j];
        }
      }
    }
  }
  const beta = A.map((row, i) => row[m] / row[i]);
  if (!beta.every(Number.isFinite)) {
    return undefined;
  }
  return { loss: beta[0], heat: useHeat ? beta[hc] : 0, cool: useCool ? beta[cc] : 0 };
}

/** Residual of each step's temperature change, °C (kept or not). */
function residualsC(steps: Steps, f: Coefficients): Float64Array {
  const out = new Float64Array(steps.n);
  for (let i = 0; i < steps.n; i++) {
    const s = steps.s[i];
    const fit = f.loss * steps.x[i] + (s === HEAT ? f.heat : 0) + (s === COOL ? f.cool : 0);
    out[i] = (steps.y[i] - fit) * steps.w[i];
  }
  return out;
}

/** The median of `values`, which it sorts in place. */
function median(values: Float64Array): number {
  if (values.length === 0) {
    return NaN;
  }
  const s = values.sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function describeDiscarded(d: Discarded): string {
  const parts: string[] = [];
  const add = (hours: number, what: string) => {
    if (hours > 0) {
      parts.push(`${hours.toFixed(1)} h ${what}`);
    }
  };
  add(d.beforeEquipment, 'before the first equipment record');
  add(d.indoorGap, 'of gaps in indoor readings');
  add(d.outdoorGap, 'without outdoor readings');
  add(d.short, 'in stretches too short to use');
  add(d.heatAndCool, 'with heating and cooling both on');
  return parts.length ? `left out: ${parts.join(', ')}` : 'the history is too short';
}

/** The sensor's step: the median of the non-zero changes between consecutive indoor readings. */
function resolution(indoor: Series): number {
  const changes = new Float64Array(Math.max(0, indoor.v.length - 1));
  let n = 0;
  for (let i = 1; i < indoor.v.length; i++) {
    const d = Math.abs(indoor.v[i] - indoor.v[i - 1]);
    if (d > 1e-6) {
      changes[n++] = d;
    }
  }
  return n > 0 ? median(changes.subarray(0, n)) : 0;
}
