/**
 * Which sensors can announce an arrival on their own, learned from the zone's own events. A person
 * coming in sets off more than one sensor before the zone falls quiet again; a sensor that misfires
 * in an empty home (sunlight on a PIR, a draught, a loose contact) fires alone. So each time a
 * sensor breaks a quiet spell (a probe), the tally notes whether another sensor followed before the
 * next quiet spell: "joined" or "lone".
 */
export interface SensorTally {
  joined: number;
  lone: number;
}

/** Pseudo-joined probes every sensor starts with: it is trusted until it has fired alone a few times. */
export const PRIOR_JOINED = 2;
/** Distrust takes lone probes outnumbering joined ones (pseudo-counts included) by more than this factor. */
export const LONE_RATIO = 2;
/** Older probes fade (about the last 20 count), so a sensor that is fixed or moved earns trust back. */
export const TALLY_DECAY = 0.95;
/** A zone keeps tallies for at most this many sensors; sensors beyond them are always trusted. */
export const MAX_SENSORS = 64;

/** A sensor whose own probes are mostly joined: proof that arrivals in this zone set off more than one sensor. */
export function vouches(tally: SensorTally): boolean {
  return tally.joined >= 1 && tally.joined >= tally.lone;
}

/**
 * Whether a sensor's triggers alone may stand for someone arriving. Distrust needs two things: its
 * own probes are lone more than twice as often as joined, and another sensor of the zone shows that
 * arrivals here do come with company. A zone where nothing ever joins (one sensor, or a room whose
 * other sensors rarely fire) trusts every sensor.
 */
export function trustsAlone(tally: SensorTally | undefined, anotherVouches: boolean): boolean {
  if (tally === undefined || !anotherVouches) {
    return true;
  }
  return tally.lone <= LONE_RATIO * (tally.joined + PRIOR_JOINED);
}

/** Keeps the per-sensor tallies from a zone's triggers, in time order. Small: one tally per sensor. */
export class SensorTrust {
  private readonly tallies = new Map<string, SensorTally>();
  private lastTriggerAt?: number;
  private probe?: string;

  /** @param quietMs how long without any trigger makes a quiet spell (the zone's occupancy timeout). */
  constructor(private readonly quietMs: number) {}

  /**
   * One trigger: a rising edge of a motion or other sensor (may probe), or the entrance door either
   * way (joins a probe, never starts one: the door already announces arrivals).
   */
  observe(sensor: string, t: number, canProbe: boolean): void {
    const quietBefore = this.lastTriggerAt === undefined || t - this.lastTriggerAt >= this.quietMs;
    if (this.probe !== undefined && (quietBefore || sensor !== this.probe)) {
      this.count(this.probe, !quietBefore);
      this.probe = undefined;
    }
    if (!this.tallies.has(sensor) && this.tallies.size < MAX_SENSORS) {
      this.tallies.set(sensor, { joined: 0, lone: 0 });
    }
    if (canProbe && quietBefore) {
      this.probe = sensor;
    }
    this.lastTriggerAt = Math.max(this.lastTriggerAt ?? -Infinity, t);
  }

  trusted(sensor: string): boolean {
    let anotherVouches = false;
    for (const [other, tally] of this.tallies) {
      if (other !== sensor && vouches(tally)) {
        anotherVouches = true;
        break;
      }
    }
    return trustsAlone(this.tallies.get(sensor), anotherVouches);
  }

  tally(sensor: string): SensorTally | undefined {
    return this.tallies.get(sensor);
  }

  private count(sensor: string, joined: boolean): void {
    const tally = this.tallies.get(sensor);
    if (tally === undefined) {
      return;
    }
    tally.joined = tally.joined * TALLY_DECAY + (joined ? 1 : 0);
    tally.lone = tally.lone * TALLY_DECAY + (joined ? 0 : 1);
  }
}
