import { House, MINUTE_MS, SensorEvent } from './loaders/types';

/** Thrown when a method asks for anything after "now" (or for labels on the sensor-only track). */
export class PeekError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeekError';
  }
}

/** Per-house indexes shared by every view of that house (built once, read-only). */
export class EventIndex {
  readonly times: Float64Array;
  /** Times of events counted as "activity" by reactive rules: every edge, since closing a door or
   * getting off a seat is as much a sign of someone home as the opposite edge. */
  readonly activityTimes: Float64Array;

  constructor(readonly events: readonly SensorEvent[]) {
    this.times = Float64Array.from(events, (e) => e.t);
    this.activityTimes = this.times;
  }
}

/** Number of entries of sorted `a` that are <= t. */
export function countAtOrBefore(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mutable "now" shared between the evaluator and the view it hands out. */
export interface Clockwork {
  now: number;
}

/**
 * What a forecasting method may see at time `now`: events with t <= now and, on the forecast track,
 * labels of minutes whose timestamp is <= now. Everything is reached through #private fields so a
 * method cannot reach the underlying arrays.
 */
export class PastView {
  readonly #house: House;
  readonly #index: EventIndex;
  readonly #clock: Clockwork;
  readonly #labelsVisible: boolean;

  constructor(house: House, index: EventIndex, clock: Clockwork, labelsVisible: boolean) {
    this.#house = house;
    this.#index = index;
    this.#clock = clock;
    this.#labelsVisible = labelsVisible;
  }

  get now(): number {
    return this.#clock.now;
  }
  get stepMs(): number {
    return MINUTE_MS;
  }
  /** False on the sensor-only track. */
  get hasLabels(): boolean {
    return this.#labelsVisible;
  }

  #check(t: number, what: string): void {
    if (!(t <= this.#clock.now)) {
      throw new PeekError(`${what} at ${new Date(t).toISOString()} requested at now=${new Date(this.#clock.now).toISOString()}`);
    }
  }

  /** Label (1/0/-1) of the minute containing time t; -1 outside the annotated window. */
  labelAt(t: number): number {
    if (!this.#labelsVisible) throw new PeekError('labels are hidden on the sensor-only track');
    this.#check(t, 'label');
    const h = this.#house;
    const i = Math.floor((t - h.start) / MINUTE_MS);
    return i >= 0 && i < h.labels.length ? h.labels[i] : -1;
  }

  /** Events with from < t <= to. */
  events(from: number, to: number): readonly SensorEvent[] {
    this.#check(to, 'events');
    const a = countAtOrBefore(this.#index.times, from);
    const b = countAtOrBefore(this.#index.times, to);
    return this.#index.events.slice(a, Math.max(a, b));
  }

  /** Number of activity events with from < t <= to. */
  activityCount(from: number, to: number): number {
    this.#check(to, 'activity');
    return Math.max(0, countAtOrBefore(this.#index.activityTimes, to) - countAtOrBefore(this.#index.activityTimes, from));
  }

  /** Time of the latest activity event at or before t, or undefined. */
  lastActivity(t: number): number | undefined {
    this.#check(t, 'activity');
    const k = countAtOrBefore(this.#index.activityTimes, t);
    return k > 0 ? this.#index.activityTimes[k - 1] : undefined;
  }
}
