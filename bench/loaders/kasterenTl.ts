import * as fs from 'fs';
import { House, LoadError, intervalEvents, intervalLabels, kindFromName, makeHouse, EventKind } from './types';
import { readLines } from './text';

/**
 * Kasteren "tlDatasets" text export: <stem>.activities and <stem>.sensors with tab-separated
 * `start_epoch_s  duration_s  id`, epochs encoding local wall-clock time as if UTC; optional
 * <stem>.activity_names / <stem>.sensor_names map ids to names.
 */
export const KASTEREN_TL = 'kasteren-tl';

interface Row {
  start: number;
  end: number;
  id: number;
}

function readRows(file: string): Row[] {
  const rows: Row[] = [];
  readLines(file).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.trim().split(/\s+/);
    if (f.length !== 3 || !f.every((x) => /^-?\d+$/.test(x))) {
      throw new LoadError(file, i + 1, `expected "start_epoch<TAB>duration<TAB>id", got ${JSON.stringify(line.slice(0, 80))}`);
    }
    const [s, d, id] = f.map(Number);
    if (d < 0) throw new LoadError(file, i + 1, `negative duration ${d}`);
    rows.push({ start: s * 1000, end: (s + d) * 1000, id });
  });
  return rows;
}

function readNames(file: string): Map<number, string> {
  const names = new Map<number, string>();
  if (!fs.existsSync(file)) return names;
  readLines(file).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*(\d+)\s+(.*?)\s*$/.exec(line);
    if (!m) throw new LoadError(file, i + 1, `expected "id<TAB>name"`);
    names.set(+m[1], m[2]);
  });
  return names;
}

export function loadKasterenTl(base: string, name: string): House {
  const actFile = `${base}.activities`;
  const senFile = `${base}.sensors`;
  const acts = readRows(actFile);
  const sens = readRows(senFile);
  if (acts.length === 0) throw new LoadError(actFile, undefined, 'no activity rows');
  const actNames = readNames(`${base}.activity_names`);
  const senNames = readNames(`${base}.sensor_names`);

  // Activity 1 is "leave house" in every house of this export; trust a name if one says otherwise.
  let leaveId = 1;
  for (const [id, n] of actNames) if (/leav/i.test(n)) leaveId = id;

  const windowStart = acts.reduce((m, a) => Math.min(m, a.start), Infinity);
  const windowEnd = acts.reduce((m, a) => Math.max(m, a.end), -Infinity);
  const { start, labels } = intervalLabels(windowStart, windowEnd, acts.filter((a) => a.id === leaveId));
  const events = intervalEvents(
    sens.map((r) => {
      const sname = senNames.get(r.id) ?? `sensor${r.id}`;
      const kind: EventKind = kindFromName(sname);
      return { start: r.start, end: r.end, kind, sensor: sname };
    }),
  );
  const files = [actFile, senFile, `${base}.activity_names`, `${base}.sensor_names`].filter((f) => fs.existsSync(f));
  return makeHouse({ name, format: KASTEREN_TL, files, start, labels, events, warnings: [] });
}
