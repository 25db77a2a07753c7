import { Household, HouseholdParams, SensorEvent } from '../../src/sim/household';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, hourOfDay, localDay, weekdayOf } from '../../src/sim/time';

const MON = Date.UTC(2024, 2, 4); // a Monday
const YEAR_START = Date.UTC(2024, 0, 1);

function awayMs(h: Household, from: number, to: number): number {
  let sum = 0;
  for (const [s, e] of h.awayIntervals(from, to)) {
    sum += Math.min(e, to) - Math.max(s, from);
  }
  return sum;
}

/** Indexes of events that are out of [from, to) or out of order; empty when the window is well formed. */
function badEvents(evs: SensorEvent[], from: number, to: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < evs.length; i++) {
    if (evs[i].t < from || evs[i].t >= to || (i > 0 && evs[i].t < evs[i - 1].t)) {
      bad.push(i);
    }
  }
  return bad;
}

/** Indexes where a sensor repeats its previous value instead of toggling. */
function repeats(evs: SensorEvent[]): number[] {
  const last = new Map<string, boolean>();
  const bad: number[] = [];
  evs.forEach((e, i) => {
    if (last.get(e.kind) === e.value) {
      bad.push(i);
    }
    last.set(e.kind, e.value);
  });
  return bad;
}

describe('Household', () => {
  it('rejects an impossible number of occupants', () => {
    expect(() => new Household({ seed: 1, occupants: 0 })).toThrow(RangeError);
    expect(() => new Household({ seed: 1, occupants: 7 })).toThrow(/occupants/);
    expect(() => new Household({ seed: 1, occupants: 1.5 })).toThrow(/occupants/);
    expect(() => new Household({ seed: 1, occupants: 2, workFromHomeProbability: 2 })).toThrow(/workFromHome/);
    expect(() => new Household({ seed: 1, occupants: 2, motionHoldMs: 0 })).toThrow(/motionHoldMs/);
    expect(() => new Household({ seed: 1, occupants: 2, leaveHour: NaN })).toThrow(/leaveHour/);
    // undefined means "use the default"
    expect(new Household({ seed: 1, occupants: 2, leaveHour: undefined }).params.leaveHour).toBe(8);
  });

  it('is deterministic for a seed and differs for another', () => {
    const params: HouseholdParams = { seed: 11, occupants: 3 };
    const a = new Household(params);
    const b = new Household({ ...params });
    const c = new Household({ ...params, seed: 12 });
    const to = MON + 14 * DAY_MS;
    expect(b.events(MON, to)).toEqual(a.events(MON, to));
    expect(b.awayIntervals(MON, to)).toEqual(a.awayIntervals(MON, to));
    expect(a.events(MON, to).length).toBeGreaterThan(1000);
    expect(c.awayIntervals(MON, to)).not.toEqual(a.awayIntervals(MON, to));
    expect(c.events(MON, to)).not.toEqual(a.events(MON, to));
  });

  it.each([1, 2, 4])('with %i occupant(s) is away clearly more on weekdays than on weekends', (occupants) => {
    const h = new Household({ seed: 3, occupants });
    let weekday = 0;
    let weekend = 0;
    let weekdays = 0;
    let weekends = 0;
    for (let d = localDay(YEAR_START); d < localDay(YEAR_START) + 364; d++) {
      const away = awayMs(h, d * DAY_MS, (d + 1) * DAY_MS);
      const wd = weekdayOf(d);
      if (wd === 0 || wd === 6) {
        weekend += away;
        weekends++;
      } else {
        weekday += away;
        weekdays++;
      }
    }
    const weekdayFraction = weekday / weekdays / DAY_MS;
    const weekendFraction = weekend / weekends / DAY_MS;
    expect(weekdayFraction).toBeGreaterThan(0.1);
    expect(weekdayFraction).toBeLessThan(0.5);
    expect(weekendFraction).toBeGreaterThan(0); // households do go out together on weekends
    expect(weekdayFraction).toBeGreaterThan(2 * weekendFraction);
  });

  it('follows a commuter routine: leaves around 08:00, back around 17:00-18:45, asleep at night', () => {
    const h = new Household({ seed: 5, occupants: 1 });
    const leaves: number[] = [];
    const returns: number[] = [];
    let asleepAt3 = 0;
    let asleepAtNoon = 0;
    const days = 140;
    for (let d = localDay(MON); d < localDay(MON) + days; d++) {
      const start = d * DAY_MS;
      if (h.isAsleep(start + 3 * HOUR_MS)) {
        asleepAt3++;
      }
      if (h.isAsleep(start + 12 * HOUR_MS)) {
        asleepAtNoon++;
      }
      if (weekdayOf(d) === 0 || weekdayOf(d) === 6) {
        continue;
      }
      for (const [s, e] of h.awayIntervals(start, start + DAY_MS)) {
        if (s >= start && e - s > 6 * HOUR_MS) {
          leaves.push(hourOfDay(s));
          returns.push(hourOfDay(e));
        }
      }
    }
    const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
    expect(leaves.length).toBeGreaterThan(0.6 * 100); // most of ~100 weekdays are commutes
    expect(median(leaves)).toBeGreaterThan(7.5);
    expect(median(leaves)).toBeLessThan(8.5);
    expect(median(returns)).toBeGreaterThan(17);
    expect(median(returns)).toBeLessThan(18.75);
    expect(leaves.filter((x) => x >= 7 && x <= 9).length).toBeGreaterThan(0.9 * leaves.length);
    expect(asleepAt3).toBeGreaterThan(0.9 * days);
    expect(asleepAtNoon).toBe(0);
  });

  it('agrees between isHome and awayIntervals', () => {
    const h = new Household({ seed: 8, occupants: 2 });
    const to = MON + 28 * DAY_MS;
    const away = h.awayIntervals(MON, to);
    expect(away.length).toBeGreaterThan(10);
    let k = 0;
    let mismatches = 0;
    for (let t = MON; t < to; t += MINUTE_MS) {
      while (k < away.length && away[k][1] <= t) {
        k++;
      }
      const inside = k < away.length && away[k][0] <= t;
      if (h.isHome(t) === inside) {
        mismatches++;
      }
      if (!h.isHome(t) && h.isAsleep(t)) {
        mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    for (let i = 0; i < away.length; i++) {
      const [s, e] = away[i];
      expect(e).toBeGreaterThan(s);
      expect(h.isHome(s - 1)).toBe(true);
      expect(h.isHome(s)).toBe(false);
      expect(h.isHome(e - 1)).toBe(false);
      expect(h.isHome(e)).toBe(true);
      if (i > 0) {
        expect(s).toBeGreaterThan(away[i - 1][1]);
      }
    }
  });

  it('returns away intervals unclipped, including those crossing midnight', () => {
    // Evenings out for everyone make trips past midnight common.
    const h = new Household({ seed: 2, occupants: 1, eveningOutProbability: 1 });
    const all = h.awayIntervals(MON, MON + 30 * DAY_MS);
    const crossing = all.find(([s, e]) => localDay(s) !== localDay(e));
    expect(crossing).toBeDefined();
    const [s, e] = crossing!;
    const midnight = localDay(e) * DAY_MS;
    expect(h.awayIntervals(midnight, midnight + 1)).toEqual([[s, e]]);
    expect(h.awayIntervals(midnight - 1, midnight)).toEqual([[s, e]]);
    expect(h.isHome(midnight)).toBe(false);
    expect(h.nextTransition(midnight)).toBe(e);
    // The crossing is listed once, not once per day.
    expect(all.filter(([x]) => x === s)).toHaveLength(1);
  });

  it('finds the next transition', () => {
    const h = new Household({ seed: 4, occupants: 2 });
    const away = h.awayIntervals(MON, MON + 14 * DAY_MS);
    const boundaries = away.flat().filter((x) => x >= MON);
    for (let t = MON; t < MON + 10 * DAY_MS; t += 37 * MINUTE_MS) {
      const next = h.nextTransition(t);
      expect(next).toBe(boundaries.find((b) => b >= t));
      expect(h.isHome(next)).not.toBe(h.isHome(next - 1));
      if (next > t) {
        // Unchanged until then.
        expect(h.isHome(next - 1)).toBe(h.isHome(t));
        expect(h.isHome(Math.floor((t + next) / 2))).toBe(h.isHome(t));
      }
    }
    expect(h.nextTransition(boundaries[3])).toBe(boundaries[3]);
    // Minute-by-minute calls, as a controller would make them, agree with fresh lookups.
    const fresh = new Household({ seed: 4, occupants: 2 });
    let wrong = 0;
    for (let t = MON; t < MON + 3 * DAY_MS; t += MINUTE_MS) {
      wrong += h.nextTransition(t) === boundaries.find((b) => b >= t) ? 0 : 1;
    }
    expect(wrong).toBe(0);
    expect(fresh.nextTransition(MON + 2 * DAY_MS)).toBe(h.nextTransition(MON + 2 * DAY_MS));
    // Going backwards after a far lookup still answers correctly.
    h.nextTransition(MON + 9 * DAY_MS);
    expect(h.nextTransition(MON)).toBe(boundaries[0]);
  });

  it('reports Infinity when the home never empties', () => {
    const h = new Household({
      seed: 1,
      occupants: 1,
      workFromHomeProbability: 1,
      workFromHomeOutingProbability: 0,
      eveningOutProbability: 0,
      weekendOutingsPerDay: 0,
    });
    expect(h.nextTransition(MON)).toBe(Infinity);
    // Repeated calls inside the searched stretch stay cheap and consistent.
    let found = 0;
    for (let t = MON; t < MON + 30 * DAY_MS; t += MINUTE_MS) {
      found += h.nextTransition(t) === Infinity ? 0 : 1;
    }
    expect(found).toBe(0);
    expect(h.awayIntervals(MON, MON + 30 * DAY_MS)).toEqual([]);
    const evs = h.events(MON, MON + 7 * DAY_MS);
    expect(evs.filter((e) => e.kind !== 'motion')).toEqual([]);
    expect(evs.length).toBeGreaterThan(500);
  });

  describe('events', () => {
    const h = new Household({ seed: 21, occupants: 2 });
    const from = MON + 7 * HOUR_MS + 13 * SECOND_MS;
    const to = from + 21 * DAY_MS;
    const evs = h.events(from, to);

    it('are sorted, inside the window and of every kind', () => {
      expect(badEvents(evs, from, to)).toEqual([]);
      for (const kind of ['motion', 'door', 'presence'] as const) {
        expect(evs.some((e) => e.kind === kind && e.value)).toBe(true);
        expect(evs.some((e) => e.kind === kind && !e.value)).toBe(true);
      }
      expect(Object.isFrozen(evs[0])).toBe(true); // shared between calls, so read-only
      expect(h.events(to, from)).toEqual([]);
      expect(h.events(from, from)).toEqual([]);
    });

    it('alternate on and off per sensor, each motion clearing about a minute later', () => {
      expect(repeats(evs)).toEqual([]);
      const motion = evs.filter((e) => e.kind === 'motion');
      const onFor: number[] = [];
      for (let i = 1; i < motion.length; i++) {
        if (!motion[i].value) {
          onFor.push(motion[i].t - motion[i - 1].t);
        }
      }
      expect(Math.min(...onFor)).toBe(MINUTE_MS);
      // Retriggers extend a pulse, but most last the plain minute.
      expect(onFor.filter((ms) => ms === MINUTE_MS).length).toBeGreaterThan(0.6 * onFor.length);
    });

    it('show motion only while someone is home, and rarely at night', () => {
      let awake = 0;
      let asleep = 0;
      let whileAway = 0;
      for (const e of evs) {
        if (e.kind === 'motion' && e.value) {
          whileAway += h.isHome(e.t) ? 0 : 1;
          if (h.isAsleep(e.t)) {
            asleep++;
          } else {
            awake++;
          }
        }
      }
      let awakeMs = 0;
      let asleepMs = 0;
      for (let t = from; t < to; t += MINUTE_MS) {
        if (h.isAsleep(t)) {
          asleepMs += MINUTE_MS;
        } else if (h.isHome(t)) {
          awakeMs += MINUTE_MS;
        }
      }
      expect(whileAway).toBe(0);
      const awakeRate = awake / (awakeMs / (10 * MINUTE_MS));
      const asleepRate = asleep / (asleepMs / (10 * MINUTE_MS));
      expect(awakeRate).toBeGreaterThan(1.5); // a few per 10 min
      expect(awakeRate).toBeLessThan(6);
      expect(asleepRate).toBeLessThan(0.2);
    });

    it('report presence exactly at household transitions, each with a door opening', () => {
      const presence = evs.filter((e) => e.kind === 'presence');
      const boundaries = h
        .awayIntervals(from, to)
        .flatMap(([s, e]) => [
          { t: s, value: false },
          { t: e, value: true },
        ])
        .filter((b) => b.t >= from && b.t < to);
      expect(presence.map((e) => ({ t: e.t, value: e.value }))).toEqual(boundaries);
      const doorsOpen = evs.filter((e) => e.kind === 'door' && e.value).map((e) => e.t);
      for (const p of presence) {
        expect(h.isHome(p.t)).toBe(p.value);
        expect(h.isHome(p.t - 1)).toBe(!p.value);
        expect(doorsOpen.some((t) => t <= p.t && t >= p.t - 30 * SECOND_MS)).toBe(true);
      }
      // Individual comings and goings open the door too, not only the household's.
      expect(doorsOpen.length).toBeGreaterThan(presence.length);
    });

    it('are the same however the range is split', () => {
      const pieces: SensorEvent[] = [];
      let t = from;
      let step = 1;
      while (t < to) {
        const next = Math.min(to, t + step);
        pieces.push(...h.events(t, next));
        t = next;
        step = (step * 7 + 12_345) % (9 * HOUR_MS);
      }
      expect(pieces).toEqual(evs);
    });
  });

  it('answers for a far-future day without replay, the same as sequential queries', () => {
    const params: HouseholdParams = { seed: 99, occupants: 3, utcOffsetMinutes: 60 };
    const far = Date.UTC(2150, 5, 12, 23); // 00:00 local
    const jumper = new Household(params);
    const jumped = jumper.events(far, far + DAY_MS);
    const jumpedAway = jumper.awayIntervals(far, far + DAY_MS);
    const jumpedHome = [0, 6, 9, 13, 20].map((h) => jumper.isHome(far + h * HOUR_MS));

    const walker = new Household(params);
    let seq: SensorEvent[] = [];
    for (let t = far - 40 * DAY_MS; t < far + DAY_MS; t += HOUR_MS) {
      const evs = walker.events(t, t + HOUR_MS);
      if (t >= far) {
        seq = seq.concat(evs);
      }
    }
    expect(jumped.length).toBeGreaterThan(50);
    expect(seq).toEqual(jumped);
    expect(walker.awayIntervals(far, far + DAY_MS)).toEqual(jumpedAway);
    expect([0, 6, 9, 13, 20].map((h) => walker.isHome(far + h * HOUR_MS))).toEqual(jumpedHome);
    // And going backwards after that still agrees.
    expect(jumper.events(far - 30 * DAY_MS, far - 29 * DAY_MS)).toEqual(walker.events(far - 30 * DAY_MS, far - 29 * DAY_MS));
  });

  it('lives in local time: a UTC offset shifts the whole routine', () => {
    const utc = new Household({ seed: 6, occupants: 2 });
    const cet = new Household({ seed: 6, occupants: 2, utcOffsetMinutes: 60 });
    const shift = 60 * MINUTE_MS;
    const a = utc.awayIntervals(MON, MON + 7 * DAY_MS);
    const b = cet.awayIntervals(MON - shift, MON + 7 * DAY_MS - shift);
    expect(b).toEqual(a.map(([s, e]) => [s - shift, e - shift]));
    expect(cet.events(MON - shift, MON + DAY_MS - shift)).toEqual(
      utc.events(MON, MON + DAY_MS).map((e) => ({ ...e, t: e.t - shift })),
    );
  });

  it('counts occupants at home', () => {
    const h = new Household({ seed: 13, occupants: 4 });
    for (let t = MON; t < MON + 7 * DAY_MS; t += 17 * MINUTE_MS) {
      const n = h.occupantsHome(t);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThanOrEqual(4);
      expect(n > 0).toBe(h.isHome(t));
    }
    expect(h.occupantsHome(MON + 3 * HOUR_MS)).toBe(4);
  });
});
