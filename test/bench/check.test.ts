import { forecastCheck, forecastCheckText } from '../../bench/check';
import { HorizonResult, HouseResult, TrackResult } from '../../bench/evaluate';

const score = (brier: number | null): HorizonResult => ({
  n: 100, brier, f1Home: null, f1Away: null, balancedAccuracy: null, arrivalErrorMin: null, arrivalBiasMin: null, arrivals: 0, arrivalsCensored: 0,
});

/** A track where each method has the same Brier at +30, +60 and +120. */
function track(briers: Record<string, number | null>): TrackResult {
  return Object.fromEntries(Object.entries(briers).map(([m, b]) => [m, { 30: score(b), 60: score(b), 120: score(b) }]));
}

function house(name: string, forecast: Record<string, number | null>, sensorOnly: Record<string, number | null>): HouseResult {
  return {
    name, format: 'test', days: 7, scoredMinutes: 1000, forecast: track(forecast), sensorOnly: { forecast: track(sensorOnly) },
    learningCurve: { horizon: 60, forecast: {}, sensorOnly: {} }, disqualified: [], timingMs: { forecast: {}, sensorOnly: {} },
  };
}

describe('forecastCheck', () => {
  it.each<[string, Record<string, number | null>, number, number, number]>([
    // [what, scores on both tracks, beaten, aim met, missing]
    ['well below every baseline', { ours: 0.08, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, 6, 6, 0],
    ['below, but by less than 10 %', { ours: 0.095, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, 6, 0, 0],
    ['exactly 10 % below meets the aim', { ours: 0.09, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, 6, 6, 0],
    ['the best baseline is whichever is lowest', { ours: 0.15, persistence: 0.3, preheat: 0.2, ppp: 0.14 }, 0, 0, 0],
    ['a tie is not below', { ours: 0.1, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, 0, 0, 0],
    ['a baseline without a score is reported, the others still count', { ours: 0.05, persistence: null, preheat: 0.2, ppp: 0.3 }, 6, 6, 6],
    ['ours without a score is a missing cell', { ours: null, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, 0, 0, 6],
  ])('%s', (_what, scores, beaten, aimMet, missing) => {
    const c = forecastCheck([house('A', scores, scores)]);
    expect([c.beaten, c.aimMet, c.missing.length]).toEqual([beaten, aimMet, missing]);
  });

  it('names each failing and short cell with the baseline that beat it', () => {
    const c = forecastCheck([
      house('Ahome', { ours: 0.05, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, { ours: 0.17, persistence: 0.3, preheat: 0.2, ppp: 0.166 }),
      house('Bhome', { ours: 0.098, persistence: 0.1, preheat: 0.2, ppp: 0.3 }, { ours: 0.1, persistence: 0.3, preheat: 0.2, ppp: 0.25 }),
    ]);
    const text = forecastCheckText(c);
    expect(text.split('\n')[0]).toBe(
      'forecast check: ours below the best of persistence, preheat, ppp in 9 of 12 cells (+30/+60/+120, both tracks); at least 10.0 % below in 6');
    expect(text).toContain('not below: Ahome sensorOnly +30 (0.170 vs ppp 0.166)');
    expect(text).toContain('below by less than 10.0 %: Bhome forecast +30 2.0 %');
    expect(c.cells.find((x) => x.home === 'Bhome' && x.track === 'sensorOnly' && x.horizon === 120)?.margin).toBeCloseTo(0.5);
  });
});
