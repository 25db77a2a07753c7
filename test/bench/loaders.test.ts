import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { discoverHouses, loadEshl, loadKasterenOrig, loadKasterenTl, loadOrdonez, House } from '../../bench/loaders';
import { FIXTURES } from './helpers';

const count = (h: House, v: number): number => h.labels.filter((l) => l === v).length;
const minute = (h: House, iso: string): number => (Date.parse(`${iso}Z`) - h.start) / 60_000;

describe('Kasteren text export (tl)', () => {
  const h = loadKasterenTl(path.join(FIXTURES, 'tl/houseX'), 'tl-houseX');

  it('labels the annotated window minute by minute, leave-house = away', () => {
    expect(new Date(h.start).toISOString()).toBe('2010-03-01T00:01:00.000Z');
    expect(h.labels.length).toBe(2 * 1440 + 20 * 60 + 1);
    expect(h.end).toBe(h.start + h.labels.length * 60_000);
    expect(count(h, 0)).toBe(3 * 540);
    expect(count(h, -1)).toBe(0);
    expect(h.labels[minute(h, '2010-03-01T08:29:00')]).toBe(1);
    expect(h.labels[minute(h, '2010-03-01T08:30:00')]).toBe(0);
    expect(h.labels[minute(h, '2010-03-01T17:29:00')]).toBe(0);
    expect(h.labels[minute(h, '2010-03-01T17:30:00')]).toBe(1);
  });

  it('turns sensor intervals into sorted on/off events with kinds from names', () => {
    expect(h.events).toHaveLength(16);
    for (let i = 1; i < h.events.length; i++) expect(h.events[i].t).toBeGreaterThanOrEqual(h.events[i - 1].t);
    const first = h.events[0];
    expect(first).toEqual({ t: Date.UTC(2010, 2, 1, 8, 28, 20), kind: 'door', value: true, sensor: 'Front door' });
    expect(h.events.find((e) => e.sensor === 'PIR hall')?.kind).toBe('motion');
    expect(h.events.find((e) => e.sensor === 'Fridge')?.kind).toBe('other');
  });
});

describe('Kasteren original 2008 text files', () => {
  const h = loadKasterenOrig(path.join(FIXTURES, 'orig/test'), 'kasteren');
  const tl = loadKasterenTl(path.join(FIXTURES, 'tl/houseX'), 'tl-houseX');

  it('reads CRLF, the header and the Length trailer; same labels as the epoch export of the same house', () => {
    expect(h.start).toBe(tl.start);
    expect(Array.from(h.labels)).toEqual(Array.from(tl.labels));
  });

  it('names sensors from the header and recognises the front door', () => {
    expect(h.events).toHaveLength(16);
    expect(h.events[0]).toMatchObject({ kind: 'door', sensor: 'Frontdoor', value: true });
    expect(h.events.find((e) => e.sensor === 'Hall motion')?.kind).toBe('motion');
  });
});

describe('Ordonez ADL files', () => {
  const h = loadOrdonez(path.join(FIXTURES, 'ordonez/TestHome'), 'TestHome');

  it('handles mixed tabs/spaces, empty labels (unknown) and reversed rows (skipped with a warning)', () => {
    expect(new Date(h.start).toISOString()).toBe('2012-05-07T07:00:00.000Z');
    expect(h.labels.length).toBe(331);
    expect(count(h, 0)).toBe(90);
    expect(count(h, -1)).toBe(30);
    expect(h.labels[minute(h, '2012-05-07T09:09:00')]).toBe(1);
    expect(h.labels[minute(h, '2012-05-07T09:10:00')]).toBe(-1);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatch(/TestHome_ADLs\.txt:6: end before start/);
  });

  it('maps PIR to motion, main-door magnetic to door, the rest to other', () => {
    const kinds = Object.fromEntries(h.events.map((e) => [e.sensor, e.kind]));
    expect(kinds).toEqual({ Basin: 'motion', Maindoor: 'door', Fridge: 'other', Seat: 'other' });
  });
});

describe('KIT ESHL csv', () => {
  it('derives per-minute labels from 10 s rows (gaps unknown) and BLE-count events', () => {
    const h = loadEshl(path.join(FIXTURES, 'eshl/data.csv'), 'eshl');
    expect(new Date(h.start).toISOString()).toBe('2016-08-10T02:00:00.000Z');
    expect(Array.from(h.labels)).toEqual([0, 1, 1, -1, 1]);
    expect(h.events.map((e) => [new Date(e.t).toISOString().slice(11, 19), e.value])).toEqual([
      ['02:01:10', true],
      ['02:03:30', false],
    ]);
  });

  it('turns a rising VOC level into motion events on sensor "voc" through the plugin\'s rise detector', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eshl-voc-'));
    const rows = [',persons,vocMean,nw,ble,cal,weekday'];
    // 10 min steady at 500, then 3 ppm a minute (0.5 per 10 s row) for 20 min; nobody's fob in range.
    for (let k = 0; k <= 180; k++) {
      const t = new Date(Date.UTC(2016, 7, 10, 0, 0, k * 10));
      const voc = k <= 60 ? 500 : 500 + 0.5 * (k - 60);
      rows.push(`${t.toISOString().slice(0, 19).replace('T', ' ')}+02:00,${k > 60 ? 1 : 0},${voc},30.0,0.0,0.0,0`);
    }
    fs.writeFileSync(path.join(dir, 'data.csv'), rows.join('\n'));
    const h = loadEshl(path.join(dir, 'data.csv'), 'voc-home');
    const voc = h.events.filter((e) => e.sensor === 'voc');
    // 30 ppm up 10 minutes into the rise, then every 5 minutes while it rises.
    expect(voc.map((e) => [new Date(e.t).toISOString().slice(11, 19), e.kind, e.value])).toEqual([
      ['00:20:00', 'motion', true], ['00:25:00', 'motion', true], ['00:30:00', 'motion', true],
    ]);
    expect(loadEshl(path.join(dir, 'data.csv'), 'voc-home', { rise: 100 }).events).toEqual([]);
  });

  it('reads the gzipped form too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eshl-'));
    fs.writeFileSync(path.join(dir, 'data.csv.gz'), zlib.gzipSync(fs.readFileSync(path.join(FIXTURES, 'eshl/data.csv'))));
    const { houses, errors } = discoverHouses(dir);
    expect(errors).toEqual([]);
    expect(houses).toHaveLength(1);
    expect(Array.from(houses[0].labels)).toEqual([0, 1, 1, -1, 1]);
  });
});

describe('discoverHouses', () => {
  it('finds every format recursively and drops a second export of the same home', () => {
    const r = discoverHouses(FIXTURES);
    expect(r.errors).toEqual([]);
    expect(r.houses.map((h) => h.name)).toEqual(['TestHome', 'eshl', 'test-2010']);
    expect(r.duplicates).toEqual([{ dropped: 'tl-houseX', kept: 'test-2010', matchedDepartures: 1 }]);
  });

  it('keeps duplicates on request and filters by name substring', () => {
    expect(discoverHouses(FIXTURES, { keepDuplicates: true }).houses.map((h) => h.name)).toEqual([
      'TestHome',
      'eshl',
      'test-2010',
      'tl-houseX',
    ]);
    expect(discoverHouses(FIXTURES, { filter: ['houseX', 'Test'] }).houses.map((h) => h.name)).toEqual(['TestHome', 'tl-houseX']);
  });

  it('reports a malformed file with file and line, and still loads the other houses', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bad-'));
    for (const f of fs.readdirSync(path.join(FIXTURES, 'tl'))) fs.copyFileSync(path.join(FIXTURES, 'tl', f), path.join(dir, f));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub/Bad_ADLs.txt'), 'Start time\tEnd time\tActivity\n-----\n2012-05-07 07:00:00\t2012-05-07 07:20:00\tBreakfast\nnot a date\n');
    fs.writeFileSync(path.join(dir, 'sub/Bad_Sensors.txt'), 'Start time\tEnd time\tLocation\tType\tPlace\n');
    fs.writeFileSync(path.join(dir, 'Lonely.activities'), '1267401630\t60\t1\n');
    const r = discoverHouses(dir);
    expect(r.houses.map((h) => h.name)).toEqual(['tl-houseX']);
    const messages = r.errors.map((e) => e.message).sort();
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/Lonely\.activities: partner file Lonely\.sensors not found/);
    expect(messages[1]).toMatch(/sub\/Bad_ADLs\.txt:4: unparseable line "not a date"/);
  });

  it('rejects impossible dates with the line number', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-date-'));
    fs.writeFileSync(path.join(dir, 'xActData.txt'), 'header\r\n31-Apr-2003 10:00:00\t31-Apr-2003 11:00:00\t1\r\n');
    fs.writeFileSync(path.join(dir, 'xSenseData.txt'), 'header\r\n');
    const r = discoverHouses(dir);
    expect(r.houses).toEqual([]);
    expect(r.errors[0].message).toMatch(/xActData\.txt:2: invalid date/);
  });
});
