import type { Clock } from '../clock';
import type { Zone, ZoneLogger } from './zone';

/**
 * Drives zones on the clock. A failing tick is logged (once per distinct message, so a broken
 * sensor does not flood the log) and never escapes into Homebridge.
 */
export class ZoneRunner {
  private stop?: () => void;
  private readonly lastError = new Map<Zone, string>();

  constructor(
    private readonly zones: ReadonlyArray<{ zone: Zone; log: ZoneLogger }>,
    private readonly clock: Clock,
    private readonly tickMs: number,
  ) {}

  start(): void {
    this.tickAll();
    this.stop = this.clock.every(this.tickMs, () => this.tickAll());
  }

  tickAll(): void {
    for (const { zone, log } of this.zones) {
      this.tickOne(zone, log);
    }
  }

  tickZone(zone: Zone): void {
    const entry = this.zones.find((z) => z.zone === zone);
    if (entry) {
      this.tickOne(entry.zone, entry.log);
    }
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private tickOne(zone: Zone, log: ZoneLogger): void {
    try {
      zone.tick();
      if (this.lastError.delete(zone)) {
        log.info('working again');
      }
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      if (this.lastError.get(zone) !== message) {
        this.lastError.set(zone, message);
        log.warn(`tick failed: ${message}`);
      }
    }
  }
}
