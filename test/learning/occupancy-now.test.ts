import { inferOccupancy, OccupancyEstimator, OccupancyFacts } from '../../src/learning/occupancy-now';

const MIN = 60000;
const NOW = 10_000 * MIN;
const base: OccupancyFacts = { now: NOW, hasDoorSensor: false, timeoutMs: 30 * MIN };

describe('inferOccupancy', () => {
  const rows: Array<[string, Partial<OccupancyFacts>, boolean, string]> = [
    ['nothing seen yet', {}, false, 'no activity seen yet'],
    ['recent motion', { lastActivityAt: NOW - 10 * MIN }, true, 'activity 10 min ago'],
    ['motion at the timeout, no door sensor', { lastActivityAt: NOW - 30 * MIN }, false, 'no activity for 30 min'],
    ['quiet at a time usually home (night)', { lastActivityAt: NOW - 120 * MIN, usuallyHome: 0.9 }, true, 'quiet for 120 min, but usually home now (90 %)'],
    ['quiet at a time often away', { lastActivityAt: NOW - 120 * MIN, usuallyHome: 0.5 }, false, 'no activity for 120 min'],
    ['presence home overrides silence', { presence: { value: true, at: NOW - 600 * MIN } }, true, 'presence reported home'],
    ['presence away overrides older motion', { presence: { value: false, at: NOW - 5 * MIN }, lastActivityAt: NOW - 6 * MIN }, false, 'presence reported away'],
    ['motion after presence away', { presence: { value: false, at: NOW - 20 * MIN }, lastActivityAt: NOW - 2 * MIN }, true, 'presence reported away, but activity 2 min ago'],
    ['door then quiet: gone', { hasDoorSensor: true, lastDoorAt: NOW - 12 * MIN, lastActivityAt: NOW - 12 * MIN, lastInsideActivityAt: NOW - 14 * MIN }, false, 'quiet for 12 min since the door'],
    ['door just now: still here', { hasDoorSensor: true, lastDoorAt: NOW - 3 * MIN, lastActivityAt: NOW - 3 * MIN, lastInsideActivityAt: NOW - 4 * MIN }, true, 'door 3 min ago'],
    ['long quiet without the door: asleep, not gone', { hasDoorSensor: true, lastDoorAt: NOW - 600 * MIN, lastActivityAt: NOW - 300 * MIN, lastInsideActivityAt: NOW - 300 * MIN }, true, 'quiet, but nobody left by the door'],
    ['motion after the door: came home', { hasDoorSensor: true, lastDoorAt: NOW - 5 * MIN, lastActivityAt: NOW - 4 * MIN, lastInsideActivityAt: NOW - 4 * MIN }, true, 'activity 4 min ago'],
  ];
  it.each(rows)('%s', (_what, over, occupied, reason) => {
    expect(inferOccupancy({ ...base, ...over })).toEqual({ occupied, reason });
  });
});

describe('OccupancyEstimator', () => {
  it('follows a departure through the door and the return', () => {
    const e = new OccupancyEstimator(30 * MIN);
    e.add({ t: NOW - MIN, kind: 'motion', value: true });
    e.add({ t: NOW, kind: 'motion', value: true });
    e.add({ t: NOW + MIN, kind: 'motion', value: false });
    e.add({ t: NOW + 2 * MIN, kind: 'door', value: true });
    e.add({ t: NOW + 2 * MIN + 5000, kind: 'door', value: false });
    expect(e.belief(NOW + 5 * MIN).occupied).toBe(true);
    expect(e.belief(NOW + 15 * MIN).occupied).toBe(false);
    e.add({ t: NOW + 300 * MIN, kind: 'door', value: true });
    e.add({ t: NOW + 301 * MIN, kind: 'motion', value: true });
    expect(e.belief(NOW + 302 * MIN)).toEqual({ occupied: true, reason: 'activity 1 min ago' });
    // Then a quiet night with no door: still home.
    expect(e.belief(NOW + 900 * MIN)).toEqual({ occupied: true, reason: 'quiet, but nobody left by the door' });
  });

  it('while it believes the zone empty, one lone trigger is not an arrival; a second within 10 min is', () => {
    const e = new OccupancyEstimator(30 * MIN);
    e.add({ t: NOW, kind: 'motion', value: true });
    expect(e.belief(NOW).occupied).toBe(false);
    e.add({ t: NOW + 30 * MIN, kind: 'motion', value: true }); // too late to confirm the first
    expect(e.belief(NOW + 30 * MIN).occupied).toBe(false);
    e.add({ t: NOW + 35 * MIN, kind: 'motion', value: true });
    expect(e.belief(NOW + 35 * MIN)).toEqual({ occupied: true, reason: 'activity 0 min ago' });
  });

  it('a falling edge of motion is not activity', () => {
    const e = new OccupancyEstimator(30 * MIN);
    e.add({ t: NOW, kind: 'motion', value: false });
    expect(e.belief(NOW).occupied).toBe(false);
  });
});
