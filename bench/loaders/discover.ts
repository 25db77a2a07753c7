import * as fs from 'fs';
import * as path from 'path';
import { House, LoadError, MINUTE_MS } from './types';
import { loadKasterenTl } from './kasterenTl';
import { loadKasterenOrig } from './kasterenOrig';
import { loadOrdonez } from './ordonez';
import { loadEshl, sniffEshl } from './eshl';

/** A house found on disk, not yet parsed. */
export interface HouseSource {
  name: string;
  format: string;
  files: string[];
  load(): House;
}

export interface Duplicate {
  dropped: string;
  kept: string;
  matchedDepartures: number;
}

export interface DiscoverResult {
  houses: House[];
  errors: { source: string; message: string }[];
  duplicates: Duplicate[];
}

function walk(dir: string, out: string[]): void {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p, out);
    else if (ent.isFile()) out.push(p);
  }
}

/** Finds houses by file-name pattern (and header sniffing for CSV) anywhere under `dir`. */
export function findHouseSources(dir: string): { sources: HouseSource[]; errors: { source: string; message: string }[] } {
  const files: string[] = [];
  walk(dir, files);
  const have = new Set(files);
  const sources: HouseSource[] = [];
  const errors: { source: string; message: string }[] = [];
  const pair = (a: string, b: string, make: () => HouseSource): void => {
    if (have.has(b)) sources.push(make());
    else errors.push({ source: a, message: `${a}: partner file ${path.basename(b)} not found` });
  };
  for (const f of files) {
    const base = path.basename(f);
    let m: RegExpExecArray | null;
    if ((m = /^(.+)\.activities$/.exec(base))) {
      const stem = f.slice(0, -'.activities'.length);
      pair(f, `${stem}.sensors`, () => ({
        name: `tl-${m![1]}`, format: 'kasteren-tl', files: [f, `${stem}.sensors`],
        load: () => loadKasterenTl(stem, `tl-${m![1]}`),
      }));
    } else if ((m = /^(.*)ActData\.txt$/.exec(base))) {
      const prefix = f.slice(0, -'ActData.txt'.length);
      const label = m[1] || 'kasteren';
      pair(f, `${prefix}SenseData.txt`, () => ({
        name: label, format: 'kasteren-orig', files: [f, `${prefix}SenseData.txt`],
        // The year is only known after parsing; it tells the 2008 house apart from later ones.
        load: () => {
          const h = loadKasterenOrig(prefix, label);
          h.name = `${label}-${new Date(h.start).getUTCFullYear()}`;
          return h;
        },
      }));
    } else if ((m = /^(.+)_ADLs\.txt$/.exec(base))) {
      const prefix = f.slice(0, -'_ADLs.txt'.length);
      pair(f, `${prefix}_Sensors.txt`, () => ({
        name: m![1], format: 'ordonez-adl', files: [f, `${prefix}_Sensors.txt`],
        load: () => loadOrdonez(prefix, m![1]),
      }));
    } else if (/\.csv(\.gz)?$/i.test(base) && sniffEshl(f)) {
      const stem = base.replace(/\.csv(\.gz)?$/i, '');
      const dirName = path.basename(path.dirname(f));
      const name = stem === 'data' ? dirName : `${dirName}-${stem}`;
      sources.push({ name, format: 'kit-eshl', files: [f], load: () => loadEshl(f, name) });
    }
  }
  return { sources, errors };
}

function departures(h: House): number[] {
  const out: number[] = [];
  for (let i = 1; i < h.labels.length; i++) if (h.labels[i - 1] === 1 && h.labels[i] === 0) out.push(h.start + i * MINUTE_MS);
  return out;
}

/**
 * Same home exported twice (e.g. Kasteren A as tlDatasets text and as the 2008 files): at least 80 %
 * of the departures of the house with fewer departures recur within 2 minutes in the other.
 */
function duplicateScore(a: House, b: House): number {
  const da = departures(a);
  const db = departures(b);
  if (da.length < 3 || db.length < 3 || a.end <= b.start || b.end <= a.start) return 0;
  const [small, big] = da.length <= db.length ? [da, db] : [db, da];
  let j = 0;
  let hit = 0;
  for (const t of small) {
    while (j < big.length && big[j] < t - 2 * MINUTE_MS) j++;
    if (j < big.length && Math.abs(big[j] - t) <= 2 * MINUTE_MS) hit++;
  }
  return hit / small.length;
}

function knownMinutes(h: House): number {
  let n = 0;
  for (let i = 0; i < h.labels.length; i++) if (h.labels[i] >= 0) n++;
  return n;
}

export interface DiscoverOptions {
  /** Keep only houses whose name contains one of these substrings (applied before de-duplication). */
  filter?: string[];
  keepDuplicates?: boolean;
}

/**
 * Loads every house under `dir`. A file that fails to parse becomes an entry in `errors` (naming file
 * and line) and the other houses still load. Duplicate exports of one home keep the one with more
 * labelled minutes unless `keepDuplicates`.
 */
export function discoverHouses(dir: string, opts: DiscoverOptions = {}): DiscoverResult {
  const { sources, errors } = findHouseSources(dir);
  let houses: House[] = [];
  for (const s of sources) {
    try {
      houses.push(s.load());
    } catch (e) {
      const message = e instanceof LoadError ? e.message : `${s.files[0]}: ${(e as Error).message}`;
      errors.push({ source: s.files[0], message });
    }
  }
  // Same name from two folders: qualify with the folder so names stay unique.
  const counts = new Map<string, number>();
  for (const h of houses) counts.set(h.name, (counts.get(h.name) ?? 0) + 1);
  for (const h of houses) if ((counts.get(h.name) ?? 0) > 1) h.name = `${h.name}@${path.relative(dir, path.dirname(h.files[0])) || '.'}`;

  if (opts.filter && opts.filter.length > 0) {
    const f = opts.filter;
    houses = houses.filter((h) => f.some((s) => h.name.includes(s)));
  }
  houses.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const duplicates: Duplicate[] = [];
  if (!opts.keepDuplicates) {
    const dropped = new Set<House>();
    for (let i = 0; i < houses.length; i++) {
      for (let j = i + 1; j < houses.length; j++) {
        const a = houses[i];
        const b = houses[j];
        if (dropped.has(a) || dropped.has(b)) continue;
        const score = duplicateScore(a, b);
        if (score < 0.8) continue;
        const [keep, drop] = knownMinutes(a) >= knownMinutes(b) ? [a, b] : [b, a];
        dropped.add(drop);
        duplicates.push({ dropped: drop.name, kept: keep.name, matchedDepartures: score });
      }
    }
    houses = houses.filter((h) => !dropped.has(h));
  }
  return { houses, errors, duplicates };
}
