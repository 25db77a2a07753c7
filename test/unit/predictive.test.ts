import { ManualClock } from '../../src/clock';
import { parseConfig } from '../../src/config/validate';
import type { ActivityEvent, InputSnapshot, ZoneInput, ZoneOutput } from '../../src/io/types';
import { SimulatedInput, SimulatedOutput } from '../../src/io/simulated';
import { ComfortLearner } from '../../src/learning/comfort';
import { OccupancyForecaster } from '../../src/learning/forecaster';
import { decodeModel } from '../../src/learning/model-file';
import { SimulatedHome } from '../../src/sim/home';
import { Zone, ZoneUserState } from '../../src/zone/zone';
import prior from '../../models/prior.json';

const MIN = 60_000;

/** Two motion triggers a minute apart: what the zone needs to believe someone arrived. */
const arrival = (t: number): ActivityEvent[] => [
  { t: t - 60_000, kind: 'motion', value: true },
  { t, kind: 'motion', value: true },
];
const HOUR = 60 * MIN;

class FakeInput implements ZoneInput {
  temperature?: number = 20;
  outdoor = 5;
  pending: ActivityEvent[] = [];
  silent = false;
  poll(now: number): InputSnapshot {
    const events = this.pending;
    this.pending = [];
    return {
      temperature: this.silent || this.temperature === undefined ? undefined : { value: this.temperature, at: now },
      outdoorTemperature: { value: this.outdoor, at: now },
      events,
    };
  }
}

const quietLog = { info: () => undefined, warn: () => undefined, debug: () => undefined };

function setup(extra: Record<string, unknown> = {}, forecaster?: OccupancyForecaster) {
  const settings = parseConfig({ zones: [{ name: 'Den', modes: ['heat', 'cool', 'auto'], ...extra }] }).settings.zones[0];
  const clock = new ManualClock(Date.UTC(2024, 0, 8, 12));
  const input = new FakeInput();
  const output: ZoneOutput = { apply: () => undefined };
  const logs: string[] = [];
  const saved: ZoneUserState[] = [];
  const zone = new Zone(settings, {
    input, output, clock, forecaster, persist: (s) => saved.push(s),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn ${m}`), debug: () => undefined },
  });
  return { zone, clock, input, logs, saved };
}

describe('predictive control in a zone', () => {
  it('sets back to eco when nobody is home or expected, and back to comfort when someone arrives', () => {
    const { zone, clock, input } = setup();
    zone.tick();
    expect(zone.snapshot).toMatchObject({ occupied: false, plan: 'eco', target: 17 });
    input.pending = arrival(clock.now());
    clock.advance(MIN);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ occupied: true, plan: 'comfort', target: 21 });
  });

  it('uses the eco band in auto when nobody is expected', () => {
    const { zone } = setup();
    zone.setMode('auto');
    zone.tick();
    expect(zone.snapshot).toMatchObject({ plan: 'eco', heatingThreshold: 17, coolingThreshold: 28 });
  });

  it('pre-heats when the forecast expects someone within the time the room needs', () => {
    const f = new OccupancyForecaster(decodeModel(prior).model);
    const { zone, clock, input } = setup({ savingsBias: 0 }, f);
    // A week of a strict routine: away 08:00–17:00 on weekdays.
    input.temperature = 16;
    const start = clock.now();
    for (let t = start; t < start + 14 * 24 * HOUR; t += MIN) {
      clock.advanceTo(t);
      const d = new Date(t);
      const m = d.getUTCHours() * 60 + d.getUTCMinutes();
      const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
      if (!(weekday && m >= 8 * 60 && m < 17 * 60)) input.pending.push({ t, kind: 'presence', value: true });
      else input.pending.push({ t, kind: 'presence', value: false });
      zone.tick();
    }
    // It is now a weekday 12:00 (away); walk to 15:30 with the room cold: the arrival at 17:00 is near.
    const noon = clock.now();
    let firstPreheat: number | undefined;
    for (let t = noon; t < noon + 5 * HOUR && t < noon + 4.9 * HOUR; t += MIN) {
      clock.advanceTo(t);
      input.pending.push({ t, kind: 'presence', value: false });
      zone.tick();
      if (zone.snapshot.plan === 'pre-comfort' && firstPreheat === undefined) firstPreheat = t;
    }
    expect(firstPreheat).toBeDefined();
    const before = (Date.UTC(2024, 0, 22, 17) - firstPreheat!) / MIN;
    expect(before).toBeGreaterThan(30);
    expect(zone.snapshot.planReason).toMatch(/^pre-heat: heating now costs [\d.]+ min of heating, spares [\d.]+ expected cold min \(× 28\.00\); p\(home within 240 min\)=[\d.]+, needs \d+ min$/);
  });

  it('a change from Apple Home holds until its time is up', () => {
    const { zone, clock, saved, logs } = setup({ holdHours: 2 });
    zone.tick();
    zone.setTarget(23);
    expect(zone.snapshot).toMatchObject({ target: 23, plan: 'hold' });
    expect(saved.at(-1)!.holdUntil).toBe(clock.now() + 2 * HOUR);
    clock.advance(HOUR);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ target: 23, plan: 'hold' });
    clock.advance(HOUR);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ target: 17, plan: 'eco' });
    expect(logs).toContain('hold ended (its time is up): the schedule resumes');
    expect(saved.at(-1)!.holdUntil).toBeUndefined();
  });

  it('a saved hold longer than a fresh one is shortened on start', () => {
    const settings = parseConfig({ zones: [{ name: 'Den', holdHours: 2 }] }).settings.zones[0];
    const clock = new ManualClock(Date.UTC(2024, 0, 8, 12));
    const zone = new Zone(settings, {
      input: new FakeInput(), output: { apply: () => undefined }, clock, log: quietLog,
      saved: { mode: 'heat', target: 23, holdUntil: clock.now() + 400 * HOUR },
    });
    expect(zone.snapshot.holdUntil).toBe(clock.now() + 2 * HOUR);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ plan: 'hold', target: 23 });
  });

  it('a hold ends at the next arrival', () => {
    const { zone, clock, input, logs } = setup();
    zone.tick();
    zone.setTarget(19);
    clock.advance(MIN);
    input.pending = arrival(clock.now());
    zone.tick();
    expect(zone.snapshot).toMatchObject({ target: 21, plan: 'comfort' });
    expect(logs).toContain('hold ended (someone arrived): the schedule resumes');
  });

  it('learns comfort from changes made while someone is home, and uses it in the schedule', () => {
    const settings = parseConfig({ zones: [{ name: 'Den', holdHours: 1 }] }).settings.zones[0];
    const clock = new ManualClock(Date.UTC(2024, 0, 8, 7)); // a Monday, 07:00
    const input = new FakeInput();
    const comfort = new ComfortLearner({ comfort: settings.comfort, limits: settings.limits, utcOffsetMinutes: 0 });
    const zone = new Zone(settings, { input, output: { apply: () => undefined }, clock, log: quietLog, comfort });
    for (let day = 0; day < 5; day++) {
      clock.advanceTo(Date.UTC(2024, 0, 8 + day, 7));
      input.pending = arrival(clock.now());
      zone.tick();
      zone.setTarget(22.5);
      clock.advance(2 * HOUR); // the hold ends
      input.pending = arrival(clock.now());
      zone.tick();
    }
    // The next Monday at 07:00, occupied, with no change made: the schedule's comfort is the learned one.
    clock.advanceTo(Date.UTC(2024, 0, 15, 7));
    input.pending = arrival(clock.now());
    zone.tick();
    expect(zone.snapshot.plan).toBe('comfort');
    expect(zone.snapshot.target).toBeGreaterThan(22);
    expect(zone.snapshot.target).toBeLessThanOrEqual(22.5);
    // Away changes teach nothing; an evening slot keeps the configured comfort.
    clock.advanceTo(Date.UTC(2024, 0, 15, 19));
    input.pending = arrival(clock.now());
    zone.tick();
    expect(zone.snapshot.target).toBe(21);
  });

  it('a fitted room model sets the lead time: a fast heater needs less warning than the cautious default', () => {
    const f = new OccupancyForecaster(decodeModel(prior).model);
    const { zone, input } = setup({}, f);
    input.temperature = 16;
    input.outdoor = 5;
    zone.tick();
    const minutes = () => Number(/needs (\d+) min/.exec(zone.snapshot.planReason)?.[1]);
    const cautious = minutes();
    zone.setRoomModel({ tauHours: 30, heatPerHour: 10 });
    zone.tick();
    expect(cautious).toBeGreaterThan(240);
    expect(minutes()).toBeGreaterThan(20);
    expect(minutes()).toBeLessThan(40);
  });

  it('manual control never changes the target by itself', () => {
    const { zone } = setup({ control: 'manual' });
    zone.tick();
    expect(zone.snapshot).toMatchObject({ target: 21, plan: 'manual' });
  });

  it('a silent temperature sensor turns equipment off and faults the zone, until readings return', () => {
    const { zone, clock, input, logs } = setup({ control: 'manual', staleSensorMinutes: 30 });
    input.temperature = 15;
    zone.tick();
    expect(zone.snapshot).toMatchObject({ heating: true, fault: false });
    input.silent = true;
    clock.advance(31 * MIN);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ heating: false, fault: true, reason: 'no temperature reading: equipment off' });
    expect(logs).toContain('warn no temperature reading for 31 min: equipment off, accessory marked faulted');
    input.silent = false;
    clock.advance(MIN);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ heating: false, fault: false, reason: 'heater kept off: minimum off time (4 min left)' });
    clock.advance(4 * MIN);
    zone.tick();
    expect(zone.snapshot).toMatchObject({ heating: true, fault: false });
    expect(logs).toContain('temperature readings are back');
  });
});

describe('a simulated home over three weeks', () => {
  function run(control: 'predictive' | 'manual') {
    const start = Date.UTC(2024, 0, 1);
    const home = new SimulatedHome({
      start,
      household: { seed: 7, occupants: 1 },
      zones: [{ name: 'Den', initialTemperature: 21, thermal: { tauHours: 12, heaterCPerHour: 3, coolerCPerHour: 2 } }],
      outdoor: { annualMean: 3, annualAmplitude: 0, dailyAmplitude: 4, coldestDayOfYear: 20 },
    });
    const settings = parseConfig({ zones: [{ name: 'Den', control }] }).settings.zones[0];
    const clock = new ManualClock(start);
    const zone = new Zone(settings, {
      input: new SimulatedInput(home, 'Den'), output: new SimulatedOutput(home, 'Den'), clock, log: quietLog,
      forecaster: new OccupancyForecaster(decodeModel(prior).model),
    });
    let missMinutes = 0;
    let setBackMinutes = 0;
    let awayMinutes = 0;
    const days = 21;
    for (let t = start; t < start + days * 24 * HOUR; t += MIN) {
      clock.advanceTo(t);
      zone.tick();
      if (t < start + 7 * 24 * HOUR) continue; // the first week learns
      const room = home.zone('Den');
      if (home.household.isHome(t) && room.temperature < 21 - 0.5) missMinutes++;
      if (zone.snapshot.plan === 'eco') setBackMinutes++;
      if (!home.household.isHome(t)) awayMinutes++;
    }
    return { heatingMs: home.runtime('Den').heatingMs, missPerDay: missMinutes / 14, setBackMinutes, awayFraction: awayMinutes / (14 * 1440) };
  }

  it('sets back while the household is out, pre-heats for arrivals, and heats less than always-comfort', () => {
    const predictive = run('predictive');
    const comfort = run('manual');
    // Measured at the default savingsBias: away 24 % of the time, ~2 % less heating, ~2 min/day cold.
    const awayMinutes = predictive.awayFraction * 14 * 1440;
    expect(predictive.setBackMinutes).toBeGreaterThan(0.4 * awayMinutes);
    expect(predictive.heatingMs).toBeLessThan(comfort.heatingMs * 0.99);
    expect(comfort.missPerDay).toBe(0);
    expect(predictive.missPerDay).toBeLessThan(15);
  });
});
