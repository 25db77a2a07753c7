import type { SensorUpdate } from '../../src/io/readings';
import { SensorSource, ZoneSensors } from '../../src/io/sensor-hub';

const MIN = 60000;
const STALE = 30 * MIN;
const T0 = 1_000 * MIN;

const hall: SensorSource = { id: 'mqtt:Hall' };
const lounge: SensorSource = { id: 'mqtt:Lounge', weight: 3 };
const attic: SensorSource = { id: 'mqtt:Attic', weight: 2 };
const webhook: SensorSource = { id: 'webhook' };

const temp = (value: number): SensorUpdate => ({ kind: 'temperature', value });
const occupancy = (value: boolean): SensorUpdate => ({ kind: 'occupancy', value });

function hub(): ZoneSensors {
  return new ZoneSensors('Living Room', STALE);
}

describe('ZoneSensors: temperatures', () => {
  it('is empty before any reading', () => {
    const s = hub();
    expect(s.poll(T0)).toEqual({ temperature: undefined, humidity: undefined, outdoorTemperature: undefined, events: [] });
    expect(s.has('temperature')).toBe(false);
  });

  it('takes the weighted mean of several sensors, at the newest reading', () => {
    const s = hub();
    s.push(hall, temp(20), T0 - 5 * MIN);
    s.push(lounge, temp(22), T0 - 2 * MIN);
    s.push(attic, temp(18), T0 - 10 * MIN);
    const r = s.poll(T0).temperature!;
    expect(r.value).toBeCloseTo((20 * 1 + 22 * 3 + 18 * 2) / 6, 10);
    expect(r.at).toBe(T0 - 2 * MIN);
    expect(s.has('temperature')).toBe(true);
    expect(s.has('humidity')).toBe(false);
    expect(s.has('motion')).toBe(false);
  });

  it('keeps each kind apart and a new reading replaces the source\'s last', () => {
    const s = hub();
    s.push(hall, temp(20), T0);
    s.push(hall, { kind: 'humidity', value: 40 }, T0);
    s.push(webhook, { kind: 'outdoorTemperature', value: -3 }, T0);
    s.push(hall, temp(21), T0 + MIN);
    const p = s.poll(T0 + MIN);
    expect(p.temperature).toEqual({ value: 21, at: T0 + MIN });
    expect(p.humidity).toEqual({ value: 40, at: T0 });
    expect(p.outdoorTemperature).toEqual({ value: -3, at: T0 });
    expect(s.has('humidity')).toBe(true);
    expect(s.has('outdoorTemperature')).toBe(true);
  });

  it('drops a stale sensor from the mean (older than staleMs; exactly staleMs still counts)', () => {
    const s = hub();
    s.push(hall, temp(20), T0 - STALE - 1);
    s.push(lounge, temp(22), T0 - MIN);
    expect(s.poll(T0).temperature).toEqual({ value: 22, at: T0 - MIN });

    const edge = hub();
    edge.push(hall, temp(20), T0 - STALE);
    edge.push(lounge, temp(22), T0 - MIN);
    expect(edge.poll(T0).temperature!.value).toBeCloseTo((20 + 66) / 4, 10);
  });

  it('drops an offline sensor, and takes it back on setAvailable(true) or a new reading', () => {
    const s = hub();
    s.push(hall, temp(20), T0);
    s.push(lounge, temp(24), T0);
    s.setAvailable(lounge, false);
    expect(s.poll(T0 + MIN).temperature).toEqual({ value: 20, at: T0 });
    s.setAvailable(lounge, true);
    expect(s.poll(T0 + MIN).temperature!.value).toBeCloseTo(23, 10);

    s.setAvailable(hall, false);
    expect(s.poll(T0 + MIN).temperature!.value).toBe(24);
    s.push(hall, temp(16), T0 + 2 * MIN);
    expect(s.poll(T0 + 2 * MIN).temperature).toEqual({ value: 22, at: T0 + 2 * MIN });
  });

  it('when every sensor is stale, returns the newest reading with a time older than staleMs, so the zone faults', () => {
    const s = hub();
    s.push(hall, temp(19), T0 - 50 * MIN);
    s.push(lounge, temp(21), T0 - 40 * MIN);
    const r = s.poll(T0).temperature!;
    expect(r.value).toBe(21);
    expect(r.at).toBe(T0 - 40 * MIN);
    expect(T0 - r.at).toBeGreaterThan(STALE);
  });

  it('when every sensor is offline, the newest value comes back marked older than staleMs', () => {
    const s = hub();
    s.push(hall, temp(19), T0 - MIN);
    s.push(lounge, temp(21), T0);
    s.setAvailable(hall, false);
    s.setAvailable(lounge, false);
    const r = s.poll(T0 + MIN).temperature!;
    expect(r.value).toBe(21);
    expect(T0 + MIN - r.at).toBeGreaterThan(STALE);
  });

  it('an unknown source going offline changes nothing', () => {
    const s = hub();
    s.push(hall, temp(20), T0);
    s.setAvailable({ id: 'nobody' }, false);
    expect(s.poll(T0).temperature).toEqual({ value: 20, at: T0 });
  });
});

describe('ZoneSensors: events', () => {
  it('returns events once, sorted by time, each with the sensor that saw it, then clears them', () => {
    const s = hub();
    s.push(hall, { kind: 'motion', value: true }, T0 + 3000);
    s.push(webhook, { kind: 'contact', value: true }, T0 + 1000);
    s.push(webhook, { kind: 'presence', value: false }, T0 + 2000);
    s.push(hall, { kind: 'motion', value: false }, T0 + 4000);
    expect(s.poll(T0 + 5000).events).toEqual([
      { t: T0 + 1000, kind: 'door', value: true, sensor: 'webhook' },
      { t: T0 + 2000, kind: 'presence', value: false, sensor: 'webhook' },
      { t: T0 + 3000, kind: 'motion', value: true, sensor: 'mqtt:Hall' },
      { t: T0 + 4000, kind: 'motion', value: false, sensor: 'mqtt:Hall' },
    ]);
    expect(s.poll(T0 + 6000).events).toEqual([]);
  });

  it('maps contact to door and presence to presence, and occupancy to motion', () => {
    const s = hub();
    s.push(webhook, { kind: 'contact', value: false }, T0);
    s.push(webhook, { kind: 'presence', value: true }, T0 + 1);
    s.push(webhook, occupancy(false), T0 + 2);
    expect(s.poll(T0 + 3).events.map((e) => [e.kind, e.value])).toEqual([['door', false], ['presence', true], ['motion', false]]);
  });

  it('occupancy held true re-emits motion at each poll until it turns false', () => {
    const s = hub();
    s.push(hall, occupancy(true), T0);
    expect(s.poll(T0 + 1000).events).toEqual([
      { t: T0, kind: 'motion', value: true, sensor: 'mqtt:Hall' },
      { t: T0 + 1000, kind: 'motion', value: true, sensor: 'mqtt:Hall' },
    ]);
    expect(s.poll(T0 + 2000).events).toEqual([{ t: T0 + 2000, kind: 'motion', value: true, sensor: 'mqtt:Hall' }]);
    expect(s.poll(T0 + 3000).events).toEqual([{ t: T0 + 3000, kind: 'motion', value: true, sensor: 'mqtt:Hall' }]);
    s.push(hall, occupancy(false), T0 + 3500);
    expect(s.poll(T0 + 4000).events).toEqual([{ t: T0 + 3500, kind: 'motion', value: false, sensor: 'mqtt:Hall' }]);
    expect(s.poll(T0 + 5000).events).toEqual([]);
  });

  it('a plain motion sensor is not held', () => {
    const s = hub();
    s.push(hall, { kind: 'motion', value: true }, T0);
    expect(s.poll(T0 + 1000).events).toHaveLength(1);
    expect(s.poll(T0 + 2000).events).toEqual([]);
  });

  it('a held occupancy stops when its sensor goes offline', () => {
    const s = hub();
    s.push(hall, occupancy(true), T0);
    s.poll(T0);
    s.setAvailable(hall, false);
    expect(s.poll(T0 + 1000).events).toEqual([]);
    // Back online, it holds again only once it says so.
    s.setAvailable(hall, true);
    expect(s.poll(T0 + 2000).events).toEqual([]);
  });

  it('a held occupancy stops when it goes stale, and a repeat renews it', () => {
    const s = hub();
    s.push(hall, occupancy(true), T0);
    s.poll(T0);
    expect(s.poll(T0 + STALE).events).toHaveLength(1);
    s.push(lounge, occupancy(true), T0 + STALE);
    expect(s.poll(T0 + STALE + 1).events.filter((e) => e.t === T0 + STALE + 1)).toHaveLength(1);
    expect(s.poll(T0 + 2 * STALE).events).toHaveLength(1);
    expect(s.poll(T0 + 2 * STALE + 1).events).toEqual([]);
  });

  it('two sources holding give one event each per poll; one letting go leaves the other', () => {
    const s = hub();
    s.push(hall, occupancy(true), T0);
    s.push(lounge, occupancy(true), T0);
    s.poll(T0);
    expect(s.poll(T0 + 1000).events).toHaveLength(2);
    s.push(hall, occupancy(false), T0 + 1500);
    expect(s.poll(T0 + 2000).events).toEqual([
      { t: T0 + 1500, kind: 'motion', value: false, sensor: 'mqtt:Hall' },
      { t: T0 + 2000, kind: 'motion', value: true, sensor: 'mqtt:Lounge' },
    ]);
  });

  it('a flood beyond the pending cap keeps the newest events', () => {
    const s = hub();
    const n = 1500;
    for (let i = 0; i < n; i++) {
      s.push(webhook, { kind: 'motion', value: i % 2 === 0 }, T0 + i);
    }
    const events = s.poll(T0 + n).events;
    expect(events).toHaveLength(1000);
    expect(events[0].t).toBe(T0 + n - 1000);
    expect(events[events.length - 1].t).toBe(T0 + n - 1);
  });

  it('an event makes its source available again', () => {
    const s = hub();
    s.push(hall, temp(20), T0);
    s.setAvailable(hall, false);
    s.push(hall, { kind: 'motion', value: true }, T0 + 1000);
    expect(s.poll(T0 + 1000).temperature).toEqual({ value: 20, at: T0 });
  });
});

describe('ZoneSensors: air quality', () => {
  const co2 = (value: number): SensorUpdate => ({ kind: 'airQuality', value });
  const office: SensorSource = { id: 'mqtt:Office CO2' };

  it('a level rising like a room with people in it is motion from that sensor; a steady or falling one is not', () => {
    const s = hub();
    // Steady at 450 ppm for 20 min, then 3 ppm a minute for 20 min, then falling.
    for (let m = 0; m <= 20; m++) s.push(office, co2(450), T0 + m * MIN);
    expect(s.poll(T0 + 20 * MIN).events).toEqual([]);
    for (let m = 1; m <= 20; m++) s.push(office, co2(450 + 3 * m), T0 + (20 + m) * MIN);
    const rising = s.poll(T0 + 40 * MIN).events;
    // First at 30 ppm up (+10 min), then every 5 min while it goes on.
    expect(rising.map((e) => (e.t - T0) / MIN)).toEqual([30, 35, 40]);
    expect(rising.every((e) => e.kind === 'motion' && e.value && e.sensor === 'mqtt:Office CO2')).toBe(true);
    for (let m = 1; m <= 30; m++) s.push(office, co2(510 - 2 * m), T0 + (40 + m) * MIN);
    expect(s.poll(T0 + 70 * MIN).events).toEqual([]);
  });

  it('a door event starts the rise afresh: the air people leave behind is not someone inside', () => {
    const s = hub();
    const door: SensorSource = { id: 'mqtt:Front door' };
    // Two people for 40 min: 3 ppm a minute. They leave by the door at minute 40.
    for (let m = 0; m <= 40; m++) s.push(office, co2(450 + 3 * m), T0 + m * MIN);
    s.poll(T0 + 40 * MIN);
    s.push(door, { kind: 'contact', value: true }, T0 + 40 * MIN + 1);
    // Airing out slowly, with a small bump as the heating starts: never a rise since the door.
    for (let m = 1; m <= 30; m++) s.push(office, co2(570 - m + (m === 10 ? 20 : 0)), T0 + (40 + m) * MIN);
    expect(s.poll(T0 + 70 * MIN).events.map((e) => e.kind)).toEqual(['door']);
    // Someone comes back: a fresh rise from the level after the door counts.
    for (let m = 1; m <= 15; m++) s.push(office, co2(540 + 3 * m), T0 + (70 + m) * MIN);
    expect(s.poll(T0 + 85 * MIN).events.map((e) => [(e.t - T0) / MIN, e.sensor])).toEqual([[80, 'mqtt:Office CO2'], [85, 'mqtt:Office CO2']]);
  });

  it('is not a temperature or humidity, and the rise is per sensor and configurable', () => {
    const s = hub();
    const other: SensorSource = { id: 'mqtt:Bedroom CO2', rise: 100 };
    for (let m = 0; m <= 20; m++) {
      s.push(office, co2(400 + 3 * m), T0 + m * MIN);
      s.push(other, co2(400 + 3 * m), T0 + m * MIN);
    }
    expect(s.poll(T0 + 20 * MIN).events.map((e) => e.sensor)).toEqual(['mqtt:Office CO2', 'mqtt:Office CO2', 'mqtt:Office CO2']);
    expect(s.has('temperature')).toBe(false);
    expect(s.poll(T0 + 20 * MIN).temperature).toBeUndefined();
  });
});

describe('ZoneSensors: close', () => {
  it('runs each onClose function once, even when one throws', () => {
    const s = hub();
    const calls: string[] = [];
    s.onClose(() => calls.push('a'));
    s.onClose(() => {
      calls.push('b');
      throw new Error('unsubscribe failed');
    });
    s.onClose(() => calls.push('c'));
    expect(() => s.close()).not.toThrow();
    s.close();
    expect(calls).toEqual(['a', 'b', 'c']);
  });
});

describe('ZoneSensors: fixes found in review', () => {
  const src = (id: string, weight?: number): SensorSource => ({ id, weight });

  it('a sensor of weight 0 is left out entirely, never taken for the newest reading', () => {
    const s = new ZoneSensors('Den', 1000);
    s.push(src('a', 1), { kind: 'temperature', value: 20 }, 0);
    s.push(src('b', 0), { kind: 'temperature', value: 30 }, 900);
    expect(s.poll(900).temperature).toEqual({ value: 20, at: 0 });
  });

  it('a held "occupied" goes on while its source keeps reporting other things', () => {
    const s = new ZoneSensors('Den', 1000);
    s.push(src('radar'), { kind: 'occupancy', value: true }, 0);
    s.poll(0);
    s.push(src('radar'), { kind: 'temperature', value: 21 }, 900);
    expect(s.poll(1500).events).toEqual([{ t: 1500, kind: 'motion', value: true, sensor: 'radar' }]);
    expect(s.poll(2500).events).toEqual([]);
  });
});

describe('ZoneSensors: order', () => {
  it('a reading older than the one kept from the same source (a replayed retained message) changes nothing', () => {
    const s = new ZoneSensors('Den', 10_000);
    s.push({ id: 'a' }, { kind: 'temperature', value: 21 }, 5000);
    s.push({ id: 'a' }, { kind: 'temperature', value: 17 }, 1000);
    expect(s.poll(5000).temperature).toEqual({ value: 21, at: 5000 });
  });
});
