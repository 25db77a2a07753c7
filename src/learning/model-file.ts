import { emptyModel, FEATURES, ForecasterModel, HORIZONS, SIMILAR_DAYS_KEPT } from './forecaster';

/**
 * The forecaster's persisted form: weights as int8 with one scale per (horizon, state) row, table
 * probabilities and counts as uint8. A few hundred bytes of numbers, base64 in a small JSON file
 * that also says where the numbers came from.
 */
export interface Provenance {
  /** What the model was trained on, e.g. data sets and their licences. */
  sources: string[];
  trainedAt: string;
  /** Scores measured when it was made, free-form. */
  scores?: Record<string, number>;
  notes?: string;
}

export interface ModelFile {
  format: 'occupancy-forecaster';
  version: 1;
  horizons: number[];
  features: string[];
  provenance: Provenance;
  /** int8 weights, row-major (horizon, state, feature), base64. */
  weights: string;
  /** One float scale per (horizon, state) row. */
  weightScales: number[];
  /** uint8 P(state unchanged) and uint8 effective count per cell, interleaved, base64. */
  duration: string;
  /** uint8 P(home) and uint8 effective count per weekly slot, interleaved, base64. */
  profile: string;
  /**
   * The similar-days memory, when it holds anything: each day's 96 slots at 2 bits each (0 unknown,
   * 1 away, 2 home), four slots a byte, base64; and the local day each row holds (-1 none).
   */
  days?: string;
  dayIndex?: number[];
}

const COUNT_CAP = 255;

function quantizeWeights(w: Float32Array, rowLength: number): { q: Int8Array; scales: number[] } {
  const q = new Int8Array(w.length);
  const scales: number[] = [];
  for (let r = 0; r < w.length / rowLength; r++) {
    let max = 0;
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) {
      max = Math.max(max, Math.abs(w[i]));
    }
    const scale = max > 0 ? max / 127 : 1;
    scales.push(Number(scale.toPrecision(6)));
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) {
      q[i] = Math.round(w[i] / scales[r]);
    }
  }
  return { q, scales };
}

/** Pairs (numerator, count) become (p as uint8, min(count, 255) as uint8). */
function quantizePairs(pairs: Float32Array): Uint8Array {
  const out = new Uint8Array(pairs.length);
  for (let i = 0; i < pairs.length; i += 2) {
    const count = pairs[i + 1];
    out[i] = count > 0 ? Math.round((pairs[i] / count) * 255) : 0;
    out[i + 1] = Math.min(COUNT_CAP, Math.round(count));
  }
  return out;
}

function dequantizePairs(bytes: Uint8Array, into: Float32Array): void {
  for (let i = 0; i < bytes.length; i += 2) {
    const count = bytes[i + 1];
    into[i + 1] = count;
    into[i] = (bytes[i] / 255) * count;
  }
}

const b64 = (bytes: Uint8Array | Int8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export function encodeModel(model: ForecasterModel, provenance: Provenance): ModelFile {
  const { q, scales } = quantizeWeights(model.weights, FEATURES.length);
  return {
    format: 'occupancy-forecaster',
    version: 1,
    horizons: [...HORIZONS],
    features: [...FEATURES],
    provenance,
    weights: b64(q),
    weightScales: scales,
    duration: b64(quantizePairs(model.duration)),
    profile: b64(quantizePairs(model.profile)),
    ...(model.dayIndex.some((d) => d >= 0) ? { days: b64(packDays(model.days)), dayIndex: Array.from(model.dayIndex) } : {}),
  };
}

/** Four slots a byte, 2 bits each: 0 unknown, 1 away, 2 home. */
function packDays(days: Int8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(days.length / 4));
  for (let i = 0; i < days.length; i++) {
    out[i >> 2] |= (days[i] + 1) << ((i & 3) * 2);
  }
  return out;
}

function unpackDays(bytes: Uint8Array, into: Int8Array): void {
  for (let i = 0; i < into.length; i++) {
    const v = (bytes[i >> 2] >> ((i & 3) * 2)) & 3;
    if (v === 3) {
      throw new Error('field "days" holds a slot value that is not unknown, away or home');
    }
    into[i] = v - 1;
  }
}

/** Horizons of an older file this version can still read: a non-empty ascending subset of HORIZONS. */
function fileHorizons(raw: unknown): number[] | undefined {
  const known = HORIZONS as readonly number[];
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((h) => known.includes(h))) {
    return undefined;
  }
  return raw.every((h, i) => i === 0 || known.indexOf(h) > known.indexOf(raw[i - 1])) ? (raw as number[]) : undefined;
}

/**
 * Reads a model file, checking it fits this version of the forecaster; errors name the field.
 * A file made for fewer horizons (e.g. [15, 30, 60, 120] before the longer ones existed) still
 * loads, so a zone keeps what it learned: the horizons it lacks start from `fill` (e.g. the shipped
 * prior) when given, else from the file's nearest shorter horizon.
 */
export function decodeModel(raw: unknown, fill?: ForecasterModel): { model: ForecasterModel; provenance: Provenance } {
  const f = raw as Partial<ModelFile>;
  if (typeof raw !== 'object' || raw === null || f.format !== 'occupancy-forecaster') {
    throw new Error('not an occupancy-forecaster model file (field "format")');
  }
  if (f.version !== 1) {
    throw new Error(`model version ${String(f.version)} is not supported (field "version"; expected 1)`);
  }
  const horizons = fileHorizons(f.horizons);
  // A file from a version with fewer features (the first ones of FEATURES, in order) still loads.
  const fileFeatures = Array.isArray(f.features) ? f.features : [];
  const featuresOk = fileFeatures.length > 0 && fileFeatures.length <= FEATURES.length
    && fileFeatures.every((x, i) => x === FEATURES[i]);
  if (!horizons || !featuresOk) {
    throw new Error('the model was made for other horizons or features (fields "horizons", "features")');
  }
  const model = emptyModel();
  const nf = FEATURES.length;
  const fileNf = fileFeatures.length;
  // Per (horizon, state) row sizes in this version; the file holds the same layout for its own horizons.
  const wRow = nf;
  const dRow = model.duration.length / (HORIZONS.length * 2);
  const bytes = (field: 'weights' | 'duration' | 'profile' | 'days', length: number) => {
    const value = f[field];
    const buf = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
    if (!buf || buf.length !== length) {
      throw new Error(`field "${field}" must be base64 of ${length} bytes, got ${buf ? buf.length : typeof value}`);
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  };
  const rows = horizons.length * 2;
  const w = bytes('weights', rows * fileNf);
  const scales = f.weightScales;
  if (!Array.isArray(scales) || scales.length !== rows || !scales.every((s) => typeof s === 'number' && Number.isFinite(s))) {
    throw new Error(`field "weightScales" must hold ${rows} numbers`);
  }
  const signed = new Int8Array(w.buffer, w.byteOffset, w.length);
  const weights = new Float32Array(rows * wRow);
  for (let r = 0; r < rows; r++) {
    // The same (horizon, state) row in this version's layout, for `fill`.
    const fillRow = (HORIZONS.indexOf(horizons[r >> 1] as (typeof HORIZONS)[number]) * 2 + (r & 1)) * nf;
    for (let k = 0; k < nf; k++) {
      // A feature the file does not have starts from `fill`'s weight for it (the prior), else 0.
      weights[r * wRow + k] = k < fileNf ? signed[r * fileNf + k] * scales[r] : (fill ? fill.weights[fillRow + k] : 0);
    }
  }
  const duration = new Float32Array(rows * dRow);
  dequantizePairs(bytes('duration', duration.length), duration);
  dequantizePairs(bytes('profile', model.profile.length), model.profile);
  HORIZONS.forEach((h, hi) => {
    let from = horizons.indexOf(h);
    if (from < 0 && fill) {
      model.weights.set(fill.weights.subarray(hi * 2 * wRow, (hi + 1) * 2 * wRow), hi * 2 * wRow);
      model.duration.set(fill.duration.subarray(hi * 2 * dRow, (hi + 1) * 2 * dRow), hi * 2 * dRow);
      return;
    }
    if (from < 0) {
      from = Math.max(0, horizons.filter((x) => x < h).length - 1);
    }
    model.weights.set(weights.subarray(from * 2 * wRow, (from + 1) * 2 * wRow), hi * 2 * wRow);
    model.duration.set(duration.subarray(from * 2 * dRow, (from + 1) * 2 * dRow), hi * 2 * dRow);
  });
  if (f.days !== undefined || f.dayIndex !== undefined) {
    const idx = f.dayIndex;
    if (!Array.isArray(idx) || idx.length !== SIMILAR_DAYS_KEPT || !idx.every((d) => Number.isInteger(d) && d >= -1)) {
      throw new Error(`field "dayIndex" must hold ${SIMILAR_DAYS_KEPT} whole numbers (-1 for none)`);
    }
    unpackDays(bytes('days', Math.ceil(model.days.length / 4)), model.days);
    model.dayIndex.set(idx);
  }
  const provenance = f.provenance;
  if (!provenance || !Array.isArray(provenance.sources) || typeof provenance.trainedAt !== 'string') {
    throw new Error('field "provenance" must name its sources and trainedAt');
  }
  return { model, provenance };
}

/** Size of the model file as stored (compact JSON), in bytes. */
export function modelBytes(file: ModelFile): number {
  return Buffer.byteLength(JSON.stringify(file));
}
