import { lastReadings, recentEvents } from '../../src/platform';
import type { HistoryRecord } from '../../src/store/history';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

/** A history that holds `records` and scans them as HistoryLog does (by time window). */
function history(records: HistoryRecord[]) {
  return {
    scan(from: number, to: number, visit: (r: HistoryRecord) => void) {
      records.filter((r) => r.t >= from && r.t < to).forEach(visit);
    },
  };
}

describe('lastReadings: what a zone shows after a restart', () => {
  it.each<[string, HistoryRecord[], ReturnType<typeof lastReadings>]>([
    ['nothing in history', [], {}],
    ['the newest of each kind', [
      { t: NOW - 20 * MIN, kind: 'temperature', v: 19 },
      { t: NOW - 5 * MIN, kind: 'temperature', v: 19.5 },
      { t: NOW - 10 * MIN, kind: 'humidity', v: 45 },
      { t: NOW - 2 * MIN, kind: 'outdoor', v: 3 },
    ], { temperature: { value: 19.5, at: NOW - 5 * MIN }, humidity: { value: 45, at: NOW - 10 * MIN } }],
    ['older than the window: left out', [{ t: NOW - 31 * MIN, kind: 'temperature', v: 18 }], {}],
    ['stamped after now (the clock went back): counts as now', [{ t: NOW + 10 * MIN, kind: 'temperature', v: 21 }],
      { temperature: { value: 21, at: NOW } }],
  ])('%s', (_what, records, expected) => {
    expect(lastReadings(history(records), NOW, 30 * MIN)).toEqual(expected);
  });

  it('an unreadable history gives nothing, never an error', () => {
    const broken = { scan: () => { throw new Error('EACCES'); } };
    expect(lastReadings(broken, NOW, 30 * MIN)).toEqual({});
  });
});

describe('recentEvents: what a zone recalls after a restart', () => {
  it('gives the events of the window, oldest first, with their sensors, and nothing else', () => {
    const records: HistoryRecord[] = [
      { t: NOW - 15 * 1440 * MIN, kind: 'event', e: 'motion', v: true, s: 'too old' },
      { t: NOW - 3 * MIN, kind: 'event', e: 'door', v: false },
      { t: NOW - 5 * MIN, kind: 'event', e: 'motion', v: true, s: 'hall' },
      { t: NOW - 4 * MIN, kind: 'occupancy', v: true },
      { t: NOW - 2 * MIN, kind: 'temperature', v: 20 },
    ];
    expect(recentEvents(history(records), NOW, 14)).toEqual([
      { t: NOW - 5 * MIN, kind: 'motion', value: true, sensor: 'hall' },
      { t: NOW - 3 * MIN, kind: 'door', value: false },
    ]);
  });

  it('moves events stamped after now (a clock that ran ahead) back before now, keeping their spacing', () => {
    const records: HistoryRecord[] = [
      { t: NOW - 10 * MIN, kind: 'event', e: 'motion', v: true, s: 'a' },
      { t: NOW + 20 * MIN, kind: 'event', e: 'motion', v: true, s: 'b' },
      { t: NOW + 30 * MIN, kind: 'event', e: 'motion', v: true, s: 'c' },
    ];
    expect(recentEvents(history(records), NOW, 14).map((e) => [e.sensor, (e.t - NOW) / MIN])).toEqual([
      ['a', -40 - 1 / MIN], ['b', -10 - 1 / MIN], ['c', -1 / MIN],
    ]);
  });

  it('an unreadable history gives nothing, never an error', () => {
    const broken = { scan: () => { throw new Error('EACCES'); } };
    expect(recentEvents(broken, NOW, 14)).toEqual([]);
  });
});
