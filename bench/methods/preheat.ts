import { DAY_MS, MINUTE_MS } from '../loaders/types';
import { PastView } from '../view';
import { CompletedSlot, ForecastMethod, LONG_HORIZONS, SLOT_MS, SLOTS_PER_DAY, SlotAccumulator, observedState } from './types';
import { PppTable } from './ppp';

/**
 * PreHeat (Scott et al., UbiComp 2011), reimplemented: days as binary vectors of 15-min slots (1 if
 * anyone was home during the slot). Today's completed slots plus the 4 h before midnight are matched
 * against the same slots of each past day by Hamming distance; P(home) at the target slot is the mean
 * occupancy of the K = 5 nearest days there. Fewer than K usable days: fall back to a PPP table.
 */
export class PreHeat implements ForecastMethod {
  readonly name = 'preheat';
  readonly extraHorizons = LONG_HORIZONS;
  static readonly K = 5;
  static readonly LOOKBACK_SLOTS = (4 * 60 * MINUTE_MS) / SLOT_MS;

  private base = NaN; // absolute slot index of midnight of the first observed day
  private occ = new Int8Array(0);
  private done = 0; // slots [0, done) relative to base are complete
  private readonly prior = new PppTable();
  private readonly acc = new SlotAccumulator((s) => this.onSlot(s));
  private rankedFor = '';
  private ranked: number[] = []; // candidate days, nearest first

  observe(t: number, view: PastView): void {
    if (Number.isNaN(this.base)) this.base = Math.floor(t / DAY_MS) * SLOTS_PER_DAY;
    this.acc.add(t, observedState(view, t));
  }

  private onSlot(s: CompletedSlot): void {
    this.prior.add(s);
    const i = s.slot - this.base;
    if (i < 0) return;
    if (i >= this.occ.length) {
      const grown = new Int8Array(Math.max(i + 1, this.occ.length * 2, 4 * SLOTS_PER_DAY)).fill(-1);
      grown.set(this.occ);
      this.occ = grown;
    }
    this.occ[i] = s.known === 0 ? -1 : s.home > 0 ? 1 : 0;
    this.done = Math.max(this.done, i + 1);
  }

  private at(i: number): number {
    return i >= 0 && i < this.done ? this.occ[i] : -1;
  }

  /** Ranks past days by distance to today's query window; cached until a slot completes or the day changes. */
  private rank(today: number): void {
    const key = `${today}/${this.done}`;
    if (this.rankedFor === key) return;
    this.rankedFor = key;
    const todayStart = today * SLOTS_PER_DAY;
    const qa = Math.max(0, todayStart - PreHeat.LOOKBACK_SLOTS);
    const scored: { d: number; dist: number }[] = [];
    for (let d = 0; d < today; d++) {
      const shift = (today - d) * SLOTS_PER_DAY;
      let dist = 0;
      for (let j = qa; j < this.done; j++) {
        const a = this.at(j);
        const b = this.at(j - shift);
        dist += a < 0 || b < 0 ? 0.5 : a === b ? 0 : 1;
      }
      scored.push({ d, dist });
    }
    scored.sort((x, y) => x.dist - y.dist || y.d - x.d);
    this.ranked = scored.map((s) => s.d);
  }

  predict(t: number, h: number): number {
    const target = t + h * MINUTE_MS;
    if (Number.isNaN(this.base)) return this.prior.probability(target);
    const today = Math.floor(t / DAY_MS) - this.base / SLOTS_PER_DAY;
    this.rank(today);
    const targetRel = Math.floor(target / SLOT_MS) - this.base;
    let sum = 0;
    let n = 0;
    for (const d of this.ranked) {
      const v = this.at(targetRel - (today - d) * SLOTS_PER_DAY);
      if (v < 0) continue;
      sum += v;
      if (++n === PreHeat.K) return sum / n;
    }
    return this.prior.probability(target);
  }
}
