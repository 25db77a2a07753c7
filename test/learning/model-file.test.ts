import { emptyModel, HORIZONS, OccupancyForecaster } from '../../src/learning/forecaster';
import { decodeModel, encodeModel, modelBytes } from '../../src/learning/model-file';

const MIN = 60_000;
const provenance = { sources: ['test'], trainedAt: '2026-11-24T00:00:00Z' };

function trained() {
  const f = new OccupancyForecaster(emptyModel(), { learningRate: 0.05 });
  const start = Date.UTC(2024, 0, 1);
  for (let t = start; t < start + 14 * 1440 * MIN; t += MIN) {
    const h = new Date(t).getUTCHours();
    f.observe(t, h >= 8 && h < 17 ? 0 : 1);
  }
  return f.model;
}

describe('model file', () => {
  const model = trained();
  const file = encodeModel(model, provenance);

  it('is a few KB at most', () => {
    expect(modelBytes(file)).toBeLessThan(4096);
  });

  it('round-trips within the quantization tolerance', () => {
    const { model: back, provenance: p } = decodeModel(JSON.parse(JSON.stringify(file)));
    expect(p).toEqual(provenance);
    for (let i = 0; i < model.weights.length; i++) {
      const rowMax = Math.max(...Array.from(model.weights.subarray(i - (i % 9), i - (i % 9) + 9), Math.abs));
      expect(Math.abs(back.weights[i] - model.weights[i])).toBeLessThanOrEqual(rowMax / 254 + 1e-6);
    }
    for (const key of ['duration', 'profile'] as const) {
      for (let i = 0; i < model[key].length; i += 2) {
        const n = model[key][i + 1];
        if (n > 0 && n < 255) {
          expect(back[key][i + 1]).toBe(Math.round(n));
          expect(Math.abs(back[key][i] / back[key][i + 1] - model[key][i] / n)).toBeLessThanOrEqual(1 / 510 + 0.01);
        }
      }
    }
  });

  it('forecasts nearly the same after the round trip', () => {
    const { model: back } = decodeModel(file);
    const a = new OccupancyForecaster(model, { learn: false });
    const b = new OccupancyForecaster(back, { learn: false });
    const start = Date.UTC(2024, 1, 5);
    let maxDiff = 0;
    for (let t = start; t < start + 2 * 1440 * MIN; t += MIN) {
      const h = new Date(t).getUTCHours();
      a.observe(t, h >= 8 && h < 17 ? 0 : 1);
      b.observe(t, h >= 8 && h < 17 ? 0 : 1);
      for (const hz of HORIZONS) maxDiff = Math.max(maxDiff, Math.abs(a.predict(hz) - b.predict(hz)));
    }
    expect(maxDiff).toBeLessThan(0.05);
  });

  it('still reads a file made for fewer horizons, so a zone keeps what it learned', () => {
    // The layout before +180/+240 existed: the first four horizons' rows, same features.
    const rowsOf = (b64: string, perHorizon: number, keep: number) => Buffer.from(Buffer.from(b64, 'base64').subarray(0, perHorizon * keep)).toString('base64');
    const dPerH = (model.duration.length / HORIZONS.length);
    const old = {
      ...file,
      horizons: [15, 30, 60, 120],
      weights: rowsOf(file.weights, 2 * 9, 4),
      weightScales: file.weightScales.slice(0, 8),
      duration: rowsOf(file.duration, dPerH, 4),
    };
    const full = decodeModel(file).model;
    const { model: up } = decodeModel(old);
    const wPerH = 2 * 9;
    expect(Array.from(up.weights.subarray(0, 4 * wPerH))).toEqual(Array.from(full.weights.subarray(0, 4 * wPerH)));
    expect(Array.from(up.profile)).toEqual(Array.from(full.profile));
    // +180 and +240 start from +120 ...
    for (const hi of [4, 5]) {
      expect(Array.from(up.weights.subarray(hi * wPerH, (hi + 1) * wPerH))).toEqual(Array.from(full.weights.subarray(3 * wPerH, 4 * wPerH)));
      expect(Array.from(up.duration.subarray(hi * dPerH, (hi + 1) * dPerH))).toEqual(Array.from(full.duration.subarray(3 * dPerH, 4 * dPerH)));
    }
    // ... or from a given model, e.g. the shipped prior.
    const fill = emptyModel();
    fill.weights.fill(0.25);
    const { model: filled } = decodeModel(old, fill);
    expect(Array.from(filled.weights.subarray(5 * wPerH, 6 * wPerH)).every((v) => v === 0.25)).toBe(true);
    expect(() => decodeModel({ ...old, horizons: [15, 45] })).toThrow('fields "horizons", "features"');
    expect(() => decodeModel({ ...old, horizons: [30, 15, 60, 120] })).toThrow('fields "horizons", "features"');
  });

  it.each([
    [{ ...file, format: 'x' }, 'field "format"'],
    [{ ...file, version: 2 }, 'model version 2 is not supported'],
    [{ ...file, features: ['bias'] }, 'fields "horizons", "features"'],
    [{ ...file, weights: 'AAAA' }, 'field "weights" must be base64 of 108 bytes, got 3'],
    [{ ...file, weightScales: [1] }, 'field "weightScales" must hold 12 numbers'],
    [{ ...file, provenance: {} }, 'field "provenance"'],
    [null, 'field "format"'],
  ])('refuses a damaged file with a message naming the field (%#)', (raw, message) => {
    expect(() => decodeModel(raw)).toThrow(message);
  });
});
