import { lastReadings } from '../../src/platform';
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
