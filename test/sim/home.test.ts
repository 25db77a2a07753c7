import { SimHomeParams, SimulatedHome } from '../../src/sim/home';
import { Household } from '../../src/sim/household';
import { OutdoorCurve, TEMPERATE_CURVE, outdoorTemperature } from '../../src/sim/outdoor';
import { ThermalParams, equilibrium, stepTemperature } from '../../src/sim/thermal';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../src/sim/time';

const START = Date.UTC(2024, 0, 1);
const ROOM: ThermalParams = { tauHours: 20, heaterCPerHour: 1.5, coolerCPerHour: 1 };
const FLAT_ZERO: OutdoorCurve = { annualMean: 0, annualAmplitude: 0, dailyAmplitude: 0, coldestDayOfYear: 0 };

function home(overrides: Partial<SimHomeParams> = {}): SimulatedHome {
  return new SimulatedHome({
    start: START,
    household: { seed: 1, occupants: 2 },
    zones: [
      { name: 'living', thermal: ROOM, initialTemperature: 5 },
      { name: 'bedroom', thermal: { tauHours: 40, heaterCPerHour: 1, coolerCPerHour: 0.5 }, initialTemperature: 12, humidity: 52 },
    ],
    ...overrides,
  });
}

describe('SimulatedHome', () => {
  it('heats a cold zone toward the heater equilibrium and cools back with the heater off', () => {
    const h = home({ outdoor: FLAT_ZERO });
    const teq = equilibrium(0, ROOM, true, false); // 30 °C
    h.setEquipment('living', { heating: true, cooling: false }, START);
    let prev = h.zone('living').temperature;
    for (let t = START + HOUR_MS; t <= START + 60 * HOUR_MS; t += HOUR_MS) {
      h.advanceTo(t);
      const T = h.zone('living').temperature;
      expect(T).toBeGreaterThan(prev);
      expect(T).toBeLessThan(teq);
      prev = T;
    }
    expect(prev).toBeCloseTo(stepTemperature(5, 0, ROOM, true, false, 60 * HOUR_MS), 9);
    expect(prev).toBeGreaterThan(28);
    // The unheated bedroom just drifts toward outdoor.
    expect(h.zone('bedroom').temperature).toBeCloseTo(12 * Math.exp(-60 / 40), 9);

    h.setEquipment('living', { heating: false, cooling: false }, START + 60 * HOUR_MS);
    h.advanceTo(START + 160 * HOUR_MS);
    expect(h.zone('living').temperature).toBeCloseTo(prev * Math.exp(-100 / 20), 9);
    expect(h.zone('living').heating).toBe(false);
  });

  it('cools with the cooler', () => {
    const warm: OutdoorCurve = { ...FLAT_ZERO, annualMean: 30 };
    const h = home({ outdoor: warm });
    h.advanceTo(START + 200 * HOUR_MS);
    expect(h.zone('living').temperature).toBeCloseTo(30, 1);
    h.setEquipment('living', { heating: false, cooling: true }, START + 200 * HOUR_MS);
    h.advanceTo(START + 210 * HOUR_MS);
    const T = h.zone('living').temperature;
    expect(T).toBeLessThan(30);
    expect(T).toBeGreaterThan(equilibrium(30, ROOM, false, true));
    expect(h.zone('living').cooling).toBe(true);
  });

  it('accounts heater and cooler runtime per zone', () => {
    const h = home();
    h.setEquipment('living', { heating: true, cooling: false }, START + 10 * MINUTE_MS);
    h.setEquipment('living', { heating: false, cooling: false }, START + 70 * MINUTE_MS + 30 * SECOND_MS);
    h.setEquipment('bedroom', { heating: false, cooling: true }, START + 2 * HOUR_MS);
    h.setEquipment('living', { heating: true, cooling: false }, START + 3 * HOUR_MS);
    h.advanceTo(START + 4 * HOUR_MS);
    expect(h.runtime('living')).toEqual({ heatingMs: 60 * MINUTE_MS + 30 * SECOND_MS + HOUR_MS, coolingMs: 0 });
    expect(h.runtime('bedroom')).toEqual({ heatingMs: 0, coolingMs: 2 * HOUR_MS });
  });

  it('ignores time going backwards and switches equipment at the current time', () => {
    const h = home();
    h.advanceTo(START + HOUR_MS);
    const T = h.zone('living').temperature;
    h.advanceTo(START);
    expect(h.now).toBe(START + HOUR_MS);
    expect(h.zone('living').temperature).toBe(T);
    h.setEquipment('living', { heating: true, cooling: false }, START);
    h.advanceTo(START + 2 * HOUR_MS);
    expect(h.runtime('living').heatingMs).toBe(HOUR_MS);
  });

  it('gives the same temperatures however time is split into calls', () => {
    const one = home();
    const ticks = home();
    const ragged = home();
    const end = START + 3 * DAY_MS;
    const toggles = [START + 5 * HOUR_MS + 17, START + 9 * HOUR_MS, START + 30 * HOUR_MS + 59_999, START + 50 * HOUR_MS];
    const apply = (h: SimulatedHome, t: number): void => {
      toggles.forEach((at, i) => {
        if (at === t) {
          h.setEquipment('living', { heating: i % 2 === 0, cooling: false }, t);
        }
      });
    };
    for (const at of toggles) {
      one.advanceTo(at);
      apply(one, at);
    }
    one.advanceTo(end);
    const points = new Set<number>(toggles);
    for (let t = START + MINUTE_MS; t <= end; t += MINUTE_MS) {
      points.add(t);
    }
    for (const t of [...points].sort((a, b) => a - b)) {
      ticks.advanceTo(t);
      apply(ticks, t);
    }
    let t = START;
    let step = 1;
    const raggedPoints = new Set<number>(toggles);
    while (t < end) {
      t = Math.min(end, t + step);
      raggedPoints.add(t);
      step = (step * 13 + 7_777) % (2 * HOUR_MS);
    }
    for (const p of [...raggedPoints].sort((a, b) => a - b)) {
      ragged.advanceTo(p);
      apply(ragged, p);
    }
    for (const zone of ['living', 'bedroom']) {
      expect(ticks.zone(zone).temperature).toBeCloseTo(one.zone(zone).temperature, 9);
      expect(ragged.zone(zone).temperature).toBeCloseTo(one.zone(zone).temperature, 9);
      expect(ragged.runtime(zone)).toEqual(one.runtime(zone));
    }
  });

  it('tracks the continuous outdoor curve closely despite one-minute outdoor steps', () => {
    const h = home();
    h.setEquipment('living', { heating: true, cooling: false }, START);
    h.advanceTo(START + 12 * HOUR_MS);
    // Reference: Euler with 1 s steps against the exact curve.
    let T = 5;
    const tauMs = ROOM.tauHours * HOUR_MS;
    for (let t = START; t < START + 12 * HOUR_MS; t += SECOND_MS) {
      T += ((outdoorTemperature(t + SECOND_MS / 2) - T) / tauMs + ROOM.heaterCPerHour / HOUR_MS) * SECOND_MS;
    }
    expect(h.zone('living').temperature).toBeCloseTo(T, 3);
  });

  it('reports outdoor temperature in the household time zone and believable humidity', () => {
    const h = home({ household: { seed: 1, occupants: 2, utcOffsetMinutes: 120 } });
    const t = START + 5 * HOUR_MS;
    expect(h.outdoorTemperature(t)).toBe(outdoorTemperature(t, { ...TEMPERATE_CURVE, utcOffsetMinutes: 120 }));
    const ownOffset = home({ outdoor: { ...TEMPERATE_CURVE, utcOffsetMinutes: -300 } });
    expect(ownOffset.outdoorTemperature(t)).toBe(outdoorTemperature(t, { ...TEMPERATE_CURVE, utcOffsetMinutes: -300 }));

    let prev = h.zone('living').humidity;
    let min = Infinity;
    let max = -Infinity;
    let maxHourly = 0;
    let differsFromBedroom = 0;
    for (let at = START + HOUR_MS; at < START + 365 * DAY_MS; at += HOUR_MS) {
      h.setEquipment('living', { heating: h.zone('living').temperature < 20, cooling: false }, at);
      const rh = h.zone('living').humidity;
      min = Math.min(min, rh);
      max = Math.max(max, rh);
      maxHourly = Math.max(maxHourly, Math.abs(rh - prev));
      differsFromBedroom += rh !== h.zone('bedroom').humidity ? 1 : 0;
      prev = rh;
    }
    expect(min).toBeGreaterThanOrEqual(30);
    expect(max).toBeLessThanOrEqual(65);
    expect(max - min).toBeGreaterThan(5);
    expect(maxHourly).toBeLessThan(2);
    expect(differsFromBedroom).toBeGreaterThan(8000);
    // Deterministic: a second home reads the same.
    const again = home({ household: { seed: 1, occupants: 2, utcOffsetMinutes: 120 } });
    again.advanceTo(START + 77 * HOUR_MS);
    const first = home({ household: { seed: 1, occupants: 2, utcOffsetMinutes: 120 } });
    first.advanceTo(START + 77 * HOUR_MS);
    expect(again.zone('bedroom').humidity).toBe(first.zone('bedroom').humidity);
  });

  it('passes the household events through per zone', () => {
    const h = home();
    const ref = new Household({ seed: 1, occupants: 2 });
    expect(h.events('living', START, START + DAY_MS)).toEqual(ref.events(START, START + DAY_MS));
    expect(h.events('bedroom', START, START + DAY_MS).length).toBeGreaterThan(50);
  });

  it('names an unknown or duplicate zone in the error', () => {
    const h = home();
    expect(() => h.zone('attic')).toThrow(/attic/);
    expect(() => h.setEquipment('attic', { heating: true, cooling: false }, START + 1)).toThrow(/attic/);
    expect(h.now).toBe(START); // a failed call does not move time
    expect(() => h.events('attic', START, START + 1)).toThrow(/attic/);
    expect(() => h.runtime('attic')).toThrow(/attic/);
    expect(() =>
      home({
        zones: [
          { name: 'a', thermal: ROOM, initialTemperature: 20 },
          { name: 'a', thermal: ROOM, initialTemperature: 20 },
        ],
      }),
    ).toThrow(/"a"/);
    expect(() => home({ zones: [{ name: 'b', thermal: { ...ROOM, tauHours: 0 }, initialTemperature: 20 }] })).toThrow(
      /tauHours/,
    );
  });

  it('runs a simulated year of one zone tick by tick with consistent bookkeeping', () => {
    const h = new SimulatedHome({
      start: START,
      household: { seed: 2024, occupants: 2 },
      zones: [{ name: 'living', thermal: { tauHours: 30, heaterCPerHour: 1.5, coolerCPerHour: 1 }, initialTemperature: 18 }],
    });
    const hh = h.household;
    const end = START + 365 * DAY_MS;
    let heating = false;
    let heatingTicks = 0;
    let events = 0;
    let presence = 0;
    let motionWhileAway = 0;
    let badWindow = 0;
    let comfortTicks = 0;
    let comfortMisses = 0;
    let lastWanted = 0;
    let wantedSince = START;
    const heatingByMonth = new Array<number>(12).fill(0);
    const monthEnds = Array.from({ length: 12 }, (_, m) => Date.UTC(2024, m + 1, 1));
    let month = 0;
    let lastRuntime = 0;
    for (let t = START + MINUTE_MS; t <= end; t += MINUTE_MS) {
      const evs = h.events('living', t - MINUTE_MS, t);
      for (let i = 0; i < evs.length; i++) {
        const e = evs[i];
        if (e.t < t - MINUTE_MS || e.t >= t || (i > 0 && e.t < evs[i - 1].t)) {
          badWindow++;
        }
        if (e.kind === 'presence') {
          presence++;
        } else if (e.kind === 'motion' && e.value && !hh.isHome(e.t)) {
          motionWhileAway++;
        }
      }
      events += evs.length;
      h.advanceTo(t);
      const T = h.zone('living').temperature;
      const wanted = hh.isHome(t) && !hh.isAsleep(t) ? 20 : 16;
      if (wanted !== lastWanted) {
        wantedSince = t;
        lastWanted = wanted;
      }
      // A reactive thermostat needs a while to recover from the 16 °C setback; judge it after 6 h.
      if (wanted === 20 && t - wantedSince > 6 * HOUR_MS) {
        comfortTicks++;
        comfortMisses += T < 19.5 ? 1 : 0;
      }
      // Thermostat with 0.3 °C hysteresis; toggles the heater many times a day.
      const next: boolean = T < wanted - 0.3 ? true : T > wanted + 0.3 ? false : heating;
      if (next !== heating) {
        heating = next;
        h.setEquipment('living', { heating, cooling: false }, t);
      }
      heatingTicks += heating ? 1 : 0;
      if (t > monthEnds[month]) {
        month++;
      }
      const runtime = h.runtime('living').heatingMs;
      heatingByMonth[month] += runtime - lastRuntime;
      lastRuntime = runtime;
    }
    expect(h.now).toBe(end);
    expect(badWindow).toBe(0);
    expect(motionWhileAway).toBe(0);
    // Tick-by-tick reads saw exactly the events of one bulk read.
    expect(events).toBe(hh.events(START, end).length);
    const transitions = hh.awayIntervals(START, end).flat().filter((x) => x >= START && x < end).length;
    expect(presence).toBe(transitions);
    expect(transitions).toBeGreaterThan(200);
    // The heater state after tick t runs until tick t + 1, so runtime lags the tick count by the last tick.
    expect(h.runtime('living').heatingMs).toBe((heatingTicks - (heating ? 1 : 0)) * MINUTE_MS);
    expect(h.runtime('living').coolingMs).toBe(0);
    expect(heatingByMonth[0]).toBeGreaterThan(3 * heatingByMonth[6]);
    expect(heatingByMonth[0]).toBeGreaterThan(heatingByMonth[3]);
    expect(comfortTicks).toBeGreaterThan(20_000);
    expect(comfortMisses).toBeLessThan(0.01 * comfortTicks);
  });
});
