import { MINUTE_MS } from '../loaders/types';
import { PastView } from '../view';
import { ForecastMethod, LONG_HORIZONS, isWeekend, minuteOfDay, observedState, reactiveState } from './types';

/** Always home. */
export class AlwaysHome implements ForecastMethod {
  readonly name = 'always';
  readonly extraHorizons = LONG_HORIZONS;
  observe(): void {}
  predict(): number {
    return 1;
  }
}

/** Fixed office-worker schedule: weekdays away 08:30-17:30, otherwise home. */
export class FixedSchedule implements ForecastMethod {
  readonly name = 'schedule';
  readonly extraHorizons = LONG_HORIZONS;
  observe(): void {}
  predict(t: number, h: number): number {
    const target = t + h * MINUTE_MS;
    const m = minuteOfDay(target);
    return !isWeekend(target) && m >= 8 * 60 + 30 && m < 17 * 60 + 30 ? 0 : 1;
  }
}

/** The last known (forecast track) or last inferred (sensor-only) state carries forward. */
export class Persistence implements ForecastMethod {
  readonly name = 'persistence';
  readonly extraHorizons = LONG_HORIZONS;
  private last = -1;
  observe(t: number, view: PastView): void {
    const s = observedState(view, t);
    if (s >= 0) this.last = s;
  }
  predict(): number {
    return this.last < 0 ? 0.5 : this.last;
  }
}

/** Sensor rule on both tracks: home on any sensor event, away after 30 min without; forecast = belief. */
export class Reactive implements ForecastMethod {
  readonly name = 'reactive';
  readonly extraHorizons = LONG_HORIZONS;
  private belief = 0;
  observe(t: number, view: PastView): void {
    this.belief = reactiveState(view, t);
  }
  predict(): number {
    return this.belief;
  }
}
