import { EventKind, House, Interval, LoadError, intervalEvents, intervalLabels, makeHouse } from './types';
import { parseIsoLocal, readLines } from './text';

/**
 * UCI ADL (Ordonez) pair: <prefix>_ADLs.txt (`Start End Activity`) and <prefix>_Sensors.txt
 * (`Start End Location Type Place`), whitespace-separated (tabs and spaces mixed), 2 header lines,
 * times "yyyy-mm-dd HH:MM:SS" local. "Leaving" = away; rows with an empty label are unknown.
 */
export const ORDONEZ = 'ordonez-adl';

const DT = '(\\d{4}-\\d{2}-\\d{2}\\s+\\d{1,2}:\\d{2}:\\d{2})';
const ROW = new RegExp(`^${DT}\\s+${DT}(?:\\s+(.*?))?\\s*$`);

interface Row {
  start: number;
  end: number;
  rest: string[];
  line: number;
}

function readFile(file: string, warnings: string[]): Row[] {
  const rows: Row[] = [];
  readLines(file).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || /^Start\s+time/i.test(t) || /^[-\s]+$/.test(t)) return;
    const m = ROW.exec(t);
    if (!m) throw new LoadError(file, i + 1, `unparseable line ${JSON.stringify(t.slice(0, 80))}`);
    const s = parseIsoLocal(m[1].replace(/\s+/, ' '));
    const e = parseIsoLocal(m[2].replace(/\s+/, ' '));
    if (s === undefined || e === undefined) throw new LoadError(file, i + 1, `invalid date in ${JSON.stringify(t)}`);
    if (e < s) {
      // Seen in hand-labelled logs; a reversed row carries no usable duration, so skip it.
      warnings.push(`${file}:${i + 1}: end before start, row skipped`);
      return;
    }
    rows.push({ start: s, end: e, rest: (m[3] ?? '').split(/\s+/).filter((x) => x !== ''), line: i + 1 });
  });
  if (rows.length === 0) throw new LoadError(file, undefined, 'no data rows found');
  return rows;
}

function sensorKind(location: string, type: string): EventKind {
  if (/^pir$/i.test(type)) return 'motion';
  if (/magnetic/i.test(type) && /main\s*-?\s*door|front\s*-?\s*door|entrance/i.test(location)) return 'door';
  return 'other';
}

export function loadOrdonez(prefixPath: string, name: string): House {
  const adlFile = `${prefixPath}_ADLs.txt`;
  const senFile = `${prefixPath}_Sensors.txt`;
  const warnings: string[] = [];
  const adls = readFile(adlFile, warnings);
  const sens = readFile(senFile, warnings);
  const away: Interval[] = [];
  const unknown: Interval[] = [];
  for (const r of adls) {
    const label = r.rest.join(' ');
    if (/^leaving$/i.test(label)) away.push(r);
    else if (label === '') unknown.push(r);
  }
  const windowStart = adls.reduce((m, a) => Math.min(m, a.start), Infinity);
  const windowEnd = adls.reduce((m, a) => Math.max(m, a.end), -Infinity);
  const { start, labels } = intervalLabels(windowStart, windowEnd, away, unknown);
  const events = intervalEvents(
    sens.map((r) => {
      if (r.rest.length < 2) throw new LoadError(senFile, r.line, 'expected Location and Type columns');
      // Locations may contain spaces; the Type column is the first known sensor type after them.
      const ti = r.rest.findIndex((x, k) => k > 0 && /^(pir|magnetic|pressure|flush|electric)$/i.test(x));
      const location = ti > 0 ? r.rest.slice(0, ti).join(' ') : r.rest[0];
      const type = ti > 0 ? r.rest[ti] : r.rest[1];
      return { start: r.start, end: r.end, kind: sensorKind(location, type), sensor: location };
    }),
  );
  return makeHouse({ name, format: ORDONEZ, files: [adlFile, senFile], start, labels, events, warnings });
}
