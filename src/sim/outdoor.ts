import { DAY_MS, MINUTE_MS } from './time';

// Module-level aliases: global lookups are slow inside Jest's vm sandbox, where tests run simulated years.
const { PI, cos, floor } = Math;

export interface OutdoorCurve {
  /** °C averaged over a year. */
  annualMean: number;
  /** Half the difference between the warmest and coldest day's mean, °C. */
  annualAmplitude: number;
  /** Half the day's max–min swing, °C. */
  dailyAmplitude: number;
  /** Day of year (0 = 1 January) with the lowest mean temperature. */
  coldestDayOfYear: number;
  utcOffsetMinutes?: number;
}

export const TEMPERATE_CURVE: OutdoorCurve = Object.freeze({
  annualMean: 10,
  annualAmplitude: 8,
  dailyAmplitude: 4,
  coldestDayOfYear: 20,
});

// Mean Gregorian year keeps 1 January aligned to within a day for centuries without calendar maths.
const YEAR_DAYS = 365.2425;
const MIN_HOUR = 5;
const MAX_HOUR = 15;

/** -1 at 05:00, +1 at 15:00; half-cosines so the curve and its slope are continuous. */
function dailyShape(hour: number): number {
  if (hour >= MIN_HOUR && hour < MAX_HOUR) {
    return -cos((PI * (hour - MIN_HOUR)) / (MAX_HOUR - MIN_HOUR));
  }
  const sinceMax = (hour - MAX_HOUR + 24) % 24;
  return cos((PI * sinceMax) / (24 - (MAX_HOUR - MIN_HOUR)));
}

/** Smooth, deterministic outdoor temperature (°C) at epoch ms `t`: seasonal cosine plus a daily cycle. */
export function outdoorTemperature(t: number, curve: OutdoorCurve = TEMPERATE_CURVE): number {
  const days = (t + (curve.utcOffsetMinutes ?? 0) * MINUTE_MS) / DAY_MS;
  const hour = (days - floor(days)) * 24;
  const season = -cos((2 * PI * (days - curve.coldestDayOfYear)) / YEAR_DAYS);
  return curve.annualMean + curve.annualAmplitude * season + curve.dailyAmplitude * dailyShape(hour);
}
