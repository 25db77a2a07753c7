import { SensorTrust } from './sensor-trust';

/** Facts about a zone's recent inputs, from which "is anyone here now" is decided. */
export interface OccupancyFacts {
  now: number;
  /** Latest explicit presence report (phone, "someone home" switch). */
  presence?: { value: boolean; at: number };
  /** Latest activity of any kind (motion, door, appliance...). */
  lastActivityAt?: number;
  /** Latest entrance-door event, and whether the zone has ever seen one (it has a door sensor). */
  lastDoorAt?: number;
  /** Latest activity that was not the entrance door. */
  lastInsideActivityAt?: number;
  hasDoorSensor: boolean;
  /** How often the household is home at this time of the week, from history (undefined: no history yet). */
  usuallyHome?: number;
  timeoutMs: number;
}

export interface OccupancyBelief {
  occupied: boolean;
  reason: string;
}

/** Someone leaving is seen as the door, then quiet: this long after the door they count as gone. */
export const DOOR_QUIET_MS = 10 * 60_000;
/** A second trigger within this long confirms an arrival the door did not announce. */
export const CONFIRM_MS = 10 * 60_000;
/** Quiet at a time the household is this often home is taken for sleep or a quiet evening, not absence. */
export const USUALLY_HOME = 0.8;

const mins = (ms: number) => `${Math.round(ms / 60000)} min`;

/**
 * Decides occupancy now. A "home" presence report wins; an "away" report wins unless activity came
 * after it. Otherwise recent activity means occupied. Quiet is read with the door in mind: with a
 * door sensor, only quiet after the door counts as absence (quiet without it is sleep or reading);
 * without one, quiet past the timeout counts as absence unless history says the household is
 * usually home at this hour.
 */
export function inferOccupancy(f: OccupancyFacts): OccupancyBelief {
  const { now, presence, lastActivityAt, timeoutMs } = f;
  const since = (t: number | undefined) => (t === undefined ? Infinity : now - t);
  if (presence?.value) {
    return { occupied: true, reason: 'presence reported home' };
  }
  if (presence && !presence.value) {
    if (lastActivityAt !== undefined && lastActivityAt > presence.at && since(lastActivityAt) < timeoutMs) {
      return { occupied: true, reason: `presence reported away, but activity ${mins(since(lastActivityAt))} ago` };
    }
    return { occupied: false, reason: 'presence reported away' };
  }
  if (lastActivityAt === undefined) {
    return { occupied: false, reason: 'no activity seen yet' };
  }
  if (f.hasDoorSensor) {
    const leftByDoor = f.lastDoorAt !== undefined
      && (f.lastInsideActivityAt === undefined || f.lastDoorAt >= f.lastInsideActivityAt);
    if (leftByDoor && since(lastActivityAt) >= Math.min(DOOR_QUIET_MS, timeoutMs)) {
      return { occupied: false, reason: `quiet for ${mins(since(lastActivityAt))} since the door` };
    }
    if (!leftByDoor) {
      return {
        occupied: true,
        reason: since(lastActivityAt) < timeoutMs ? `activity ${mins(since(lastActivityAt))} ago` : 'quiet, but nobody left by the door',
      };
    }
    return { occupied: true, reason: `door ${mins(since(f.lastDoorAt))} ago` };
  }
  if (since(lastActivityAt) < timeoutMs) {
    return { occupied: true, reason: `activity ${mins(since(lastActivityAt))} ago` };
  }
  if (f.usuallyHome !== undefined && f.usuallyHome >= USUALLY_HOME) {
    return { occupied: true, reason: `quiet for ${mins(since(lastActivityAt))}, but usually home now (${Math.round(f.usuallyHome * 100)} %)` };
  }
  return { occupied: false, reason: `no activity for ${mins(since(lastActivityAt))}` };
}

export interface InputEvent {
  t: number;
  kind: string;
  value: boolean;
  /** Which sensor; events without one are taken as one anonymous sensor, always trusted. */
  sensor?: string;
}

/** Whether an event is a sign of someone there: a rising edge of any sensor, or the door either way. */
export function isActivity(e: InputEvent): boolean {
  return e.kind !== 'presence' && (e.value || e.kind === 'door');
}

/**
 * Whether a trigger in a zone believed empty confirms the pending one as an arrival: it must come
 * within CONFIRM_MS, and from another sensor unless its own sensor is trusted to fire alone.
 */
export function confirmsArrival(
  pending: { t: number; sensor?: string } | undefined, e: { t: number; sensor?: string }, trusted: boolean,
): boolean {
  if (pending === undefined || e.t - pending.t > CONFIRM_MS) {
    return false;
  }
  return trusted || pending.sensor !== e.sensor;
}

/** Keeps the facts up to date from a stream of events and answers with inferOccupancy. */
export class OccupancyEstimator {
  private readonly facts: Omit<OccupancyFacts, 'now' | 'usuallyHome'> & { hasDoorSensor: boolean };

  private unconfirmed?: { t: number; sensor?: string };
  private readonly trust: SensorTrust;

  constructor(timeoutMs: number) {
    this.facts = { hasDoorSensor: false, timeoutMs };
    this.trust = new SensorTrust(timeoutMs);
  }

  /** Feeds events in time order. Rising edges count as activity; a door counts both ways. */
  add(e: InputEvent): void {
    const f = this.facts;
    if (e.kind === 'presence') {
      f.presence = { value: e.value, at: e.t };
      return;
    }
    if (e.kind === 'door') {
      f.hasDoorSensor = true;
      f.lastDoorAt = Math.max(f.lastDoorAt ?? -Infinity, e.t);
      if (e.sensor !== undefined) {
        this.trust.observe(e.sensor, e.t, false);
      }
    } else if (!e.value) {
      return;
    } else {
      if (e.sensor !== undefined) {
        this.trust.observe(e.sensor, e.t, true);
      }
      // While the zone believes it is empty, one lone trigger (a pet, sunlight, a faulty sensor) is
      // not an arrival: it takes a second within CONFIRM_MS, or the door. The second must come from
      // another sensor when this one has learned to fire alone (sensor-trust.ts).
      if (!this.belief(e.t).occupied
        && !confirmsArrival(this.unconfirmed, e, e.sensor === undefined || this.trust.trusted(e.sensor))) {
        this.unconfirmed = { t: e.t, sensor: e.sensor };
        return;
      }
      this.unconfirmed = undefined;
      f.lastInsideActivityAt = Math.max(f.lastInsideActivityAt ?? -Infinity, e.t);
    }
    f.lastActivityAt = Math.max(f.lastActivityAt ?? -Infinity, e.t);
  }

  belief(now: number, usuallyHome?: number): OccupancyBelief {
    return inferOccupancy({ ...this.facts, now, usuallyHome });
  }
}
