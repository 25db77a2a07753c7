import * as fs from 'fs';
import * as path from 'path';
import { DAY_MS, MINUTE_MS } from './loaders/types';
import { minuteOfDay } from './methods/types';
import { OutdoorCurve, outdoorTemperature } from '../src/sim/outdoor';

/**
 * Readers for the Open Smart Home Data Set (Fraunhofer IBP flat): one file per room and quantity,
 * tab-separated `unix_time<TAB>value`. Used for the outdoor temperature of the control track and for
 * the thermal check; nothing here is tuned to the particular files.
 */

/** A measured series; t in epoch ms (true UTC), sorted. */
export interface Series {
  t: Float64Array;
  v: Float64Array;
}

export function readTsvSeries(file: string): Series {
  const t: number[] = [];
  const v: number[] = [];
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2) continue;
    const a = Number(f[0]);
    const b = Number(f[1]);
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue; // header or junk
    t.push(a * 1000);
    v.push(b);
  }
  const order = t.map((_, i) => i).sort((i, j) => t[i] - t[j]);
  return { t: Float64Array.from(order, (i) => t[i]), v: Float64Array.from(order, (i) => v[i]) };
}

function walk(dir: string, out: string[]): void {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p, out);
    else if (ent.isFile()) out.push(p);
  }
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  if (fs.existsSync(dir)) walk(dir, out);
  return out;
}

/** The measured outdoor series under `dir` (a non-virtual one if there is one), or undefined. */
export function findOutdoorFile(dir: string): string | undefined {
  const all = listFiles(dir).filter((f) => /OutdoorTemperature\.(csv|txt|tsv)$/i.test(path.basename(f)));
  return all.find((f) => !/virtual/i.test(path.basename(f))) ?? all[0];
}

export interface RoomFiles {
  room: string;
  temperature: string;
  setpoint: string;
  outdoor?: string;
  /** Temperature at the radiator valve head(s) (`X_ThermostatTemperature`, `X_left_…`, `X_right_…`). */
  valves: string[];
}

/** Rooms with a room-temperature and a setpoint file (Fraunhofer layout), with the nearest outdoor file. */
export function findRooms(dir: string): RoomFiles[] {
  const files = listFiles(dir);
  const have = new Set(files);
  const rooms: RoomFiles[] = [];
  for (const f of files) {
    const m = /^(.+)_Temperature\.(csv|txt|tsv)$/.exec(path.basename(f));
    if (!m) continue;
    const d = path.dirname(f);
    const setpoint = path.join(d, `${m[1]}_SetpointHistory.${m[2]}`);
    if (!have.has(setpoint)) continue;
    const own = [`${m[1]}_OutdoorTemperature.${m[2]}`, `${m[1]}_Virtual_OutdoorTemperature.${m[2]}`].map((b) => path.join(d, b));
    const valves = files.filter((v) => path.dirname(v) === d && path.basename(v).startsWith(`${m[1]}_`) && /ThermostatTemperature\.(csv|txt|tsv)$/.test(v));
    rooms.push({ room: m[1], temperature: f, setpoint, outdoor: own.find((o) => have.has(o)) ?? findOutdoorFile(d), valves });
  }
  return rooms;
}

/** Linear interpolation of `s` at time x; NaN outside the series or across a gap longer than maxGapMs. */
export function interpolate(s: Series, x: number, maxGapMs = Infinity): number {
  const { t, v } = s;
  if (t.length === 0 || x < t[0] || x > t[t.length - 1]) return NaN;
  let lo = 0;
  let hi = t.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (t[hi] === t[lo]) return v[lo];
  if (t[hi] - t[lo] > maxGapMs) return NaN;
  return v[lo] + ((v[hi] - v[lo]) * (x - t[lo])) / (t[hi] - t[lo]);
}

/** Central European offset (CET/CEST, EU rule: last Sundays of March and October at 01:00 UTC), minutes. */
export function centralEuropeanOffsetMinutes(utcMs: number): number {
  const y = new Date(utcMs).getUTCFullYear();
  const lastSunday = (month: number): number => {
    const end = Date.UTC(y, month + 1, 0);
    return end - new Date(end).getUTCDay() * DAY_MS;
  };
  const start = lastSunday(2) + 3_600_000;
  const stop = lastSunday(9) + 3_600_000;
  return utcMs >= start && utcMs < stop ? 120 : 60;
}

/** A run of whole local days of outdoor temperature, one value per local minute. */
export interface OutdoorStretch {
  source: string;
  /** First local day (YYYY-MM-DD) and number of days. */
  firstDay: string;
  days: number;
  meanC: number;
  minC: number;
  maxC: number;
  /** days * 1440 values, local minute of day order. */
  perMinute: Float32Array;
}

/**
 * The coldest run of `days` whole local days of a measured outdoor series (the flat's data run from
 * March to June, so this is the closest to winter they have), resampled per local minute by linear
 * interpolation; the file is in unix time, the flat in Germany, hence the CET/CEST shift.
 */
export function coldestStretch(file: string, days = 14, maxGapMs = 6 * 3_600_000): OutdoorStretch | undefined {
  const s = readTsvSeries(file);
  if (s.t.length < 2) return undefined;
  const local = (u: number): number => u + centralEuropeanOffsetMinutes(u) * MINUTE_MS;
  // Local-day grid: for local minute L, the UTC instant is L - offset (offset taken at L; off by an
  // hour only on the two changeover nights).
  const firstDay = Math.ceil(local(s.t[0]) / DAY_MS);
  const lastDay = Math.floor(local(s.t[s.t.length - 1]) / DAY_MS); // exclusive
  const nDays = lastDay - firstDay;
  if (nDays < 1) return undefined;
  const grid = new Float32Array(nDays * 1440);
  const dayMean = new Float64Array(nDays);
  const dayOk = new Uint8Array(nDays).fill(1);
  for (let d = 0; d < nDays; d++) {
    let sum = 0;
    for (let m = 0; m < 1440; m++) {
      const L = (firstDay + d) * DAY_MS + m * MINUTE_MS;
      const x = interpolate(s, L - centralEuropeanOffsetMinutes(L) * MINUTE_MS, maxGapMs);
      grid[d * 1440 + m] = x;
      if (Number.isNaN(x)) dayOk[d] = 0;
      sum += x;
    }
    dayMean[d] = sum / 1440;
  }
  const run = Math.min(days, nDays);
  let best = -1;
  let bestMean = Infinity;
  for (let a = 0; a + run <= nDays; a++) {
    let ok = true;
    let sum = 0;
    for (let d = a; d < a + run; d++) {
      ok &&= dayOk[d] === 1;
      sum += dayMean[d];
    }
    if (ok && sum / run < bestMean) {
      bestMean = sum / run;
      best = a;
    }
  }
  if (best < 0) return undefined;
  const perMinute = grid.slice(best * 1440, (best + run) * 1440);
  let min = Infinity;
  let max = -Infinity;
  for (const x of perMinute) (min = Math.min(min, x), max = Math.max(max, x));
  return {
    source: file,
    firstDay: new Date((firstDay + best) * DAY_MS).toISOString().slice(0, 10),
    days: run,
    meanC: bestMean,
    minC: min,
    maxC: max,
    perMinute,
  };
}

/** Typical winter day when no measured series is found: mean ~3 °C, ±4 °C daily swing. */
export const WINTER_CURVE: OutdoorCurve = Object.freeze({ annualMean: 3, annualAmplitude: 0, dailyAmplitude: 4, coldestDayOfYear: 20 });

/**
 * Outdoor temperature per minute of a house's walk: the stretch's day (d mod days) at the same local
 * minute of day (house times are wall-clock-as-UTC), or the winter curve without a stretch.
 */
export function outdoorForHouse(start: number, n: number, stretch: OutdoorStretch | undefined): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = start + i * MINUTE_MS;
    if (stretch) {
      const d = Math.floor(i / 1440 + minuteOfDay(start) / 1440) % stretch.days;
      out[i] = stretch.perMinute[d * 1440 + minuteOfDay(t)];
    } else {
      out[i] = outdoorTemperature(t, WINTER_CURVE);
    }
  }
  return out;
}
