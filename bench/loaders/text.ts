import * as fs from 'fs';
import * as zlib from 'zlib';

/** Reads a text file (gunzipping *.gz) and splits it into lines, tolerating CRLF and a missing final newline. */
export function readLines(file: string): string[] {
  let buf = fs.readFileSync(file);
  if (file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  // latin1 keeps odd bytes in headers (e.g. "Kröse") from breaking anything; the data is ASCII.
  return buf.toString('latin1').split(/\r?\n/);
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** Wall-clock fields to wall-clock-as-UTC ms, rejecting impossible dates (e.g. 31 April). */
export function wallClock(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const t = Date.UTC(y, mo, d, h, mi, s);
  if (new Date(t).getUTCDate() !== d) return undefined;
  return t;
}

/** "25-Feb-2008 00:22:46" */
export function parseDmyTime(s: string): number | undefined {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const mo = MONTHS[m[2].toLowerCase()];
  if (mo === undefined) return undefined;
  return wallClock(+m[3], mo, +m[1], +m[4], +m[5], +m[6]);
}

/** "2011-11-28 02:27:59", optionally followed by a UTC offset that is ignored (we keep wall-clock time). */
export function parseIsoLocal(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return undefined;
  return wallClock(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}
