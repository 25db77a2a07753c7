import { between, clamp, exponential, hashSeed, mulberry32, normal } from './random';
import { HOUR_MS, MINUTE_MS, SECOND_MS, dayStart, localDay, weekdayOf } from './time';

// Module-level aliases: global lookups are slow inside Jest's vm sandbox, where tests run simulated years.
const { max, min, round } = Math;
const { freeze } = Object;

export type SensorEventKind = 'motion' | 'door' | 'presence';

export interface SensorEvent {
  t: number;
  kind: SensorEventKind;
  value: boolean;
}

export interface HouseholdParams {
  seed: number;
  /** 1..6 */
  occupants: number;
  utcOffsetMinutes?: number;
  /** Mean weekday departure, local hours (8 = 08:00). */
  leaveHour?: number;
  leaveSpreadHours?: number;
  /** Mean weekday return, local hours. */
  returnHour?: number;
  returnSpreadHours?: number;
  /** Mean wake time on weekdays without a commute. */
  wakeHour?: number;
  weekendWakeHour?: number;
  /** Mean bedtime; Friday and Saturday nights run ~45 min later. */
  bedtimeHour?: number;
  /** Chance an occupant works from home on a given weekday. */
  workFromHomeProbability?: number;
  /** Chance of a short daytime errand on a work-from-home day. */
  workFromHomeOutingProbability?: number;
  /** Chance of an evening out on a given night; doubled on Friday and Saturday. */
  eveningOutProbability?: number;
  /** Mean daytime outings per occupant per weekend day, 0..2. */
  weekendOutingsPerDay?: number;
  /** Chance an occupant joins the household's weekend outing when there is one, so the home empties together. */
  sharedOutingProbability?: number;
  /** Motion triggers per hour with one occupant home and awake (more people, a bit more motion). */
  motionPerHour?: number;
  /** Motion triggers per hour while everyone home is asleep. */
  nightMotionPerHour?: number;
  /** How long a motion sensor stays triggered. */
  motionHoldMs?: number;
}

type Resolved = Required<HouseholdParams>;

const DEFAULTS: Omit<Resolved, 'seed' | 'occupants'> = {
  utcOffsetMinutes: 0,
  leaveHour: 8,
  leaveSpreadHours: 0.25,
  returnHour: 17.85,
  returnSpreadHours: 0.45,
  wakeHour: 7,
  weekendWakeHour: 8.5,
  bedtimeHour: 23,
  workFromHomeProbability: 0.2,
  workFromHomeOutingProbability: 0.7,
  eveningOutProbability: 0.12,
  weekendOutingsPerDay: 1,
  sharedOutingProbability: 0.7,
  motionPerHour: 18,
  nightMotionPerHour: 0.4,
  motionHoldMs: 60_000,
};

// Stream ids for hashSeed(seed, stream, ...); occupants use their index 0..5.
const SHARED_STREAM = -1;
const MOTION_STREAM = -2;
const PULSE_STREAM = -3;

// Plan invariants that make each local day depend only on its own plans and the previous day's:
// trips start >= 30 min after waking and end by 01:30 next day, bedtime by 02:15, waking after 05:30.
const LATEST_RETURN_H = 25.5;
const EARLIEST_WAKE_H = 5.5;
const MERGE_GAP_H = 0.25;

const RECORD_CACHE = 16;
const TRANSITION_HORIZON_DAYS = 400;

/** One occupant's local day, as epoch ms. */
interface OccupantPlan {
  wake: number;
  bed: number;
  /** Away intervals, flat [start, end, ...], sorted, separated by gaps. */
  away: number[];
}

interface DayPlans {
  occupants: OccupantPlan[];
}

/** Everything derived for one local day [start, end). */
interface DayRecord {
  day: number;
  start: number;
  end: number;
  /** Household away intervals (full bounds) overlapping or touching the day, flat [s, e, ...]. */
  away: number[];
  /** State segments covering the day: start time, occupants home, occupants home and awake. */
  segStart: number[];
  segHome: number[];
  segAwake: number[];
  /** Pulses starting within the day, flat [start, end, ...] sorted by start. */
  motion: number[];
  door: number[];
  presence: SensorEvent[];
  /** Built lazily since it needs the previous day's pulses. */
  events: SensorEvent[] | undefined;
}

const KIND_RANK: Record<SensorEventKind, number> = { presence: 0, door: 1, motion: 2 };

function byTime(a: SensorEvent, b: SensorEvent): number {
  return a.t - b.t || KIND_RANK[a.kind] - KIND_RANK[b.kind] || Number(a.value) - Number(b.value);
}

function event(t: number, kind: SensorEventKind, value: boolean): SensorEvent {
  return freeze({ t, kind, value });
}

/** Intersection of two sorted flat interval lists. */
function intersect(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const s = max(a[i], b[j]);
    const e = min(a[i + 1], b[j + 1]);
    if (s < e) {
      out.push(s, e);
    }
    if (a[i + 1] < b[j + 1]) {
      i += 2;
    } else {
      j += 2;
    }
  }
  return out;
}

/** Sorts flat [s, e] pairs by start and merges those closer than `gap`. */
function sortAndMerge(pairs: number[], gap: number): number[] {
  const idx: number[] = [];
  for (let k = 0; k < pairs.length; k += 2) {
    idx.push(k);
  }
  idx.sort((x, y) => pairs[x] - pairs[y]);
  const out: number[] = [];
  for (const k of idx) {
    const s = pairs[k];
    const e = pairs[k + 1];
    const n = out.length;
    if (n > 0 && s - out[n - 1] < gap) {
      out[n - 1] = max(out[n - 1], e);
    } else {
      out.push(s, e);
    }
  }
  return out;
}

/** Emits true/false edges of the union of pulses (two sorted flat lists, `a` entirely before `b`) within [from, to). */
function coalesce(a: number[], b: number[], kind: SensorEventKind, from: number, to: number, out: SensorEvent[]): void {
  let open = false;
  let runStart = 0;
  let runEnd = 0;
  const total = a.length + b.length;
  for (let k = 0; k <= total; k += 2) {
    const last = k === total;
    const s = last ? 0 : k < a.length ? a[k] : b[k - a.length];
    const e = last ? 0 : k < a.length ? a[k + 1] : b[k + 1 - a.length];
    if (!last && open && s <= runEnd) {
      runEnd = max(runEnd, e);
      continue;
    }
    if (open) {
      if (runStart >= from && runStart < to) {
        out.push(event(runStart, kind, true));
      }
      if (runEnd >= from && runEnd < to) {
        out.push(event(runEnd, kind, false));
      }
    }
    open = !last;
    runStart = s;
    runEnd = e;
  }
}

const AWAY = 0;
const AWAKE = 1;
const ASLEEP = 2;

function occupantState(t: number, away: number[], prev: OccupantPlan, cur: OccupantPlan): number {
  for (let k = 0; k < away.length; k += 2) {
    if (away[k] <= t && t < away[k + 1]) {
      return AWAY;
    }
  }
  return (t >= prev.bed && t < cur.wake) || t >= cur.bed ? ASLEEP : AWAKE;
}

/**
 * A simulated household. Each occupant's day is generated from its own seeded stream, so any day can be
 * produced on demand; recent days are cached. Household is home when any occupant is home.
 */
export class Household {
  readonly params: Readonly<Resolved>;
  private readonly plans = new Map<number, DayPlans>();
  private readonly records = new Map<number, DayRecord>();
  private last: DayRecord | undefined;
  /** No household transition in [quietFrom, quietUntil). */
  private quietFrom = 0;
  private quietUntil = 0;

  constructor(params: HouseholdParams) {
    const p: Resolved = { ...DEFAULTS, ...stripUndefined(params) } as Resolved;
    if (!Number.isInteger(p.occupants) || p.occupants < 1 || p.occupants > 6) {
      throw new RangeError(`occupants must be an integer from 1 to 6, got ${p.occupants}`);
    }
    if (!Number.isFinite(p.seed)) {
      throw new RangeError(`seed must be a finite number, got ${p.seed}`);
    }
    if (!Number.isFinite(p.utcOffsetMinutes)) {
      throw new RangeError(`utcOffsetMinutes must be finite, got ${p.utcOffsetMinutes}`);
    }
    for (const k of [
      'workFromHomeProbability',
      'workFromHomeOutingProbability',
      'eveningOutProbability',
      'sharedOutingProbability',
    ] as const) {
      if (!(p[k] >= 0 && p[k] <= 1)) {
        throw new RangeError(`${k} must be within [0, 1], got ${p[k]}`);
      }
    }
    if (!(p.weekendOutingsPerDay >= 0 && p.weekendOutingsPerDay <= 2)) {
      throw new RangeError(`weekendOutingsPerDay must be within [0, 2], got ${p.weekendOutingsPerDay}`);
    }
    for (const k of ['motionPerHour', 'nightMotionPerHour', 'leaveSpreadHours', 'returnSpreadHours'] as const) {
      if (!(p[k] >= 0) || !Number.isFinite(p[k])) {
        throw new RangeError(`${k} must be a finite number >= 0, got ${p[k]}`);
      }
    }
    // Hours are clamped into the plan invariants later; they only need to be numbers.
    for (const k of ['leaveHour', 'returnHour', 'wakeHour', 'weekendWakeHour', 'bedtimeHour'] as const) {
      if (!Number.isFinite(p[k])) {
        throw new RangeError(`${k} must be a finite number, got ${p[k]}`);
      }
    }
    // Pulses may only spill into the next day, and a zero-length pulse would clear before it triggers.
    if (!(p.motionHoldMs > 0 && p.motionHoldMs <= HOUR_MS)) {
      throw new RangeError(`motionHoldMs must be within (0, 1 h], got ${p.motionHoldMs}`);
    }
    this.params = freeze(p);
  }

  get occupants(): number {
    return this.params.occupants;
  }

  isHome(t: number): boolean {
    return this.occupantsHome(t) > 0;
  }

  /** Number of occupants at home at t. */
  occupantsHome(t: number): number {
    const r = this.recordAt(t);
    return r.segHome[segmentIndex(r, t)];
  }

  /** Someone is home and everyone home is asleep. */
  isAsleep(t: number): boolean {
    const r = this.recordAt(t);
    const k = segmentIndex(r, t);
    return r.segHome[k] > 0 && r.segAwake[k] === 0;
  }

  /** Away intervals [start, end) (nobody home) overlapping [from, to), sorted; bounds are not clipped to the query. */
  awayIntervals(from: number, to: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let lastStart = -Infinity;
    for (let d = this.dayOf(from); this.startOf(d) < to; d++) {
      const away = this.record(d).away;
      for (let k = 0; k < away.length; k += 2) {
        const s = away[k];
        const e = away[k + 1];
        // Intervals crossing midnight are listed by both days.
        if (e > from && s < to && s > lastStart) {
          out.push([s, e]);
          lastStart = s;
        }
      }
    }
    return out;
  }

  /** Next time >= t at which isHome changes; Infinity if it does not within 400 days. */
  nextTransition(t: number): number {
    const limit = this.dayOf(t) + TRANSITION_HORIZON_DAYS;
    // Resume after a remembered quiet stretch so per-tick calls do not rescan the same days.
    let d = t >= this.quietFrom && t < this.quietUntil ? this.dayOf(this.quietUntil) : this.dayOf(t);
    for (; d < limit; d++) {
      const away = this.record(d).away;
      let best = Infinity;
      for (let k = 0; k < away.length; k++) {
        if (away[k] >= t && away[k] < best) {
          best = away[k];
        }
      }
      if (best < Infinity) {
        this.quietFrom = t;
        this.quietUntil = best;
        return best;
      }
    }
    this.quietFrom = t;
    this.quietUntil = this.startOf(limit);
    return Infinity;
  }

  /**
   * Sensor events in [from, to), sorted by t. Door pulses when anyone leaves or arrives, motion pulses
   * while someone is home (mostly while awake), presence edges when the household as a whole leaves or
   * returns. A motion or door 'false' can fall just after the house empties. Events are frozen and shared.
   */
  events(from: number, to: number): SensorEvent[] {
    const out: SensorEvent[] = [];
    for (let d = this.dayOf(from); this.startOf(d) < to; d++) {
      const evs = this.dayEvents(this.record(d));
      let lo = 0;
      let hi = evs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (evs[mid].t < from) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (let k = lo; k < evs.length && evs[k].t < to; k++) {
        out.push(evs[k]);
      }
    }
    return out;
  }

  private dayOf(t: number): number {
    return localDay(t, this.params.utcOffsetMinutes);
  }

  private startOf(day: number): number {
    return dayStart(day, this.params.utcOffsetMinutes);
  }

  private recordAt(t: number): DayRecord {
    const last = this.last;
    if (last !== undefined && t >= last.start && t < last.end) {
      return last;
    }
    return (this.last = this.record(this.dayOf(t)));
  }

  private record(day: number): DayRecord {
    let r = this.records.get(day);
    if (r === undefined) {
      r = this.buildRecord(day);
      remember(this.records, day, r);
    }
    return r;
  }

  private dayPlans(day: number): DayPlans {
    let p = this.plans.get(day);
    if (p === undefined) {
      p = this.buildPlans(day);
      remember(this.plans, day, p);
    }
    return p;
  }

  private buildPlans(day: number): DayPlans {
    const p = this.params;
    const start = this.startOf(day);
    const at = (h: number): number => start + round(h * 3600) * SECOND_MS;

    // Up to two household weekend outings that occupants may join, so the home empties together.
    const slot = p.weekendOutingsPerDay / 2;
    const shared = mulberry32(hashSeed(p.seed, SHARED_STREAM, day));
    const sharedOutings: number[] = [];
    for (let k = 0; k < 2; k++) {
      const happens = shared() < slot;
      const s = between(shared, 10, 18);
      sharedOutings.push(happens ? s : NaN, s + between(shared, 1, 4));
    }
    // Chance of a solo outing, chosen so each occupant still averages weekendOutingsPerDay.
    const joinShare = slot * p.sharedOutingProbability;
    const solo = joinShare < 1 ? (slot - joinShare) / (1 - joinShare) : 0;

    const wd = weekdayOf(day);
    const weekend = wd === 0 || wd === 6;
    const lateNight = wd === 5 || wd === 6;
    const occupants: OccupantPlan[] = [];
    for (let i = 0; i < p.occupants; i++) {
      const rng = mulberry32(hashSeed(p.seed, i, day));
      let wake: number;
      let away: number[] = [];
      let eveningFrom: number;
      if (weekend) {
        wake = clamp(p.weekendWakeHour + 0.75 * normal(rng), 6, 11);
        for (let k = 0; k < 2; k++) {
          const joins = !Number.isNaN(sharedOutings[2 * k]) && rng() < p.sharedOutingProbability;
          const goesAlone = rng() < solo;
          const s = between(rng, 9.5, 19);
          const e = s + between(rng, 1, 4);
          if (joins) {
            away.push(sharedOutings[2 * k], sharedOutings[2 * k + 1]);
          } else if (goesAlone) {
            away.push(s, e);
          }
        }
        away = sortAndMerge(away, MERGE_GAP_H);
        if (away.length > 0) {
          wake = max(EARLIEST_WAKE_H, min(wake, away[0] - 0.5 - 0.5 * rng()));
        }
        eveningFrom = 19;
      } else if (rng() < p.workFromHomeProbability) {
        wake = clamp(p.wakeHour + 0.4 * normal(rng), EARLIEST_WAKE_H, 9.5);
        if (rng() < p.workFromHomeOutingProbability) {
          const s = between(rng, 10.5, 16.5);
          away.push(s, s + between(rng, 0.5, 1.5));
        }
        eveningFrom = 18.5;
      } else {
        const leave = clamp(p.leaveHour + p.leaveSpreadHours * normal(rng), 6.5, 10);
        wake = clamp(leave - between(rng, 0.75, 1.5), EARLIEST_WAKE_H, leave - 0.5);
        const back = clamp(p.returnHour + p.returnSpreadHours * normal(rng), leave + 4, 21);
        away.push(leave, back);
        eveningFrom = 18.5;
      }

      const lastEnd = away.length > 0 ? away[away.length - 1] : wake;
      if (rng() < min(1, p.eveningOutProbability * (lateNight ? 2 : 1))) {
        const s = max(lastEnd + between(rng, 0.75, 2), between(rng, eveningFrom, eveningFrom + 2));
        const e = min(s + between(rng, 1.5, 4), LATEST_RETURN_H);
        if (e - s >= 1) {
          away.push(s, e);
        }
      }
      const lastReturn = away.length > 0 ? away[away.length - 1] : wake;
      const bedtime = clamp(p.bedtimeHour + (lateNight ? 0.75 : 0) + 0.5 * normal(rng), 21, LATEST_RETURN_H);
      const bed = max(bedtime, lastReturn + between(rng, 0.25, 0.75));
      occupants.push({ wake: at(wake), bed: at(bed), away: away.map(at) });
    }
    return { occupants };
  }

  private buildRecord(day: number): DayRecord {
    const p = this.params;
    const start = this.startOf(day);
    const end = this.startOf(day + 1);
    const prev = this.dayPlans(day - 1).occupants;
    const cur = this.dayPlans(day).occupants;

    // By the plan invariants, only yesterday's and today's trips can touch today.
    const lists: number[][] = [];
    for (let i = 0; i < p.occupants; i++) {
      lists.push(prev[i].away.concat(cur[i].away));
    }
    let household = lists[0];
    for (let i = 1; i < p.occupants; i++) {
      household = intersect(household, lists[i]);
    }
    const away: number[] = [];
    const presence: SensorEvent[] = [];
    for (let k = 0; k < household.length; k += 2) {
      const s = household[k];
      const e = household[k + 1];
      if (e >= start && s < end) {
        away.push(s, e);
        if (s >= start) {
          presence.push(event(s, 'presence', false));
        }
        if (e < end) {
          presence.push(event(e, 'presence', true));
        }
      }
    }

    // Piecewise-constant occupancy over the day.
    const cuts: number[] = [start];
    for (let i = 0; i < p.occupants; i++) {
      const times = lists[i].concat(prev[i].bed, cur[i].wake, cur[i].bed);
      for (const x of times) {
        if (x > start && x < end) {
          cuts.push(x);
        }
      }
    }
    cuts.sort((a, b) => a - b);
    const segStart: number[] = [];
    const segHome: number[] = [];
    const segAwake: number[] = [];
    for (let c = 0; c < cuts.length; c++) {
      const t = cuts[c];
      if (c > 0 && t === cuts[c - 1]) {
        continue;
      }
      let home = 0;
      let awake = 0;
      for (let i = 0; i < p.occupants; i++) {
        const s = occupantState(t, lists[i], prev[i], cur[i]);
        home += s === AWAY ? 0 : 1;
        awake += s === AWAKE ? 1 : 0;
      }
      const n = segStart.length;
      if (n > 0 && segHome[n - 1] === home && segAwake[n - 1] === awake) {
        continue;
      }
      segStart.push(t);
      segHome.push(home);
      segAwake.push(awake);
    }

    // Motion: a Poisson process whose rate follows who is home and awake.
    const starts: number[] = [];
    const rng = mulberry32(hashSeed(p.seed, MOTION_STREAM, day));
    for (let k = 0; k < segStart.length; k++) {
      const a = segStart[k];
      const b = k + 1 < segStart.length ? segStart[k + 1] : end;
      const perHour =
        segAwake[k] > 0
          ? p.motionPerHour * (1 + 0.25 * (segAwake[k] - 1))
          : segHome[k] > 0
            ? p.nightMotionPerHour
            : 0;
      if (perHour <= 0) {
        continue;
      }
      const rate = perHour / HOUR_MS;
      for (let t = a + exponential(rng, rate); t < b; t += exponential(rng, rate)) {
        starts.push(round(t));
      }
    }

    // Door pulse at every departure and arrival, and motion just before leaving and just after arriving.
    // Jitter is seeded by the local moment itself, so yesterday and today agree on pulses near midnight.
    const localShift = p.utcOffsetMinutes * MINUTE_MS;
    const doorPairs: number[] = [];
    for (let i = 0; i < p.occupants; i++) {
      const list = lists[i];
      for (let k = 0; k < list.length; k++) {
        const t = list[k];
        const leaving = k % 2 === 0;
        const jitter = mulberry32(hashSeed(p.seed, PULSE_STREAM, i, t + localShift));
        const doorEnd = t + round(between(jitter, 5, 30)) * SECOND_MS;
        const m = leaving
          ? t - round(between(jitter, 30, 120)) * SECOND_MS
          : t + round(between(jitter, 5, 30)) * SECOND_MS;
        if (t >= start && t < end) {
          doorPairs.push(t, doorEnd);
        }
        if (m >= start && m < end) {
          starts.push(m);
        }
      }
    }
    starts.sort((a, b) => a - b);
    const motion: number[] = [];
    for (const s of starts) {
      motion.push(s, s + p.motionHoldMs);
    }

    return {
      day,
      start,
      end,
      away,
      segStart,
      segHome,
      segAwake,
      motion,
      door: sortAndMerge(doorPairs, 0),
      presence,
      events: undefined,
    };
  }

  private dayEvents(r: DayRecord): SensorEvent[] {
    if (r.events === undefined) {
      const prev = this.record(r.day - 1);
      const out = r.presence.slice();
      coalesce(prev.motion, r.motion, 'motion', r.start, r.end, out);
      coalesce(prev.door, r.door, 'door', r.start, r.end, out);
      out.sort(byTime);
      r.events = out;
    }
    return r.events;
  }
}

function segmentIndex(r: DayRecord, t: number): number {
  const s = r.segStart;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (s[mid] <= t) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

function remember<V>(cache: Map<number, V>, key: number, value: V): void {
  cache.set(key, value);
  if (cache.size > RECORD_CACHE) {
    cache.delete(cache.keys().next().value as number);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as Array<keyof T>) {
    if (o[k] !== undefined) {
      out[k] = o[k];
    }
  }
  return out;
}
