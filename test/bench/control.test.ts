import {
  CONTROL_DEFAULTS, ControlParams, ControlScore, MethodForecast, controlForHome, dominanceGaps, forecastAtLead, nextHomeIndex,
  simulateControl,
} from '../../bench/control';
import { HORIZONS, evaluateHouse } from '../../bench/evaluate';
import { LONG_HORIZONS, Ours, Persistence, Ppp } from '../../bench/methods';
import { HORIZONS as FORECASTER_HORIZONS } from '../../src/learning/forecaster';
import { threshold } from '../../src/control/setpoint';
import { officeHours, syntheticHouse } from './helpers';

const LONG = [...HORIZONS, ...LONG_HORIZONS];

/** Forecasts per issue minute from a rule on (issue minute, horizon). */
function forecasts(n: number, p: (i: number, h: number) => number, horizons: readonly number[] = HORIZONS): MethodForecast {
  return { horizons, byIssue: horizons.map((h) => Float32Array.from({ length: n }, (_, i) => p(i, h))) };
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
    perfectLong: forecasts(n, truth, LONG),
    away: forecasts(n, () => 0),
    home: forecasts(n, () => 1),
    ours: forecasts(n, (i, h) => (truth(i, h) ? 0.6 : 0.03), LONG),
  };
  const r = controlForHome(
    { labels, outdoor, n, forecasts: { forecast: all, sensorOnly: all } },
    { thetas: [0.1, 0.5, 0.9], taus: [30], heaters: [1, 2], pluginMethods: ['ours'], savingsBias: 0.5, savingsBiases: [0, 1] },
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

  it('every method can report the longest horizon its control read', () => {
    expect(r.params.maxHorizon).toMatchObject({ perfect: 120, perfectLong: Math.max(...LONG), ours: Math.max(...LONG) });
  });

  it('in a colder spell, where reheating takes over 2 h, the longer horizons keep a perfect forecaster on time', () => {
    const cold = new Float32Array(n).fill(-5);
    const c = controlForHome(
      { labels, outdoor: cold, n, forecasts: { forecast: { perfect: all.perfect, perfectLong: all.perfectLong }, sensorOnly: {} } },
      { thetas: [0.1], theta: 0.1, taus: [30], heaters: [2] },
    );
    // +120 at most: it starts reheating only 2 h ahead, about an hour late every workday.
    expect(c.forecast.perfect.missMinPerDay!).toBeGreaterThan(30);
    expect(c.forecast.perfectLong.missMinPerDay!).toBeLessThan(5);
    expect(c.forecast.perfectLong.oracleShare!).toBeGreaterThan(0.9);
  });

  it("the plugin's methods are scored through decidePredictive at the default savingsBias: it plans, keeps everyone warm and saves", () => {
    expect(r.params).toMatchObject({ pluginMethods: ['ours'], savingsBias: 0.5, pluginColdMinuteCost: 1.75, theta: 0.5 });
    expect(r.forecast.ours.missMinPerDay).toBe(0);
    expect(r.forecast.ours.savingsPct!).toBeGreaterThan(1);
    // Along the dial, toward savings: never saves less, never warmer.
    const dial = r.curve.bias.forecast.ours;
    for (let k = 1; k < dial.length; k++) {
      expect(dial[k].savingsPct!).toBeGreaterThanOrEqual(dial[k - 1].savingsPct!);
      expect(dial[k].missMinPerDay!).toBeGreaterThanOrEqual(dial[k - 1].missMinPerDay!);
    }
    // These forecasts give every away minute a 3 % chance of someone within 15 min. A cold minute
    // priced at 0.11 min of heating (savingsBias 1) ignores that, and saves at least what the θ rule
    // it replaced saved at its default θ 0.1.
    const before = controlForHome(
      { labels, outdoor, n, forecasts: { forecast: { ours: all.ours }, sensorOnly: { ours: all.ours } } },
      { thetas: [], theta: threshold(0.5), taus: [30], heaters: [2], pluginMethods: [] },
    );
    expect(dial[2].savingsPct!).toBeGreaterThanOrEqual(before.forecast.ours.savingsPct!);
    // θ 0.9 never pre-heats on these forecasts, so it is colder.
    const at = (th: number) => r.curve.forecast.ours.find((x) => x.theta === th)!;
    expect(at(0.9).missMinPerDay!).toBeGreaterThan(r.forecast.ours.missMinPerDay!);
  });

  it('sweeps savingsBias for the first plugin method only, the default included', () => {
    expect(r.curve.savingsBiases).toEqual([0, 0.5, 1]);
    expect(Object.keys(r.curve.bias.forecast)).toEqual(['ours']);
    expect(r.curve.bias.forecast.ours.map((x) => x.savingsBias)).toEqual([0, 0.5, 1]);
    expect(r.curve.bias.forecast.ours[1]).toMatchObject({ ...r.forecast.ours, coldMinuteCost: 1.75 });
    expect(r.curve.bias.sensorOnly.ours[2].coldMinuteCost).toBeCloseTo(28 / 256, 12);
  });

  it('lists, per track, the other methods\' θ points that no setting of the plugin\'s dial matches', () => {
    expect(r.dominance.method).toBe('ours');
    for (const track of ['forecast', 'sensorOnly'] as const) {
      const dial = r.curve.bias[track].ours;
      for (const g of r.dominance[track]) {
        expect(g.method).not.toMatch(/^(ours|always|oracle)$/);
        expect(dial.some((o) => o.missMinPerDay! <= g.missMinPerDay + 0.5 && o.savingsPct! >= g.savingsPct - 0.05)).toBe(false);
      }
      // Always-comfort forecasts save nothing at no MissTime: the comfort end of the dial matches that.
      expect(r.dominance[track].some((g) => g.method === 'home')).toBe(false);
    }
  });

  it('sweeps the other methods again with the plugin\'s margin: never colder than without it', () => {
    expect(r.curve.withMargin.marginMinutes).toBe(30);
    expect(Object.keys(r.curve.withMargin.forecast)).not.toContain('ours');
    expect(r.curve.withMargin.forecast.perfect.map((x) => x.theta)).toEqual([0.1, 0.5, 0.9]);
    for (const m of ['perfect', 'away', 'home']) {
      r.curve.withMargin.forecast[m].forEach((p, k) => {
        expect(p.missMinPerDay!).toBeLessThanOrEqual(r.curve.forecast[m][k].missMinPerDay!);
      });
    }
  });

  it('sweeps θ per method and keeps always/oracle as single points', () => {
    expect(r.curve.thetas).toEqual([0.1, 0.5, 0.9]);
    expect(r.curve.forecast.perfect.map((x) => x.theta)).toEqual([0.1, 0.5, 0.9]);
    expect(r.curve.forecast.perfect[1]).toMatchObject({ ...r.forecast.perfect, theta: 0.5 });
    // The plugin's method also gets the θ sweep, by θ, not at its savingsBias.
    expect(r.curve.forecast.ours.map((x) => x.theta)).toEqual([0.1, 0.5, 0.9]);
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

describe('dominanceGaps', () => {
  const pt = (missMinPerDay: number, savingsPct: number): ControlScore => ({
    savingsPct, missMinPerDay, oracleShare: null, energyShare: null, heaterOnMinutes: 0, discomfortDegreeHoursPerDay: null, comfortShare: null,
  });
  // The dial's settings: (MissTime, savings).
  const ours = [pt(0, 0.5), pt(5, 3), pt(15, 6), pt(40, 9)];
  const rows: Array<[string, number, number, number | null | 'none']> = [
    ['a point the dial beats at less MissTime', 6, 2, 'none'],
    ['a point the dial matches within the slack', 15.4, 6.04, 'none'],
    ['saves more than any setting as warm', 10, 4, 3],
    ['warmer than every setting but one, and saves more than it', 0, 1, 0.5],
    ['as warm as a setting that saves more', 5, 2.5, 'none'],
    ['beyond 60 min/day: not judged', 80, 20, 'none'],
  ];
  it.each(rows)('%s', (_what, miss, savings, oursBest) => {
    const gaps = dominanceGaps(ours, { other: [{ theta: 0.2, ...pt(miss, savings) }] });
    if (oursBest === 'none') {
      expect(gaps).toEqual([]);
    } else {
      expect(gaps).toEqual([{ method: 'other', theta: 0.2, missMinPerDay: miss, savingsPct: savings, oursSavingsPct: oursBest }]);
    }
  });

  it('says null when every setting of the dial is colder than the point', () => {
    expect(dominanceGaps([pt(3, 5)], { other: [{ theta: 0.1, ...pt(1, 0.2) }] })[0].oursSavingsPct).toBeNull();
  });
});

describe('evaluateHouse onForecasts', () => {
  it('hands over each clean walk\'s forecasts per issue minute, the longer horizons included', () => {
    const house = syntheticHouse(2, officeHours);
    const got: Record<string, { byIssue: Float32Array[]; horizons: number[] }> = {};
    const r = evaluateHouse(house, {
      methods: { persistence: () => new Persistence(), ppp: () => new Ppp(), ours: () => new Ours() },
      onForecasts: (track, method, byIssue, horizons) => (got[`${track}/${method}`] = { byIssue, horizons }),
    });
    expect(Object.keys(got).sort()).toEqual(['forecast/ours', 'forecast/persistence', 'forecast/ppp', 'sensorOnly/ours', 'sensorOnly/persistence', 'sensorOnly/ppp']);
    expect(LONG_HORIZONS.length).toBeGreaterThan(0);
    expect(got['forecast/persistence'].horizons).toEqual(LONG);
    expect(got['forecast/ppp'].horizons).toEqual(LONG);
    // Ours offers what the plugin's forecaster has, and the baselines the same longer horizons.
    expect(got['forecast/ours'].horizons).toEqual([...FORECASTER_HORIZONS]);
    expect(got['forecast/ours'].horizons).toEqual(LONG);
    const f = got['forecast/persistence'].byIssue;
    expect(f).toHaveLength(LONG.length);
    // Persistence on the forecast track: the label at the issue minute.
    for (const i of [0, 600, 1000, 2000]) expect(f[2][i]).toBe(house.labels[i]);
    for (const i of [0, 600, 1000, 2000]) expect(f[LONG.length - 1][i]).toBe(house.labels[i]);
    // Only the scored horizons are scored.
    expect(Object.keys(r.forecast.ppp)).toEqual(HORIZONS.map(String));
  });

  it('asks for nothing beyond the scored horizons when no control track wants them', () => {
    const asked = new Set<number>();
    const spy = new Ppp();
    const predict = spy.predict.bind(spy);
    spy.predict = (t: number, h: number) => (asked.add(h), predict(t, h));
    evaluateHouse(syntheticHouse(2, officeHours), { methods: { ppp: () => spy }, tracks: ['forecast'] });
    expect([...asked].sort((a, b) => a - b)).toEqual(HORIZONS);
  });
});
