/**
 * End-to-end harness: runs the real `homebridge` binary as a child process with this plugin loaded
 * from the repository (`-P <repo> --strict-plugin-resolution`), and talks to it as a HomeKit
 * controller would, with hap-controller over 127.0.0.1.
 *
 * Everything stays on loopback: the bridge binds to `lo` only and advertises with ciao on `lo`.
 * Each bridge gets a random free port, a random MAC and its own temporary storage directory.
 *
 * Overrides (CI reruns the suite on another Homebridge/Node that way):
 *   HOMEBRIDGE_BIN   the homebridge bin script, or a homebridge package directory
 *                    (default: the bin of the repository's node_modules/homebridge)
 *   HOMEBRIDGE_NODE  node binary to run it with (default: the node running the tests)
 */
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { HttpClient } from 'hap-controller';
import type { PairingData } from 'hap-controller';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PIN = '031-45-154';
export const HOST = '127.0.0.1';

/** The bin script; HOMEBRIDGE_BIN may also name a homebridge package directory (its package.json "bin" is used). */
function homebridgeBin(): string {
  const given = process.env.HOMEBRIDGE_BIN ? path.resolve(process.env.HOMEBRIDGE_BIN) : undefined;
  const dir = given ?? path.join(REPO_ROOT, 'node_modules', 'homebridge');
  if (given && !(fs.existsSync(given) && fs.statSync(given).isDirectory())) {
    return given; // a file (node also finds "bin/homebridge" when the file is "bin/homebridge.js")
  }
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.homebridge;
    if (bin) {
      return path.join(dir, bin);
    }
  } catch {
    // fall through
  }
  return path.join(dir, 'bin', 'homebridge');
}

export const HOMEBRIDGE_BIN = homebridgeBin();
export const HOMEBRIDGE_NODE = process.env.HOMEBRIDGE_NODE ? path.resolve(process.env.HOMEBRIDGE_NODE) : process.execPath;

/* ------------------------------------------------------------------------------------------------
 * HAP types
 * ---------------------------------------------------------------------------------------------- */

const APPLE_BASE = '-0000-1000-8000-0026BB765291';

/** HAP type in long upper-case form, whether the bridge sent the short ("4A") or the long form. */
export function normaliseUuid(type: string): string {
  const t = type.trim().toUpperCase();
  if (/^[0-9A-F]{1,8}$/.test(t)) {
    return `${t.padStart(8, '0')}${APPLE_BASE}`;
  }
  return t;
}

const long = (short: string) => normaliseUuid(short);

export const ServiceType = {
  AccessoryInformation: long('3E'),
  Thermostat: long('4A'),
  OccupancySensor: long('86'),
  Switch: long('49'),
  ContactSensor: long('80'),
} as const;

export const CharType = {
  Name: long('23'),
  CurrentTemperature: long('11'),
  TargetTemperature: long('35'),
  CurrentHeatingCoolingState: long('0F'),
  TargetHeatingCoolingState: long('33'),
  TemperatureDisplayUnits: long('36'),
  HeatingThresholdTemperature: long('12'),
  CoolingThresholdTemperature: long('0D'),
  CurrentRelativeHumidity: long('10'),
  OccupancyDetected: long('71'),
  ConfiguredName: long('E3'),
  On: long('25'),
  ContactSensorState: long('6A'),
  StatusFault: long('77'),
} as const;

export type CharName = keyof typeof CharType;

/** HAP status: the value is out of range / not allowed. */
export const HAP_INVALID_VALUE = -70410;

/* ------------------------------------------------------------------------------------------------
 * Small utilities
 * ---------------------------------------------------------------------------------------------- */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** A random, locally administered MAC-style bridge username, e.g. "0E:1A:2B:3C:4D:5E". */
export function randomMac(): string {
  const bytes = [...crypto.randomBytes(5)].map((b) => b.toString(16).padStart(2, '0').toUpperCase());
  return ['0E', ...bytes].join(':');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/* ------------------------------------------------------------------------------------------------
 * The Homebridge child process
 * ---------------------------------------------------------------------------------------------- */

/** Every child still running, killed hard if the test process goes away without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

interface LogWaiter {
  re: RegExp;
  from: number;
  resolve: (m: RegExpMatchArray) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface HomebridgeOptions {
  /** platforms[] of config.json. */
  platforms?: unknown[];
  /** Bridge name (also shown in the log). */
  name?: string;
  /** Extra environment for the Homebridge process (NODE_OPTIONS for a preload, say). */
  env?: Record<string, string>;
}

/**
 * One Homebridge instance on its own storage directory. `start()` and `stop()` may be called
 * several times (a restart keeps the storage, so the pairing and the plugin's saved state).
 */
export class Homebridge {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private text = '';
  private waiters: LogWaiter[] = [];
  private runs = 0;

  private constructor(
    readonly storageDir: string,
    readonly port: number,
    readonly mac: string,
    private readonly env: Record<string, string> = {},
  ) {}

  static async create(options: HomebridgeOptions = {}): Promise<Homebridge> {
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'occupancy-thermostat-e2e-'));
    const hb = new Homebridge(storageDir, await freePort(), randomMac(), options.env);
    const config = {
      bridge: {
        name: options.name ?? `E2E ${hb.mac.slice(-5).replace(':', '')}`,
        username: hb.mac,
        port: hb.port,
        pin: PIN,
        advertiser: 'ciao',
        bind: ['lo'],
      },
      accessories: [],
      platforms: options.platforms ?? [],
    };
    fs.writeFileSync(path.join(storageDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    return hb;
  }

  /** Everything Homebridge wrote to stdout and stderr so far (all runs), without colour codes. */
  get log(): string {
    return this.text;
  }

  /** A position in the log, for `logSince`/`waitForLog` to look only at what comes after. */
  mark(): number {
    return this.text.length;
  }

  logSince(mark: number): string {
    return this.text.slice(mark);
  }

  /** The last lines of the log, for failure messages. */
  tail(lines = 150): string {
    const all = this.text.split('\n');
    return all.slice(-lines).join('\n');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns Homebridge and resolves once the bridge says it is running (published) on our port. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) {
      throw new Error('homebridge is already running');
    }
    this.runs += 1;
    const from = this.mark();
    this.append(`\n===== [harness] start #${this.runs}: ${HOMEBRIDGE_NODE} ${HOMEBRIDGE_BIN} (port ${this.port}) =====\n`);
    const args = [
      HOMEBRIDGE_BIN,
      '-D', // debug log
      '-Q', // no QR code in the log
      '-U', this.storageDir,
      '-P', REPO_ROOT,
      '--strict-plugin-resolution',
    ];
    const child = spawn(HOMEBRIDGE_NODE, args, {
      cwd: this.storageDir,
      env: { ...process.env, ...this.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => this.append(d));
    child.stderr?.on('data', (d: string) => this.append(d));
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.append(`\n===== [harness] homebridge exited (code ${code}, signal ${signal}) =====\n`);
        for (const w of [...this.waiters]) {
          this.dropWaiter(w);
          w.reject(new Error(`homebridge exited (code ${code}, signal ${signal}) before the log matched ${w.re}`));
        }
        resolve();
      });
    });
    child.once('error', (err) => this.append(`\n===== [harness] spawn error: ${err.message} =====\n`));

    try {
      const m = await this.waitForLog(/is running on port (\d+)/, timeoutMs, from);
      if (Number(m[1]) !== this.port) {
        throw new Error(`homebridge reports port ${m[1]}, expected ${this.port}`);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Resolves with the match once `re` matches the log written after `from` (default: from now on).
   * Rejects after `timeoutMs` or when Homebridge exits.
   */
  waitForLog(re: RegExp, timeoutMs: number, from = this.mark()): Promise<RegExpMatchArray> {
    const now = this.text.slice(from).match(re);
    if (now) {
      return Promise.resolve(now);
    }
    if (!this.running) {
      return Promise.reject(new Error(`homebridge is not running; the log never matched ${re}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: LogWaiter = {
        re,
        from,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.dropWaiter(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for the log to match ${re}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * SIGTERM, wait for Homebridge to acknowledge it ("Got SIGTERM"), then up to ~6 s for it to exit,
   * then SIGKILL. Safe to call when not running.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      await this.exited;
      return;
    }
    const exited = this.exited!;
    const from = this.mark();
    child.kill('SIGTERM');
    const gone = (ms: number) => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await this.waitForLog(/Got SIGTERM/, 3_000, from);
    } catch {
      this.append('\n===== [harness] no "Got SIGTERM" in the log =====\n');
    }
    if (!(await gone(6_500))) {
      this.append('\n===== [harness] homebridge did not exit within 6.5 s of SIGTERM: SIGKILL =====\n');
      child.kill('SIGKILL');
      await gone(5_000);
    }
  }

  /** Stops Homebridge and deletes the storage directory. */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      fs.rmSync(this.storageDir, { recursive: true, force: true });
    }
  }

  private append(chunk: string): void {
    this.text += chunk.replace(ANSI, '');
    for (const w of [...this.waiters]) {
      const m = this.text.slice(w.from).match(w.re);
      if (m) {
        this.dropWaiter(w);
        w.resolve(m);
      }
    }
  }

  private dropWaiter(w: LogWaiter): void {
    clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
  }
}

/**
 * Runs `fn`, and if it throws, appends the Homebridge log to the error so a failing test shows
 * what the bridge said.
 */
export async function withLog<T>(hb: Homebridge | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (hb) {
      e.message += `\n\n----- homebridge log (last lines, storage ${hb.storageDir}) -----\n${hb.tail()}\n----- end of log -----`;
    }
    throw e;
  }
}

/* ------------------------------------------------------------------------------------------------
 * HomeKit controller side (hap-controller)
 * ---------------------------------------------------------------------------------------------- */

/** Pairs with the bridge as a new admin controller; keep the result for later connections. */
export async function pair(hb: Homebridge): Promise<PairingData> {
  const client = new HttpClient(hb.mac, HOST, hb.port);
  try {
    await client.pairSetup(PIN);
    const data = client.getLongTermData();
    if (!data) {
      throw new Error('pairing finished without long-term data');
    }
    return data;
  } finally {
    await client.close();
  }
}

/** A paired client with a persistent connection. Always close() it (see `withClient`). */
export function connect(hb: Homebridge, pairing: PairingData): HttpClient {
  return new HttpClient(hb.mac, HOST, hb.port, pairing, { usePersistentConnections: true });
}

export async function withClient<T>(hb: Homebridge, pairing: PairingData, fn: (c: HttpClient) => Promise<T>): Promise<T> {
  const client = connect(hb, pairing);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** A characteristic as read with meta, perms, type and ev. */
export interface CharRead {
  aid: number;
  iid: number;
  type?: string;
  value?: unknown;
  perms?: string[];
  ev?: boolean;
  format?: string;
  unit?: string;
  minValue?: number;
  maxValue?: number;
  minStep?: number;
  'valid-values'?: number[];
  status?: number;
}

export interface AccessoryCharacteristic {
  aid: number;
  iid: number;
  id: string;
  type: string;
  serviceType: string;
  /** The characteristic as the accessory database (GET /accessories) describes it. */
  db: CharRead;
}

/** One accessory of the bridge's database, by its AccessoryInformation name. */
export interface FoundAccessory {
  aid: number;
  name: string;
  serviceTypes: string[];
  characteristics: AccessoryCharacteristic[];
  /** "aid.iid" of the characteristic of this type in the service of `serviceType` (or undefined). */
  id(serviceType: string, charType: string): string | undefined;
  /** The accessory database's description of the characteristic "aid.iid". */
  db(id: string): CharRead | undefined;
  /** "aid.iid" of a characteristic in the service of this type whose Name (or ConfiguredName) is `name`. */
  named(serviceType: string, name: string, charType: string): string | undefined;
}

function num(v: unknown): number {
  // json-bigint may hand back BigNumber objects; they convert with Number().
  return Number(v as number);
}

/** All bridged accessories, each with its name (from AccessoryInformation.Name). */
export async function listAccessories(client: HttpClient): Promise<FoundAccessory[]> {
  const db = await client.getAccessories();
  return db.accessories.map((acc) => {
    const aid = num(acc.aid);
    const characteristics: AccessoryCharacteristic[] = [];
    let name = '';
    const services: { type: string; names: string[]; chars: AccessoryCharacteristic[] }[] = [];
    for (const s of acc.services) {
      const serviceType = normaliseUuid(String(s.type));
      const service = { type: serviceType, names: [] as string[], chars: [] as AccessoryCharacteristic[] };
      services.push(service);
      for (const c of s.characteristics) {
        const type = normaliseUuid(String(c.type));
        const iid = num(c.iid);
        const char = { aid, iid, id: `${aid}.${iid}`, type, serviceType, db: toCharRead(c as unknown as Record<string, unknown>) };
        characteristics.push(char);
        service.chars.push(char);
        if (type === CharType.Name || type === CharType.ConfiguredName) {
          service.names.push(String(c.value));
        }
        if (serviceType === ServiceType.AccessoryInformation && type === CharType.Name) {
          name = String(c.value);
        }
      }
    }
    const serviceTypes = [...new Set(characteristics.map((c) => c.serviceType))];
    return {
      aid,
      name,
      serviceTypes,
      characteristics,
      id: (serviceType: string, charType: string) =>
        characteristics.find((c) => c.serviceType === serviceType && c.type === charType)?.id,
      db: (id: string) => characteristics.find((c) => c.id === id)?.db,
      named: (serviceType: string, serviceName: string, charType: string) => services
        .find((sv) => sv.type === serviceType && sv.names.includes(serviceName))?.chars.find((c) => c.type === charType)?.id,
    };
  });
}

export async function findAccessory(client: HttpClient, name: string): Promise<FoundAccessory> {
  const all = await listAccessories(client);
  const found = all.filter((a) => a.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one accessory named "${name}", found ${found.length} among: ${all.map((a) => JSON.stringify(a.name)).join(', ')}`);
  }
  return found[0];
}

/** "aid.iid" of each thermostat characteristic present, and of OccupancyDetected. */
export type ZoneIds = Partial<Record<ZoneCharName, string>>;

const ZONE_CHARS = ['CurrentTemperature', 'TargetTemperature', 'CurrentHeatingCoolingState', 'TargetHeatingCoolingState',
  'TemperatureDisplayUnits', 'HeatingThresholdTemperature', 'CoolingThresholdTemperature', 'CurrentRelativeHumidity',
  'OccupancyDetected'] as const satisfies readonly CharName[];
/** The characteristics of a zone's thermostat and occupancy sensor. */
export type ZoneCharName = (typeof ZONE_CHARS)[number];

export function zoneIds(acc: FoundAccessory): ZoneIds {
  const ids: ZoneIds = {};
  for (const name of ZONE_CHARS) {
    const service = name === 'OccupancyDetected' ? ServiceType.OccupancySensor : ServiceType.Thermostat;
    const id = acc.id(service, CharType[name]);
    if (id) {
      ids[name] = id;
    }
  }
  return ids;
}

/** Like zoneIds, but throws if one of `names` is missing. */
export function requireIds<N extends ZoneCharName>(ids: ZoneIds, ...names: N[]): Record<N, string> {
  const out = {} as Record<N, string>;
  for (const n of names) {
    const id = ids[n];
    if (!id) {
      throw new Error(`the accessory has no ${n} characteristic`);
    }
    out[n] = id;
  }
  return out;
}

/**
 * Reads characteristics with metadata, perms, type and ev, keyed by "aid.iid". (HAP's GET
 * /characteristics carries no valid-values: those are in the accessory database, see `db`.)
 */
export async function readFull(client: HttpClient, ids: string[]): Promise<Record<string, CharRead>> {
  const res = await client.getCharacteristics(ids, { meta: true, perms: true, type: true, ev: true });
  const out: Record<string, CharRead> = {};
  for (const c of res.characteristics) {
    const read = toCharRead(c as unknown as Record<string, unknown>);
    out[`${read.aid}.${read.iid}`] = read;
  }
  return out;
}

/** A characteristic object from hap-controller with numbers as numbers and the type in long form. */
function toCharRead(raw: Record<string, unknown>): CharRead {
  const read: CharRead = { ...(raw as unknown as CharRead), aid: num(raw.aid), iid: num(raw.iid) };
  for (const k of ['minValue', 'maxValue', 'minStep', 'status'] as const) {
    if (raw[k] !== undefined && raw[k] !== null) {
      read[k] = num(raw[k]);
    }
  }
  if (typeof raw.value === 'object' && raw.value !== null) {
    read.value = num(raw.value);
  }
  if (Array.isArray(raw['valid-values'])) {
    read['valid-values'] = (raw['valid-values'] as unknown[]).map(num);
  }
  if (typeof read.type === 'string') {
    read.type = normaliseUuid(read.type);
  }
  return read;
}

/** Reads values, keyed by "aid.iid"; throws if a read reports an error status. */
export async function readValues(client: HttpClient, ids: string[]): Promise<Record<string, unknown>> {
  const res = await client.getCharacteristics(ids);
  const out: Record<string, unknown> = {};
  for (const c of res.characteristics) {
    if (c.status !== undefined && num(c.status) !== 0) {
      throw new Error(`reading ${c.aid}.${c.iid} failed with HAP status ${c.status}`);
    }
    const v = c.value;
    out[`${num(c.aid)}.${num(c.iid)}`] = typeof v === 'object' && v !== null ? num(v) : v;
  }
  return out;
}

export async function readValue(client: HttpClient, id: string): Promise<unknown> {
  return (await readValues(client, [id]))[id];
}

/**
 * Writes values ({ "aid.iid": value }) and returns the HAP status of each write (0 = success).
 * Does not throw on a refused value: the caller asserts on the statuses.
 */
export async function writeValues(client: HttpClient, values: Record<string, unknown>): Promise<Record<string, number>> {
  const res = await client.setCharacteristics(values);
  const statuses: Record<string, number> = {};
  for (const id of Object.keys(values)) {
    statuses[id] = 0;
  }
  const list = (res as { characteristics?: { aid: unknown; iid: unknown; status?: unknown }[] }).characteristics ?? [];
  for (const c of list) {
    statuses[`${num(c.aid)}.${num(c.iid)}`] = c.status === undefined ? 0 : num(c.status);
  }
  return statuses;
}

/** Writes values and throws unless every write succeeded. */
export async function writeOk(client: HttpClient, values: Record<string, unknown>): Promise<void> {
  const statuses = await writeValues(client, values);
  const failed = Object.entries(statuses).filter(([, s]) => s !== 0);
  if (failed.length > 0) {
    throw new Error(`write refused: ${failed.map(([id, s]) => `${id} (value ${JSON.stringify(values[id])}) → status ${s}`).join(', ')}`);
  }
}

export interface HapEvent {
  /** Real time the event arrived (ms since epoch). */
  at: number;
  id: string;
  value: unknown;
}

/**
 * Subscribes to `ids` on its own connection and records every event. Call `close()` when done.
 */
export async function subscribe(hb: Homebridge, pairing: PairingData, ids: string[]): Promise<{
  events: HapEvent[];
  waitFor: (pred: (events: HapEvent[]) => boolean, timeoutMs: number) => Promise<void>;
  close: () => Promise<void>;
}> {
  const client = connect(hb, pairing);
  const events: HapEvent[] = [];
  let notify = () => undefined as void;
  client.on('event', (ev: { characteristics?: { aid: unknown; iid: unknown; value: unknown }[] }) => {
    // hap-nodejs batches events (250 ms) and sends each batch newest first ("Apple backend processes
    // events in reverse order"): reverse it to record the values in the order they happened.
    for (const c of [...(ev.characteristics ?? [])].reverse()) {
      const v = c.value;
      events.push({ at: Date.now(), id: `${num(c.aid)}.${num(c.iid)}`, value: typeof v === 'object' && v !== null ? num(v) : v });
    }
    notify();
  });
  try {
    const res = await client.subscribeCharacteristics(ids);
    const list = (res as { characteristics?: { aid: unknown; iid: unknown; status?: unknown }[] } | null)?.characteristics ?? [];
    const failed = list.filter((c) => c.status !== undefined && num(c.status) !== 0);
    if (failed.length > 0) {
      throw new Error(`subscription refused: ${JSON.stringify(failed)}`);
    }
  } catch (err) {
    await client.close();
    throw err;
  }
  const waitFor = (pred: (events: HapEvent[]) => boolean, timeoutMs: number) => new Promise<void>((resolve, reject) => {
    if (pred(events)) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      notify = () => undefined;
      reject(new Error(`timed out after ${timeoutMs} ms waiting for events; got ${events.length}: `
        + events.map((e) => `${e.id}=${JSON.stringify(e.value)}`).join(' ')));
    }, timeoutMs);
    notify = () => {
      if (pred(events)) {
        clearTimeout(timer);
        notify = () => undefined;
        resolve();
      }
    };
  });
  return { events, waitFor, close: () => client.close() };
}

/** Celsius to Fahrenheit. */
export function toFahrenheit(c: number): number {
  return (c * 9) / 5 + 32;
}
