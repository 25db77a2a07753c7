import { believeOccupied, OccupancyInput } from '../../src/control/occupancy';

const MIN = 60000;
const NOW = 10_000 * MIN;
const TIMEOUT = 30 * MIN;

describe('believeOccupied', () => {
  const rows: Array<[string, Partial<OccupancyInput>, boolean, string]> = [
    ['nothing seen yet', {}, false, 'no activity seen yet'],
    ['recent motion', { lastActivityAt: NOW - 10 * MIN }, true, 'activity 10 min ago'],
    ['motion just inside the timeout', { lastActivityAt: NOW - 29 * MIN }, true, 'activity 29 min ago'],
    ['motion at the timeout', { lastActivityAt: NOW - 30 * MIN }, false, 'no activity for 30 min'],
    ['presence home overrides silence', { presence: { value: true, at: NOW - 600 * MIN } }, true, 'presence reported home'],
    ['presence away overrides old motion', { presence: { value: false, at: NOW - 5 * MIN }, lastActivityAt: NOW - 6 * MIN }, false, 'presence reported away'],
    ['motion after presence away: someone is there', { presence: { value: false, at: NOW - 20 * MIN }, lastActivityAt: NOW - 2 * MIN }, true, 'presence reported away, but activity 2 min ago'],
    ['presence away, motion after it but long ago', { presence: { value: false, at: NOW - 90 * MIN }, lastActivityAt: NOW - 60 * MIN }, false, 'presence reported away'],
  ];
  it.each(rows)('%s', (_what, over, occupied, reason) => {
    expect(believeOccupied({ now: NOW, timeoutMs: TIMEOUT, ...over })).toEqual({ occupied, reason });
  });
});
