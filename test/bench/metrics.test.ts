import { ArrivalScore, arrivalErrors, arrivalIndices, brier, metricsFromConfusion, scoreAll } from '../../bench/metrics';

describe('binary metrics (home = 1, threshold 0.5)', () => {
  it('matches a hand-computed case', () => {
    // predicted home: yes yes yes no no; truth: home home away away home -> tp 2, fp 1, tn 1, fn 1
    const m = scoreAll([0.9, 0.8, 0.7, 0.1, 0.3], [1, 1, 0, 0, 1]);
    expect(m.n).toBe(5);
    expect(m.brier).toBeCloseTo((0.01 + 0.04 + 0.49 + 0.01 + 0.49) / 5, 12);
    expect(m.f1Home).toBeCloseTo(4 / 6, 12);
    expect(m.f1Away).toBeCloseTo(2 / 4, 12);
    expect(m.balancedAccuracy).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12);
  });

  it('counts p = 0.5 as home', () => {
    const m = scoreAll([0.5, 0.5], [1, 0]);
    expect(m.f1Home).toBeCloseTo(2 / 3, 12);
    expect(m.f1Away).toBe(0);
    expect(m.balancedAccuracy).toBe(0.5);
    expect(brier([0.5, 0.5], [1, 0])).toBe(0.25);
  });

  it('gives NaN where a ratio is undefined', () => {
    const m = metricsFromConfusion({ tp: 3, fp: 0, tn: 0, fn: 0 }, 0);
    expect(m.f1Home).toBe(1);
    expect(m.f1Away).toBeNaN();
    expect(m.balancedAccuracy).toBeNaN();
    expect(scoreAll([], []).brier).toBeNaN();
  });
});

describe('arrival-time error', () => {
  // Away on minutes 20..49, arrival at 50; lead h = 10 so targets 40..60 are examined.
  const labels = Array.from({ length: 80 }, (_, i) => (i >= 20 && i < 50 ? 0 : 1));

  it('is the first target in [a-h, a+h] whose +h forecast says home, minus the arrival', () => {
    const late = arrivalErrors(labels, (j) => (j >= 53 ? 0.9 : 0.1), 10);
    expect(late).toEqual([{ arrival: 50, error: 3, censored: false }]);
    const early = arrivalErrors(labels, (j) => (j >= 42 ? 0.5 : 0.4), 10);
    expect(early).toEqual([{ arrival: 50, error: -8, censored: false }]);
  });

  it('persistence (+h forecast = label h earlier) is exactly h late; always-home is h early', () => {
    expect(arrivalErrors(labels, (j) => labels[j - 10], 10)[0].error).toBe(10);
    expect(arrivalErrors(labels, () => 1, 10)[0].error).toBe(-10);
    expect(arrivalErrors(labels, (j) => labels[j], 10)[0].error).toBe(0);
  });

  it('censors at +h when no forecast says home', () => {
    expect(arrivalErrors(labels, () => 0, 10)).toEqual([{ arrival: 50, error: 10, censored: true }]);
  });

  it('needs h labelled-away minutes before the arrival and forecasts over the whole window', () => {
    expect(arrivalErrors(labels, () => 1, 31)).toEqual([]); // absence shorter than h
    expect(arrivalErrors(labels, () => 1, 10, 31)).toEqual([]); // window issued before firstIssue
    expect(arrivalErrors(labels.slice(0, 60), () => 1, 10)).toEqual([]); // a + h beyond the data
  });

  it('averages absolute and signed errors', () => {
    const s = new ArrivalScore();
    s.add(10);
    s.add(-29);
    s.add(30, true);
    expect(s.result()).toEqual({ arrivals: 3, arrivalErrorMin: (10 + 29 + 30) / 3, arrivalBiasMin: (10 - 29 + 30) / 3, censored: 1 });
  });

  it('finds away -> home transitions, ignoring unknown minutes', () => {
    expect(arrivalIndices([1, 0, 0, 1, 1, 0, -1, 1, 0, 1])).toEqual([3, 9]);
  });
});
