import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { checkRecord, HistoryLog, HistoryRecord } from '../../src/store/history';

const MIN = 60_000;
const DAY = 86_400_000;
const D1 = Date.UTC(2024, 2, 10); // 2024-03-10T00:00Z

const temp = (t: number, v = 20): HistoryRecord => ({ t, kind: 'temperature', v });

describe('HistoryLog', () => {
  let root: string;
  let dir: string;
  let logs: string[];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`) };
  const files = () => fs.readdirSync(dir).sort();
  const lines = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter((l) => l !== '');

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'history-'));
    dir = path.join(root, 'occupancy-thermostat', 'history', 'den-1234');
    logs = [];
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads nothing, quietly, from a directory that does not exist yet, and creates it on the first flush', () => {
    const h = new HistoryLog(dir, log);
    expect(h.read(0, Date.UTC(3000, 0, 1))).toEqual([]);
    expect(h.sizeBytes()).toBe(0);
    expect(h.retain(30, D1)).toEqual({ deleted: [], bytes: 0 });
    expect(h.flush()).toBe(true);
    expect(fs.existsSync(dir)).toBe(false); // nothing to write, nothing created
    h.append(temp(D1 + MIN));
    expect(h.flush()).toBe(true);
    expect(files()).toEqual(['2024-03-10.jsonl']);
    expect(logs).toEqual([]);
  });

  it('buffers appends until flush, and read sees buffered records too', () => {
    const h = new HistoryLog(dir, log);
    const records: HistoryRecord[] = [
      { t: D1 + 1 * MIN, kind: 'occupancy', v: true },
      { t: D1 + 2 * MIN, kind: 'event', e: 'motion', v: true },
      { t: D1 + 3 * MIN, kind: 'temperature', v: 20.5 },
      { t: D1 + 4 * MIN, kind: 'humidity', v: 41 },
      { t: D1 + 5 * MIN, kind: 'outdoor', v: -3.25 },
      { t: D1 + 6 * MIN, kind: 'equipment', heat: true, cool: false },
      { t: D1 + 7 * MIN, kind: 'setpoint', mode: 'heat', v: 21 },
    ];
    for (const r of records) expect(h.append(r)).toBe(true);
    expect(h.pending).toBe(7);
    expect(fs.existsSync(dir)).toBe(false);
    expect(h.read(D1, D1 + DAY)).toEqual(records);

    expect(h.flush()).toBe(true);
    expect(h.pending).toBe(0);
    expect(lines('2024-03-10.jsonl').map((l) => JSON.parse(l))).toEqual(records);
    expect(lines('2024-03-10.jsonl')[2]).toBe(`{"t":${D1 + 3 * MIN},"kind":"temperature","v":20.5}`);
    expect(new HistoryLog(dir, log).read(D1, D1 + DAY)).toEqual(records);
    expect(logs).toEqual([]);
  });

  it('flushes by itself once flushEvery records are buffered', () => {
    const h = new HistoryLog(dir, log, { flushEvery: 10 });
    for (let i = 0; i < 9; i++) h.append(temp(D1 + i * MIN));
    expect(fs.existsSync(dir)).toBe(false);
    h.append(temp(D1 + 9 * MIN));
    expect(h.pending).toBe(0);
    expect(lines('2024-03-10.jsonl')).toHaveLength(10);
    for (let i = 10; i < 15; i++) h.append(temp(D1 + i * MIN));
    expect(lines('2024-03-10.jsonl')).toHaveLength(10);
    expect(h.pending).toBe(5);
  });

  it('writes one segment per UTC day, and fsyncs when asked', () => {
    const h = new HistoryLog(dir, log, { fsync: true });
    const sync = jest.spyOn(fs, 'fsyncSync');
    h.append(temp(D1 - 1)); // 2024-03-09T23:59:59.999Z
    h.append(temp(D1)); // 2024-03-10T00:00Z
    h.append(temp(D1 + DAY - 1));
    h.append(temp(D1 + 40 * DAY)); // 2024-04-19
    h.flush();
    expect(files()).toEqual(['2024-03-09.jsonl', '2024-03-10.jsonl', '2024-04-19.jsonl']);
    expect(lines('2024-03-10.jsonl')).toHaveLength(2);
    expect(sync).toHaveBeenCalledTimes(3);
  });

  it('read returns [from, to) in time order across segments, opening only the days in range', () => {
    const h = new HistoryLog(dir, log);
    for (let d = 0; d < 5; d++) for (let m = 0; m < 1440; m += 60) h.append(temp(D1 + d * DAY + m * MIN, d));
    h.flush();
    const read = jest.spyOn(fs, 'openSync');
    const got = h.read(D1 + DAY + 23 * 60 * MIN, D1 + 3 * DAY);
    expect(got.map((r) => r.t)).toEqual([D1 + DAY + 23 * 60 * MIN, ...Array.from({ length: 24 }, (_, i) => D1 + 2 * DAY + i * 60 * MIN)]);
    expect(read.mock.calls.map((c) => path.basename(String(c[0])))).toEqual(['2024-03-11.jsonl', '2024-03-12.jsonl']);
    expect(h.read(D1 + 3 * DAY, D1 + 3 * DAY)).toEqual([]);
    expect(h.read(D1 + 3 * DAY, D1)).toEqual([]);
  });

  it('a clock set back lands in the right segment, and read still comes back in time order', () => {
    const h = new HistoryLog(dir, log);
    h.append(temp(D1 + DAY + 10 * MIN, 1)); // day 2
    h.append(temp(D1 + DAY + 5 * MIN, 2)); // day 2, earlier: the clock stepped back 5 min
    h.append(temp(D1 + 23 * 60 * MIN, 3)); // day 1: stepped back past midnight
    h.append(temp(D1 + DAY + 5 * MIN, 4)); // same time as #2: ties keep the order appended
    h.flush();
    expect(files()).toEqual(['2024-03-10.jsonl', '2024-03-11.jsonl']);
    expect(lines('2024-03-10.jsonl')).toHaveLength(1);
    expect(h.read(0, D1 + 10 * DAY).map((r) => (r as { v: number }).v)).toEqual([3, 2, 4, 1]);
    // Buffered records merge in order with those on disk.
    h.append(temp(D1 + DAY + 7 * MIN, 5));
    expect(h.read(0, D1 + 10 * DAY).map((r) => (r as { v: number }).v)).toEqual([3, 2, 4, 5, 1]);
  });

  it('scan hands over what read returns, one record at a time, in the order written', () => {
    const h = new HistoryLog(dir, log);
    h.append(temp(D1 + DAY + 10 * MIN, 1));
    h.append(temp(D1 + DAY + 5 * MIN, 2)); // the clock stepped back
    h.append(temp(D1 + 23 * 60 * MIN, 3)); // day 1
    h.append({ t: D1 + DAY + 6 * MIN, kind: 'occupancy', v: true });
    h.flush();
    h.append(temp(D1 + DAY + 7 * MIN, 5)); // still buffered: comes last
    const seen: HistoryRecord[] = [];
    h.scan(0, D1 + 10 * DAY, (r) => seen.push(r));
    expect(seen.map((r) => r.t)).toEqual([D1 + 23 * 60 * MIN, D1 + DAY + 10 * MIN, D1 + DAY + 5 * MIN, D1 + DAY + 6 * MIN, D1 + DAY + 7 * MIN]);
    expect([...seen].sort((a, b) => a.t - b.t)).toEqual(h.read(0, D1 + 10 * DAY));
    const window: number[] = [];
    h.scan(D1 + DAY + 6 * MIN, D1 + DAY + 10 * MIN, (r) => window.push(r.t));
    expect(window).toEqual([D1 + DAY + 6 * MIN, D1 + DAY + 7 * MIN]);
    h.scan(D1 + DAY, D1, () => {
      throw new Error('an empty range visits nothing');
    });
    expect(logs).toEqual([]);
  });

  it('reads a segment in chunks: lines across chunk boundaries, longer than a chunk, CRLF, corrupt deep in the file', () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '2024-03-10.jsonl');
    const want: HistoryRecord[] = [];
    const text: string[] = [];
    for (let i = 0; i < 6000; i++) { // ~280 kB: several 64 kB chunks
      const r = temp(D1 + i * 10_000, i);
      want.push(r);
      const line = JSON.stringify(r);
      text.push(i % 3 === 0 ? `${line}\r` : line);
      if (i === 2000) text.push('{"t": 1, "kind": "temper'); // line 2002
      if (i === 3000) text.push(''); // blank: skipped, but counted
      if (i === 4000) { // one record padded past the chunk size (valid JSON), and one garbage line as long
        const big = temp(D1 + i * 10_000 + 1, -1);
        want.push(big);
        text.push(`{"t":${big.t},${' '.repeat(150_000)}"kind":"temperature","v":-1}`);
        text.push('x'.repeat(200_000)); // line 4005
      }
    }
    fs.writeFileSync(file, `${text.join('\n')}\n{"t":${D1 + DAY - 1},"kind":"temperature","v":`);
    const h = new HistoryLog(dir, log);
    expect(h.read(D1, D1 + DAY)).toEqual(want);
    expect(logs).toEqual([
      `warn history: ${file} line 2002: not valid JSON; skipped`,
      `warn history: ${file} line 4005: not valid JSON; skipped`,
      `warn history: ${file} line ${text.length + 1}: incomplete last line (a write cut short, e.g. by a crash); skipped`,
    ]);
  });

  it('skips a torn last line (crash mid-append), naming file and line, and appends cleanly after it', () => {
    const h = new HistoryLog(dir, log);
    h.append(temp(D1 + MIN, 1));
    h.append(temp(D1 + 2 * MIN, 2));
    h.flush();
    const file = path.join(dir, '2024-03-10.jsonl');
    fs.appendFileSync(file, `{"t":${D1 + 3 * MIN},"kind":"tempe`);

    const after = new HistoryLog(dir, log); // as after a restart
    expect(after.read(D1, D1 + DAY).map((r) => r.t)).toEqual([D1 + MIN, D1 + 2 * MIN]);
    expect(logs).toEqual([`warn history: ${file} line 3: incomplete last line (a write cut short, e.g. by a crash); skipped`]);

    after.append(temp(D1 + 4 * MIN, 4));
    after.flush();
    expect(after.read(D1, D1 + DAY).map((r) => r.t)).toEqual([D1 + MIN, D1 + 2 * MIN, D1 + 4 * MIN]);
    expect(logs).toHaveLength(1); // the same bad line is not reported twice
    expect(fs.readFileSync(file, 'utf8').split('\n')[3]).toBe(`{"t":${D1 + 4 * MIN},"kind":"temperature","v":4}`);
  });

  it('skips and reports corrupt lines anywhere, never throwing, each once', () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '2024-03-10.jsonl');
    fs.writeFileSync(file, [
      `{"t":${D1 + 1},"kind":"occupancy","v":true}`,
      'not json at all',
      `{"t":${D1 + 2},"kind":"sunshine","v":1}`,
      `{"t":"yesterday","kind":"temperature","v":1}`,
      '',
      `{"t":${D1 + 3},"kind":"event","e":"window","v":true}`,
      '[1,2,3]',
      '\u0000\u0000\u0000',
      `{"t":${D1 + 4},"kind":"setpoint","mode":"boost","v":22}`,
      `{"t":${D1 + 5},"kind":"equipment","heat":true}`,
      `{"t":${D1 + 6},"kind":"humidity","v":null}`,
      `{"t":${D1 + 7},"kind":"temperature","v":21,"extra":"kept"}\r`,
      '',
    ].join('\n'));
    const h = new HistoryLog(dir, log);
    expect(h.read(D1, D1 + DAY)).toEqual([
      { t: D1 + 1, kind: 'occupancy', v: true },
      { t: D1 + 7, kind: 'temperature', v: 21, extra: 'kept' },
    ]);
    expect(logs).toEqual([
      `warn history: ${file} line 2: not valid JSON; skipped`,
      `warn history: ${file} line 3: unknown kind "sunshine"; skipped`,
      `warn history: ${file} line 4: t must be a time in milliseconds from 1970 to 9999, got "yesterday"; skipped`,
      `warn history: ${file} line 6: event e must be one of motion, door, presence, got "window"; skipped`,
      `warn history: ${file} line 7: expected an object; skipped`,
      `warn history: ${file} line 8: not valid JSON; skipped`,
      `warn history: ${file} line 9: setpoint mode must be one of off, heat, cool, auto, got "boost"; skipped`,
      `warn history: ${file} line 10: equipment heat and cool must be true or false, got true and nothing; skipped`,
      `warn history: ${file} line 11: humidity v must be a number, got null; skipped`,
    ]);
    h.read(D1, D1 + DAY);
    expect(logs).toHaveLength(9);
  });

  it('ignores files and folders that are not its segments', () => {
    const h = new HistoryLog(dir, log);
    h.append(temp(D1));
    h.flush();
    const foreign = ['README.txt', '2024-03-10.jsonl.bak', '2024-02-31.jsonl', '2024-13-01.jsonl', 'x2024-03-11.jsonl', '.2024-03-11.jsonl.swp'];
    for (const f of foreign) fs.writeFileSync(path.join(dir, f), 'not ours\n');
    fs.mkdirSync(path.join(dir, '2024-03-11.jsonl'));
    fs.writeFileSync(path.join(dir, '2024-03-11.jsonl', 'inner'), 'x');

    expect(h.read(0, Date.UTC(3000, 0, 1))).toEqual([temp(D1)]);
    expect(h.sizeBytes()).toBe(fs.statSync(path.join(dir, '2024-03-10.jsonl')).size);
    expect(h.retain(1, Date.UTC(2030, 0, 1)).deleted).toEqual(['2024-03-10.jsonl']);
    expect(files()).toEqual([...foreign, '2024-03-11.jsonl'].sort());
    expect(logs).toEqual([]);
  });

  it('retain deletes whole segments older than historyDays and says what it deleted', () => {
    const h = new HistoryLog(dir, log);
    for (let d = 0; d < 10; d++) h.append(temp(D1 + d * DAY + 12 * 60 * MIN));
    h.flush();
    const sizes = files().map((f) => fs.statSync(path.join(dir, f)).size);
    expect(h.sizeBytes()).toBe(sizes.reduce((a, b) => a + b, 0));

    // Now is day 10 at 06:00; 3 days back is day 7 at 06:00: day 6 ended before that, day 7 did not.
    const now = D1 + 10 * DAY + 6 * 60 * MIN;
    const result = h.retain(3, now);
    expect(result.deleted).toEqual(['2024-03-10', '2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14', '2024-03-15', '2024-03-16']
      .map((d) => `${d}.jsonl`));
    expect(result.bytes).toBe(sizes.slice(0, 7).reduce((a, b) => a + b, 0));
    expect(files()).toEqual(['2024-03-17.jsonl', '2024-03-18.jsonl', '2024-03-19.jsonl']);
    expect(h.read(0, now).map((r) => r.t)).toEqual([7, 8, 9].map((d) => D1 + d * DAY + 12 * 60 * MIN));
    expect(h.retain(3, now)).toEqual({ deleted: [], bytes: 0 });

    // Buffered records of expired days (a clock set far back) are dropped with the segments.
    h.append(temp(D1 + DAY));
    h.append(temp(now));
    h.retain(3, now);
    expect(h.pending).toBe(1);
    expect(logs).toEqual(['info history: 1 buffered record(s) older than 3 days dropped']);
  });

  it('retain ignores a nonsense number of days instead of deleting everything', () => {
    const h = new HistoryLog(dir, log);
    h.append(temp(D1));
    h.flush();
    for (const days of [0, -1, NaN, Infinity]) {
      expect(h.retain(days, D1 + 100 * DAY)).toEqual({ deleted: [], bytes: 0 });
    }
    expect(h.retain(1, NaN)).toEqual({ deleted: [], bytes: 0 });
    expect(files()).toEqual(['2024-03-10.jsonl']);
    expect(logs).toHaveLength(5);
    expect(logs[0]).toMatch(/^warn history: retain\(0 days, now \d+\) ignored/);
  });

  it('refuses invalid records with a warning instead of throwing', () => {
    const h = new HistoryLog(dir, log);
    const bad = [
      { t: NaN, kind: 'temperature', v: 1 },
      { t: -1, kind: 'temperature', v: 1 },
      { t: Date.UTC(10000, 0, 1), kind: 'temperature', v: 1 },
      { t: D1, kind: 'temperature', v: Infinity },
      { t: D1, kind: 'nope', v: 1 },
      { t: D1, kind: 'occupancy', v: 'yes' },
      null,
    ] as unknown as HistoryRecord[];
    for (const r of bad) expect(h.append(r)).toBe(false);
    const big = { t: D1, kind: 'temperature', v: 1, extra: BigInt(1) } as unknown as HistoryRecord;
    expect(h.append(big)).toBe(false);
    expect(h.pending).toBe(0);
    expect(logs).toHaveLength(8);
    expect(logs[0]).toBe('warn history: not a valid record (t must be a time in milliseconds from 1970 to 9999, got NaN); dropped');
    expect(logs[7]).toMatch(/^warn history: a record could not be encoded \(.*BigInt.*\); dropped$/);
    expect(checkRecord({ t: D1, kind: 'outdoor', v: -10 })).toBeUndefined();
  });

  it('keeps the name of the sensor behind an event, and checks it', () => {
    const h = new HistoryLog(dir, log);
    expect(h.append({ t: D1, kind: 'event', e: 'motion', v: true, s: 'zigbee2mqtt/hall_pir' })).toBe(true);
    h.flush();
    expect(h.read(D1, D1 + DAY)).toEqual([{ t: D1, kind: 'event', e: 'motion', v: true, s: 'zigbee2mqtt/hall_pir' }]);
    expect(checkRecord({ t: D1, kind: 'event', e: 'door', v: false })).toBeUndefined();
    expect(checkRecord({ t: D1, kind: 'event', e: 'motion', v: true, s: 7 }))
      .toBe('event s must be a sensor name of 1 to 200 characters, got 7');
    expect(checkRecord({ t: D1, kind: 'event', e: 'motion', v: true, s: '' }))
      .toBe('event s must be a sensor name of 1 to 200 characters, got ""');
    expect(checkRecord({ t: D1, kind: 'event', e: 'motion', v: true, s: 'x'.repeat(201) })).toMatch(/^event s must be/);
  });

  it('a failed flush keeps the records, warns once, and writes them when it can', () => {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.writeFileSync(dir, 'a file where the directory should be');
    const h = new HistoryLog(dir, log, { flushEvery: 2 });
    for (let i = 0; i < 5; i++) h.append(temp(D1 + i * MIN, i)); // two automatic flushes fail
    expect(h.flush()).toBe(false);
    expect(h.pending).toBe(5);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^warn history: could not (create|write) .*; 2 record\(s\) kept in memory for the next flush$/);

    fs.rmSync(dir);
    expect(h.flush()).toBe(true);
    expect(logs[1]).toBe('info history: writing again');
    expect(h.read(D1, D1 + DAY).map((r) => (r as { v: number }).v)).toEqual([0, 1, 2, 3, 4]);
    expect(lines('2024-03-10.jsonl')).toHaveLength(5);
  });

  it('while writes fail, keeps at most maxBuffered records, dropping the oldest', () => {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.writeFileSync(dir, 'in the way');
    const h = new HistoryLog(dir, log, { flushEvery: 10, maxBuffered: 25 });
    for (let i = 0; i < 100; i++) h.append(temp(D1 + i * MIN, i));
    expect(h.pending).toBeLessThanOrEqual(25);
    expect(logs.filter((l) => l.includes('dropping the oldest'))).toHaveLength(1);
    fs.rmSync(dir);
    h.flush();
    const kept = h.read(D1, D1 + DAY).map((r) => (r as { v: number }).v);
    expect(kept[kept.length - 1]).toBe(99);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i));
    expect(logs[logs.length - 1]).toMatch(/^info history: writing again \(\d+ record\(s\) were dropped meanwhile\)$/);
  });

  it('a write cut short (disk full) loses nothing and duplicates nothing on the retry', () => {
    const h = new HistoryLog(dir, log);
    h.append(temp(D1, 0));
    h.flush();
    const real = fs.writeSync.bind(fs) as (fd: number, b: Buffer, o: number, l: number) => number;
    let calls = 0;
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, b: Buffer, o: number, l: number) => {
      calls++;
      if (calls === 1) {
        return real(fd, b, o, Math.floor(l * 0.7)); // a short write: 3 whole records and part of the 4th
      }
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as unknown as typeof fs.writeSync);
    for (let i = 1; i <= 5; i++) h.append(temp(D1 + i * MIN, i));
    expect(h.flush()).toBe(false);
    expect(h.pending).toBe(2);
    jest.restoreAllMocks();
    expect(h.flush()).toBe(true);
    const file = path.join(dir, '2024-03-10.jsonl');
    expect(h.read(D1, D1 + DAY).map((r) => (r as { v: number }).v)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(logs.filter((l) => l.includes(`${file} line 5: not valid JSON`))).toHaveLength(1);
  });

  it('a logger that throws does not make append or flush throw', () => {
    const angry = { info: () => { throw new Error('log down'); }, warn: () => { throw new Error('log down'); } };
    const h = new HistoryLog(dir, angry, { flushEvery: 1 });
    expect(h.append({ t: NaN, kind: 'temperature', v: 1 })).toBe(false);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '2024-03-10.jsonl'), 'garbage');
    expect(h.append(temp(D1))).toBe(true);
    expect(h.read(D1, D1 + DAY)).toEqual([temp(D1)]);
  });

  it('keeps up with a simulated year at one record a minute', () => {
    const h = new HistoryLog(dir, log);
    const start = Date.UTC(2023, 0, 1);
    const minutes = 365 * 1440;
    const t0 = performance.now();
    for (let i = 0; i < minutes; i++) {
      const t = start + i * MIN;
      h.append(i % 2 === 0 ? { t, kind: 'temperature', v: 20 + (i % 50) / 10 } : { t, kind: 'occupancy', v: i % 3 === 0 });
    }
    h.flush();
    const t1 = performance.now();
    const all = h.read(start, start + 365 * DAY);
    const t2 = performance.now();
    const size = h.sizeBytes();
    const removed = h.retain(30, start + 365 * DAY);
    const t3 = performance.now();

    expect(all).toHaveLength(minutes);
    expect(all[0].t).toBe(start);
    expect(all[minutes - 1].t).toBe(start + (minutes - 1) * MIN);
    expect(removed.deleted).toHaveLength(335);
    expect(files()).toHaveLength(30);
    expect(logs).toEqual([]);
    // Reported, not asserted: timing depends on the machine.
    process.stdout.write(`history year at 1/min: ${minutes} appends+flushes ${(t1 - t0).toFixed(0)} ms, `
      + `read all ${(t2 - t1).toFixed(0)} ms, retain ${(t3 - t2).toFixed(0)} ms, `
      + `${(size / 1e6).toFixed(1)} MB on disk (${(size / minutes).toFixed(0)} B/record)\n`);
  });
});
