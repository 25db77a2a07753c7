import { House, LoadError, intervalEvents, intervalLabels, kindFromName, makeHouse } from './types';
import { parseDmyTime, readLines } from './text';

/**
 * Original Kasteren 2008 text pair: <prefix>ActData.txt (`start  end  ID`) and <prefix>SenseData.txt
 * (`start  end  ID  val`), times "dd-Mon-yyyy HH:MM:SS" local, CRLF, free-text header (with the id
 * lists) before the data and a "Length: N" trailer after it.
 */
export const KASTEREN_ORIG = 'kasteren-orig';

interface Row {
  start: number;
  end: number;
  id: number;
}

const DATA = /^(\d{1,2}-[A-Za-z]{3}-\d{4}\s+\d{1,2}:\d{2}:\d{2})\s+(\d{1,2}-[A-Za-z]{3}-\d{4}\s+\d{1,2}:\d{2}:\d{2})\s+(\d+)(?:\s+(-?\d+))?\s*$/;

function readFile(file: string): { rows: Row[]; names: Map<number, string> } {
  const rows: Row[] = [];
  const names = new Map<number, string>();
  let inData = false;
  readLines(file).forEach((line, i) => {
    const m = DATA.exec(line.trim());
    if (!m) {
      if (!inData) {
        // Header: "[12]    'Frontdoor'" (sensors) or "1: 'leave house'" (activities).
        const n = /^\s*\[\s*(\d+)\s*\]\s*'([^']*)'/.exec(line) ?? /^\s*(\d+)\s*:\s*'([^']*)'/.exec(line);
        if (n) names.set(+n[1], n[2].trim());
        return;
      }
      if (line.trim() === '' || /^\s*Length\s*:/i.test(line)) return;
      throw new LoadError(file, i + 1, `unparseable data line ${JSON.stringify(line.slice(0, 80))}`);
    }
    inData = true;
    const s = parseDmyTime(m[1]);
    const e = parseDmyTime(m[2]);
    if (s === undefined || e === undefined) throw new LoadError(file, i + 1, `invalid date in ${JSON.stringify(line.trim())}`);
    if (e < s) throw new LoadError(file, i + 1, 'end time before start time');
    rows.push({ start: s, end: e, id: +m[3] });
  });
  if (rows.length === 0) throw new LoadError(file, undefined, 'no data rows found');
  return { rows, names };
}

export function loadKasterenOrig(prefixPath: string, name: string): House {
  const actFile = `${prefixPath}ActData.txt`;
  const senFile = `${prefixPath}SenseData.txt`;
  const act = readFile(actFile);
  const sen = readFile(senFile);
  let leaveId = 1;
  for (const [id, n] of act.names) if (/leav/i.test(n)) leaveId = id;
  const windowStart = act.rows.reduce((m, a) => Math.min(m, a.start), Infinity);
  const windowEnd = act.rows.reduce((m, a) => Math.max(m, a.end), -Infinity);
  const { start, labels } = intervalLabels(windowStart, windowEnd, act.rows.filter((a) => a.id === leaveId));
  const events = intervalEvents(
    sen.rows.map((r) => {
      const sname = sen.names.get(r.id) ?? `sensor${r.id}`;
      return { start: r.start, end: r.end, kind: kindFromName(sname), sensor: sname };
    }),
  );
  return makeHouse({ name, format: KASTEREN_ORIG, files: [actFile, senFile], start, labels, events, warnings: [] });
}
