import {
  coldMinuteCost, DEFAULT_SAVINGS_BIAS, decidePredictive, LEAD_MARGIN_MINUTES, pHomeAt, pHomeWithin, PredictiveInput, threshold,
} from '../../src/control/setpoint';

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

describe('pHomeWithin', () => {
  const f = { horizons: [15, 30, 60, 120, 180, 240], pHome: [0.01, 0.02, 0.3, 0.1, 0.05, 0.5] };
  it.each([
    [0, 30, 0.02], [0, 0, 0.01], [30, 60, 0.3], [45, 75, 0.3], [70, 100, 0.3 - (10 / 60) * 0.2], [130, 160, 0.1 - (10 / 60) * 0.05],
    [150, 180, 0.075], [170, 200, 0.05 + (20 / 60) * 0.45], [240, 270, 0.5], [300, 330, 0.5],
  ])('over [%d, %d] min: %d', (from, to, p) => {
    expect(pHomeWithin(f, from, to)).toBeCloseTo(p, 10);
  });
});

describe('threshold', () => {
  // Geometric from 0.0125 to 0.8: each tenth of the dial multiplies θ by 64^0.1.
  it.each([
    [0, 0.0125], [0.25, 0.035355], [0.5, 0.1], [0.75, 0.282843], [1, 0.8], [-1, 0.0125], [2, 0.8],
  ])('savingsBias %d -> %d', (b, t) => {
    expect(threshold(b)).toBeCloseTo(t, 6);
  });

  it('rises with the dial, and the default sits at θ 0.1', () => {
    for (let b = 0; b < 1; b += 0.05) expect(threshold(b + 0.05)).toBeGreaterThan(threshold(b));
    expect(threshold(DEFAULT_SAVINGS_BIAS)).toBeCloseTo(0.1, 6);
  });
});

describe('decidePredictive without a room temperature: the threshold rule', () => {
  // An arrival becoming likely some hours out, as a calibrated forecaster says it. θ(0.5) is 0.1.
  const soon = { horizons: [15, 30, 60, 120, 180, 240], pHome: [0.01, 0.02, 0.05, 0.2, 0.5, 0.9] };
  const base: PredictiveInput = { occupied: false, forecast: soon, leadMinutes: 45, savingsBias: 0.5, comfort: 21, eco: 16, action: 'heat' };
  const atTheta = { ...soon, pHome: [0.01, 0.02, threshold(0.5), 0.2, 0.5, 0.9] };
  const rows: Array<[string, Partial<PredictiveInput>, number, string, string]> = [
    ['occupied: comfort', { occupied: true }, 21, 'comfort', 'occupied: comfort 21.0 °C'],
    ['arriving within the lead: pre-heat', { leadMinutes: 90 }, 21, 'pre-comfort', 'pre-heat: p(home in 90–120 min)=0.20 ≥ 0.10, needs 90 min'],
    ['arrival likely but not yet needed: eco', { leadMinutes: 15 }, 16, 'eco', 'set back: p(home in 15–45 min)=0.035 < 0.10: eco 16.0 °C'],
    ['at the threshold: comfort', { leadMinutes: 30, forecast: atTheta }, 21, 'pre-comfort', 'p(home in 30–60 min)=0.10 ≥ 0.10'],
    ['an arrival within the margin after the lead counts', { leadMinutes: 55 }, 21, 'pre-comfort', 'p(home in 55–85 min)=0.11 ≥ 0.10'],
    ['a lead beyond +120 reads the longer horizons', { leadMinutes: 150, savingsBias: 1 }, 16, 'eco', 'p(home in 150–180 min)=0.50 < 0.80'],
    ['comfort-leaning dial pre-heats earlier', { leadMinutes: 15, savingsBias: 0 }, 21, 'pre-comfort', '0.035 ≥ 0.013'],
    ['savings-leaning dial waits', { leadMinutes: 180, savingsBias: 1 }, 16, 'eco', '0.70 < 0.80'],
    ['savings-leaning dial, near-certain arrival: pre-heat', { leadMinutes: 210, savingsBias: 1 }, 21, 'pre-comfort', '0.90 ≥ 0.80'],
    ['no forecast: reacts only', { forecast: undefined }, 16, 'eco', 'no forecast yet'],
    ['cooling words', { action: 'cool', comfort: 24, eco: 28, leadMinutes: 90 }, 24, 'pre-comfort', 'pre-cool:'],
    ['negative lead is read as none', { leadMinutes: -5 }, 16, 'eco', 'p(home in 0–30 min)=0.020'],
  ];
  it.each(rows)('%s', (_what, over, setpoint, kind, reason) => {
    const d = decidePredictive({ ...base, ...over });
    expect(d.setpoint).toBe(setpoint);
    expect(d.kind).toBe(kind);
    expect(d.reason).toContain(reason);
  });

  it(`reads the forecast ${LEAD_MARGIN_MINUTES} min past the lead, no further`, () => {
    const late = { ...soon, pHome: [0, 0, 0, 0, 0, 0.9] };
    expect(decidePredictive({ ...base, forecast: late, leadMinutes: 240 - LEAD_MARGIN_MINUTES }).kind).toBe('pre-comfort');
    expect(decidePredictive({ ...base, forecast: late, leadMinutes: 180 - LEAD_MARGIN_MINUTES }).kind).toBe('eco');
  });
});

describe('coldMinuteCost', () => {
  // Geometric from 28 to 28/256: each tenth of the dial divides the price by 256^0.1.
  it.each([
    [0, 28], [0.25, 7], [0.5, 1.75], [0.75, 0.4375], [1, 0.109375], [-1, 28], [2, 0.109375],
  ])('savingsBias %d -> a cold minute worth %d min of heating', (b, c) => {
    expect(coldMinuteCost(b)).toBeCloseTo(c, 9);
  });

  it('falls along the dial', () => {
    for (let b = 0; b < 1; b += 0.05) expect(coldMinuteCost(b + 0.05)).toBeLessThan(coldMinuteCost(b));
  });
});

describe('decidePredictive with a room temperature: the planned bet', () => {
  const room = { tauHours: 30, ratePerHour: 2 };
  const f = (...p: number[]) => ({ horizons: [15, 30, 60, 120, 180, 240], pHome: p });
  const base: PredictiveInput = {
    occupied: false, forecast: f(0, 0, 0, 0, 0, 0), leadMinutes: 0, savingsBias: 0.5, comfort: 21, eco: 16, action: 'heat',
    temperature: 21, outdoor: 7.7, room,
  };
  const rows: Array<[string, Partial<PredictiveInput>, number, string, RegExp]> = [
    ['occupied: comfort, whatever the forecast', { occupied: true }, 21, 'comfort', /^occupied: comfort 21.0 °C$/],
    ['away, nobody expected: set back', {}, 16, 'eco',
      /^set back: heating now would cost [\d.]+ min of heating, spares 0\.0 expected cold min \(× 1\.75\); p\(home within 240 min\)=0\.000, needs 0 min: eco 16\.0 °C$/],
    ['away, cold room, arrival certain within the lead: pre-heat', { temperature: 16, leadMinutes: 174, forecast: f(0, 0, 1, 1, 1, 1) }, 21, 'pre-comfort',
      /^pre-heat: heating now costs [\d.]+ min of heating, spares [\d.]+ expected cold min \(× 1\.75\); p\(home within 240 min\)=1\.00, needs 174 min$/],
    ['away, cool room, arrival certain well after the lead: wait', { temperature: 18, leadMinutes: 100, forecast: f(0, 0, 0, 0, 0, 1) }, 16, 'eco', /^set back:/],
    ['an unlikely arrival, comfort first: pre-heat', { temperature: 20, savingsBias: 0, forecast: f(0.02, 0.04, 0.08, 0.15, 0.2, 0.25) }, 21, 'pre-comfort', /\(× 28\.00\)/],
    ['the same arrival, savings first: wait', { temperature: 20, savingsBias: 1, forecast: f(0.02, 0.04, 0.08, 0.15, 0.2, 0.25) }, 16, 'eco', /\(× 0\.11\)/],
    ['no outdoor reading: still planned', { temperature: 16, outdoor: undefined, forecast: f(0, 0, 1, 1, 1, 1) }, 21, 'pre-comfort', /^pre-heat: heating now costs/],
    ['cooling: pre-cool, in its own words', {
      action: 'cool', comfort: 24, eco: 28, temperature: 28, outdoor: 32, forecast: f(0, 0, 1, 1, 1, 1),
    }, 24, 'pre-comfort', /^pre-cool: cooling now costs [\d.]+ min of cooling, spares [\d.]+ expected hot min/],
    ['no temperature (a stale sensor): the threshold rule', { temperature: undefined, leadMinutes: 0, forecast: f(0.5, 0.9, 1, 1, 1, 1) }, 21, 'pre-comfort',
      /^pre-heat: p\(home in 0–30 min\)=0\.90 ≥ 0\.10/],
    ['no room model: the threshold rule', { room: undefined, forecast: f(0, 0, 0, 0, 0, 0) }, 16, 'eco', /^set back: p\(home in 0–30 min\)=0\.000 < 0\.10/],
  ];
  it.each(rows)('%s', (_what, over, setpoint, kind, reason) => {
    const d = decidePredictive({ ...base, ...over });
    expect(d.setpoint).toBe(setpoint);
    expect(d.kind).toBe(kind);
    expect(d.reason).toMatch(reason);
  });

  it('pre-heating goes on a little past the level the plan holds (its hysteresis)', () => {
    const forecast = f(0.1, 0.1, 0.1, 0.1, 0.1, 0.1);
    let T = 16;
    while (decidePredictive({ ...base, forecast, temperature: T }).kind === 'pre-comfort') T += 0.01;
    // Just past the level: a fresh decision sets back, one that was pre-heating goes on.
    expect(decidePredictive({ ...base, forecast, temperature: T + 0.02 }).kind).toBe('eco');
    const held = decidePredictive({ ...base, forecast, temperature: T + 0.02, preComfort: true });
    expect(held.kind).toBe('pre-comfort');
    expect(held.reason).toMatch(/^pre-heat: going on to 0\.1 °C past where it pays; heating now costs /);
    expect(decidePredictive({ ...base, forecast, temperature: T + 0.2, preComfort: true }).kind).toBe('eco');
  });

  it('the default savingsBias prices a cold minute at 1.75 minutes of heating', () => {
    expect(coldMinuteCost(DEFAULT_SAVINGS_BIAS)).toBeCloseTo(1.75, 12);
  });
});
