import { AIR_RISE_DEFAULTS, AirRise } from '../../src/learning/air-rise';

const MIN = 60_000;

/** Feeds [minute, value] readings and returns the minutes that counted as someone there. */
function fired(readings: [number, number][], options = {}): number[] {
  const d = new AirRise(options);
  return readings.filter(([m, v]) => d.add(m * MIN, v)).map(([m]) => m);
}
const ramp = (from: number, to: number, start: number, perMin: number): [number, number][] =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, start + perMin * i]);

describe('AirRise', () => {
  it.each<[string, [number, number][], object, number[]]>([
    ['steady level: nothing', ramp(0, 60, 600, 0), {}, []],
    ['high but steady (people left an hour ago): nothing', ramp(0, 60, 1400, 0), {}, []],
    ['falling (airing): nothing', ramp(0, 60, 1200, -5), {}, []],
    ['2 ppm a minute: counts at 30 ppm up, then every 5 min', ramp(0, 40, 500, 2), {}, [15, 20, 25, 30, 35, 40]],
    ['1 ppm a minute, under 30 in 20 minutes: nothing', ramp(0, 90, 500, 1), {}, []],
    ['a fast rise counts at once', [[0, 500], [1, 530]], {}, [1]],
    ['the rise is measured from the lowest reading of the window', [[0, 520], [5, 500], [10, 515], [15, 531]], {}, [15]],
    ['a low reading older than the window no longer counts', [[0, 500], [21, 525], [22, 531]], {}, []],
    ['noise of a few ppm: nothing', ramp(0, 60, 600, 0).map(([m, v]) => [m, v + (m % 2 ? 4 : -4)]), {}, []],
    ['a larger rise setting', ramp(0, 40, 500, 3), { rise: 50 }, [17, 22, 27, 32, 37]],
    ['a plateau counts until the rise leaves the window', [...ramp(0, 10, 400, 5), ...ramp(11, 40, 450, 0)], {}, [6, 11, 16, 21]],
    ['the fall after a rise does not count', [...ramp(0, 20, 500, 2), ...ramp(21, 40, 538, -2)], {}, [15, 20]],
    ['no repeat gap: every rising reading counts', ramp(0, 3, 500, 30), { repeatMs: 0 }, [1, 2, 3]],
  ])('%s', (_what, readings, options, expected) => {
    expect(fired(readings, options)).toEqual(expected);
  });

  it('ignores readings out of order, repeated times and values that are not numbers', () => {
    const d = new AirRise();
    expect(d.add(10 * MIN, 500)).toBe(false);
    expect(d.add(5 * MIN, 900)).toBe(false);
    expect(d.add(10 * MIN, 900)).toBe(false);
    expect(d.add(11 * MIN, NaN)).toBe(false);
    expect(d.add(12 * MIN, Infinity)).toBe(false);
    expect(d.add(13 * MIN, 530)).toBe(true);
  });

  it('a reading a second (more than the queue holds) still measures from 20 minutes back', () => {
    const d = new AirRise();
    // 2 ppm a minute in fractions of a ppm: every reading is a new candidate for the lowest.
    const fired: number[] = [];
    for (let s = 0; s <= 1200; s++) if (d.add(s * 1000, 500 + (2 * s) / 60)) fired.push(s);
    expect(fired).toEqual([900, 1200]);
  });

  it('restart forgets the window: the next rise is measured from readings after it', () => {
    const d = new AirRise();
    for (let m = 0; m <= 10; m++) d.add(m * MIN, 500 + 2 * m);
    d.restart();
    expect(d.add(11 * MIN, 532)).toBe(false);
    expect(d.add(12 * MIN, 545)).toBe(false);
    expect(d.add(13 * MIN, 563)).toBe(true);
  });

  it('refuses settings that cannot work, naming them', () => {
    expect(() => new AirRise({ rise: 0 })).toThrow(/rise and window must be positive/);
    expect(() => new AirRise({ windowMs: -1 })).toThrow(RangeError);
    expect(() => new AirRise({ repeatMs: -1 })).toThrow(/repeat not negative/);
    expect(AIR_RISE_DEFAULTS).toEqual({ rise: 30, windowMs: 20 * MIN, repeatMs: 5 * MIN });
  });
});
