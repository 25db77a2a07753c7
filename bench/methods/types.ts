import { HORIZONS as FORECASTER_HORIZONS } from '../../src/learning/forecaster';
import { DAY_MS, MINUTE_MS } from '../loaders/types';
import { PastView } from '../view';

/**
 * A forecaster. The evaluator calls observe(t, view) once per minute in time order, then
 * predict(t, h) for several horizons; predict returns P(home at t + h minutes).
 */
export interface ForecastMethod {
  readonly name: string;
  /**
   * Horizons beyond the scored ones that this method also forecasts. They are never scored; the
   * control track reads them, because reheating from eco takes longer than the longest scored horizon.
   */
  readonly extraHorizons?: readonly number[];
  observe(t: number, view: PastView): void;
  predict(t: number, horizonMinutes: number): number;
}

/**
 * The longer horizons the plugin's forecaster has (beyond +120). The baselines get the same ones:
 * slot tables and carried-forward states can answer any horizon, so the control track stays fair.
 */
export const LONG_HORIZONS: readonly number[] = FORECASTER_HORIZONS.filter((h) => h > 120);

export type MethodFactory = () => ForecastMethod;

export const SLOT_MINUTES = 15;
export const SLOT_MS = SLOT_MINUTES * MINUTE_MS;
export const SLOTS_PER_DAY = DAY_MS / SLOT_MS;

/** Times are wall-clock-as-UTC, so UTC getters give local calendar values. */
export function minuteOfDay(t: number): number {
  return Math.floor((((t % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}
export function isWeekend(t: number): boolean {
  const d = new Date(t).getUTCDay();
  return d === 0 || d === 6;
}

export const REACTIVE_TIMEOUT_MIN = 30;

/** Reactive occupancy rule: home if any sensor event (either edge) in the last N minutes. */
export function reactiveState(view: PastView, t: number, timeoutMin = REACTIVE_TIMEOUT_MIN): number {
  const last = view.lastActivity(t);
  return last !== undefined && t - last < timeoutMin * MINUTE_MS ? 1 : 0;
}

/**
 * The state a learner sees for the minute at t: the true label on the forecast track (may be -1),
 * the reactive rule's inference on the sensor-only track.
 */
export function observedState(view: PastView, t: number): number {
  return view.hasLabels ? view.labelAt(t) : reactiveState(view, t);
}

export interface CompletedSlot {
  /** floor(t / SLOT_MS) of the slot. */
  slot: number;
  home: number;
  known: number;
}

/** Folds per-minute states into 15-minute slots and reports each slot once its last minute is seen. */
export class SlotAccumulator {
  private cur = -1;
  private home = 0;
  private known = 0;
  private open = false;

  constructor(private readonly onComplete: (s: CompletedSlot) => void) {}

  add(t: number, state: number): void {
    const slot = Math.floor(t / SLOT_MS);
    if (slot !== this.cur) {
      if (this.open) this.flush();
      this.cur = slot;
      this.home = 0;
      this.known = 0;
      this.open = true;
    }
    if (state >= 0) {
      this.known++;
      if (state === 1) this.home++;
    }
    if (minuteOfDay(t) % SLOT_MINUTES === SLOT_MINUTES - 1) this.flush();
  }

  private flush(): void {
    this.open = false;
    this.onComplete({ slot: this.cur, home: this.home, known: this.known });
  }
}
