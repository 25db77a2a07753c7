/**
 * People in a room raise its CO2 (and VOC) level: each person breathes out roughly 20 litres of CO2
 * an hour, so a closed room gains tens of ppm in a quarter of an hour, while an empty one only
 * drifts down as it airs. A rising level is therefore a sign of someone there even when nobody
 * moves in front of a motion sensor or carries a phone. The level itself is not: it stays high for
 * hours after people leave.
 *
 * `AirRise` watches one sensor's readings and says when the level stands at least `rise` above
 * the lowest reading of the last `windowMs` and is the highest of them: that reading counts as
 * activity, like a motion trigger. While the level keeps climbing it counts again every `repeatMs`,
 * so a long stay keeps the zone occupied through its timeout. A fall counts for nothing, and a level
 * that has stood still for a whole window neither.
 */
export interface AirRiseOptions {
  /** Rise over the window that counts as someone there, in the sensor's unit (ppm for CO2). */
  rise: number;
  /** How far back the lowest reading is looked for. */
  windowMs: number;
  /** A rise that goes on counts again after this long. */
  repeatMs: number;
}

/**
 * 30 ppm in 20 minutes. One person adds about 10 ppm a minute to a closed 30 m³ room at first, so a
 * seventh of that still finds someone in a larger or airier room. The margin above noise matters
 * more than the last bit of sensitivity: the lowest of 20 minutes of a wandering reading sits well
 * below its middle. On the benchmark's VOC sensor a rise of 10 fired on noise often enough to
 * double the forecast error of 20 to 40 (BENCHMARKS.md).
 */
export const AIR_RISE_DEFAULTS: Readonly<AirRiseOptions> = Object.freeze({
  rise: 30,
  windowMs: 20 * 60_000,
  repeatMs: 5 * 60_000,
});

/** At most this many readings are kept per sensor and queue. */
const MAX_KEPT = 256;

/**
 * The readings of a sliding window that can still be its extreme (a monotonic queue): the first is
 * the lowest (or highest) of the window. Fixed arrays, so a reading costs no allocation. Readings
 * closer together than `slotMs` share an entry (the newer time, the more extreme value), so a fast
 * sensor never overflows the queue; the window then reaches back at most one slot further.
 */
class Extreme {
  private readonly times = new Float64Array(MAX_KEPT);
  private readonly values = new Float64Array(MAX_KEPT);
  private head = 0;
  private size = 0;

  /** `sign` 1 keeps the lowest, -1 the highest. */
  constructor(private readonly sign: 1 | -1, private readonly slotMs: number) {}

  /** Adds a reading after dropping those older than `since`; returns the window's extreme, this reading included. */
  add(t: number, value: number, since: number): number {
    const v = this.sign * value;
    while (this.size > 0 && this.times[this.head] < since) {
      this.head = (this.head + 1) % MAX_KEPT;
      this.size--;
    }
    while (this.size > 0 && this.values[(this.head + this.size - 1) % MAX_KEPT] >= v) {
      this.size--;
    }
    const tail = (this.head + this.size - 1) % MAX_KEPT;
    if (this.size > 0 && t - this.times[tail] < this.slotMs) {
      // The kept entry is more extreme and recent enough: it stands for this reading too.
      this.times[tail] = t;
    } else {
      if (this.size === MAX_KEPT) {
        // Only when readings come in out of step with the slots: forget the oldest.
        this.head = (this.head + 1) % MAX_KEPT;
        this.size--;
      }
      const at = (this.head + this.size) % MAX_KEPT;
      this.times[at] = t;
      this.values[at] = v;
      this.size++;
    }
    return this.sign * this.values[this.head];
  }

  clear(): void {
    this.size = 0;
  }
}

export class AirRise {
  private readonly opts: AirRiseOptions;
  private readonly lowest: Extreme;
  private readonly highest: Extreme;
  private lastAt = -Infinity;
  private firedAt = -Infinity;

  constructor(options: Partial<AirRiseOptions> = {}) {
    this.opts = { ...AIR_RISE_DEFAULTS, ...options };
    const { rise, windowMs, repeatMs } = this.opts;
    if (!(rise > 0) || !(windowMs > 0) || !(repeatMs >= 0)) {
      throw new RangeError(`air rise: rise and window must be positive and repeat not negative (got ${rise}, ${windowMs} ms, ${repeatMs} ms)`);
    }
    // Entries at least this far apart fit the queue over a whole window.
    const slotMs = windowMs / (MAX_KEPT - 1);
    this.lowest = new Extreme(1, slotMs);
    this.highest = new Extreme(-1, slotMs);
  }

  /**
   * Feeds one reading, in time order (an older or repeated time is ignored, as is a value that is
   * not a finite number). Returns true when this reading counts as someone there: at least `rise`
   * above the lowest reading of the window, and the highest of it (so a level falling after people
   * left counts for nothing).
   */
  add(t: number, value: number): boolean {
    if (!Number.isFinite(value) || !Number.isFinite(t) || t <= this.lastAt) {
      return false;
    }
    this.lastAt = t;
    const { rise, windowMs, repeatMs } = this.opts;
    const low = this.lowest.add(t, value, t - windowMs);
    const high = this.highest.add(t, value, t - windowMs);
    if (value - low >= rise && value >= high && t - this.firedAt >= repeatMs) {
      this.firedAt = t;
      return true;
    }
    return false;
  }

  /**
   * Forgets the window: the next rise is measured from readings after now. A zone calls it when its
   * door opens or closes, so the level left behind by people who just went out is not taken for
   * someone still inside.
   */
  restart(): void {
    this.lowest.clear();
    this.highest.clear();
  }
}
