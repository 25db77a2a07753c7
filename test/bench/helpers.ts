import { House, MINUTE_MS, SensorEvent, makeHouse } from '../../bench/loaders/types';

export const FIXTURES = `${__dirname}/fixtures`;
/** Monday 2010-03-01 00:00 wall-clock. */
export const MONDAY = Date.UTC(2010, 2, 1);

/**
 * Synthetic house: `days` days from MONDAY, away when awayAt(minuteOfDay, day) is true; a door event at
 * every departure and arrival.
 */
export function syntheticHouse(days: number, awayAt: (minuteOfDay: number, day: number) => boolean): House {
  const n = days * 1440;
  const labels = new Int8Array(n);
  const events: SensorEvent[] = [];
  for (let i = 0; i < n; i++) {
    labels[i] = awayAt(i % 1440, Math.floor(i / 1440)) ? 0 : 1;
    if (i > 0 && labels[i] !== labels[i - 1]) {
      events.push({ t: MONDAY + i * MINUTE_MS - 30_000, kind: 'door', value: true, sensor: 'front' });
    }
  }
  return makeHouse({ name: 'synthetic', format: 'test', files: [], start: MONDAY, labels, events, warnings: [] });
}

/** Away 09:00-17:00 every day. */
export const officeHours = (m: number): boolean => m >= 9 * 60 && m < 17 * 60;
