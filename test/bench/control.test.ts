import {
  CONTROL_DEFAULTS, ControlParams, controlForHome, forecastAtLead, nextHomeIndex, simulateControl,
} from '../../bench/control';
import { HORIZONS, evaluateHouse } from '../../bench/evaluate';
import { Persistence } from '../../bench/methods';
import { officeHours, syntheticHouse } from './helpers';

/** Forecasts per issue minute from a rule on (issue minute, horizon). */
function forecasts(n: number, p: (i: number, h: number) => number): Float32Array[] {
  return HORIZONS.map((h) => Float32Array.from({ length: n }, (_, i) => p(i, h)));
}

describe('forecastAtLead', () => {
  const f = [[0], [0.3], [0.6], [1]].map((x) => Float32Array.from(x));
  it('interpolates between horizons and clamps outside them', () => {
    expect(forecastAtLead(f, HORIZONS, 0, 0)).toBe(0);
    expect(forecastAtLead(f, HORIZONS, 0, 10)).toBe(0);
    expect(forecastAtLead(f, HORIZONS, 0, 45)).toBeCloseTo(0.45, 6);
    expect(forecastAtLead(f, HORIZONS, 0, 90)).toBeCloseTo(0.8, 6);
    expect(forecastAtLead(f, HORIZONS, 0, 500)).toBeCloseTo(1, 6);
    expect(forecastAtLead(f, HORIZONS, 0, Infinity)).toBeCloseTo(1, 6);
  });
});

describe('nextHomeIndex', () => {
  it('points at the next home minute, n when none', () => {
    expect(Array.from(nextHomeIndex([1, 0, 0, 1, -1, 0], 6))).toEqual([0, 3, 3, 3, 6, 6, 6]);
  });
});

describe('control simulation on a synthetic office-hours home (away 09-17, constant 5 °C outdoors)', () => {
  const days = 4;
  const house = syntheticHouse(days, officeHours);
  const n = house.labels.length;
  const labels = house.labels;
  const outdoor = new Float32Array(n).fill(5);
  const truth = (i: number, h: number): number => (labels[Math.min(n - 1, i + h)] === 1 ? 1 : 0);
  const all = {
    perfect: forecasts(n, truth),
    away: forecasts(n, () => 0),
    home: forecasts(n, () => 1),
  };
  const r = controlForHome(
    { labels, outdoor, n, horizons: HORIZONS, forecasts: { forecast: all, sensorOnly: all } },
    { thetas: [0.1, 0.5, 0.9], taus: [30], heaters: [1, 2] },
  );

  it('always-comfort saves nothing, keeps people warm and heats for the loss at 21 °C', () => {
    for (const track of [r.forecast, r.sensorOnly]) {
      expect(track.always.savingsPct).toBe(0);
      expect(track.always.missMinPerDay).toBe(0);
    }
    // Steady state: the heater covers (21 − 5)/30 °C/h out of 2 °C/h, about 27 % of the time.
    expect(r.forecast.always.energyShare).toBeCloseTo(16 / 30 / 2, 2);
    expect(r.forecast.home).toEqual(r.forecast.always);
  });

  it('the oracle saves energy with no MissTime and has oracleShare 1', () => {
    // A slow room saves only the loss not incurred while it coasts down: a few per cent here
    // (8 h away; it drops about 3 °C and must start reheating ~2 h before the return).
    expect(r.forecast.oracle.savingsPct!).toBeGreaterThan(1);
    expect(r.forecast.oracle.savingsPct!).toBeLessThan(10);
    expect(r.forecast.oracle.missMinPerDay).toBe(0);
    expect(r.forecast.oracle.oracleShare).toBe(1);
    expect(r.sensorOnly.oracle).toEqual(r.forecast.oracle);
  });

  it('a method that always predicts away saves most and misses most', () => {
    const { away, perfect, oracle } = r.forecast;
    // Forecast track: home-now comes from the label, so it is a reactive thermostat.
    expect(away.savingsPct!).toBeGreaterThan(oracle.savingsPct!);
    expect(away.missMinPerDay!).toBeGreaterThan(60);
    expect(away.missMinPerDay!).toBeGreaterThan(perfect.missMinPerDay!);
    expect(away.oracleShare!).toBeGreaterThan(1);
    // Sensor-only: it never believes anyone is home, so every occupied minute is cold (16 h a day).
    expect(r.sensorOnly.away.savingsPct!).toBeGreaterThan(away.savingsPct!);
    expect(r.sensorOnly.away.missMinPerDay!).toBeGreaterThan(0.95 * 16 * 60);
  });

  it('a perfect forecaster sits between: most of the oracle savings, little MissTime', () => {
    const p = r.forecast.perfect;
    expect(p.savingsPct!).toBeGreaterThan(0);
    expect(p.oracleShare!).toBeGreaterThan(0.7);
    // It sees at most 120 min ahead while reheating from eco here takes a little longer.
    expect(p.missMinPerDay!).toBeLessThan(30);
  });

  it('sweeps θ per method and keeps always/oracle as single points', () => {
    expect(r.curve.thetas).toEqual([0.1, 0.5, 0.9]);
    expect(r.curve.forecast.perfect.map((x) => x.theta)).toEqual([0.1, 0.5, 0.9]);
    expect(r.curve.forecast.perfect[1]).toMatchObject({ ...r.forecast.perfect, theta: 0.5 });
    expect(r.curve.sensorOnly.oracle).toHaveLength(1);
    expect(r.curve.forecast.always[0].theta).toBeNull();
  });

  it('reports the room variants, including a heater too weak to hold comfort', () => {
    expect(Object.keys(r.variants)).toEqual(['tau30-heat1', 'tau30-heat2']);
    expect(r.variants['tau30-heat2'].forecast).toEqual(r.forecast);
    // 1 °C/h against a loss of 16/30 °C/h still holds 21 °C at 5 °C outdoors.
    expect(r.variants['tau30-heat1'].alwaysMissMinPerDay).toBe(0);
  });

  it('scores nothing in the 24 h warm-up', () => {
    const oneDay = simulateControl(labels, outdoor, 1440, { kind: 'always' });
    expect(oneDay.scoredMinutes).toBe(0);
    const params: ControlParams = { ...CONTROL_DEFAULTS, skipMinutes: 0 };
    expect(simulateControl(labels, outdoor, 1440, { kind: 'always' }, params).scoredMinutes).toBe(1440);
  });

  it('counts a heater that cannot hold comfort as MissTime even for always-comfort', () => {
    const cold = new Float32Array(n).fill(-10);
    const weak: ControlParams = { ...CONTROL_DEFAULTS, thermal: { tauHours: 15, heaterCPerHour: 1, coolerCPerHour: 0 } };
    const run = simulateControl(labels, cold, n, { kind: 'always' }, weak);
    expect(run.missMinutes).toBeGreaterThan(0.9 * run.occupiedMinutes);
  });
});

describe('evaluateHouse onForecasts', () => {
  it('hands over each clean walk\'s forecasts per issue minute', () => {
    const house = syntheticHouse(2, officeHours);
    const got: Record<string, Float32Array[]> = {};
    evaluateHouse(house, {
      methods: { persistence: () => new Persistence() },
      onForecasts: (track, method, byIssue) => (got[`${track}/${method}`] = byIssue),
    });
    expect(Object.keys(got).sort()).toEqual(['forecast/persistence', 'sensorOnly/persistence']);
    const f = got['forecast/persistence'];
    expect(f).toHaveLength(HORIZONS.length);
    // Persistence on the forecast track: the label at the issue minute.
    for (const i of [0, 600, 1000, 2000]) expect(f[2][i]).toBe(house.labels[i]);
  });
});
