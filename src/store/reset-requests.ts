import fs from 'node:fs';

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Requests to reset a zone's learning, left by the plugin's settings page in the Homebridge UI. That
 * page runs in the UI's own process, so it cannot reach the running zones; it writes
 * `{ "<zone name, lower case>": "<ISO time>", ... }` to a file under the storage path instead, and
 * the platform takes the requests from there once a minute.
 */
export class ResetRequests {
  constructor(readonly file: string, private readonly log: Pick<Log, 'warn'>) {}

  /** Where a file being taken is moved first, and where it stays as a record of the last requests taken. */
  get done(): string {
    return `${this.file}.done`;
  }

  /**
   * The zone names (lower case) requested since the last call, and the request file is gone. A
   * missing file gives none; an unreadable or corrupt one gives none with a warning naming it.
   * Never throws.
   */
  take(): string[] {
    try {
      // Moved aside before reading: a request written meanwhile lands in a new file for next time.
      fs.renameSync(this.file, this.done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn(`Reset requests: ${this.file} could not be taken (${(err as Error).message}); ignored`);
      }
      return [];
    }
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.done, 'utf8'));
    } catch (err) {
      this.log.warn(`Reset requests: ${this.file} is unreadable (${(err as Error).message}); ignored, kept as ${this.done}`);
      return [];
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      this.log.warn(`Reset requests: ${this.file} is not an object of zone names; ignored, kept as ${this.done}`);
      return [];
    }
    const zones = new Set<string>();
    for (const key of Object.keys(raw)) {
      const name = key.trim().toLowerCase();
      if (name.length > 0 && name.length <= 64) {
        zones.add(name);
      } else {
        this.log.warn(`Reset requests: ${this.file} names no zone with ${JSON.stringify(key.slice(0, 80))}; ignored`);
      }
    }
    return [...zones];
  }
}

/**
 * Takes the pending requests and resets each zone named; `reset` says whether it knew the zone. A
 * zone that is not configured (renamed or removed since the request) is reported and ignored.
 */
export function applyResetRequests(requests: ResetRequests, reset: (zone: string) => boolean, log: Pick<Log, 'warn'>): string[] {
  const done: string[] = [];
  for (const zone of requests.take()) {
    if (reset(zone)) {
      done.push(zone);
    } else {
      log.warn(`Reset requests: no configured zone is named "${zone}"; the request to reset its learning is ignored`);
    }
  }
  return done;
}
