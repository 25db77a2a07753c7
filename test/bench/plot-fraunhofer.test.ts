import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CurvePoint } from '../../bench/control';
import {
  WINTER_CURVE, centralEuropeanOffsetMinutes, coldestStretch, findOutdoorFile, findRooms, interpolate, outdoorForHouse, readTsvSeries,
} from '../../bench/fraunhofer';
import { X_CAP_MIN_PER_DAY, escapeXml, niceTicks, renderParetoSvg } from '../../bench/plot';
import { outdoorTemperature } from '../../src/sim/outdoor';

const point = (theta: number | null, miss: number | null, save: number | null): CurvePoint => ({
  theta, missMinPerDay: miss, savingsPct: save, oracleShare: null, energyShare: null, heaterOnMinutes: 0,
  discomfortDegreeHoursPerDay: null, comfortShare: null,
});

describe('renderParetoSvg', () => {
  const curve = (k: number): Record<string, CurvePoint[]> => ({
    ours: [0.1, 0.5, 0.9].map((t) => point(t, 10 * t * k, 20 * t)),
    'a&b<c>': [point(0.1, 5, 3), point(0.9, 2000, 9)],
    empty: [point(0.5, null, null)],
    always: [point(null, 0, 0)],
    oracle: [point(null, 0, 12)],
  });
  const svg = renderParetoSvg([
    { name: 'house <1>', forecast: curve(1), sensorOnly: curve(3) },
    { name: 'house2', forecast: curve(2), sensorOnly: {} },
  ], 'Savings & MissTime');

  it('is one well-formed-looking svg document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg.match(/<g>/g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    // Names are escaped, never raw markup.
    expect(svg).toContain('house &lt;1&gt;');
    expect(svg).toContain('Savings &amp; MissTime');
    expect(svg).not.toContain('a&b<c>');
  });

  it('draws a polyline per method and track with data, markers for always and oracle', () => {
    const lines = [...svg.matchAll(/<polyline data-method="([^"]+)" data-track="([^"]+)"/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(lines.filter((l) => l.startsWith('ours/'))).toEqual(['ours/forecast', 'ours/sensorOnly', 'ours/forecast']);
    expect(lines.filter((l) => l.startsWith('a&amp;b&lt;c&gt;/'))).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('empty/') || l.startsWith('always/') || l.startsWith('oracle/'))).toBe(false);
    expect(svg.match(/data-method="oracle"/g)).toHaveLength(2);
    expect(svg.match(/data-method="always"/g)).toHaveLength(2);
    // The legend names every method with a curve.
    for (const m of ['ours', 'a&amp;b&lt;c&gt;', 'empty', 'oracle', 'always comfort']) expect(svg).toContain(`>${m}</text>`);
  });

  it('clips MissTime beyond the cap and says so', () => {
    expect(svg).toContain(`beyond ${X_CAP_MIN_PER_DAY} min/day`);
  });
});

describe('plot helpers', () => {
  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 93)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-3, 12)).toEqual([-5, 0, 5, 10, 15]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('escapeXml', () => expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;'));
});

describe('Fraunhofer-style files', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osh-'));
    const m = path.join(dir, 'Measurements');
    fs.mkdirSync(m);
    // 30 days of hourly outdoor readings: warm, then 3 cold days (days 10-12), then warm again.
    const t0 = Date.UTC(2017, 2, 1) / 1000;
    const rows: string[] = [];
    for (let h = 0; h < 30 * 24; h++) {
      const day = Math.floor(h / 24);
      rows.push(`${t0 + h * 3600}\t${day >= 10 && day < 13 ? -2 + (h % 24) / 10 : 12}`);
    }
    fs.writeFileSync(path.join(m, 'Room2_OutdoorTemperature.csv'), rows.join('\n') + '\n');
    fs.writeFileSync(path.join(m, 'Room1_Virtual_OutdoorTemperature.csv'), rows.join('\n') + '\n');
    fs.writeFileSync(path.join(m, 'Room1_Temperature.csv'), `${t0}\t20\n${t0 + 600}\t20.5\n`);
    fs.writeFileSync(path.join(m, 'Room1_SetpointHistory.csv'), `${t0}\t21\n`);
    fs.writeFileSync(path.join(m, 'Room1_ThermostatTemperature.csv'), `${t0}\t22\n`);
    fs.writeFileSync(path.join(m, 'Room3_Temperature.csv'), `${t0}\t20\n`); // no setpoint: not a room
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads unix-time TSV into ms and interpolates', () => {
    const s = readTsvSeries(path.join(dir, 'Measurements', 'Room1_Temperature.csv'));
    expect(s.t[1] - s.t[0]).toBe(600_000);
    expect(interpolate(s, s.t[0] + 300_000)).toBeCloseTo(20.25, 9);
    expect(interpolate(s, s.t[0] - 1)).toBeNaN();
    expect(interpolate(s, s.t[0] + 300_000, 60_000)).toBeNaN(); // gap longer than allowed
  });

  it('finds rooms with a setpoint file, their valve heads, and the measured (non-virtual) outdoor file', () => {
    const rooms = findRooms(dir);
    expect(rooms.map((r) => r.room)).toEqual(['Room1']);
    expect(path.basename(rooms[0].outdoor!)).toBe('Room1_Virtual_OutdoorTemperature.csv');
    expect(rooms[0].valves.map((v) => path.basename(v))).toEqual(['Room1_ThermostatTemperature.csv']);
    expect(path.basename(findOutdoorFile(dir)!)).toBe('Room2_OutdoorTemperature.csv');
  });

  it('picks the coldest run of whole local days and repeats it by local time of day', () => {
    const s = coldestStretch(findOutdoorFile(dir)!, 3)!;
    expect(s.days).toBe(3);
    expect(s.meanC).toBeLessThan(0.5);
    expect(s.perMinute).toHaveLength(3 * 1440);
    // Local midnight (CET, UTC+1) is 23:00 UTC: the hourly ramp restarts at local 01:00 = 00:00 UTC.
    expect(s.perMinute[60]).toBeCloseTo(-2, 5);
    const start = Date.UTC(2010, 2, 1, 12);
    const out = outdoorForHouse(start, 5 * 1440, s);
    expect(out[0]).toBe(s.perMinute[12 * 60]);
    expect(out[3 * 1440]).toBe(s.perMinute[12 * 60]); // day 3 wraps to the stretch's day 0
    expect(outdoorForHouse(start, 10, undefined)[5]).toBeCloseTo(outdoorTemperature(start + 5 * 60_000, WINTER_CURVE), 4);
  });

  it('knows CET from CEST', () => {
    expect(centralEuropeanOffsetMinutes(Date.UTC(2017, 2, 26, 0, 59))).toBe(60);
    expect(centralEuropeanOffsetMinutes(Date.UTC(2017, 2, 26, 1, 0))).toBe(120);
    expect(centralEuropeanOffsetMinutes(Date.UTC(2017, 9, 29, 1, 0))).toBe(60);
  });
});
