import { emptyModel, FEATURES, HORIZONS, OccupancyForecaster, SIMILAR_DAYS_KEPT } from '../../src/learning/forecaster';

const NF = FEATURES.length;
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
      const rowMax = Math.max(...Array.from(model.weights.subarray(i - (i % NF), i - (i % NF) + NF), Math.abs));
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
    // The similar-days memory comes back exactly: 14 days of the routine, known slot by slot.
    expect(Array.from(back.days)).toEqual(Array.from(model.days));
    expect(Array.from(back.dayIndex)).toEqual(Array.from(model.dayIndex));
    expect(Array.from(model.dayIndex).filter((d) => d >= 0)).toHaveLength(14);
  });

  it('leaves the similar-days memory out while it is empty (the shipped prior)', () => {
    const empty = encodeModel(emptyModel(), provenance);
    expect(empty.days).toBeUndefined();
    expect(empty.dayIndex).toBeUndefined();
    const { model: back } = decodeModel(empty);
    expect(back.days.every((v) => v === -1)).toBe(true);
    expect(back.dayIndex).toHaveLength(SIMILAR_DAYS_KEPT);
  });

  it('still reads a file made before the similar-days feature: its weight starts from the prior', () => {
    // The layout with the first nine features: drop the last byte of every row.
    const w = new Int8Array(Buffer.from(file.weights, 'base64'));
    const rows = w.length / NF;
    const nine = new Int8Array(rows * (NF - 1));
    for (let r = 0; r < rows; r++) nine.set(w.subarray(r * NF, r * NF + NF - 1), r * (NF - 1));
    const old = {
      ...file, features: FEATURES.slice(0, NF - 1), weights: Buffer.from(nine.buffer).toString('base64'), days: undefined, dayIndex: undefined,
    };
    const full = decodeModel(file).model;
    const fill = emptyModel();
    fill.weights.fill(0.5);
    const { model: up } = decodeModel(JSON.parse(JSON.stringify(old)), fill);
    for (let r = 0; r < rows; r++) {
      expect(Array.from(up.weights.subarray(r * NF, r * NF + NF - 1))).toEqual(Array.from(full.weights.subarray(r * NF, r * NF + NF - 1)));
      expect(up.weights[r * NF + NF - 1]).toBe(0.5);
    }
    expect(decodeModel(JSON.parse(JSON.stringify(old))).model.weights[NF - 1]).toBe(0);
    expect(() => decodeModel({ ...old, features: ['bias', 'profile'] })).toThrow('fields "horizons", "features"');
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
      weights: rowsOf(file.weights, 2 * NF, 4),
      weightScales: file.weightScales.slice(0, 8),
      duration: rowsOf(file.duration, dPerH, 4),
    };
    const full = decodeModel(file).model;
    const { model: up } = decodeModel(old);
    const wPerH = 2 * NF;
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
    [{ ...file, features: ['quiet'] }, 'fields "horizons", "features"'],
    [{ ...file, features: [...FEATURES, 'extra'] }, 'fields "horizons", "features"'],
    [{ ...file, weights: 'AAAA' }, 'field "weights" must be base64 of 120 bytes, got 3'],
    [{ ...file, dayIndex: [1] }, 'field "dayIndex" must hold 28 whole numbers (-1 for none)'],
    [{ ...file, days: 'AAAA' }, 'field "days" must be base64 of 672 bytes, got 3'],
    [{ ...file, days: Buffer.alloc(672, 0xff).toString('base64') }, 'field "days" holds a slot value'],
    [{ ...file, weightScales: [1] }, 'field "weightScales" must hold 12 numbers'],
    [{ ...file, provenance: {} }, 'field "provenance"'],
    [null, 'field "format"'],
  ])('refuses a damaged file with a message naming the field (%#)', (raw, message) => {
    expect(() => decodeModel(raw)).toThrow(message);
  });
});
