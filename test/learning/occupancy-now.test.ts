import { confirmsArrival, inferOccupancy, InputEvent, OccupancyEstimator, OccupancyFacts } from '../../src/learning/occupancy-now';

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

describe('confirmsArrival', () => {
  type Trigger = { t: number; sensor?: string };
  const rows: Array<[string, Trigger | undefined, Trigger, boolean, boolean]> = [
    ['nothing pending', undefined, { t: NOW, sensor: 'pir' }, true, false],
    ['too late', { t: NOW - 11 * MIN, sensor: 'pir' }, { t: NOW, sensor: 'hall' }, true, false],
    ['the same trusted sensor again', { t: NOW - 3 * MIN, sensor: 'pir' }, { t: NOW, sensor: 'pir' }, true, true],
    ['the same untrusted sensor again', { t: NOW - 3 * MIN, sensor: 'pir' }, { t: NOW, sensor: 'pir' }, false, false],
    ['another sensor after an untrusted one', { t: NOW - 3 * MIN, sensor: 'pir' }, { t: NOW, sensor: 'hall' }, false, true],
    ['an untrusted sensor after another one', { t: NOW - 3 * MIN, sensor: 'hall' }, { t: NOW, sensor: 'pir' }, false, true],
    ['anonymous events, as before sensor ids', { t: NOW - 10 * MIN }, { t: NOW }, true, true],
  ];
  it.each(rows)('%s', (_what, pending, e, trusted, expected) => {
    expect(confirmsArrival(pending, e, trusted)).toBe(expected);
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

  describe('learning which sensors fire alone', () => {
    // A home without a door sensor: a real visit sets off the hall and then the kitchen; the
    // kitchen PIR also misfires alone, in pairs, while nobody is home.
    const fire = (e: OccupancyEstimator, t: number, sensor?: string) => e.add({ t, kind: 'motion', value: true, sensor });
    const day = 1440 * MIN;

    function teach(e: OccupancyEstimator, sensorOf: (name: string) => string | undefined) {
      for (let d = 0; d < 8; d++) {
        const t0 = NOW + d * day;
        fire(e, t0, sensorOf('hall'));
        fire(e, t0 + MIN, sensorOf('kitchen'));
        fire(e, t0 + 2 * MIN, sensorOf('hall'));
        fire(e, t0 + 300 * MIN, sensorOf('kitchen pir'));
        fire(e, t0 + 302 * MIN, sensorOf('kitchen pir'));
      }
    }
    const misfire = NOW + 8 * day + 300 * MIN;

    it('a pair of triggers from a sensor that usually fires alone is no longer an arrival', () => {
      const e = new OccupancyEstimator(30 * MIN);
      teach(e, (name) => name);
      fire(e, misfire, 'kitchen pir');
      fire(e, misfire + 2 * MIN, 'kitchen pir');
      expect(e.belief(misfire + 3 * MIN).occupied).toBe(false);
      // A real arrival: the hall confirms it.
      fire(e, misfire + 5 * MIN, 'hall');
      expect(e.belief(misfire + 6 * MIN)).toEqual({ occupied: true, reason: 'activity 1 min ago' });
    });

    it('without sensor ids it behaves as before: two triggers confirm', () => {
      const e = new OccupancyEstimator(30 * MIN);
      teach(e, () => undefined);
      fire(e, misfire);
      fire(e, misfire + 2 * MIN);
      expect(e.belief(misfire + 3 * MIN).occupied).toBe(true);
    });

    it('a zone with a single sensor keeps confirming arrivals by that sensor', () => {
      const e = new OccupancyEstimator(30 * MIN);
      teach(e, () => 'pir');
      fire(e, misfire, 'pir');
      fire(e, misfire + 2 * MIN, 'pir');
      expect(e.belief(misfire + 3 * MIN).occupied).toBe(true);
    });

    it('the door still announces an arrival whatever the sensors have learned', () => {
      const e = new OccupancyEstimator(30 * MIN);
      teach(e, (name) => name);
      const door: InputEvent = { t: misfire, kind: 'door', value: true, sensor: 'front door' };
      e.add(door);
      e.add({ ...door, t: misfire + 5000, value: false });
      fire(e, misfire + MIN, 'kitchen pir');
      expect(e.belief(misfire + 2 * MIN).occupied).toBe(true);
    });
  });
});
