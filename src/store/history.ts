import fs from 'node:fs';
import path from 'node:path';

import { Mode, MODES } from '../config/types';
import { MAX_SENSOR_ID, type ActivityEvent } from '../io/types';

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * One thing that happened in a zone, as kept on disk (one JSON object a line). Keys are short
 * because a zone writes hundreds of thousands of these a year; `t` is clock milliseconds (UTC).
 */
export type HistoryRecord =
  /** The zone's belief that someone is home. */
  | { t: number; kind: 'occupancy'; v: boolean }
  /** A discrete input (motion, door, presence) and its value; `s` names the sensor when known. */
  | { t: number; kind: 'event'; e: ActivityEvent['kind']; v: boolean; s?: string }
  /** A reading: indoor °C, indoor % relative humidity, outdoor °C. */
  | { t: number; kind: 'temperature' | 'humidity' | 'outdoor'; v: number }
  /** What the equipment was told to do. */
  | { t: number; kind: 'equipment'; heat: boolean; cool: boolean }
  /** The mode and the setpoint in force (°C). */
  | { t: number; kind: 'setpoint'; mode: Mode; v: number };

export type HistoryKind = HistoryRecord['kind'];

export interface HistoryOptions {
  /** Flush by itself once this many records are buffered (default 256). */
  flushEvery?: number;
  /** fsync each segment written by a flush (default false: spares SD cards; a crash loses seconds, not the file). */
  fsync?: boolean;
  /** While flushes fail (disk full), keep at most this many records in memory, dropping the oldest (default 100 000). */
  maxBuffered?: number;
}

export interface RetainResult {
  /** Segment file names deleted, oldest first. */
  deleted: string[];
  /** Bytes freed. */
  bytes: number;
}

const DAY_MS = 86_400_000;
const SEGMENT = /^(\d{4})-(\d{2})-(\d{2})\.jsonl$/;
/** Years 1970–9999: day names stay `YYYY-MM-DD` (toISOString widens years past 9999). */
const MAX_T = Date.UTC(10000, 0, 1);

// A Record over the union makes this fail to compile when an event kind is added and not listed here.
const EVENT_KINDS: Record<ActivityEvent['kind'], true> = { motion: true, door: true, presence: true };

interface Pending {
  day: string;
  t: number;
  line: string;
}

/**
 * A zone's history as append-only JSON lines under `dir`, one segment per UTC day
 * (`YYYY-MM-DD.jsonl`). Appends are buffered and written by `flush()` (or by themselves once
 * `flushEvery` are waiting). Nothing here throws: a failed write is logged and kept for the next
 * flush, a corrupt line is logged (file and line) and skipped on read, and files that are not
 * segments are left alone.
 */
export class HistoryLog {
  private buffer: Pending[] = [];
  private readonly flushEvery: number;
  private readonly fsync: boolean;
  private readonly maxBuffered: number;
  /** Corrupt lines already reported (`file:line`), so repeated reads do not repeat the warning. */
  private readonly reported = new Set<string>();
  private lastWriteError?: string;
  /** Records dropped since writing last worked (only while flushes fail). */
  private dropped = 0;
  private lastDayNumber = NaN;
  private lastDayName = '';

  constructor(readonly dir: string, private readonly log: Log, options: HistoryOptions = {}) {
    this.flushEvery = positiveInt(options.flushEvery, 256);
    this.fsync = options.fsync ?? false;
    this.maxBuffered = Math.max(this.flushEvery, positiveInt(options.maxBuffered, 100_000));
  }

  /** Records waiting for the next flush. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Buffers a record for its own day's segment, whatever order times come in (a clock set back
   * still lands in the right day). Returns false, with a warning, for a record that is not valid.
   */
  append(record: HistoryRecord): boolean {
    const problem = checkRecord(record);
    let line: string | undefined;
    if (problem === undefined) {
      try {
        line = JSON.stringify(record);
      } catch (err) {
        line = undefined;
        this.warn(`history: a record could not be encoded (${(err as Error).message}); dropped`);
      }
    } else {
      this.warn(`history: not a valid record (${problem}); dropped`);
    }
    if (line === undefined) {
      return false;
    }
    this.buffer.push({ day: this.dayName(record.t), t: record.t, line });
    if (this.buffer.length >= this.flushEvery) {
      this.flush();
    }
    return true;
  }

  /**
   * Writes buffered records to their segments. Returns true when all were written; on failure the
   * unwritten ones stay buffered for the next flush (up to `maxBuffered`) and the error is logged
   * once until writing works again.
   */
  flush(): boolean {
    if (this.buffer.length === 0) {
      return true;
    }
    const byDay = new Map<string, Pending[]>();
    for (const p of this.buffer) {
      const group = byDay.get(p.day);
      if (group) {
        group.push(p);
      } else {
        byDay.set(p.day, [p]);
      }
    }
    const written = new Set<Pending>();
    let failure: string | undefined;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      failure = `could not create ${this.dir} (${(err as Error).message})`;
    }
    if (failure === undefined) {
      for (const [day, group] of byDay) {
        const file = this.segmentPath(day);
        const done = this.writeSegment(file, group);
        for (let i = 0; i < done.count; i++) {
          written.add(group[i]);
        }
        if (done.error !== undefined) {
          failure = `could not write ${file} (${done.error})`;
          break;
        }
      }
    }
    this.buffer = written.size === this.buffer.length ? [] : this.buffer.filter((p) => !written.has(p));
    if (failure === undefined) {
      if (this.lastWriteError !== undefined) {
        this.safeLog('info', `history: writing again${this.dropped ? ` (${this.dropped} record(s) were dropped meanwhile)` : ''}`);
        this.lastWriteError = undefined;
        this.dropped = 0;
      }
      return true;
    }
    if (failure !== this.lastWriteError) {
      this.lastWriteError = failure;
      this.warn(`history: ${failure}; ${this.buffer.length} record(s) kept in memory for the next flush`);
    }
    this.capBuffer();
    return false;
  }

  /**
   * Records with `from <= t < to`, in time order (ties in the order appended), from the segments
   * and from records still buffered. Corrupt lines are skipped and reported, each once.
   */
  read(from: number, to: number): HistoryRecord[] {
    const out: HistoryRecord[] = [];
    this.scan(from, to, (record) => {
      out.push(record);
    });
    if (!isSorted(out)) {
      // Array.prototype.sort is stable: equal times keep file-then-append order.
      out.sort((a, b) => a.t - b.t);
    }
    return out;
  }

  /**
   * The records `read` returns, handed to `visit` one at a time instead of gathered: segment by
   * segment (oldest first), each in the order written, then the buffered ones; so not sorted when
   * a clock was set back. Each segment goes through one small buffer, so reading a month costs no
   * more memory than reading a day, beyond what `visit` keeps. Corrupt lines are skipped and
   * reported as by `read`; a segment that fails midway keeps the records read before the failure.
   */
  scan(from: number, to: number, visit: (record: HistoryRecord) => void): void {
    if (!(to > from)) {
      return;
    }
    const firstDay = Math.floor(from / DAY_MS);
    const lastDay = Math.floor((to - 1) / DAY_MS);
    const reader = new LineReader();
    for (const seg of this.segments()) {
      if (seg.dayNumber < firstDay || seg.dayNumber > lastDay) {
        continue;
      }
      this.scanSegment(seg.file, from, to, visit, reader);
    }
    for (const p of this.buffer) {
      if (p.t >= from && p.t < to) {
        visit(JSON.parse(p.line) as HistoryRecord);
      }
    }
  }

  /**
   * Deletes whole segments whose day ended more than `historyDays` before `now`, and drops buffered
   * records of those days. A segment that cannot be deleted is logged and kept.
   */
  retain(historyDays: number, now: number): RetainResult {
    const result: RetainResult = { deleted: [], bytes: 0 };
    if (!(historyDays > 0) || !Number.isFinite(historyDays) || !Number.isFinite(now)) {
      // Never delete on a nonsense argument: history is what the zone learns from.
      this.warn(`history: retain(${historyDays} days, now ${now}) ignored; expected a positive number of days and a time`);
      return result;
    }
    const cutoff = now - historyDays * DAY_MS;
    for (const seg of this.segments()) {
      if ((seg.dayNumber + 1) * DAY_MS > cutoff) {
        continue;
      }
      try {
        const size = fs.statSync(seg.file).size;
        fs.unlinkSync(seg.file);
        result.deleted.push(seg.name);
        result.bytes += size;
        this.forgetReported(seg.file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.warn(`history: could not delete ${seg.file} (${(err as Error).message})`);
        }
      }
    }
    const before = this.buffer.length;
    this.buffer = this.buffer.filter((p) => (Math.floor(p.t / DAY_MS) + 1) * DAY_MS > cutoff);
    if (this.buffer.length < before) {
      this.safeLog('info', `history: ${before - this.buffer.length} buffered record(s) older than ${historyDays} days dropped`);
    }
    return result;
  }

  /** Bytes of the segments on disk (buffered records not counted; other files ignored). */
  sizeBytes(): number {
    let total = 0;
    for (const seg of this.segments()) {
      try {
        total += fs.statSync(seg.file).size;
      } catch {
        // Deleted between listing and stat: it no longer takes room.
      }
    }
    return total;
  }

  /** Segment files, oldest first; anything else in the directory is ignored. */
  private segments(): { name: string; file: string; dayNumber: number }[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.warn(`history: could not list ${this.dir} (${(err as Error).message})`);
      }
      return [];
    }
    const out: { name: string; file: string; dayNumber: number }[] = [];
    for (const entry of entries) {
      const m = SEGMENT.exec(entry.name);
      if (!m || !entry.isFile()) {
        continue;
      }
      const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      // A name like 2024-02-31 is not a day this log would have written.
      if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== entry.name.slice(0, 10)) {
        continue;
      }
      out.push({ name: entry.name, file: path.join(this.dir, entry.name), dayNumber: ms / DAY_MS });
    }
    return out.sort((a, b) => a.dayNumber - b.dayNumber);
  }

  private scanSegment(file: string, from: number, to: number, visit: (record: HistoryRecord) => void, reader: LineReader): void {
    let lines = 0;
    const error = reader.each(file, (line, lineNumber, last) => {
      lines = lineNumber;
      if (line.trim() === '') {
        return;
      }
      let raw: unknown;
      let problem: string | undefined;
      try {
        raw = JSON.parse(line);
        problem = checkRecord(raw);
      } catch {
        problem = last ? 'incomplete last line (a write cut short, e.g. by a crash)' : 'not valid JSON';
      }
      if (problem !== undefined) {
        this.reportCorrupt(file, lineNumber, problem);
        return;
      }
      const record = raw as HistoryRecord;
      if (record.t >= from && record.t < to) {
        visit(record);
      }
    });
    if (error !== undefined && error.code !== 'ENOENT') {
      this.warn(`history: could not read ${file} (${error.message}); ${lines > 0 ? `skipped after line ${lines}` : 'skipped'}`);
    }
  }

  /**
   * Appends one day's lines. A file whose last line was torn (a crash mid-write) first gets a
   * newline, so the fragment stays one bad line instead of spoiling the first new record. Returns
   * how many records are wholly on disk, so a partial write is neither lost nor duplicated.
   */
  private writeSegment(file: string, group: Pending[]): { count: number; error?: string } {
    let fd: number | undefined;
    let bytesDone = 0;
    const data = Buffer.from(`${group.map((p) => p.line).join('\n')}\n`, 'utf8');
    try {
      fd = fs.openSync(file, 'a+');
      const size = fs.fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) {
          writeAll(fd, Buffer.from('\n'));
        }
      }
      while (bytesDone < data.length) {
        bytesDone += fs.writeSync(fd, data, bytesDone, data.length - bytesDone);
      }
      if (this.fsync) {
        fs.fsyncSync(fd);
      }
      return { count: group.length };
    } catch (err) {
      return { count: wholeLines(group, bytesDone), error: (err as Error).message };
    } finally {
      if (fd !== undefined) {
        try {
          fs.closeSync(fd);
        } catch {
          // Nothing left to do with a descriptor that will not close; the data was already handed over.
        }
      }
    }
  }

  private capBuffer(): void {
    const excess = this.buffer.length - this.maxBuffered;
    if (excess <= 0) {
      return;
    }
    const first = this.dropped === 0;
    this.buffer.splice(0, excess);
    this.dropped += excess;
    if (first) {
      this.warn(`history: more than ${this.maxBuffered} records waiting to be written; dropping the oldest until writing works again`);
    }
  }

  private reportCorrupt(file: string, line: number, problem: string): void {
    const key = `${file}:${line}`;
    if (this.reported.has(key)) {
      return;
    }
    this.reported.add(key);
    this.warn(`history: ${file} line ${line}: ${problem}; skipped`);
  }

  private forgetReported(file: string): void {
    for (const key of this.reported) {
      if (key.startsWith(`${file}:`)) {
        this.reported.delete(key);
      }
    }
  }

  private segmentPath(day: string): string {
    return path.join(this.dir, `${day}.jsonl`);
  }

  /** `YYYY-MM-DD` of `t` in UTC; the last one is cached, as appends mostly fall on the same day. */
  private dayName(t: number): string {
    const n = Math.floor(t / DAY_MS);
    if (n !== this.lastDayNumber) {
      this.lastDayNumber = n;
      this.lastDayName = new Date(n * DAY_MS).toISOString().slice(0, 10);
    }
    return this.lastDayName;
  }

  private warn(message: string): void {
    this.safeLog('warn', message);
  }

  // A logger that throws must not turn a history problem into a crash of the caller's timer.
  private safeLog(level: 'info' | 'warn', message: string): void {
    try {
      this.log[level](message);
    } catch {
      // Nowhere left to report it.
    }
  }
}

/** Why `raw` is not a history record, or undefined when it is one. */
export function checkRecord(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return 'expected an object';
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.t !== 'number' || !Number.isFinite(r.t) || r.t < 0 || r.t >= MAX_T) {
    return `t must be a time in milliseconds from 1970 to 9999, got ${describe(r.t)}`;
  }
  switch (r.kind) {
    case 'occupancy':
      return typeof r.v === 'boolean' ? undefined : `occupancy v must be true or false, got ${describe(r.v)}`;
    case 'event':
      if (typeof r.e !== 'string' || !Object.prototype.hasOwnProperty.call(EVENT_KINDS, r.e)) {
        return `event e must be one of ${Object.keys(EVENT_KINDS).join(', ')}, got ${describe(r.e)}`;
      }
      if (r.s !== undefined && (typeof r.s !== 'string' || r.s.length === 0 || r.s.length > MAX_SENSOR_ID)) {
        return `event s must be a sensor name of 1 to ${MAX_SENSOR_ID} characters, got ${describe(r.s)}`;
      }
      return typeof r.v === 'boolean' ? undefined : `event v must be true or false, got ${describe(r.v)}`;
    case 'temperature':
    case 'humidity':
    case 'outdoor':
    case 'setpoint':
      if (typeof r.v !== 'number' || !Number.isFinite(r.v)) {
        return `${r.kind} v must be a number, got ${describe(r.v)}`;
      }
      if (r.kind === 'setpoint' && !MODES.includes(r.mode as Mode)) {
        return `setpoint mode must be one of ${MODES.join(', ')}, got ${describe(r.mode)}`;
      }
      return undefined;
    case 'equipment':
      return typeof r.heat === 'boolean' && typeof r.cool === 'boolean'
        ? undefined
        : `equipment heat and cool must be true or false, got ${describe(r.heat)} and ${describe(r.cool)}`;
    default:
      return `unknown kind ${describe(r.kind)}`;
  }
}

function describe(v: unknown): string {
  if (v === undefined) {
    return 'nothing';
  }
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function positiveInt(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 1 ? Math.floor(v) : fallback;
}

/** Bytes a segment is read by at a time; a day's segment is typically 50–150 kB. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a file's lines through one reused buffer (grown only for a line longer than it). Lines are
 * split at "\n" and a trailing "\r" is dropped, as `text.split('\n')` over the decoded file would
 * give them: "\n" never occurs inside a UTF-8 sequence, so decoding the whole lines of each chunk
 * decodes the same as decoding the file.
 */
class LineReader {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);

  /**
   * Calls `line` with each line's text, its 1-based number, and whether it is a last line without
   * a newline (a write cut short). Returns the error that stopped the read, if one did.
   */
  each(file: string, line: (text: string, lineNumber: number, last: boolean) => void): NodeJS.ErrnoException | undefined {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      return err as NodeJS.ErrnoException;
    }
    try {
      let lineNumber = 0;
      let used = 0;
      for (;;) {
        let n: number;
        try {
          n = fs.readSync(fd, this.buf, used, this.buf.length - used, null);
        } catch (err) {
          return err as NodeJS.ErrnoException;
        }
        used += n;
        // The whole lines in the buffer, decoded at once (one string a chunk, not one a line, is faster).
        const end = used > 0 ? this.buf.lastIndexOf(0x0a, used - 1) : -1;
        const start = end + 1;
        if (end >= 0) {
          for (const text of this.buf.toString('utf8', 0, end).split('\n')) {
            line(text.endsWith('\r') ? text.slice(0, -1) : text, ++lineNumber, false);
          }
        }
        if (n === 0) {
          if (start < used) {
            const text = this.buf.toString('utf8', start, used);
            line(text.endsWith('\r') ? text.slice(0, -1) : text, ++lineNumber, true);
          }
          return undefined;
        }
        if (start > 0) {
          this.buf.copy(this.buf, 0, start, used);
          used -= start;
        } else if (used === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger, 0, 0, used);
          this.buf = bigger;
        }
      }
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // Nothing left to do with a descriptor that will not close.
      }
    }
  }
}

function isSorted(records: HistoryRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if (records[i].t < records[i - 1].t) {
      return false;
    }
  }
  return true;
}

function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done);
  }
}

/** How many of `group`'s lines (each with its newline) fit wholly in the first `bytes` written. */
function wholeLines(group: Pending[], bytes: number): number {
  let used = 0;
  for (let i = 0; i < group.length; i++) {
    used += Buffer.byteLength(group[i].line, 'utf8') + 1;
    if (used > bytes) {
      return i;
    }
  }
  return group.length;
}
