import { ManualClock } from '../../src/clock';
import type { HistoryRecord } from '../../src/store/history';
import { HORIZONS, OccupancyForecaster } from '../../src/learning/forecaster';
import { decodeModel } from '../../src/learning/model-file';
import prior from '../../models/prior.json';
import { parseConfig } from '../../src/config/validate';
import type { ActivityEvent, EquipmentCommand, InputSnapshot, ZoneInput, ZoneOutput } from '../../src/io/types';
import { sanitizeUserState, Zone, ZoneInputError, ZoneSnapshot, ZoneUserState } from '../../src/zone/zone';

const MIN = 60000;

/** Two motion triggers a minute apart: what the zone needs to believe someone arrived. */
const arrival = (t: number): ActivityEvent[] => [
  { t: t - 60_000, kind: 'motion', value: true },
  { t, kind: 'motion', value: true },
];

class FakeInput implements ZoneInput {
  temperature?: number = 18;
  pending: ActivityEvent[] = [];
  poll(now: number): InputSnapshot {
    const events = this.pending;
    this.pending = [];
    return { temperature: this.temperature === undefined ? undefined : { value: this.temperature, at: now }, humidity: { value: 45, at: now }, events };
  }
}

class FakeOutput implements ZoneOutput {
  commands: EquipmentCommand[] = [];
  apply(command: EquipmentCommand): void {
    this.commands.push(command);
  }
}

function setup(zoneConfig: Record<string, unknown> = {}, saved?: Partial<ZoneUserState>) {
  const settings = parseConfig({ zones: [{ name: 'Den', modes: ['heat', 'cool', 'auto'], control: 'manual', ...zoneConfig }] }).settings.zones[0];
  const clock = new ManualClock(1_700_000_000_000);
  const input = new FakeInput();
  const output = new FakeOutput();
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), debug: (m: string) => logs.push(`debug ${m}`) };
  const persisted: ZoneUserState[] = [];
  const zone = new Zone(settings, { input, output, clock, log, saved, persist: (s) => persisted.push(s) });
  return { zone, clock, input, output, logs, persisted, settings };
}

describe('Zone', () => {
  it('starts in heat at the comfort temperature and heats a cold room', () => {
    const { zone, output, logs } = setup();
    expect(zone.snapshot).toMatchObject({ mode: 'heat', target: 21, heatingThreshold: 21, coolingThreshold: 24, displayUnits: 'celsius' });
    zone.tick();
    expect(zone.snapshot).toMatchObject({ temperature: 18, humidity: 45, heating: true, cooling: false });
    expect(output.commands).toEqual([{ mode: 'heat', heating: true, cooling: false, setpoint: 21, coolingSetpoint: 21 }]);
    expect(logs).toContain('info heating on: heating: 18.0 °C is below 21.0 °C');
  });

  it('sends a command only when the equipment changes, and respects minimum on time', () => {
    const { zone, clock, input, output } = setup();
    zone.tick();
    input.temperature = 22;
    clock.advance(2 * MIN);
    zone.tick();
    expect(zone.snapshot.heating).toBe(true);
    expect(zone.snapshot.reason).toContain('minimum on time');
    clock.advance(3 * MIN);
    zone.tick();
    expect(zone.snapshot.heating).toBe(false);
    expect(output.commands.map((c) => c.heating)).toEqual([true, false]);
  });

  it('follows occupancy from activity and presence', () => {
    const { zone, clock, input, logs } = setup();
    zone.tick();
    expect(zone.snapshot.occupied).toBe(false);
    input.pending = arrival(clock.now());
    zone.tick();
    expect(zone.snapshot.occupied).toBe(true);
    clock.advance(31 * MIN);
    zone.tick();
    expect(zone.snapshot.occupied).toBe(false);
    input.pending = [{ t: clock.now(), kind: 'presence', value: true }];
    clock.advance(10 * 60 * MIN);
    zone.tick();
    expect(zone.snapshot.occupied).toBe(true);
    expect(logs.filter((l) => /occupied/.test(l))).toEqual([
      'info occupied: activity 0 min ago', 'info unoccupied: no activity for 31 min', 'info occupied: presence reported home',
    ]);
  });

  it('validates and persists user changes, and tells listeners', () => {
    const { zone, persisted } = setup();
    const seen: ZoneSnapshot[] = [];
    zone.onChange((s) => seen.push({ ...s }));
    zone.setTarget(22.2);
    zone.setMode('cool');
    zone.setDisplayUnits('fahrenheit');
    expect(persisted.at(-1)).toEqual({
      mode: 'cool', target: 22.2, heatingThreshold: 21, coolingThreshold: 24, displayUnits: 'fahrenheit', holdUntil: undefined,
    });
    expect(seen.map((s) => s.mode)).toEqual(['heat', 'cool', 'cool']);
  });

  it.each([
    ['a target above the maximum', (z: Zone) => z.setTarget(31), 'zone "Den": target temperature must be from 7 to 30 °C, got 31'],
    ['a target below frost protection', (z: Zone) => z.setTarget(2), 'zone "Den": target temperature must be from 7 to 30 °C, got 2'],
    ['a NaN target', (z: Zone) => z.setTarget(NaN), 'zone "Den": target temperature must be from 7 to 30 °C, got NaN'],
    ['a threshold out of range', (z: Zone) => z.setThresholds({ cooling: 45 }), 'zone "Den": cooling threshold must be from 7 to 30 °C, got 45'],
  ])('refuses %s with a message and changes nothing', (_what, act, message) => {
    const { zone, persisted } = setup();
    const before = { ...zone.snapshot };
    expect(() => act(zone)).toThrow(new ZoneInputError(message));
    expect(zone.snapshot).toEqual(before);
    expect(persisted).toEqual([]);
  });

  it('refuses a mode the zone does not offer', () => {
    const { zone } = setup({ modes: ['heat'] });
    expect(() => zone.setMode('cool')).toThrow('zone "Den": mode "cool" is not offered (offered: off, heat)');
  });

  it('keeps the auto band at least 1 °C wide by moving the other end', () => {
    const { zone } = setup();
    zone.setThresholds({ heating: 23.5 });
    expect(zone.snapshot).toMatchObject({ heatingThreshold: 23.5, coolingThreshold: 24.5 });
    zone.setThresholds({ cooling: 22 });
    expect(zone.snapshot).toMatchObject({ heatingThreshold: 21, coolingThreshold: 22 });
    expect(() => zone.setThresholds({ heating: 30 })).toThrow('at least 1 °C apart');
  });

  it('frost protection heats even when the user turned it off', () => {
    const { zone, input } = setup();
    zone.setMode('off');
    input.temperature = 5;
    zone.tick();
    expect(zone.snapshot).toMatchObject({ heating: true, mode: 'off' });
    expect(zone.snapshot.reason).toContain('frost protection');
  });

  it('with no temperature reading keeps equipment off and says why', () => {
    const { zone, input } = setup();
    input.temperature = undefined;
    zone.tick();
    expect(zone.snapshot).toMatchObject({ heating: false, cooling: false, reason: 'no temperature reading: equipment off' });
    expect(zone.snapshot.temperature).toBeUndefined();
  });

  it('a save that fails is logged and the change still holds', () => {
    const settings = parseConfig({ zones: [{ name: 'Den' }] }).settings.zones[0];
    const logs: string[] = [];
    const zone = new Zone(settings, {
      input: new FakeInput(),
      output: new FakeOutput(),
      clock: new ManualClock(0),
      log: { info: () => undefined, warn: (m) => logs.push(m), debug: () => undefined },
      persist: () => { throw new Error('disk full'); },
    });
    zone.setTarget(19);
    expect(zone.snapshot.target).toBe(19);
    expect(logs).toEqual(["could not save the zone's settings (disk full); they hold until restart"]);
  });
});

describe('Zone history', () => {
  it('records inputs, beliefs and decisions, readings only when they move or every 15 min', () => {
    const settings = parseConfig({ zones: [{ name: 'Den' }] }).settings.zones[0];
    const clock = new ManualClock(0);
    const input = new FakeInput();
    const records: HistoryRecord[] = [];
    const zone = new Zone(settings, {
      input, output: new FakeOutput(), clock, history: { append: (r) => records.push(r) },
      log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    });
    input.pending = arrival(0);
    zone.tick();
    clock.advance(MIN);
    zone.tick(); // same readings: nothing new
    input.temperature = 18.05;
    clock.advance(MIN);
    zone.tick(); // moved less than 0.1: nothing
    clock.advance(15 * MIN);
    zone.tick(); // 15 min later: recorded again
    zone.setTarget(19);
    expect(records.map((r) => r.kind)).toEqual([
      'temperature', 'humidity', 'event', 'event', 'occupancy', 'equipment', 'temperature', 'humidity', 'setpoint',
    ]);
    expect(records[0]).toEqual({ t: 0, kind: 'temperature', v: 18 });
    expect(records[3]).toEqual({ t: 0, kind: 'event', e: 'motion', v: true });
    expect(records.at(-1)).toEqual({ t: 17 * MIN, kind: 'setpoint', mode: 'heat', v: 19 });
  });
});

describe('Zone after a restart', () => {
  // A kitchen PIR that fires alone, day after day, in an otherwise quiet zone, and a hall sensor
  // whose firings come with the door: the history a zone leaves behind.
  function pastWeek(start: number): ActivityEvent[] {
    const events: ActivityEvent[] = [];
    for (let d = 0; d < 7; d++) {
      const day = start + d * 1440 * MIN;
      events.push({ t: day + 8 * 60 * MIN, kind: 'motion', value: true, sensor: 'hall' });
      events.push({ t: day + 8 * 60 * MIN + 30_000, kind: 'door', value: true, sensor: 'door' });
      events.push({ t: day + 8 * 60 * MIN + 60_000, kind: 'door', value: false, sensor: 'door' });
      for (const hour of [11, 13, 15]) {
        events.push({ t: day + hour * 60 * MIN, kind: 'motion', value: true, sensor: 'kitchen' });
        events.push({ t: day + hour * 60 * MIN + 2 * MIN, kind: 'motion', value: true, sensor: 'kitchen' });
      }
    }
    return events;
  }

  function started(recall: boolean) {
    const s = setup();
    const past = pastWeek(s.clock.now() - 7 * 1440 * MIN);
    const taken = recall ? s.zone.recall(past) : 0;
    return { ...s, taken, past };
  }

  it('recalls what it learned about its sensors: a lone misfire is still not an arrival', () => {
    const fresh = started(false);
    const recalled = started(true);
    expect(recalled.taken).toBe(recalled.past.length);
    for (const z of [fresh, recalled]) {
      z.input.pending = [
        { t: z.clock.now() - 2 * MIN, kind: 'motion', value: true, sensor: 'kitchen' },
        { t: z.clock.now(), kind: 'motion', value: true, sensor: 'kitchen' },
      ];
      z.zone.tick();
    }
    // Without its past the zone trusts the kitchen PIR; with it, two kitchen triggers are not enough.
    expect(fresh.zone.snapshot.occupied).toBe(true);
    expect(recalled.zone.snapshot.occupied).toBe(false);
  });

  it('takes only events from before now, and writes nothing to its history', () => {
    const { zone, clock } = setup();
    const appended: HistoryRecord[] = [];
    const z2 = new Zone(zone.settings, {
      input: new FakeInput(), output: new FakeOutput(), clock, history: { append: (r) => appended.push(r) },
      log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    });
    expect(z2.recall([
      { t: clock.now() - MIN, kind: 'motion', value: true },
      { t: clock.now(), kind: 'motion', value: true },
      { t: clock.now() + MIN, kind: 'motion', value: true },
    ])).toBe(1);
    expect(appended).toEqual([]);
  });

  it('writes the sensor of each event to its history', () => {
    const { settings, clock } = setup();
    const input = new FakeInput();
    const records: HistoryRecord[] = [];
    const zone = new Zone(settings, {
      input, output: new FakeOutput(), clock, history: { append: (r) => records.push(r) },
      log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    });
    input.pending = [{ t: clock.now(), kind: 'motion', value: true, sensor: 'hall' }, { t: clock.now(), kind: 'door', value: true }];
    zone.tick();
    expect(records.filter((r) => r.kind === 'event')).toEqual([
      { t: clock.now(), kind: 'event', e: 'motion', v: true, s: 'hall' },
      { t: clock.now(), kind: 'event', e: 'door', v: true },
    ]);
  });
});

describe('Zone with a forecaster', () => {
  it('feeds its occupancy belief to the forecaster each tick and reports the forecast', () => {
    const settings = parseConfig({ zones: [{ name: 'Den', control: 'manual' }] }).settings.zones[0];
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const input = new FakeInput();
    const logs: string[] = [];
    const forecaster = new OccupancyForecaster(decodeModel(prior).model);
    const zone = new Zone(settings, {
      input, output: new FakeOutput(), clock, forecaster,
      log: { info: (m) => logs.push(m), warn: () => undefined, debug: () => undefined },
    });
    expect(zone.forecast()).toEqual(Object.fromEntries(HORIZONS.map((h) => [h, 0.5])));
    input.pending = arrival(clock.now());
    zone.tick();
    expect(forecaster.current).toBe(1);
    expect(zone.forecast()![15]).toBeGreaterThan(0.5);
    expect(logs.find((l) => l.startsWith('occupied'))).toMatch(/^occupied: activity 0 min ago; p\(home\) \+15 min 0\.\d\d, \+30 min/);
  });

  it('without one, it only reacts', () => {
    const { zone } = setup();
    zone.tick();
    expect(zone.forecast()).toBeUndefined();
  });
});

describe('sanitizeUserState', () => {
  const settings = parseConfig({ zones: [{ name: 'Den', modes: ['heat'] }] }).settings.zones[0];
  it.each([
    ['nothing saved', undefined, { mode: 'heat', target: 21, heatingThreshold: 21, coolingThreshold: 24, displayUnits: 'celsius' }],
    ['a mode no longer offered', { mode: 'cool' as const }, { mode: 'heat' }],
    ['a target beyond new limits', { target: 45 }, { target: 30 }],
    ['garbage', { target: 'x' as unknown as number, displayUnits: 'kelvin' as 'celsius' }, { target: 21, displayUnits: 'celsius' }],
    ['a saved band too narrow', { heatingThreshold: 22, coolingThreshold: 22 }, { heatingThreshold: 22, coolingThreshold: 23 }],
    ['a kept Fahrenheit choice', { displayUnits: 'fahrenheit' as const, target: 22.2 }, { displayUnits: 'fahrenheit', target: 22.2 }],
  ])('%s', (_what, saved, expected) => {
    expect(sanitizeUserState(settings, saved)).toMatchObject(expected);
  });
});

describe('Zone: commands to a real device', () => {
  /** An output that reports what the device does, as an MQTT state topic or an HTTP response would. */
  class ReportingOutput extends FakeOutput {
    listener?: (s: { heating: boolean; cooling: boolean }) => void;
    onState(listener: (s: { heating: boolean; cooling: boolean }) => void): void {
      this.listener = listener;
    }
  }

  function reporting() {
    const settings = parseConfig({ zones: [{ name: 'Den', modes: ['heat', 'cool', 'auto'], control: 'manual' }] }).settings.zones[0];
    const clock = new ManualClock(1_700_000_000_000);
    const input = new FakeInput();
    const output = new ReportingOutput();
    const log = { info: () => undefined, warn: () => undefined, debug: () => undefined };
    const zone = new Zone(settings, { input, output, clock, log });
    return { zone, clock, input, output };
  }

  it('shows what the device reports, not the command; demand shows the command', () => {
    const { zone, output, input } = reporting();
    input.temperature = 18;
    zone.tick();
    expect(output.commands.at(-1)).toMatchObject({ heating: true });
    expect(zone.snapshot).toMatchObject({ heating: false, heatDemand: true }); // nothing reported yet
    const seen: boolean[] = [];
    zone.onChange((s) => seen.push(s.heating));
    output.listener!({ heating: true, cooling: false });
    expect(zone.snapshot.heating).toBe(true);
    expect(seen).toEqual([true]);
    zone.tick();
    expect(zone.snapshot.heating).toBe(true);
    output.listener!({ heating: false, cooling: false });
    expect(zone.snapshot).toMatchObject({ heating: false, heatDemand: true });
  });

  it('sends a new command when the setpoint or mode changes, not only when the relay does', () => {
    const { zone, output, input } = reporting();
    input.temperature = 25;
    zone.tick();
    expect(output.commands).toHaveLength(1);
    zone.tick();
    expect(output.commands).toHaveLength(1);
    zone.setTarget(22.5);
    zone.tick();
    expect(output.commands.at(-1)).toEqual({ mode: 'heat', heating: false, cooling: false, setpoint: 22.5, coolingSetpoint: 22.5 });
    zone.setMode('auto');
    zone.tick();
    expect(output.commands.at(-1)).toMatchObject({ mode: 'auto', setpoint: 21, coolingSetpoint: 24 });
    zone.setMode('off');
    zone.tick();
    // Off asks a self-regulating device for the frost limit.
    expect(output.commands.at(-1)).toMatchObject({ mode: 'off', setpoint: 7, coolingSetpoint: 7 });
  });
});

describe('Zone: readings from before a restart', () => {
  function withLast(lastReadings: ConstructorParameters<typeof Zone>[1]['lastReadings']) {
    const settings = parseConfig({ zones: [{ name: 'Den', control: 'manual', staleSensorMinutes: 30 }] }).settings.zones[0];
    const clock = new ManualClock(1_700_000_000_000);
    const input = new FakeInput();
    input.temperature = undefined;
    const log = { info: () => undefined, warn: () => undefined, debug: () => undefined };
    return { zone: new Zone(settings, { input, output: new FakeOutput(), clock, log, lastReadings }), clock };
  }

  it('shows the last reading until a sensor reports, and faults when it grows stale', () => {
    const { zone, clock } = withLast({ temperature: { value: 19.4, at: 1_700_000_000_000 - 5 * MIN }, humidity: { value: 48, at: 0 } });
    expect(zone.snapshot).toMatchObject({ temperature: 19.4, humidity: 48 });
    zone.tick();
    expect(zone.snapshot).toMatchObject({ temperature: 19.4, fault: false, heating: true });
    clock.advance(26 * MIN);
    zone.tick();
    expect(zone.snapshot.fault).toBe(true);
  });

  it('without one, the temperature is unknown until a sensor reports', () => {
    const { zone } = withLast(undefined);
    expect(zone.snapshot.temperature).toBeUndefined();
  });
});
