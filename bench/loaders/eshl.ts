import * as fs from 'fs';
import * as zlib from 'zlib';
import { House, LoadError, MINUTE_MS, SensorEvent, UNKNOWN, makeHouse } from './types';
import { parseIsoLocal, readLines } from './text';
import { AirRise, AirRiseOptions } from '../../src/learning/air-rise';

/**
 * KIT ESHL occupancy CSV (`,persons,vocMean,nw,ble,cal,weekday`, 10 s rows, ISO time with offset).
 * Home = persons > 0. Minute i takes the last row in (t_i - 60 s, t_i]; no row there = unknown (gaps).
 * Only sensor events: each change of the BLE key-fob count becomes a 'presence' event on sensor "ble",
 * value = (count > 0), as a phone or key-fob presence sensor would report it. The VOC level is an
 * air-quality sensor: each reading goes through the plugin's own rise detector (src/learning/air-rise.ts,
 * default settings), and a reading it counts as activity becomes a 'motion' event on sensor "voc",
 * as a zone with that sensor as an air-quality input would see it.
 */
export const ESHL = 'kit-eshl';

/** True if the file's first line looks like an ESHL header (first column unnamed, a "persons" column). */
export function sniffEshl(file: string): boolean {
  try {
    let head: Buffer;
    if (file.endsWith('.gz')) {
      const fd = fs.openSync(file, 'r');
      const raw = Buffer.alloc(4096);
      const n = fs.readSync(fd, raw, 0, raw.length, 0);
      fs.closeSync(fd);
      // A truncated gzip stream still yields its first bytes with finishFlush = SYNC_FLUSH.
      head = zlib.gunzipSync(raw.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } else {
      const fd = fs.openSync(file, 'r');
      head = Buffer.alloc(512);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      head = head.subarray(0, n);
    }
    const first = head.toString('latin1').split(/\r?\n/)[0];
    return /^[^,]*,(.*,)?persons(,|$)/.test(first);
  } catch {
    return false;
  }
}

/** `air`: the rise detector's settings (its defaults unless given; for sensitivity checks). */
export function loadEshl(file: string, name: string, air: Partial<AirRiseOptions> = {}): House {
  const lines = readLines(file);
  const header = lines[0].split(',').map((s) => s.trim());
  const iP = header.indexOf('persons');
  const iB = header.indexOf('ble');
  const iV = header.indexOf('vocMean');
  if (iP < 0) throw new LoadError(file, 1, 'no "persons" column in header');

  const times: number[] = [];
  const persons: number[] = [];
  const ble: number[] = [];
  const voc: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const f = line.split(',');
    const t = parseIsoLocal(f[0]);
    const p = Number(f[iP]);
    if (t === undefined || f.length !== header.length || f[iP] === '' || !Number.isFinite(p)) {
      throw new LoadError(file, i + 1, `unparseable row ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (times.length > 0 && t <= times[times.length - 1]) throw new LoadError(file, i + 1, 'timestamps not increasing');
    times.push(t);
    persons.push(p);
    ble.push(iB >= 0 ? Number(f[iB]) : NaN);
    voc.push(iV >= 0 && f[iV] !== '' ? Number(f[iV]) : NaN);
  }
  if (times.length === 0) throw new LoadError(file, undefined, 'no data rows');

  const start = Math.ceil(times[0] / MINUTE_MS) * MINUTE_MS;
  const last = times[times.length - 1];
  const n = last >= start ? Math.floor((last - start) / MINUTE_MS) + 1 : 0;
  const labels = new Int8Array(n).fill(UNKNOWN);
  for (let k = 0; k < times.length; k++) {
    const i = Math.ceil((times[k] - start) / MINUTE_MS);
    if (i >= 0 && i < n && start + i * MINUTE_MS - times[k] < MINUTE_MS) labels[i] = persons[k] > 0 ? 1 : 0;
  }

  const events: SensorEvent[] = [];
  const rise = new AirRise(air);
  for (let k = 1; k < times.length; k++) {
    if (Number.isFinite(ble[k]) && Number.isFinite(ble[k - 1]) && ble[k] !== ble[k - 1]) {
      events.push(Object.freeze({ t: times[k], kind: 'presence', value: ble[k] > 0, sensor: 'ble' }));
    }
    if (rise.add(times[k], voc[k])) {
      events.push(Object.freeze({ t: times[k], kind: 'motion', value: true, sensor: 'voc' }));
    }
  }
  return makeHouse({ name, format: ESHL, files: [file], start, labels, events, warnings: [] });
}
