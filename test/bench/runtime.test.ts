import { measureRuntime } from '../../bench/runtime';
import { emptyModel } from '../../src/learning/forecaster';
import { encodeModel, modelBytes } from '../../src/learning/model-file';

describe('measureRuntime (short loop)', () => {
  it('reports model size, tick costs, a year estimate and memory', () => {
    const r = measureRuntime({ ticks: 2000, days: 1 });
    // A model that has seen days: its similar-days memory is stored too (some rows may still be empty).
    const seen = emptyModel();
    seen.dayIndex.fill(20_000);
    const bytes = modelBytes(encodeModel(seen, { sources: ['benchmark runtime loop (synthetic)'], trainedAt: new Date(0).toISOString() }));
    // Same shape as that model; only the weight scales' and day numbers' digits can differ after learning.
    expect(Math.abs(r.modelBytes - bytes)).toBeLessThan(200);
    expect(r.ticks).toBe(2000);
    expect(r.tickMicrosMedian).toBeGreaterThan(0);
    expect(r.tickMicrosP99).toBeGreaterThanOrEqual(r.tickMicrosMedian);
    expect(r.zoneTickMicrosP99).toBeGreaterThanOrEqual(r.zoneTickMicrosMedian);
    expect(r.simulatedDays).toBe(1);
    expect(r.simYearSeconds).toBeGreaterThan(0);
    expect(r.rssMB).toBeGreaterThan(10);
  });
});
