import { PastView } from '../view';
import { CompletedSlot, ForecastMethod, LONG_HORIZONS, SLOT_MS, SLOTS_PER_DAY, SlotAccumulator, isWeekend, observedState } from './types';

/**
 * Per-slot presence probability: for each 15-min slot of the day, weekdays and weekends apart, the
 * mean home fraction of completed past slots, Laplace-smoothed (Beta(1,1) prior, so 0.5 with no data).
 */
export class PppTable {
  private readonly sum = new Float64Array(2 * SLOTS_PER_DAY);
  private readonly cnt = new Float64Array(2 * SLOTS_PER_DAY);

  add(s: CompletedSlot): void {
    if (s.known === 0) return;
    const k = this.key(s.slot * SLOT_MS);
    this.sum[k] += s.home / s.known;
    this.cnt[k] += 1;
  }

  probability(t: number): number {
    const k = this.key(t);
    return (this.sum[k] + 1) / (this.cnt[k] + 2);
  }

  private key(t: number): number {
    const slotOfDay = Math.floor(t / SLOT_MS) % SLOTS_PER_DAY;
    return (isWeekend(t) ? SLOTS_PER_DAY : 0) + slotOfDay;
  }
}

export class Ppp implements ForecastMethod {
  readonly name = 'ppp';
  readonly extraHorizons = LONG_HORIZONS;
  private readonly table = new PppTable();
  private readonly acc = new SlotAccumulator((s) => this.table.add(s));

  observe(t: number, view: PastView): void {
    this.acc.add(t, observedState(view, t));
  }

  predict(t: number, h: number): number {
    return this.table.probability(t + h * 60_000);
  }
}
