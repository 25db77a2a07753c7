import { DEFAULT_SAVINGS_BIAS, decidePredictive, pHomeAt, PredictiveInput, threshold } from '../../src/control/setpoint';

const forecast = { horizons: [15, 30, 60, 120], pHome: [0.1, 0.3, 0.7, 0.9] };

describe('pHomeAt', () => {
  it.each([
    [0, 0.1], [15, 0.1], [22.5, 0.2], [30, 0.3], [45, 0.5], [90, 0.8], [120, 0.9], [300, 0.9],
  ])('at +%d min: %d', (m, p) => {
    expect(pHomeAt(forecast, m)).toBeCloseTo(p, 10);
  });

  it.each([[150, 0.5], [180, 0.3], [210, 0.2], [240, 0.1], [600, 0.1]])('with longer horizons, at +%d min: %d', (m, p) => {
    expect(pHomeAt({ horizons: [15, 30, 60, 120, 180, 240], pHome: [0, 0, 0, 0.7, 0.3, 0.1] }, m)).toBeCloseTo(p, 10);
  });
});

describe('threshold', () => {
  // Geometric from 0.002 to 0.8: each tenth of the dial multiplies θ by 400^0.1.
  it.each([
    [0, 0.002], [0.25, 0.008944], [0.5, 0.04], [0.75, 0.178885], [1, 0.8], [-1, 0.002], [2, 0.8],
  ])('savingsBias %d -> %d', (b, t) => {
    expect(threshold(b)).toBeCloseTo(t, 6);
  });

  it('rises with the dial, and the default sits at θ 0.04', () => {
    for (let b = 0; b < 1; b += 0.05) expect(threshold(b + 0.05)).toBeGreaterThan(threshold(b));
    expect(threshold(DEFAULT_SAVINGS_BIAS)).toBeCloseTo(0.04, 12);
  });
});

describe('decidePredictive', () => {
  // An arrival becoming likely some hours out, as a calibrated forecaster says it.
  const soon = { horizons: [15, 30, 60, 120, 180, 240], pHome: [0.01, threshold(0.5), 0.07, 0.2, 0.5, 0.9] };
  const base: PredictiveInput = { occupied: false, forecast: soon, leadMinutes: 45, savingsBias: 0.5, comfort: 21, eco: 16, action: 'heat' };
  const rows: Array<[string, Partial<PredictiveInput>, number, string, string]> = [
    ['occupied: comfort', { occupied: true }, 21, 'comfort', 'occupied: comfort 21.0 °C'],
    ['arriving within the lead: pre-heat', { leadMinutes: 60 }, 21, 'pre-comfort', 'pre-heat: p(home in 60 min)=0.070 ≥ 0.040, needs 60 min'],
    ['arrival likely but not yet needed: eco', { leadMinutes: 15 }, 16, 'eco', 'set back: p(home in 15 min)=0.010 < 0.040: eco 16.0 °C'],
    ['at the threshold: comfort', { leadMinutes: 30 }, 21, 'pre-comfort', 'p(home in 30 min)=0.040 ≥ 0.040'],
    ['a lead beyond +120 reads the longer horizons', { leadMinutes: 210, savingsBias: 1 }, 16, 'eco', 'p(home in 210 min)=0.70 < 0.80'],
    ['comfort-leaning dial pre-heats earlier', { leadMinutes: 15, savingsBias: 0 }, 21, 'pre-comfort', '0.010 ≥ 0.002'],
    ['savings-leaning dial waits', { leadMinutes: 180, savingsBias: 1 }, 16, 'eco', '0.50 < 0.80'],
    ['savings-leaning dial, near-certain arrival: pre-heat', { leadMinutes: 240, savingsBias: 1 }, 21, 'pre-comfort', '0.90 ≥ 0.80'],
    ['no forecast: reacts only', { forecast: undefined }, 16, 'eco', 'no forecast yet'],
    ['cooling words', { action: 'cool', comfort: 24, eco: 28, leadMinutes: 90 }, 24, 'pre-comfort', 'pre-cool:'],
    ['negative lead is read as none', { leadMinutes: -5 }, 16, 'eco', 'p(home in 0 min)=0.010'],
  ];
  it.each(rows)('%s', (_what, over, setpoint, kind, reason) => {
    const d = decidePredictive({ ...base, ...over });
    expect(d.setpoint).toBe(setpoint);
    expect(d.kind).toBe(kind);
    expect(d.reason).toContain(reason);
  });
});
