/**
 * Wall-clock helpers. Local time is UTC of (t + utcOffsetMinutes), so results never depend on the
 * machine's time zone.
 */

// Module-level aliases: global lookups are slow inside Jest's vm sandbox, where tests run simulated years.
const { floor } = Math;

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 in local wall-clock time. */
export function localDay(t: number, utcOffsetMinutes = 0): number {
  return floor((t + utcOffsetMinutes * MINUTE_MS) / DAY_MS);
}

/** Epoch ms of local midnight starting `day`. */
export function dayStart(day: number, utcOffsetMinutes = 0): number {
  return day * DAY_MS - utcOffsetMinutes * MINUTE_MS;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Local hour of day in [0, 24). */
export function hourOfDay(t: number, utcOffsetMinutes = 0): number {
  const local = t + utcOffsetMinutes * MINUTE_MS;
  return (local - floor(local / DAY_MS) * DAY_MS) / HOUR_MS;
}
