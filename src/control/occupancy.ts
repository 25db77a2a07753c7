export interface OccupancyInput {
  now: number;
  /** Latest explicit presence report (phone, "someone home" switch), which overrides activity. */
  presence?: { value: boolean; at: number };
  /** Time of the latest motion or door activity, if any. */
  lastActivityAt?: number;
  timeoutMs: number;
}

export interface OccupancyBelief {
  occupied: boolean;
  reason: string;
}

/**
 * What the zone believes about occupancy right now. A "home" presence report wins; an "away"
 * report wins unless motion or door activity came after it (a guest, a phone left behind).
 * Without presence reports, activity within the timeout means occupied.
 */
export function believeOccupied(input: OccupancyInput): OccupancyBelief {
  const { now, presence, lastActivityAt, timeoutMs } = input;
  const recent = lastActivityAt !== undefined && now - lastActivityAt < timeoutMs;
  const ago = lastActivityAt === undefined ? '' : `${Math.round((now - lastActivityAt) / 60000)} min`;
  if (presence?.value) {
    return { occupied: true, reason: 'presence reported home' };
  }
  if (presence && !presence.value) {
    if (recent && lastActivityAt! > presence.at) {
      return { occupied: true, reason: `presence reported away, but activity ${ago} ago` };
    }
    return { occupied: false, reason: 'presence reported away' };
  }
  if (recent) {
    return { occupied: true, reason: `activity ${ago} ago` };
  }
  return { occupied: false, reason: lastActivityAt === undefined ? 'no activity seen yet' : `no activity for ${ago}` };
}
