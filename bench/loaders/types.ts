/** Minute resolution of every label series. */
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export type EventKind = 'motion' | 'door' | 'presence' | 'other';

/** One sensor edge. Times are wall-clock-as-UTC milliseconds (format with getUTC* to read local time). */
export interface SensorEvent {
  readonly t: number;
  readonly kind: EventKind;
  /** true = sensor became active (fired, opened, present); false = it went inactive. */
  readonly value: boolean;
  readonly sensor: string;
}

export const HOME = 1;
export const AWAY = 0;
export const UNKNOWN = -1;

export interface House {
  /** Unique, stable name (used by --houses filters and in reports). */
  name: string;
  /** Format id, e.g. 'kasteren-tl'. */
  format: string;
  files: string[];
  /** Time of minute 0 of the label series (wall-clock-as-UTC ms, on a whole minute). */
  start: number;
  /** Exclusive end: start + labels.length * stepMs. */
  end: number;
  stepMs: number;
  /** Per minute: 1 home, 0 away, -1 unknown. Minute i is the state sampled at start + i*stepMs. */
  labels: Int8Array;
  /** Sorted by t; may extend beyond the labelled window. */
  events: readonly SensorEvent[];
  /** Non-fatal oddities found while loading (skipped rows etc.). */
  warnings: string[];
}

/** A load failure that names the file and (when known) the line. */
export class LoadError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'LoadError';
  }
}

export interface Interval {
  start: number;
  end: number;
}

/**
 * Per-minute labels over [windowStart, windowEnd]: home by default, away inside `away` intervals,
 * unknown inside `unknown` intervals (away wins over unknown). Minutes are point samples so that the
 * label of minute i only depends on the state at its own timestamp.
 */
export function intervalLabels(
  windowStart: number,
  windowEnd: number,
  away: readonly Interval[],
  unknown: readonly Interval[] = [],
): { start: number; labels: Int8Array } {
  const start = Math.ceil(windowStart / MINUTE_MS) * MINUTE_MS;
  const n = windowEnd >= start ? Math.floor((windowEnd - start) / MINUTE_MS) + 1 : 0;
  const labels = new Int8Array(n).fill(HOME);
  const fill = (iv: Interval, v: number): void => {
    // Minutes whose sample time lies in [iv.start, iv.end).
    const a = Math.max(0, Math.ceil((iv.start - start) / MINUTE_MS));
    const b = Math.min(n, Math.ceil((iv.end - start) / MINUTE_MS));
    if (b > a) labels.fill(v, a, b);
  };
  for (const iv of unknown) fill(iv, UNKNOWN);
  for (const iv of away) fill(iv, AWAY);
  return { start, labels };
}

/** Turns [start, end] sensor intervals into sorted on/off edges. */
export function intervalEvents(
  items: readonly { start: number; end: number; kind: EventKind; sensor: string }[],
): SensorEvent[] {
  const out: SensorEvent[] = [];
  for (const it of items) {
    out.push(Object.freeze({ t: it.start, kind: it.kind, value: true, sensor: it.sensor }));
    out.push(Object.freeze({ t: Math.max(it.start, it.end), kind: it.kind, value: false, sensor: it.sensor }));
  }
  return sortEvents(out);
}

/** Stable sort by time, activations before deactivations at equal times. */
export function sortEvents(events: SensorEvent[]): SensorEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.t - y.e.t || Number(y.e.value) - Number(x.e.value) || x.i - y.i)
    .map((x) => x.e);
}

/** Sensor kind from a human-readable name, for formats that only give names. */
export function kindFromName(name: string): EventKind {
  const n = name.toLowerCase();
  if (/front\s*-?\s*door|main\s*-?\s*door|entrance|voordeur/.test(n)) return 'door';
  if (/\bpir\b|pir[\s_-]|motion|movement/.test(n)) return 'motion';
  return 'other';
}

export function makeHouse(
  parts: Omit<House, 'end' | 'stepMs' | 'labels' | 'start'> & { start: number; labels: Int8Array },
): House {
  return { ...parts, stepMs: MINUTE_MS, end: parts.start + parts.labels.length * MINUTE_MS };
}
