import * as path from 'path';
import { MINUTE_MS } from './loaders/types';
import { HOUR_MS } from '../src/sim/time';
import { RoomFiles, Series, findRooms, interpolate, readTsvSeries } from './fraunhofer';
import { ThermalParams, stepTemperature } from '../src/sim/thermal';

/**
 * Does the plugin's first-order room model predict real heat-up times? On the Fraunhofer flat: fit
 * dT/dt = (Tout − T)/tau + P·on + g on the first half of each room, then predict the second half's
 * heat-up times after setpoint step-ups. The heater is not measured there, so "on" is inferred:
 * the stretch of each first-half heat-up from its onset (radiator valve head warm, or the room
 * starting to rise) until the room reaches its target; "off" is the room clearly above the setpoint
 * (valve shut). Time near the setpoint (a valve modulating) and plateaus far below it (heat supply
 * limited) are left out. g absorbs constant gains (sun, people, neighbouring rooms).
 */

export interface RoomData {
  temperature: Series;
  setpoint: Series;
  outdoor: Series;
  /** Valve-head temperatures; a radiator that heats warms its valve head above the room. */
  valves?: Series[];
}

export interface ThermalFit {
  tauHours: number | null;
  heaterCPerHour: number | null;
  gainCPerHour: number | null;
  heatSamples: number;
  freeSamples: number;
  /** First-half heat-ups whose rising stretch gave the "on" samples. */
  heatUps: number;
  /** RMS residual of the per-step temperature change, °C. */
  rmseC: number | null;
  ok: boolean;
  note?: string;
}

export interface FitOptions {
  stepMs: number;
  /** "Off" above setpoint + this, °C. */
  offAbove: number;
  /** Heating has visibly started when the valve head is this much warmer than the room, °C ... */
  valveExcess: number;
  /** ... or the room has risen this much since the step, °C. */
  riseOnset: number;
  maxGapMs: number;
}

export const FIT_DEFAULTS: FitOptions = { stepMs: 5 * MINUTE_MS, offAbove: 0.3, valveExcess: 1, riseOnset: 0.2, maxGapMs: 3 * HOUR_MS };

/** Index of the step in force at x (-1 before the first). */
function stepIndex(s: Series, x: number): number {
  let lo = -1;
  let hi = s.t.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (s.t[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Valve head minus room temperature (warmest valve), NaN without valve data there. */
function valveExcessAt(d: RoomData, t: number, maxGapMs: number): number {
  let best = NaN;
  for (const v of d.valves ?? []) {
    const x = interpolate(v, t, maxGapMs);
    if (Number.isFinite(x) && !(x <= best)) best = x;
  }
  return best - interpolate(d.temperature, t, maxGapMs);
}

/** Solves the normal equations of least squares (small, dense); undefined if singular. */
export function leastSquares(rows: number[][], y: number[]): number[] | undefined {
  const k = rows[0]?.length ?? 0;
  const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  rows.forEach((r, n) => {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) A[i][j] += r[i] * r[j];
      A[i][k] += r[i] * y[n];
    }
  });
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    if (Math.abs(A[p][c]) < 1e-12) return undefined;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  return A.map((row, i) => row[k] / row[i]);
}

/**
 * Least-squares fit over [from, to) on a regular grid, in the exact discrete form of the model:
 * ΔT = (1 − a)(Tout − T) + (1 − a)·tau·P·on + (1 − a)·tau·g with a = exp(−Δ/tau), linear in its three
 * coefficients, so no search is needed.
 */
export function fitThermal(d: RoomData, from: number, to: number, o: FitOptions = FIT_DEFAULTS): ThermalFit {
  const rows: number[][] = [];
  const ys: number[] = [];
  let heat = 0;
  let free = 0;
  // Heating stretches: onset to target of each heat-up, sorted by time.
  const ups = heatUpEvents(d, from, to, undefined, undefined, o.maxGapMs).events;
  const onFrom = ups.map((e) => e.at + e.onsetMin * MINUTE_MS);
  const onTo = ups.map((e) => e.at + e.measuredMin * MINUTE_MS);
  let u = 0;
  for (let t = from; t + o.stepMs <= to; t += o.stepMs) {
    const t1 = t + o.stepMs;
    const a = interpolate(d.temperature, t, o.maxGapMs);
    const b = interpolate(d.temperature, t1, o.maxGapMs);
    const out = (interpolate(d.outdoor, t, o.maxGapMs) + interpolate(d.outdoor, t1, o.maxGapMs)) / 2;
    const si = stepIndex(d.setpoint, t);
    if (!Number.isFinite(a + b + out) || si < 0 || stepIndex(d.setpoint, t1) !== si) continue;
    const sp = d.setpoint.v[si];
    while (u < ups.length && onTo[u] < t1) u++;
    let on: number;
    if (u < ups.length && t >= onFrom[u] && t1 <= onTo[u]) on = 1;
    else if (a > sp + o.offAbove && b > sp + o.offAbove) on = 0;
    else continue;
    on ? heat++ : free++;
    rows.push([out - a, on, 1]);
    ys.push(b - a);
  }
  const base: ThermalFit = {
    tauHours: null, heaterCPerHour: null, gainCPerHour: null, heatSamples: heat, freeSamples: free, heatUps: ups.length, rmseC: null, ok: false,
  };
  if (heat < 3 || free < 3) return { ...base, note: `too few samples with the heater clearly on (${heat}) or off (${free})` };
  const beta = leastSquares(rows, ys);
  if (!beta) return { ...base, note: 'singular fit (outdoor, heater and gain terms not separable)' };
  const [b1, b2, b3] = beta;
  let se = 0;
  rows.forEach((r, i) => (se += (ys[i] - (b1 * r[0] + b2 * r[1] + b3 * r[2])) ** 2));
  const rmseC = Math.sqrt(se / rows.length);
  if (!(b1 > 0 && b1 < 1)) {
    return { ...base, rmseC, note: `loss to outdoors not identifiable (coefficient ${b1.toExponential(2)}): the room does not follow outdoor temperature in these data` };
  }
  const tau = -o.stepMs / HOUR_MS / Math.log(1 - b1);
  return {
    ...base,
    tauHours: tau,
    heaterCPerHour: b2 / (b1 * tau),
    gainCPerHour: b3 / (b1 * tau),
    rmseC,
    ok: b2 > 0,
    note: b2 > 0 ? undefined : 'fitted heater power is not positive',
  };
}

export interface HeatUpEvent {
  at: number;
  fromC: number;
  setpointC: number;
  /** min(setpoint, plateau) − tolerance: the temperature timed. */
  targetC: number;
  /** From the setpoint step to the target. */
  measuredMin: number;
  /** When heating visibly started (valve head warm, or the room rising), minutes after the step. */
  onsetMin: number;
  /** Whether the onset came from the valve head (else from the room's rise). */
  onsetFromValve: boolean;
  /** Room temperature at the onset. */
  onsetC: number;
}

export interface HeatUpSkips {
  alreadyWarm: number;
  noRise: number;
  interrupted: number;
  noData: number;
}

/**
 * Heat-ups after setpoint step-ups of at least 1 °C in [from, to): time from the step until the room
 * is within `tol` of the new setpoint or, if it never gets there, of its plateau (highest temperature
 * before the next setpoint change, within `windowMs`). Step-ups with the room already warm, rises
 * under 0.3 °C (heating off, or the sensor's ~0.16 °C steps) and windows cut short before a plateau
 * are skipped and counted.
 */
export function heatUpEvents(
  d: RoomData, from: number, to: number, tol = 0.5, windowMs = 6 * HOUR_MS, maxGapMs = 3 * HOUR_MS,
): { events: HeatUpEvent[]; skipped: HeatUpSkips } {
  const events: HeatUpEvent[] = [];
  const skipped: HeatUpSkips = { alreadyWarm: 0, noRise: 0, interrupted: 0, noData: 0 };
  const { t: st, v: sv } = d.setpoint;
  const T = d.temperature;
  for (let j = 1; j < st.length; j++) {
    const ts = st[j];
    if (ts < from || ts >= to || sv[j] - sv[j - 1] < 1) continue;
    const sp = sv[j];
    const T0 = interpolate(T, ts, maxGapMs);
    const we = Math.min(j + 1 < st.length ? st[j + 1] : Infinity, ts + windowMs, T.t[T.t.length - 1]);
    if (!Number.isFinite(T0) || !(we > ts)) {
      skipped.noData++;
      continue;
    }
    if (T0 >= sp - tol) {
      skipped.alreadyWarm++;
      continue;
    }
    const first = stepIndex(T, ts) + 1;
    let plateau = T0;
    for (let k = first; k < T.t.length && T.t[k] <= we; k++) plateau = Math.max(plateau, T.v[k]);
    const end = interpolate(T, we, maxGapMs);
    if (Number.isFinite(end)) plateau = Math.max(plateau, end);
    const target = Math.min(sp, plateau) - tol;
    if (target - T0 < 0.3) {
      skipped.noRise++;
      continue;
    }
    if (plateau < sp - tol && we - ts < 3 * HOUR_MS) {
      skipped.interrupted++; // still rising when the setpoint changed again: no plateau to time
      continue;
    }
    let pt = ts;
    let pv = T0;
    let crossed = NaN;
    for (let k = first; k < T.t.length && T.t[k] <= we + HOUR_MS; k++) {
      if (T.v[k] >= target) {
        crossed = pt + ((target - pv) / (T.v[k] - pv)) * (T.t[k] - pt); // pv < target <= T.v[k]
        break;
      }
      pt = T.t[k];
      pv = T.v[k];
    }
    if (!Number.isFinite(crossed)) {
      skipped.noData++;
      continue;
    }
    let onset = crossed;
    let fromValve = false;
    for (let t = ts; t < crossed; t += MINUTE_MS) {
      fromValve = valveExcessAt(d, t, maxGapMs) >= FIT_DEFAULTS.valveExcess;
      if (fromValve || interpolate(T, t, maxGapMs) >= T0 + FIT_DEFAULTS.riseOnset) {
        onset = t;
        break;
      }
    }
    events.push({
      at: ts, fromC: T0, setpointC: sp, targetC: target, measuredMin: (crossed - ts) / MINUTE_MS,
      onsetMin: (onset - ts) / MINUTE_MS, onsetFromValve: fromValve, onsetC: Math.min(interpolate(T, onset, maxGapMs), target),
    });
  }
  return { events, skipped };
}

/** Minutes the fitted room needs from T0 at `at` to `target`, heater on, measured outdoor; Infinity beyond capMin. */
export function predictHeatUp(fit: ThermalFit, outdoor: Series, at: number, T0: number, target: number, capMin = 24 * 60): number {
  if (fit.tauHours === null || fit.heaterCPerHour === null) return NaN;
  const p: ThermalParams = { tauHours: fit.tauHours, heaterCPerHour: fit.heaterCPerHour, coolerCPerHour: 0 };
  // The constant gain acts like a warmer outdoors: (Tout + g·tau − T)/tau.
  const shift = (fit.gainCPerHour ?? 0) * fit.tauHours;
  let T = T0;
  let tout = interpolate(outdoor, at);
  for (let m = 0; m < capMin; m++) {
    if (T >= target) return m;
    const x = interpolate(outdoor, at + m * MINUTE_MS);
    if (Number.isFinite(x)) tout = x;
    if (!Number.isFinite(tout)) return NaN;
    const next = stepTemperature(T, tout + shift, p, true, false, MINUTE_MS);
    // Sub-minute crossing, so short heat-ups are not rounded to whole minutes.
    if (next >= target) return m + (next > T ? (target - T) / (next - T) : 1);
    T = next;
  }
  return Infinity;
}

export interface ErrorSummary {
  n: number;
  /** Median of predicted − measured, minutes (positive: the model is slow). */
  medianErrorMin: number | null;
  medianAbsErrorMin: number | null;
  meanAbsErrorMin: number | null;
  medianMeasuredMin: number | null;
  /** Heat-ups the model could not finish within 24 h (left out of the errors). */
  censored: number;
}

const median = (a: number[]): number | null => {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r1 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10) / 10);

export function summarizeErrors(pairs: { predicted: number; measured: number }[]): ErrorSummary {
  const ok = pairs.filter((p) => Number.isFinite(p.predicted));
  const err = ok.map((p) => p.predicted - p.measured);
  return {
    n: ok.length,
    medianErrorMin: r1(median(err)),
    medianAbsErrorMin: r1(median(err.map(Math.abs))),
    meanAbsErrorMin: r1(err.length ? err.reduce((s, e) => s + Math.abs(e), 0) / err.length : null),
    medianMeasuredMin: r1(median(ok.map((p) => p.measured))),
    censored: pairs.length - ok.length,
  };
}

export interface RoomCheck {
  room: string;
  fitSpan: [string, string];
  testSpan: [string, string];
  fit: ThermalFit;
  /** Second half, from the setpoint step, predicted with the first half's fit (the model heats at once). */
  test: ErrorSummary;
  /** Second half, from the moment heating visibly started (valve head warm or room rising). */
  testFromOnset: ErrorSummary;
  /** Median delay from setpoint step to visible heating in the second half, minutes. */
  medianSupplyDelayMin: number | null;
  /** A constant: the median first-half heat-up time, scored on the same second-half events. */
  constantBaseline: ErrorSummary;
  /** First-half events with the first-half fit (how well the model can fit at all). */
  inSample: ErrorSummary;
  skippedTest: HeatUpSkips;
  events: { at: string; fromC: number; targetC: number; measuredMin: number; predictedMin: number | null; onsetMin: number | null }[];
  notes: string[];
}

const MIN_EVENTS = 5;

export function checkRoom(room: string, d: RoomData): RoomCheck {
  const start = d.temperature.t[0];
  const end = d.temperature.t[d.temperature.t.length - 1];
  const mid = start + (end - start) / 2;
  const fit = fitThermal(d, start, mid);
  const train = heatUpEvents(d, start, mid);
  const test = heatUpEvents(d, mid, end + 1);
  const pred = (e: HeatUpEvent): number => predictHeatUp(fit, d.outdoor, e.at, e.fromC, e.targetC);
  const testPairs = test.events.map((e) => ({ predicted: pred(e), measured: e.measuredMin }));
  const withOnset = test.events.filter((e) => Number.isFinite(e.onsetC) && e.onsetC < e.targetC);
  const onsetPairs = withOnset.map((e) => ({
    predicted: predictHeatUp(fit, d.outdoor, e.at + e.onsetMin * MINUTE_MS, e.onsetC, e.targetC),
    measured: e.measuredMin - e.onsetMin,
  }));
  const constant = median(train.events.map((e) => e.measuredMin));
  const iso = (t: number): string => new Date(t).toISOString().slice(0, 16);
  const notes: string[] = [];
  if (fit.note) notes.push(`fit: ${fit.note}`);
  if (test.events.length < MIN_EVENTS) {
    notes.push(`only ${test.events.length} timed heat-ups in the second half (fewer than ${MIN_EVENTS}): too few to judge the model on this room`);
  }
  return {
    room,
    fitSpan: [iso(start), iso(mid)],
    testSpan: [iso(mid), iso(end)],
    fit: {
      ...fit,
      tauHours: r1(fit.tauHours),
      heaterCPerHour: fit.heaterCPerHour === null ? null : Math.round(fit.heaterCPerHour * 100) / 100,
      gainCPerHour: fit.gainCPerHour === null ? null : Math.round(fit.gainCPerHour * 1000) / 1000,
      rmseC: fit.rmseC === null ? null : Math.round(fit.rmseC * 1000) / 1000,
    },
    test: summarizeErrors(testPairs),
    testFromOnset: summarizeErrors(onsetPairs),
    medianSupplyDelayMin: r1(median(withOnset.map((e) => e.onsetMin))),
    constantBaseline: summarizeErrors(constant === null ? [] : test.events.map((e) => ({ predicted: constant, measured: e.measuredMin }))),
    inSample: summarizeErrors(train.events.map((e) => ({ predicted: pred(e), measured: e.measuredMin }))),
    skippedTest: test.skipped,
    events: test.events.map((e, i) => ({
      at: iso(e.at), fromC: e.fromC, targetC: Math.round(e.targetC * 100) / 100, measuredMin: r1(e.measuredMin)!,
      predictedMin: r1(testPairs[i].predicted), onsetMin: r1(e.onsetMin),
    })),
    notes,
  };
}

export interface ThermalCheck {
  source: string;
  rooms: RoomCheck[];
  notes: string[];
}

export const THERMAL_NOTES = [
  'Heater state is not measured: "on" = the first half\'s heat-ups from their onset (valve head >= 1 °C warmer than the room, or the room 0.2 °C above its start) to their target; "off" = room > 0.3 °C above the setpoint (valve shut). Time near the setpoint (valve modulating) and plateaus below it are not used for the fit.',
  'In this flat the radiators often start heating long after the setpoint steps up (the heat supply seems to have its own schedule): "from step" errors include that delay, which a relay-driven model cannot know; "from onset" times the model on the heating itself.',
  'Room temperature is logged on change in ~0.16 °C steps, every ~10-30 min; heat-up times are read off the interpolated series, so errors under ~10 min are below what the data resolve.',
  'The flat is measured March to June 2017: the second half of each room lies in late spring, when heating is rarely needed, so most step-ups there find the room already warm or produce no rise (skipped, counted).',
  'A single time constant fitted to slow overnight cool-down and fast radiator heat-up is a compromise: real rooms have a fast air mode and a slow mass mode.',
  'No occupancy data: this checks the thermal model only, not lead times chosen from forecasts.',
];

export function loadRoom(r: RoomFiles): RoomData | undefined {
  if (!r.outdoor) return undefined;
  return {
    temperature: readTsvSeries(r.temperature),
    setpoint: readTsvSeries(r.setpoint),
    outdoor: readTsvSeries(r.outdoor),
    valves: r.valves.map(readTsvSeries),
  };
}

/** The check on every room found under `dataDir`, or undefined when there is no such data. */
export function thermalCheck(dataDir: string): ThermalCheck | undefined {
  const rooms = findRooms(dataDir);
  if (rooms.length === 0) return undefined;
  const out: RoomCheck[] = [];
  for (const r of rooms) {
    const d = loadRoom(r);
    if (d && d.temperature.t.length > 10) out.push(checkRoom(r.room, d));
  }
  const total = out.reduce((s, r) => s + r.test.n, 0);
  const notes = [...THERMAL_NOTES];
  if (total < 20) notes.push(`Only ${total} second-half heat-ups across all rooms: treat the errors as anecdotes, not a validation.`);
  return { source: path.dirname(rooms[0].temperature), rooms: out, notes };
}

export function thermalTable(c: ThermalCheck): string {
  const f = (x: number | null): string => (x === null ? '-' : String(x));
  const lines = [
    `thermal check (${c.source}): first-order fit on each room's first half; heat-up times (min) on the second half`,
    `${''.padEnd(10)}${'--------- fit ----------'.padStart(38)}  ${'-- from setpoint step --'.padStart(31)}  ${'---- from onset ----'.padStart(34)}`,
    `room      ${'tau h'.padStart(7)}${'P °C/h'.padStart(8)}${'g °C/h'.padStart(8)}${'n on/off'.padStart(12)}  ` +
      `${'n'.padStart(4)}${'meas'.padStart(7)}${'med err'.padStart(9)}${'mean|e|'.padStart(9)}${'const'.padStart(7)}  ` +
      `${'delay'.padStart(6)}${'n'.padStart(4)}${'meas'.padStart(6)}${'med err'.padStart(9)}${'mean|e|'.padStart(9)}  in-sample mean|e| (n)  skipped warm/no-rise/cut`,
  ];
  for (const r of c.rooms) {
    lines.push(
      `${r.room.padEnd(10)}${f(r.fit.tauHours).padStart(7)}${f(r.fit.heaterCPerHour).padStart(8)}${f(r.fit.gainCPerHour).padStart(8)}` +
        `${`${r.fit.heatSamples}/${r.fit.freeSamples}`.padStart(12)}  ${String(r.test.n).padStart(4)}${f(r.test.medianMeasuredMin).padStart(7)}` +
        `${f(r.test.medianErrorMin).padStart(9)}${f(r.test.meanAbsErrorMin).padStart(9)}${f(r.constantBaseline.meanAbsErrorMin).padStart(7)}  ` +
        `${f(r.medianSupplyDelayMin).padStart(6)}${String(r.testFromOnset.n).padStart(4)}${f(r.testFromOnset.medianMeasuredMin).padStart(6)}` +
        `${f(r.testFromOnset.medianErrorMin).padStart(9)}${f(r.testFromOnset.meanAbsErrorMin).padStart(9)}` +
        `  ${`${f(r.inSample.meanAbsErrorMin)} (${r.inSample.n})`.padStart(20)}  ${r.skippedTest.alreadyWarm}/${r.skippedTest.noRise}/${r.skippedTest.interrupted}`,
    );
  }
  lines.push('  (meas: median measured; err = predicted − measured; const: mean|e| of predicting the first half\'s median; delay: median step-to-onset)');
  for (const r of c.rooms) for (const n of r.notes) lines.push(`  ${r.room}: ${n}`);
  for (const n of c.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
