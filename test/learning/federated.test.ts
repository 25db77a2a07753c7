import { emptyModel, OccupancyForecaster } from '../../src/learning/forecaster';
import { federatedAverage } from '../../src/learning/federated';

describe('federatedAverage', () => {
  it('replaces weights and duration tables by their mean, in place, and keeps each profile', () => {
    const a = emptyModel();
    const b = emptyModel();
    a.weights.fill(1);
    b.weights.fill(3);
    a.duration.fill(2);
    b.duration.fill(4);
    a.profile.fill(0.25);
    b.profile.fill(0.75);
    const weightsRef = a.weights;
    federatedAverage([a, b]);
    expect(a.weights).toBe(weightsRef);
    expect(Array.from(new Set(a.weights))).toEqual([2]);
    expect(Array.from(new Set(b.weights))).toEqual([2]);
    expect(Array.from(new Set(a.duration))).toEqual([3]);
    expect(Array.from(new Set(a.profile))).toEqual([0.25]);
    expect(Array.from(new Set(b.profile))).toEqual([0.75]);
  });

  it('acts on the models forecasters hold, so their next forecasts use the shared part', () => {
    const f1 = new OccupancyForecaster();
    const f2 = new OccupancyForecaster();
    f1.model.weights.fill(0.5);
    federatedAverage([f1.model, f2.model]);
    expect(f2.model.weights[0]).toBeCloseTo((0.5 + emptyModel().weights[0]) / 2, 6);
  });

  it('does nothing for a single zone and refuses models of different shapes', () => {
    const a = emptyModel();
    a.weights.fill(7);
    federatedAverage([a]);
    expect(a.weights[0]).toBe(7);
    const b = emptyModel();
    const c = { ...emptyModel(), weights: new Float32Array(3) };
    expect(() => federatedAverage([b, c])).toThrow('field "weights"');
  });
});
