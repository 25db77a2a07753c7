import type { ForecasterModel } from './forecaster';

/**
 * Federated averaging between the zones of one home: the household part of each zone's forecaster
 * (the weights and the duration table) is replaced, in place, by the mean over the zones. Each
 * zone's weekly profile stays its own, and no history leaves any zone.
 */
export function federatedAverage(models: ForecasterModel[]): void {
  if (models.length < 2) {
    return;
  }
  for (const key of ['weights', 'duration'] as const) {
    const n = models[0][key].length;
    if (models.some((m) => m[key].length !== n)) {
      throw new Error(`federated averaging needs models of one shape (field "${key}")`);
    }
    const mean = new Float64Array(n);
    for (const m of models) {
      const a = m[key];
      for (let i = 0; i < n; i++) {
        mean[i] += a[i] / models.length;
      }
    }
    for (const m of models) {
      m[key].set(mean);
    }
  }
}
