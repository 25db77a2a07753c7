import { decidePredictive, pHomeAt, PredictiveInput, threshold } from '../../src/control/setpoint';

const forecast = { horizons: [15, 30, 60, 120], pHome: [0.1, 0.3, 0.7, 0.9] };

describe('pHomeAt', () => {
  it.each([
    [0, 0.1], [15, 0.1], [22.5, 0.2], [30, 0.3], [45, 0.5], [90, 0.8], [120, 0.9], [300, 0.9],
  ])('at +%d min: %d', (m, p) => {
    expect(pHomeAt(forecast, m)).toBeCloseTo(p, 10);
  });
});

describe('threshold', () => {
  it.each([[0, 0.15], [0.5, 0.5], [1, 0.85], [-1, 0.15], [2, 0.85]])('savingsBias %d -> %d', (b, t) => {
    expect(threshold(b)).toBeCloseTo(t, 10);
  });
});

describe('decidePredictive', () => {
  const base: PredictiveInput = { occupied: false, forecast, leadMinutes: 45, savingsBias: 0.5, comfort: 21, eco: 16, action: 'heat' };
  const rows: Array<[string, Partial<PredictiveInput>, number, string, string]> = [
    ['occupied: comfort', { occupied: true }, 21, 'comfort', 'occupied: comfort 21.0 °C'],
    ['arriving within the lead: pre-heat', { leadMinutes: 60 }, 21, 'pre-comfort', 'pre-heat: p(home in 60 min)=0.70 ≥ 0.50, needs 60 min'],
    ['arrival likely but not yet needed: eco', { leadMinutes: 15 }, 16, 'eco', 'set back: p(home in 15 min)=0.10 < 0.50: eco 16.0 °C'],
    ['at the threshold: comfort', { leadMinutes: 45 }, 21, 'pre-comfort', 'p(home in 45 min)=0.50 ≥ 0.50'],
    ['comfort-leaning dial pre-heats earlier', { leadMinutes: 30, savingsBias: 0 }, 21, 'pre-comfort', '0.30 ≥ 0.15'],
    ['savings-leaning dial waits', { leadMinutes: 60, savingsBias: 1 }, 16, 'eco', '0.70 < 0.85'],
    ['no forecast: reacts only', { forecast: undefined }, 16, 'eco', 'no forecast yet'],
    ['cooling words', { action: 'cool', comfort: 24, eco: 28, leadMinutes: 90 }, 24, 'pre-comfort', 'pre-cool:'],
    ['negative lead is read as none', { leadMinutes: -5 }, 16, 'eco', 'p(home in 0 min)=0.10'],
  ];
  it.each(rows)('%s', (_what, over, setpoint, kind, reason) => {
    const d = decidePredictive({ ...base, ...over });
    expect(d.setpoint).toBe(setpoint);
    expect(d.kind).toBe(kind);
    expect(d.reason).toContain(reason);
  });
});
