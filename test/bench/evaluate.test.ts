import * as path from 'path';
import { evaluateHouse } from '../../bench/evaluate';
import { loadKasterenTl } from '../../bench/loaders';
import { MINUTE_MS } from '../../bench/loaders/types';
import { BASELINES, ForecastMethod, Persistence } from '../../bench/methods';
import { PastView } from '../../bench/view';
import { FIXTURES, officeHours, syntheticHouse } from './helpers';

/** Reads the label one hour ahead: a perfect forecaster at +60, and a cheat. */
class LabelCheat implements ForecastMethod {
  readonly name = 'label-cheat';
  private p = 1;
  observe(t: number, view: PastView): void {
    this.p = view.labelAt(t + 60 * MINUTE_MS) === 0 ? 0 : 1;
  }
  predict(): number {
    return this.p;
  }
}

/** Keeps the view and looks at future events inside predict(). */
class EventCheat implements ForecastMethod {
  readonly name = 'event-cheat';
  private view?: PastView;
  observe(_t: number, view: PastView): void {
    this.view = view;
  }
  predict(t: number, h: number): number {
    return this.view!.events(t, t + h * MINUTE_MS).length > 0 ? 1 : 0;
  }
}

/** Reads the current label: allowed on the forecast track, a peek on the sensor-only track. */
class CurrentLabel implements ForecastMethod {
  readonly name = 'current-label';
  private p = 0.5;
  observe(t: number, view: PastView): void {
    this.p = view.labelAt(t) === 0 ? 0 : 1;
  }
  predict(): number {
    return this.p;
  }
}

describe('evaluateHouse', () => {
  const house = syntheticHouse(3, officeHours);

  it('catches methods that read the future and drops their scores', () => {
    const r = evaluateHouse(house, {
      methods: { labelCheat: () => new LabelCheat(), eventCheat: () => new EventCheat(), current: () => new CurrentLabel() },
    });
    const caught = r.disqualified.map((d) => `${d.track}/${d.method}`).sort();
    expect(caught).toEqual(['forecast/eventCheat', 'forecast/labelCheat', 'sensorOnly/current', 'sensorOnly/eventCheat', 'sensorOnly/labelCheat']);
    for (const d of r.disqualified) expect(d.error).toMatch(/^PeekError/);
    expect(Object.keys(r.forecast)).toEqual(['current']);
    expect(Object.keys(r.sensorOnly.forecast)).toEqual([]);
  });

  it('skips the first 24 h and targets past the end', () => {
    const r = evaluateHouse(house, { methods: { persistence: () => new Persistence() }, horizons: [15, 60] });
    expect(r.forecast.persistence['15'].n).toBe(2 * 1440 - 15);
    expect(r.forecast.persistence['60'].n).toBe(2 * 1440 - 60);
    // Persistence is wrong for the first h minutes after each of the 4 scored transitions.
    expect(r.forecast.persistence['60'].brier).toBeCloseTo((4 * 60) / (2 * 1440 - 60), 12);
    // 1860 home targets (days 1-2 from 01:00), 120 of them missed; 120 away targets called home.
    expect(r.forecast.persistence['60'].f1Home).toBeCloseTo((2 * 1740) / (2 * 1740 + 120 + 120), 12);
    expect(r.forecast.persistence['60'].balancedAccuracy).toBeCloseTo((1740 / 1860 + 840 / 960) / 2, 12);
  });

  it('scores arrivals from the +h forecasts (persistence is h late)', () => {
    const r = evaluateHouse(house, { methods: { persistence: () => new Persistence() }, horizons: [60] });
    expect(r.forecast.persistence['60']).toMatchObject({ arrivals: 2, arrivalsCensored: 0, arrivalErrorMin: 60, arrivalBiasMin: 60 });
  });

  it('gives a learning curve at +60 by day, null for the unscored first day', () => {
    const r = evaluateHouse(house, { methods: { persistence: () => new Persistence() } });
    const lc = r.learningCurve.forecast.persistence;
    expect(lc).toHaveLength(3);
    expect(lc[0]).toBeNull();
    expect(lc[1]).toBeCloseTo(120 / 1440, 12);
  });

  it('runs every baseline on both tracks of a fixture house, within bounds', () => {
    const h = loadKasterenTl(path.join(FIXTURES, 'tl/houseX'), 'tl-houseX');
    const r = evaluateHouse(h, { methods: BASELINES });
    expect(r.disqualified).toEqual([]);
    for (const track of [r.forecast, r.sensorOnly.forecast]) {
      expect(Object.keys(track)).toEqual(Object.keys(BASELINES));
      for (const byH of Object.values(track)) {
        expect(Object.keys(byH)).toEqual(['15', '30', '60', '120']);
        for (const m of Object.values(byH)) {
          expect(m.n).toBeGreaterThan(0);
          expect(m.brier).toBeGreaterThanOrEqual(0);
          expect(m.brier).toBeLessThanOrEqual(1);
        }
      }
    }
    // The fixture's weekday 08:30-17:30 absences are exactly the fixed schedule.
    expect(r.forecast.schedule['60'].brier).toBe(0);
  });

  it('calls methods in the same pattern whatever the labels are', () => {
    const calls = (h: ReturnType<typeof syntheticHouse>): string[] => {
      const log: string[] = [];
      const rec: ForecastMethod = { name: 'rec', observe: (t) => log.push(`o${t}`), predict: (t, m) => (log.push(`p${t}+${m}`), 0.5) };
      evaluateHouse(h, { methods: { rec: () => rec }, tracks: ['forecast'] });
      return log;
    };
    const a = calls(syntheticHouse(2, officeHours));
    const b = calls(syntheticHouse(2, (m) => m >= 60 && m < 120));
    expect(a.length).toBe(2 * 1440 * 5);
    expect(b).toEqual(a);
  });

  it('rejects predictions that are not probabilities', () => {
    const bad: ForecastMethod = { name: 'bad', observe: () => undefined, predict: () => NaN };
    expect(() => evaluateHouse(house, { methods: { bad: () => bad } })).toThrow(/not a probability/);
  });
});
