import { MINUTE_MS } from '../../bench/loaders/types';
import { AlwaysHome, FixedSchedule, ForecastMethod, Persistence, Ppp, PreHeat, Reactive } from '../../bench/methods';
import { Clockwork, EventIndex, PastView, PeekError } from '../../bench/view';
import { MONDAY, officeHours, syntheticHouse } from './helpers';

const at = (day: number, h: number, m = 0): number => MONDAY + day * 86_400_000 + (h * 60 + m) * MINUTE_MS;

/** Feeds `method` every minute of `house` up to and including time `until`; returns the view's clock. */
function runUntil(method: ForecastMethod, house: ReturnType<typeof syntheticHouse>, until: number, labels = true): void {
  const clock: Clockwork = { now: house.start };
  const view = new PastView(house, new EventIndex(house.events), clock, labels);
  for (let t = house.start; t <= until; t += MINUTE_MS) {
    clock.now = t;
    method.observe(t, view);
  }
}

describe('PastView', () => {
  const house = syntheticHouse(2, officeHours);
  const clock: Clockwork = { now: at(0, 10) };
  const view = new PastView(house, new EventIndex(house.events), clock, true);

  it('shows labels and events up to now, including the label of the current minute', () => {
    expect(view.labelAt(at(0, 10))).toBe(0);
    expect(view.labelAt(at(0, 8, 59))).toBe(1);
    expect(view.events(at(0, 0), at(0, 10))).toHaveLength(1);
    expect(view.lastActivity(at(0, 10))).toBe(at(0, 9) - 30_000);
  });

  it('throws PeekError for anything after now', () => {
    expect(() => view.labelAt(at(0, 10) + 1)).toThrow(PeekError);
    expect(() => view.events(at(0, 0), at(0, 18))).toThrow(PeekError);
    expect(() => view.activityCount(at(0, 0), at(0, 10, 1))).toThrow(PeekError);
    expect(() => view.lastActivity(at(1, 0))).toThrow(PeekError);
  });

  it('hides labels entirely on the sensor-only track', () => {
    const blind = new PastView(house, new EventIndex(house.events), clock, false);
    expect(() => blind.labelAt(at(0, 9))).toThrow(PeekError);
    expect(blind.events(at(0, 0), at(0, 10))).toHaveLength(1);
  });
});

describe('simple baselines', () => {
  it('always and schedule', () => {
    expect(new AlwaysHome().predict()).toBe(1);
    const s = new FixedSchedule();
    expect(s.predict(at(0, 8), 29)).toBe(1); // Mon 08:29
    expect(s.predict(at(0, 8), 30)).toBe(0); // Mon 08:30
    expect(s.predict(at(0, 17, 29), 0)).toBe(0);
    expect(s.predict(at(0, 17, 30), 0)).toBe(1);
    expect(s.predict(at(5, 12), 0)).toBe(1); // Saturday
  });

  it('persistence carries the current label (forecast) or reactive inference (sensor-only)', () => {
    const house = syntheticHouse(1, officeHours);
    const p = new Persistence();
    runUntil(p, house, at(0, 9, 5));
    expect(p.predict()).toBe(0);
    const q = new Persistence();
    // Sensor-only: the door fired at 08:59:30, so the reactive rule still says home until 09:29:30.
    runUntil(q, house, at(0, 9, 5), false);
    expect(q.predict()).toBe(1);
    runUntil(q, house, at(0, 9, 30), false);
    expect(q.predict()).toBe(0);
  });

  it('reactive: home after any event, away after 30 quiet minutes', () => {
    const house = syntheticHouse(1, officeHours);
    const r = new Reactive();
    runUntil(r, house, at(0, 8));
    expect(r.predict()).toBe(0); // nothing has happened yet today
    runUntil(r, house, at(0, 9, 29));
    expect(r.predict()).toBe(1);
    runUntil(r, house, at(0, 9, 30));
    expect(r.predict()).toBe(0);
  });
});

describe('PPP', () => {
  it('is a Laplace-smoothed per-slot frequency over completed slots, weekdays apart from weekends', () => {
    const house = syntheticHouse(3, officeHours);
    const m = new Ppp();
    runUntil(m, house, at(2, 9, 10));
    // 10:00 slot: two past weekdays away -> (0 + 1) / (2 + 2).
    expect(m.predict(at(2, 9, 10), 50)).toBeCloseTo(1 / 4, 12);
    // 09:00 slot of today is not complete yet: still only two days.
    expect(m.predict(at(2, 9, 10), 0)).toBeCloseTo(1 / 4, 12);
    // 08:00 slot: two past days plus today, all home -> (3 + 1) / (3 + 2).
    expect(m.predict(at(2, 9, 10), -60)).toBeCloseTo(4 / 5, 12);
    // Saturday has no data -> prior 0.5.
    expect(m.predict(at(5, 10), 0)).toBe(0.5);
  });

  it('uses home fractions of partly occupied slots', () => {
    const house = syntheticHouse(2, (min) => min >= 9 * 60 + 5 && min < 17 * 60);
    const m = new Ppp();
    runUntil(m, house, at(1, 12));
    // Day 0 09:00-09:14 slot: 5 of 15 minutes home; day 1's slot too.
    expect(m.predict(at(1, 12), -180)).toBeCloseTo((2 * (5 / 15) + 1) / (2 + 2), 12);
  });
});

describe('PreHeat', () => {
  it('falls back to the PPP prior with fewer than K past days', () => {
    const house = syntheticHouse(3, officeHours);
    const m = new PreHeat();
    const p = new Ppp();
    runUntil(m, house, at(2, 8));
    runUntil(p, house, at(2, 8));
    expect(m.predict(at(2, 8), 120)).toBeCloseTo(p.predict(at(2, 8), 120), 12);
  });

  it('averages the K nearest days by Hamming distance at the target slot', () => {
    // Days 0-4 office days, days 5-9 stay-at-home days, day 10 starts like an office day (away at 07:00).
    const awayAt = (min: number, day: number): boolean =>
      day < 5 ? officeHours(min) : day < 10 ? false : min >= 7 * 60;
    const house = syntheticHouse(11, awayAt);
    const m = new PreHeat();
    runUntil(m, house, at(10, 8));
    // Nearest by today's 07:00-08:00 slots: all ten days differ there by 4 slots, so ties go to the
    // most recent days (stay-at-home) -> home at 12:00.
    expect(m.predict(at(10, 8), 240)).toBe(1);
  });

  it('prefers days that look like today', () => {
    // Days 0-5 alternate office / home days; day 6 is away since 06:00 like the office days.
    const office = (min: number): boolean => min >= 6 * 60 && min < 17 * 60;
    const house = syntheticHouse(12, (min, day) => (day % 2 === 0 || day === 11 ? office(min) : false));
    const m = new PreHeat();
    runUntil(m, house, at(11, 8));
    // Office days 0,2,4,6,8,10 match today's morning exactly; the 5 most recent of them are away at 12:00.
    expect(m.predict(at(11, 8), 240)).toBe(0);
    // And at +15 min (08:15, also away on office days).
    expect(m.predict(at(11, 8), 15)).toBe(0);
  });
});
