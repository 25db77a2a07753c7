import { COLD_TOLERANCE, ExpectedCostInput, ExpectedCostPlanner, PLAN_HYSTERESIS } from '../../src/control/expected-cost';
import { stepTemperature, timeToReach } from '../../src/sim/thermal';

const HORIZONS = [15, 30, 60, 120, 180, 240];
const room = { tauHours: 30, ratePerHour: 2 };
const thermal = { tauHours: 30, heaterCPerHour: 2, coolerCPerHour: 2 };
const base: ExpectedCostInput = {
  temperature: 21, outdoor: 7.7, comfort: 21, eco: 16, action: 'heat', room,
  forecast: { horizons: HORIZONS, pHome: [0, 0, 0, 0, 0, 0] }, coldMinuteCost: 2,
};
const plan = (over: Partial<ExpectedCostInput>) => new ExpectedCostPlanner().plan({ ...base, ...over });
const at = (...p: number[]) => ({ horizons: HORIZONS, pHome: p });
/** A forecast on a 5-minute grid: certain arrival at `minute`. */
const certainAt = (minute: number) => {
  const horizons = Array.from({ length: 48 }, (_, k) => (k + 1) * 5);
  return { horizons, pHome: horizons.map((h) => (h >= minute ? 1 : 0)) };
};

describe('ExpectedCostPlanner: first steps', () => {
  const rows: Array<[string, Partial<ExpectedCostInput>, boolean]> = [
    ['nobody expected: let it cool', { forecast: at(0, 0, 0, 0, 0, 0) }, false],
    ['nobody expected, cold room: still idle', { temperature: 16, forecast: at(0, 0, 0, 0, 0, 0) }, false],
    ['warm room, arrival likely soon, an hour of slack before it is cold: idle', { forecast: at(0.5, 0.9, 0.95, 0.95, 0.95, 0.95) }, false],
    ['room at the edge of cold, arrival likely soon: keep it warm', { temperature: 20.5, forecast: at(0.5, 0.9, 0.95, 0.95, 0.95, 0.95) }, true],
    ['cold room, arrival certain within the lead: heat at once', { temperature: 16, forecast: at(0, 0, 1, 1, 1, 1) }, true],
    ['cool room, arrival certain but well after the lead (93 min): wait', { temperature: 18, forecast: at(0, 0, 0, 0, 0, 1) }, false],
    ['unlikely arrival, comfort-first price: heat', { temperature: 20, forecast: at(0.02, 0.04, 0.08, 0.15, 0.2, 0.25), coldMinuteCost: 32 }, true],
    ['unlikely arrival, savings-first price: wait', { temperature: 20, forecast: at(0.02, 0.04, 0.08, 0.15, 0.2, 0.25), coldMinuteCost: 0.125 }, false],
    ['no outdoor reading: planned with an assumed cold outdoors', { temperature: 16, outdoor: undefined, forecast: at(0, 0, 1, 1, 1, 1) }, true],
    ['cooling, hot room, arrival certain within the lead: cool', {
      action: 'cool', comfort: 24, eco: 28, temperature: 28, outdoor: 32, forecast: at(0, 0, 1, 1, 1, 1),
    }, true],
    ['equipment too weak to ever reach comfort, arrival likely: heat anyway, a warmer room is less cold', {
      temperature: 16, outdoor: 5, room: { tauHours: 30, ratePerHour: 0.3 }, forecast: at(0, 0.2, 0.5, 0.9, 1, 1),
    }, true],
    ['equipment too weak, nobody expected: idle', { temperature: 16, outdoor: 5, room: { tauHours: 30, ratePerHour: 0.3 } }, false],
    ['cooling, nobody expected: idle', { action: 'cool', comfort: 24, eco: 28, temperature: 25, outdoor: 32 }, false],
  ];
  it.each(rows)('%s', (_what, over, run) => {
    expect(plan(over).run).toBe(run);
  });

  it('reports what each first step costs and spares, and the reach', () => {
    const p = plan({ temperature: 16, forecast: at(0, 0, 1, 1, 1, 1) });
    expect(p.reachMinutes).toBe(240);
    expect(p.pArrival).toBe(1);
    // Heating now spends more than idling and spares cold minutes: the arrival at +60 finds a cold room either way.
    expect(p.heatMinutes.run).toBeGreaterThan(p.heatMinutes.idle);
    expect(p.coldMinutes.idle).toBeGreaterThan(p.coldMinutes.run);
    expect(p.coldMinutes.run).toBeGreaterThan(0);
  });

  it('reports the level it holds the room at: running below it, idling above it', () => {
    expect(plan({}).runBelow).toBe(-Infinity); // nobody expected: idle at any temperature
    const forecast = at(0.1, 0.1, 0.1, 0.1, 0.1, 0.1);
    const level = plan({ forecast }).runBelow;
    expect(level).toBeGreaterThan(16);
    expect(level).toBeLessThan(21);
    expect(plan({ forecast, temperature: level - 0.15 }).run).toBe(true);
    expect(plan({ forecast, temperature: level + 0.15 }).run).toBe(false);
    // Cooling: the level is a temperature above which it runs.
    const cool = plan({ action: 'cool', comfort: 24, eco: 28, outdoor: 32, forecast, temperature: 26 });
    expect(cool.runBelow).toBeGreaterThan(24);
    expect(cool.runBelow).toBeLessThan(28);
    expect(plan({ action: 'cool', comfort: 24, eco: 28, outdoor: 32, forecast, temperature: cool.runBelow + 0.15 }).run).toBe(true);
  });

  it(`once running, goes on to ${PLAN_HYSTERESIS} °C past the level, then idles`, () => {
    const forecast = at(0.1, 0.1, 0.1, 0.1, 0.1, 0.1);
    const level = plan({ forecast }).runBelow;
    expect(plan({ forecast, temperature: level + PLAN_HYSTERESIS / 2 }).run).toBe(false);
    expect(plan({ forecast, temperature: level + PLAN_HYSTERESIS / 2, running: true })).toMatchObject({ run: true, held: true });
    expect(plan({ forecast, temperature: level - PLAN_HYSTERESIS / 2, running: true })).toMatchObject({ run: true, held: false });
    expect(plan({ forecast, temperature: level + PLAN_HYSTERESIS * 1.5, running: true }).run).toBe(false);
    expect(plan({ running: true }).run).toBe(false); // nobody expected: stops at once
  });

  it('prices a room warmer than comfort as it is, not clamped to the top of its grid', () => {
    // Checked against an exhaustive search over the 64 run/idle plans of 6 steps (exact room, no grid).
    const short = { horizons: [5, 10, 15, 20, 25, 30], pHome: [0, 0, 0, 0.1, 0.1, 0.2] };
    const p = plan({ temperature: 23, outdoor: 5, forecast: short, coldMinuteCost: 1.75 });
    expect(p.heatMinutes.run).toBeCloseTo(91.1, 1);
    expect(p.heatMinutes.idle).toBeCloseTo(89.06, 1);
    expect(p.run).toBe(false);
  });

  it('a higher price of a cold minute never turns heating into waiting', () => {
    const forecasts = [at(0.01, 0.02, 0.05, 0.1, 0.2, 0.4), at(0.1, 0.1, 0.1, 0.1, 0.1, 0.1), at(0, 0, 0, 0.3, 0.6, 0.9), at(0.05, 0.3, 0.5, 0.6, 0.6, 0.6)];
    for (const forecast of forecasts) {
      for (let T = 15; T <= 21.5; T += 0.5) {
        let ran = false;
        for (const price of [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32]) {
          const run = plan({ temperature: T, forecast, coldMinuteCost: price }).run;
          if (ran) expect(run).toBe(true);
          ran ||= run;
        }
      }
    }
  });

  it('cooling is heating mirrored', () => {
    for (const [T, out, p] of [[22, 30, at(0, 0.1, 0.3, 0.5, 0.6, 0.7)], [27, 35, at(0, 0, 0.2, 0.9, 1, 1)], [24.5, 20, at(0.3, 0.3, 0.3, 0.3, 0.3, 0.3)]] as const) {
      const cool = plan({ action: 'cool', comfort: 24, eco: 28, temperature: T, outdoor: out, forecast: p });
      const heat = plan({ action: 'heat', comfort: -24, eco: -28, temperature: -T, outdoor: -out, forecast: p });
      expect(cool).toEqual({ ...heat, runBelow: -heat.runBelow });
    }
  });

  it('keeps its tables between ticks and rebuilds them when the room or the readings change', () => {
    const planner = new ExpectedCostPlanner();
    const inputs: Array<Partial<ExpectedCostInput>> = [
      { temperature: 18, forecast: at(0, 0.05, 0.1, 0.3, 0.5, 0.6) },
      { temperature: 18, outdoor: -5, forecast: at(0, 0.05, 0.1, 0.3, 0.5, 0.6) },
      { temperature: 12, forecast: at(0, 0.05, 0.1, 0.3, 0.5, 0.6) },
      { temperature: 18, room: { tauHours: 10, ratePerHour: 4 }, forecast: at(0, 0.05, 0.1, 0.3, 0.5, 0.6) },
      { temperature: 18, forecast: at(0, 0.05, 0.1, 0.3, 0.5, 0.6) },
    ];
    for (const over of inputs) expect(planner.plan({ ...base, ...over })).toEqual(plan(over));
  });

  it.each([
    ['a room without a time constant', { room: { tauHours: 0, ratePerHour: 2 } }, /room: tauHours and ratePerHour must be positive/],
    ['equipment without a rate', { room: { tauHours: 30, ratePerHour: Number.NaN } }, /room: tauHours and ratePerHour/],
    ['no temperature', { temperature: Number.NaN }, /temperature, comfort and eco must be numbers/],
    ['a forecast without horizons', { forecast: { horizons: [], pHome: [] } }, /forecast: needs at least one horizon/],
  ])('refuses %s, naming it', (_what, over, message) => {
    expect(() => plan(over as Partial<ExpectedCostInput>)).toThrow(message);
  });
});

describe('ExpectedCostPlanner: just in time', () => {
  // A room at eco with a certain arrival later on, planned again every minute as the zone does: the
  // room is comfortable when they walk in, for about the heat a just-in-time start would spend (with
  // a long time constant, heating a little early costs little, and the plan buys that margin).
  const simulate = (arrival: number, price: number) => {
    const planner = new ExpectedCostPlanner();
    let T = 16;
    let on = 0;
    for (let minute = 0; minute < arrival; minute++) {
      const run = planner.plan({ ...base, temperature: T, forecast: certainAt(arrival - minute), coldMinuteCost: price }).run;
      on += run ? 1 : 0;
      T = stepTemperature(T, 7.7, thermal, run, false, 60_000);
    }
    return { T, on };
  };
  const need = timeToReach(16, 21 - COLD_TOLERANCE, 7.7, thermal, 'heat') / 60_000; // 164 min

  it.each([[180, 2], [200, 2], [240, 2], [240, 0.5], [240, 32]])('arrival certain at +%d min, a cold minute worth %d: warm in time, heat within 10 %% of the need', (arrival, price) => {
    const { T, on } = simulate(arrival, price);
    expect(T).toBeGreaterThanOrEqual(21 - COLD_TOLERANCE - 0.05);
    expect(on).toBeGreaterThanOrEqual(need - 1);
    expect(on).toBeLessThanOrEqual(need * 1.1);
  });

  it('an arrival sooner than the room can be warm: heat all the way', () => {
    expect(simulate(120, 2).on).toBe(120);
  });
});
