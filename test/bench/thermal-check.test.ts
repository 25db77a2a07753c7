import { Series, WINTER_CURVE } from '../../bench/fraunhofer';
import {
  checkRoom, fitThermal, heatUpEvents, historyRecords, inferredHeating, leastSquares, pluginCheck, predictHeatUp, RoomData, ThermalFit,
} from '../../bench/thermal-check';
import { fitThermal as pluginFitThermal } from '../../src/learning/thermal-fit';
import { outdoorTemperature } from '../../src/sim/outdoor';
import { ThermalParams, stepTemperature } from '../../src/sim/thermal';

const MIN = 60_000;
const START = Date.UTC(2017, 0, 2);

/**
 * A room simulated with the plugin's own model: setpoint 21 °C 06:00-22:00, 16 °C at night, an
 * on/off thermostat (±0.25 °C), winter outdoor curve. Logged like the Fraunhofer flat: room every
 * 10 min (rounded to 0.01 °C), outdoor hourly, setpoint at each change.
 */
function syntheticRoom(p: ThermalParams, days: number): RoomData {
  const temp: [number, number][] = [];
  const out: [number, number][] = [];
  const sp: [number, number][] = [];
  let T = 19;
  let on = false;
  let last = NaN;
  for (let i = 0; i < days * 1440; i++) {
    const t = START + i * MIN;
    const m = i % 1440;
    const setpoint = m >= 6 * 60 && m < 22 * 60 ? 21 : 16;
    if (setpoint !== last) sp.push([t, (last = setpoint)]);
    const tout = outdoorTemperature(t, WINTER_CURVE);
    if (i % 10 === 0) temp.push([t, Math.round(T * 100) / 100]);
    if (i % 60 === 0) out.push([t, tout]);
    if (T < setpoint - 0.25) on = true;
    else if (T > setpoint + 0.25) on = false;
    T = stepTemperature(T, tout, p, on, false, MIN);
  }
  const series = (a: [number, number][]): Series => ({ t: Float64Array.from(a, (x) => x[0]), v: Float64Array.from(a, (x) => x[1]) });
  return { temperature: series(temp), setpoint: series(sp), outdoor: series(out) };
}

describe('leastSquares', () => {
  it('solves an exact linear system and refuses a singular one', () => {
    const rows = [[1, 0], [0, 1], [1, 1]];
    expect(leastSquares(rows, [2, 3, 5])!.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([2, 3]);
    expect(leastSquares([[1, 2], [2, 4]], [1, 2])).toBeUndefined();
  });
});

describe('thermal fit on data generated with stepTemperature', () => {
  const truth: ThermalParams = { tauHours: 40, heaterCPerHour: 1.5, coolerCPerHour: 0 };
  const d = syntheticRoom(truth, 20);
  const end = d.temperature.t[d.temperature.t.length - 1];
  const mid = START + (end - START) / 2;
  const exactFit: ThermalFit = {
    tauHours: truth.tauHours, heaterCPerHour: truth.heaterCPerHour, gainCPerHour: 0, heatSamples: 0, freeSamples: 0, heatUps: 0, rmseC: 0, ok: true,
  };

  it('recovers tau within 10 % and heater power within 10 %, with no spurious gain', () => {
    const fit = fitThermal(d, START, mid);
    expect(fit.ok).toBe(true);
    expect(fit.heatUps).toBeGreaterThanOrEqual(8);
    expect(Math.abs(fit.tauHours! / truth.tauHours - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.heaterCPerHour! / truth.heaterCPerHour - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.gainCPerHour!)).toBeLessThan(0.05);
  });

  it('finds one heat-up per morning and times it like the true model does', () => {
    const { events, skipped } = heatUpEvents(d, mid, end + 1);
    expect(events.length).toBeGreaterThanOrEqual(9);
    expect(skipped.noRise).toBe(0);
    for (const e of events) {
      expect(e.targetC).toBeCloseTo(20.5, 5);
      const exact = predictHeatUp(exactFit, d.outdoor, e.at, e.fromC, e.targetC);
      expect(Math.abs(e.measuredMin - exact)).toBeLessThan(6); // 10-min logging, linear interpolation
    }
  });

  it('predicts second-half heat-ups within a few minutes (median and mean abs error)', () => {
    const r = checkRoom('synthetic', d);
    expect(r.test.n).toBeGreaterThanOrEqual(9);
    expect(Math.abs(r.test.medianErrorMin!)).toBeLessThan(5);
    expect(r.test.meanAbsErrorMin!).toBeLessThan(8);
    expect(r.notes).toEqual([]);
  });

  it('says so when there are too few heat-ups to judge', () => {
    const flat: RoomData = { ...d, setpoint: { t: Float64Array.from([START]), v: Float64Array.from([10]) } };
    const r = checkRoom('cold-setpoint', flat);
    expect(r.test.n).toBe(0);
    expect(r.notes.join(' ')).toMatch(/too few/);
  });

  it('the plugin fit (fitThermal + leadMinutes) on records from the inferred heating state recovers the room', () => {
    const records = historyRecords(d, START, mid);
    const kinds = new Set(records.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['equipment', 'outdoor', 'temperature']);
    const states = new Set(inferredHeating(d, START, mid).map((c) => c.state));
    expect(states).toEqual(new Set(['on', 'off', 'unknown']));
    const fit = pluginFitThermal(records);
    expect(fit.ok).toBe(true);
    expect(Math.abs(fit.tauHours / truth.tauHours - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.heatPerHour! / truth.heaterCPerHour - 1)).toBeLessThan(0.1);
    const { check } = pluginCheck(d, START, mid, heatUpEvents(d, mid, end + 1).events);
    expect(check.fit.ok).toBe(true);
    expect(check.test.n).toBeGreaterThanOrEqual(9);
    expect(Math.abs(check.test.medianErrorMin!)).toBeLessThan(8);
    expect(check.test.meanAbsErrorMin!).toBeLessThan(10);
    expect(check.testFromOnset.n).toBe(check.test.n);
    const r = checkRoom('synthetic', d);
    expect(r.plugin.test).toEqual(check.test);
    expect(r.events.every((e) => e.pluginPredictedMin !== null)).toBe(true);
  });

  it('reports the plugin fit\'s reason when it refuses', () => {
    const { check } = pluginCheck(d, START, START + 6 * 3_600_000, []);
    expect(check.fit.ok).toBe(false);
    expect(check.fit.reason).toMatch(/keeping the default room/);
    expect(check.test.n).toBe(0);
  });
});
