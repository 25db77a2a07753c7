/**
 * One injectable clock for the whole plugin. The zone loop, the controller's minimum on/off times
 * and the simulated home all read time from here, so a demo can run a day in minutes and a test or
 * benchmark can run a year in seconds through the same code.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, on this clock's timeline. */
  now(): number;
  /** Calls `fn` every `intervalMs` of clock time until the returned function is called. */
  every(intervalMs: number, fn: () => void): () => void;
}

/** Real time. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  every(intervalMs: number, fn: () => void): () => void {
    const handle = setInterval(fn, intervalMs);
    handle.unref?.();
    return () => clearInterval(handle);
  }
}

/**
 * Real time sped up by `scale`: starts at `start` and advances `scale` clock milliseconds per real
 * millisecond. Used by the demo so a simulated day passes in minutes.
 */
export class ScaledClock implements Clock {
  private readonly realStart: number;

  constructor(
    readonly scale: number,
    private readonly start: number = Date.now(),
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(scale > 0) || !Number.isFinite(scale)) {
      throw new RangeError(`time scale must be a positive number, got ${scale}`);
    }
    this.realStart = realNow();
  }

  now(): number {
    return this.start + (this.realNow() - this.realStart) * this.scale;
  }

  every(intervalMs: number, fn: () => void): () => void {
    const handle = setInterval(fn, Math.max(1, intervalMs / this.scale));
    handle.unref?.();
    return () => clearInterval(handle);
  }
}

/** Time that moves only when told to: `advance` runs every timer that falls due, in order. */
export class ManualClock implements Clock {
  private timers: { next: number; interval: number; fn: () => void; active: boolean }[] = [];

  constructor(private current: number = 0) {}

  now(): number {
    return this.current;
  }

  every(intervalMs: number, fn: () => void): () => void {
    if (!(intervalMs > 0)) {
      throw new RangeError(`interval must be positive, got ${intervalMs}`);
    }
    const timer = { next: this.current + intervalMs, interval: intervalMs, fn, active: true };
    this.timers.push(timer);
    return () => {
      timer.active = false;
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing due timers at their own due times. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      let due: (typeof this.timers)[number] | undefined;
      for (const t of this.timers) {
        if (t.active && t.next <= target && (!due || t.next < due.next)) {
          due = t;
        }
      }
      if (!due) {
        break;
      }
      this.current = due.next;
      due.next += due.interval;
      due.fn();
    }
    this.current = Math.max(this.current, target);
  }
}
