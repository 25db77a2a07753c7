import { House, MINUTE_MS } from './loaders/types';
import { ArrivalScore, BinaryScore, arrivalErrors } from './metrics';
import { ForecastMethod, MethodFactory } from './methods/types';
import { Clockwork, EventIndex, PastView, PeekError } from './view';

export const HORIZONS = [15, 30, 60, 120];
export type Track = 'forecast' | 'sensorOnly';

export interface HorizonResult {
  n: number;
  brier: number | null;
  f1Home: number | null;
  f1Away: number | null;
  balancedAccuracy: number | null;
  arrivalErrorMin: number | null;
  arrivalBiasMin: number | null;
  arrivals: number;
  arrivalsCensored: number;
}

/** method -> horizon ("15", "30", ...) -> scores */
export type TrackResult = Record<string, Record<string, HorizonResult>>;

export interface HouseResult {
  name: string;
  format: string;
  /** Days walked (the annotated window, or less with maxDays). */
  days: number;
  scoredMinutes: number;
  forecast: TrackResult;
  sensorOnly: { forecast: TrackResult };
  /** Brier at +learningCurve.horizon by day index of the forecast time (null: nothing scored that day). */
  learningCurve: { horizon: number; forecast: Record<string, (number | null)[]>; sensorOnly: Record<string, (number | null)[]> };
  /** Methods caught reading the future (or labels on the sensor-only track); their scores are dropped. */
  disqualified: { track: Track; method: string; error: string }[];
  timingMs: Record<Track, Record<string, number>>;
}

export interface EvalOptions {
  methods: Record<string, MethodFactory>;
  horizons?: number[];
  /** Forecasts issued in the first `skipMinutes` of the window are not scored (default 24 h). */
  skipMinutes?: number;
  /** Walk only the first `maxDays` days of each house. */
  maxDays?: number;
  tracks?: Track[];
  learningCurveHorizon?: number;
  /**
   * Receives each method's forecasts per issue minute (one array per horizon of `horizons`: the
   * scored ones plus the method's extraHorizons, ascending) after a clean walk, for the control track;
   * they were made under PastView, so reusing them cannot peek.
   */
  onForecasts?: (track: Track, method: string, byIssue: Float32Array[], horizons: number[]) => void;
}

const nullable = (x: number): number | null => (Number.isFinite(x) ? x : null);

function checkProbability(p: number, method: string, t: number, h: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`${method} predicted ${p} at ${new Date(t).toISOString()} +${h} min (not a probability)`);
  return p;
}

/**
 * Walk-forward evaluation of one house: each method runs once per track, minute by minute over the
 * annotated window; at each minute observe(t) then predict(t, h) for every horizon. The call pattern
 * never depends on labels, so it cannot leak them. A forecast is scored when issued after the first
 * skipMinutes with a known label at t + h; arrival errors reuse the same forecasts.
 */
export function evaluateHouse(house: House, opts: EvalOptions): HouseResult {
  const horizons = opts.horizons ?? HORIZONS;
  const skip = opts.skipMinutes ?? 24 * 60;
  const tracks = opts.tracks ?? ['forecast', 'sensorOnly'];
  const lcH = opts.learningCurveHorizon ?? 60;
  const n = opts.maxDays === undefined ? house.labels.length : Math.min(house.labels.length, Math.round(opts.maxDays * 1440));
  const labels = house.labels;
  const index = new EventIndex(house.events);
  const nDays = Math.ceil(n / 1440);

  const result: HouseResult = {
    name: house.name,
    format: house.format,
    days: n / 1440,
    scoredMinutes: 0,
    forecast: {},
    sensorOnly: { forecast: {} },
    learningCurve: { horizon: lcH, forecast: {}, sensorOnly: {} },
    disqualified: [],
    timingMs: { forecast: {}, sensorOnly: {} },
  };
  for (let i = skip; i < n; i++) if (labels[i] >= 0) result.scoredMinutes++;

  for (const track of tracks) {
    for (const [name, factory] of Object.entries(opts.methods)) {
      const clock: Clockwork = { now: house.start };
      const view = new PastView(house, index, clock, track === 'forecast');
      const method: ForecastMethod = factory();
      const scores = horizons.map(() => new BinaryScore());
      // +h forecast by target minute, kept for the arrival-time error.
      const byTarget = horizons.map(() => new Float64Array(n).fill(NaN));
      // Forecasts kept for the control track: the scored horizons and the method's longer ones (not scored).
      const extra = opts.onForecasts ? (method.extraHorizons ?? []).filter((h) => !horizons.includes(h)) : [];
      const kept = [...horizons, ...extra].sort((a, b) => a - b);
      const keptIdx = horizons.map((h) => kept.indexOf(h));
      const extraIdx = extra.map((h) => kept.indexOf(h));
      const byIssue = opts.onForecasts ? kept.map(() => new Float32Array(n)) : undefined;
      const lcSum = new Float64Array(nDays);
      const lcN = new Float64Array(nDays);
      const lcIdx = horizons.indexOf(lcH);
      const t0 = Date.now();
      try {
        for (let i = 0; i < n; i++) {
          const t = house.start + i * MINUTE_MS;
          clock.now = t;
          method.observe(t, view);
          for (let k = 0; k < horizons.length; k++) {
            const h = horizons[k];
            const p = checkProbability(method.predict(t, h), name, t, h);
            const j = i + h;
            if (j < n) byTarget[k][j] = p;
            if (byIssue) byIssue[keptIdx[k]][i] = p;
            if (i >= skip && j < n && labels[j] >= 0) {
              scores[k].add(p, labels[j]);
              if (k === lcIdx) {
                const d = Math.floor(i / 1440);
                lcSum[d] += (p - labels[j]) ** 2;
                lcN[d]++;
              }
            }
          }
          for (let k = 0; k < extra.length; k++) {
            byIssue![extraIdx[k]][i] = checkProbability(method.predict(t, extra[k]), name, t, extra[k]);
          }
        }
      } catch (e) {
        if (e instanceof PeekError) {
          result.disqualified.push({ track, method: name, error: `PeekError: ${e.message}` });
          continue;
        }
        throw e;
      }
      result.timingMs[track][name] = Date.now() - t0;
      if (byIssue) opts.onForecasts!(track, name, byIssue, kept);
      const byH: Record<string, HorizonResult> = {};
      horizons.forEach((h, k) => {
        const m = scores[k].result();
        const arr = new ArrivalScore();
        const forecasts = byTarget[k];
        for (const e of arrivalErrors(labels.subarray(0, n), (j) => forecasts[j], h, skip)) arr.add(e.error, e.censored);
        const a = arr.result();
        byH[String(h)] = {
          n: m.n,
          brier: nullable(m.brier),
          f1Home: nullable(m.f1Home),
          f1Away: nullable(m.f1Away),
          balancedAccuracy: nullable(m.balancedAccuracy),
          arrivalErrorMin: nullable(a.arrivalErrorMin),
          arrivalBiasMin: nullable(a.arrivalBiasMin),
          arrivals: a.arrivals,
          arrivalsCensored: a.censored,
        };
      });
      (track === 'forecast' ? result.forecast : result.sensorOnly.forecast)[name] = byH;
      if (lcIdx >= 0) {
        result.learningCurve[track][name] = Array.from(lcSum, (s, d) => (lcN[d] > 0 ? s / lcN[d] : null));
      }
    }
  }
  return result;
}
