import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { HttpClient } from 'hap-controller';
import { slug } from '../src/store/learning-store';
import { stepTemperature } from '../src/sim/thermal';

/**
 * The plugin inside the real Homebridge (full benchmark run only, never `--quick`): resident memory
 * of a bare Homebridge against one with the plugin and three simulated zones, and the latency of
 * HomeKit reads (hap-controller over 127.0.0.1) at rest and while the plugin's thermal fit runs.
 *
 * Runs in its own Node process (`runHomebridgeChild`), which starts both bridges as its children:
 * loopback only (`bind: ["lo"]`, ciao), random port and MAC, a temporary storage directory each,
 * all removed at the end. Stopped as the e2e harness does: SIGTERM, wait for "Got SIGTERM", SIGKILL
 * after ~6 s. The harness itself (test/e2e/harness.ts) cannot be imported from dist-bench (its
 * repository root is found from its own location), so the few parts needed are repeated here.
 *
 * The fit: the plugin reads the last 30 days of each zone's history in a worker thread, 60 s after
 * start, and on its `maintenance.thermalFit` cron, set here to one moment ~90 s after spawning
 * (seconds-precise), so two passes fall at known times and nowhere else. Each zone's storage gets a
 * year of synthetic history (one indoor reading a minute, denser than a zone records), so the fit
 * has real work. A pass is seen from outside: from the first moment Homebridge has more threads
 * than before (the worker) to the last zone's "thermal model" log line.
 */

export interface LatencyStats {
  n: number;
  medianMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  errors: number;
}

export interface HomebridgeFigures {
  homebridgeVersion: string;
  node: string;
  zones: number;
  timeScale: number;
  /** Seconds each bridge ran before its RSS was sampled. */
  settleSeconds: number;
  /** VmRSS of the homebridge process, MB (medians of the samples). */
  bareRssMB: number;
  pluginRssMB: number;
  /** pluginRssMB − bareRssMB. */
  addedRssMB: number;
  bareRssSamplesMB: number[];
  pluginRssSamplesMB: number[];
  /** Plugin instance: highest RSS sampled while the fit ran, RSS a few seconds after it, and VmHWM (peak over the run). */
  pluginRssDuringFitMaxMB: number | null;
  pluginRssAfterFitMB: number | null;
  pluginPeakRssMB: number | null;
  /** pluginRssAfterFitMB − bareRssMB and pluginPeakRssMB − bareRssMB: what the plugin adds once it has fitted, and at most. */
  addedRssAfterFitMB: number | null;
  addedRssPeakMB: number | null;
  /**
   * pluginPeakRssMB − pluginRssMB: how far the fit lifts the running plugin's own bridge. Steadier than
   * addedRssPeakMB, which also carries the bare bridge's run-to-run spread (68–88 MB seen).
   */
  fitPeakOverSettledMB: number | null;
  /** Synthetic history written for each zone (the fit reads its last 30 days). */
  history: { days: number; recordsPerZone: number; bytesPerZone: number; zonesWithHistory: number };
  /** CurrentTemperature reads, one at a time on one persistent connection, paced at `readsPerSecond`. */
  readsPerSecond: number;
  readsIdle: LatencyStats;
  /** Reads that overlapped a fit pass. */
  readsDuringFit: LatencyStats | null;
  /** The other reads of the same stretch (from 5 s before the first pass to 1 s after the last). */
  readsAroundFit: LatencyStats;
  /** Each fit pass: from the worker thread appearing to the last zone's "thermal model" line, s (zones one after another). */
  fitSeconds: number[];
  fitLog: string[];
  /** Wall time of the whole measurement, s. */
  seconds: number;
  notes: string[];
}

export type HomebridgeResult = HomebridgeFigures | { skipped: string };

const PIN = '031-45-154';
const HOST = '127.0.0.1';
const DAY_MS = 86_400_000;
const MIN_MS = 60_000;
export const ZONE_NAMES = ['Living Room', 'Bedroom', 'Kitchen'];

/* ------------------------------------------------------------------------------------------------
 * Pure helpers (unit-tested in test/bench/homebridge.test.ts)
 * ---------------------------------------------------------------------------------------------- */

/** A "Name:   123 kB" field of /proc/<pid>/status, in kB (or the bare number, e.g. Threads); undefined when absent. */
export function procStatusField(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s*(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

/** VmRSS of a /proc/<pid>/status text, MB (1 MB = 1024 kB); undefined when absent. */
export function parseVmRssMB(status: string): number | undefined {
  const kb = procStatusField(status, 'VmRSS');
  return kb === undefined ? undefined : kb / 1024;
}

/** Nearest-rank percentile (q in 0..1) of unsorted values; null for none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

/** Median (mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export function latencyStats(ms: readonly number[], errors = 0): LatencyStats {
  const p = (q: number) => {
    const v = percentile(ms, q);
    return v === null ? null : r2(v);
  };
  const med = median(ms);
  return { n: ms.length, medianMs: med === null ? null : r2(med), p99Ms: p(0.99), maxMs: p(1), errors };
}

/** Whether [a0, a1] and [b0, b1] share a moment. */
export function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 <= b1 && b0 <= a1;
}

/**
 * A year (or `days`) of one zone's history ending at `endMs`, as the plugin keeps it: one JSON line
 * a record, one `YYYY-MM-DD.jsonl` segment per UTC day. A first-order room (tau 30 h, 2 °C/h heater
 * and cooler) under a weekday/weekend routine; indoor every minute, humidity every 5, outdoor every
 * 10 min, equipment, setpoint and occupancy on change, motion while someone is home. Deterministic.
 */
export function* syntheticHistory(endMs: number, days: number): Generator<{ day: string; text: string; records: number }> {
  const room = { tauHours: 30, heaterCPerHour: 2, coolerCPerHour: 2 };
  const start = Math.floor((endMs - days * DAY_MS) / MIN_MS) * MIN_MS;
  let T = 19;
  let heat = false;
  let cool = false;
  let lastSet = NaN;
  let lastOcc: boolean | undefined;
  const equipment = { heat: false, cool: false };
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let day = '';
  let lines: string[] = [];
  for (let t = start; t < endMs; t += MIN_MS) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (d !== day) {
      if (lines.length) yield { day, text: `${lines.join('\n')}\n`, records: lines.length };
      day = d;
      lines = [];
    }
    const minuteOfDay = Math.floor((t % DAY_MS) / MIN_MS);
    const weekday = new Date(t).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const home = weekend ? minuteOfDay >= 8 * 60 && minuteOfDay < 23 * 60
      : (minuteOfDay >= 6 * 60 + 30 && minuteOfDay < 8 * 60 + 30) || (minuteOfDay >= 17 * 60 + 30 && minuteOfDay < 23 * 60);
    const season = Math.cos((2 * Math.PI * (t - Date.UTC(2024, 0, 15))) / (365.25 * DAY_MS));
    const Tout = 11 - 9 * season + 4 * Math.sin((2 * Math.PI * (minuteOfDay - 9 * 60)) / 1440);
    const set = home ? 21 : 17;
    // The reading at t, the equipment decided from it at t, then the room runs to t + 1 min.
    lines.push(JSON.stringify({ t, kind: 'temperature', v: r2(T + (rand() - 0.5) * 0.1) }));
    if (minuteOfDay % 5 === 0) lines.push(JSON.stringify({ t, kind: 'humidity', v: Math.round(45 + 10 * rand()) }));
    if (minuteOfDay % 10 === 0) lines.push(JSON.stringify({ t, kind: 'outdoor', v: r2(Tout) }));
    if (set !== lastSet) {
      lines.push(JSON.stringify({ t, kind: 'setpoint', mode: 'auto', v: set }));
      lastSet = set;
    }
    if (home !== lastOcc) {
      lines.push(JSON.stringify({ t, kind: 'occupancy', v: home }));
      lastOcc = home;
    }
    if (home && rand() < 0.15) lines.push(JSON.stringify({ t, kind: 'event', e: 'motion', v: true }));
    if (T < set - 0.25) heat = true;
    else if (T > set + 0.25) heat = false;
    if (T > 25.5) cool = true;
    else if (T < 24.5) cool = false;
    if (heat && cool) heat = false;
    // One equipment record a change (and one at the start of each day, so every segment stands alone).
    if (minuteOfDay === 0 || heat !== equipment.heat || cool !== equipment.cool) {
      lines.push(JSON.stringify({ t, kind: 'equipment', heat, cool }));
      equipment.heat = heat;
      equipment.cool = cool;
    }
    T = stepTemperature(T, Tout, room, heat, cool, MIN_MS);
  }
  if (lines.length) yield { day, text: `${lines.join('\n')}\n`, records: lines.length };
}

/** The Homebridge config.json: bridge on loopback only, ciao, no QR code; `platforms` as given. */
export function bridgeConfig(name: string, mac: string, port: number, platforms: unknown[]): object {
  return {
    bridge: { name, username: mac, port, pin: PIN, advertiser: 'ciao', bind: ['lo'] },
    accessories: [],
    platforms,
  };
}

/** The plugin's platform block: three demo-like simulated zones at timeScale 60. */
export function pluginPlatform(fitCron: string): object {
  return {
    platform: 'OccupancyThermostat',
    name: 'Occupancy Thermostat',
    simulation: { timeScale: 60, seed: 1, occupants: 2 },
    maintenance: { thermalFit: fitCron },
    zones: ZONE_NAMES.map((name, i) => ({
      name,
      modes: ['heat', 'cool', 'auto'],
      comfort: { heat: 21, cool: 24 },
      eco: { heat: 17, cool: 28 },
      simulated: { initialTemperature: 16 + i, tauHours: 30, heaterPower: 2, coolerPower: 2 },
    })),
  };
}

/* ------------------------------------------------------------------------------------------------
 * The Homebridge child process (a trimmed copy of test/e2e/harness.ts)
 * ---------------------------------------------------------------------------------------------- */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const live = new Set<ChildProcess>();
const storages = new Set<string>();
/** Last resort (exit, SIGTERM from the benchmark's timeout): kill every bridge and remove every storage directory. */
function killAll(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of storages) fs.rmSync(d, { recursive: true, force: true });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function randomMac(): string {
  return ['0E', ...[...crypto.randomBytes(5)].map((b) => b.toString(16).padStart(2, '0').toUpperCase())].join(':');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class Bridge {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  text = '';
  private listeners: (() => void)[] = [];

  private constructor(readonly storage: string, readonly port: number, readonly mac: string, readonly label: string) {}

  static async create(label: string, platforms: unknown[]): Promise<Bridge> {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), `occupancy-thermostat-bench-${label}-`));
    storages.add(storage);
    const b = new Bridge(storage, await freePort(), randomMac(), label);
    b.writeConfig(platforms);
    return b;
  }

  writeConfig(platforms: unknown[]): void {
    fs.writeFileSync(path.join(this.storage, 'config.json'), JSON.stringify(bridgeConfig(`Bench ${this.label}`, this.mac, this.port, platforms), null, 2));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(bin: string, repo: string): void {
    const child = spawn(process.execPath, [bin, '-D', '-Q', '-U', this.storage, '-P', repo, '--strict-plugin-resolution'], {
      cwd: this.storage,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    const onData = (d: string) => {
      this.text += d.replace(ANSI, '');
      for (const l of [...this.listeners]) l();
    };
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', () => {
      live.delete(child);
      for (const l of [...this.listeners]) l();
      resolve();
    }));
  }

  /** Resolves with the match once `re` matches the log after `from`; rejects on timeout or exit. */
  waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = this.text.slice(from).match(re);
        if (m) {
          done();
          resolve(m);
          return true;
        }
        if (!this.running) {
          done();
          reject(new Error(`homebridge exited before its log matched ${re}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      const listener = () => void check();
      this.listeners.push(listener);
      check();
    });
  }

  /** /proc/<pid>/status of the homebridge process, or undefined once it is gone. */
  status(): string | undefined {
    try {
      return this.pid ? fs.readFileSync(`/proc/${this.pid}/status`, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const from = this.text.length;
    child.kill('SIGTERM');
    const gone = (ms: number) => Promise.race([this.exited!.then(() => true), sleep(ms).then(() => false)]);
    await this.waitFor(/Got SIGTERM/, 3000, from).catch(() => undefined);
    if (!(await gone(6000))) {
      child.kill('SIGKILL');
      await gone(5000);
    }
  }

  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      fs.rmSync(this.storage, { recursive: true, force: true });
      storages.delete(this.storage);
    }
  }
}

/* ------------------------------------------------------------------------------------------------
 * The measurement
 * ---------------------------------------------------------------------------------------------- */

function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

function homebridgeBin(repo: string): string | undefined {
  const dir = path.join(repo, 'node_modules', 'homebridge');
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.homebridge;
    const file = path.join(dir, bin ?? 'bin/homebridge');
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Why the measurement cannot run (no build, no homebridge, not Linux), or undefined; plus a note on a stale build. */
export function preflight(repo: string): { skip?: string; note?: string } {
  if (process.platform !== 'linux') return { skip: 'needs Linux (/proc/<pid>/status)' };
  if (!homebridgeBin(repo)) return { skip: 'node_modules/homebridge not found (npm install)' };
  const main = path.join(repo, 'dist', 'index.js');
  if (!fs.existsSync(main)) return { skip: 'dist/ is not built: run `npm run build` first' };
  const built = fs.statSync(main).mtimeMs;
  if (newestMtime(path.join(repo, 'src')) > built) {
    return { note: 'dist/ is older than src/: these figures are of the last build (run `npm run build`)' };
  }
  return {};
}

const progress = (m: string) => process.stderr.write(`  [homebridge] ${m}\n`);

function rssSamples(b: Bridge, n: number, everyMs: number): Promise<number[]> {
  return (async () => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) await sleep(everyMs);
      const v = parseVmRssMB(b.status() ?? '');
      if (v !== undefined) out.push(r1(v));
    }
    return out;
  })();
}

function normaliseType(type: string): string {
  const t = type.trim().toUpperCase();
  return /^[0-9A-F]{1,8}$/.test(t) ? `${t.padStart(8, '0')}-0000-1000-8000-0026BB765291` : t;
}

/** "aid.iid" of the CurrentTemperature characteristic of the first thermostat. */
async function currentTemperatureId(client: HttpClient): Promise<string> {
  const db = await client.getAccessories();
  for (const acc of db.accessories) {
    for (const s of acc.services) {
      if (normaliseType(String(s.type)) !== normaliseType('4A')) continue;
      for (const c of s.characteristics) {
        if (normaliseType(String(c.type)) === normaliseType('11')) return `${Number(acc.aid)}.${Number(c.iid)}`;
      }
    }
  }
  throw new Error('no thermostat with a CurrentTemperature characteristic');
}

interface TimedRead {
  start: number;
  end: number;
  ms: number;
  ok: boolean;
}

/** Reads `id` one at a time, one every `intervalMs` (or back to back when a read is slower), until `until()` says stop. */
async function readLoop(client: HttpClient, id: string, intervalMs: number, until: (n: number) => boolean): Promise<TimedRead[]> {
  const out: TimedRead[] = [];
  let next = performance.now();
  while (!until(out.length)) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    next += intervalMs;
    const start = performance.now();
    let ok = true;
    try {
      const res = await client.getCharacteristics([id]);
      const c = res.characteristics[0];
      ok = !!c && (c.status === undefined || Number(c.status) === 0) && typeof Number(c.value) === 'number';
    } catch {
      ok = false;
    }
    const end = performance.now();
    out.push({ start, end, ms: end - start, ok });
  }
  return out;
}

function writeHistory(storage: string, endMs: number, days: number): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  const first = path.join(storage, 'occupancy-thermostat', 'history', slug(ZONE_NAMES[0]));
  fs.mkdirSync(first, { recursive: true });
  for (const seg of syntheticHistory(endMs, days)) {
    fs.writeFileSync(path.join(first, `${seg.day}.jsonl`), seg.text);
    records += seg.records;
    bytes += Buffer.byteLength(seg.text);
  }
  // The other zones get copies (the plugin appends to today's segment, so no hard links).
  for (const name of ZONE_NAMES.slice(1)) {
    const dir = path.join(storage, 'occupancy-thermostat', 'history', slug(name));
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(first)) fs.copyFileSync(path.join(first, f), path.join(dir, f));
  }
  return { records, bytes };
}

/**
 * A six-field (seconds first) cron expression for one moment, local time, as node-cron reads it:
 * the plugin's second fit pass, at a time the run chooses.
 */
export function cronAt(at: Date): string {
  return `${at.getSeconds()} ${at.getMinutes()} ${at.getHours()} ${at.getDate()} ${at.getMonth() + 1} *`;
}

export interface MeasureOptions {
  settleSeconds?: number;
  idleReads?: number;
  readsPerSecond?: number;
  historyDays?: number;
  /** Seconds after spawning the plugin's bridge for the cron fit (the other pass runs 60 s after launch). */
  cronFitSeconds?: number;
}

interface FitPass {
  start: number;
  end?: number;
}

export async function measureHomebridge(opts: MeasureOptions = {}): Promise<HomebridgeResult> {
  const repo = repoRoot();
  const pre = preflight(repo);
  if (pre.skip) return { skipped: pre.skip };
  const notes = pre.note ? [pre.note] : [];
  const bin = homebridgeBin(repo)!;
  const settle = opts.settleSeconds ?? 25;
  const idleReads = opts.idleReads ?? 200;
  const rate = opts.readsPerSecond ?? 20;
  const days = opts.historyDays ?? 365;
  const cronFit = opts.cronFitSeconds ?? 90;
  const PASSES = 2;
  const t0 = Date.now();

  const bare = await Bridge.create('bare', []);
  const plug = await Bridge.create('plugin', []);
  let client: HttpClient | undefined;
  try {
    const hist = writeHistory(plug.storage, Date.now(), days);
    progress(`wrote ${days} days of history (${hist.records} records, ${(hist.bytes / 2 ** 20).toFixed(1)} MB) for each of ${ZONE_NAMES.length} zones in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    plug.writeConfig([pluginPlatform(cronAt(new Date(Date.now() + cronFit * 1000)))]);

    // Both bridges at once (only their memory is measured while both run).
    bare.start(bin, repo);
    plug.start(bin, repo);
    const started = Date.now();
    await Promise.all([bare.waitFor(/is running on port (\d+)/, 40_000), plug.waitFor(/is running on port (\d+)/, 40_000)]);
    const launched = await plug.waitFor(new RegExp(`\\[${ZONE_NAMES[ZONE_NAMES.length - 1]}\\]`), 20_000).then(() => Date.now());
    progress(`both bridges running after ${((Date.now() - started) / 1000).toFixed(1)} s; settling to ${settle} s`);
    await sleep(Math.max(0, started + settle * 1000 - Date.now()));
    const [bareSamples, plugSamples] = await Promise.all([rssSamples(bare, 5, 1000), rssSamples(plug, 5, 1000)]);
    await bare.stop();
    progress(`RSS bare ${median(bareSamples)} MB, with the plugin ${median(plugSamples)} MB; bare bridge stopped`);

    const pairing = new HttpClient(plug.mac, HOST, plug.port);
    await pairing.pairSetup(PIN);
    const data = pairing.getLongTermData();
    await pairing.close();
    if (!data) throw new Error('pairing gave no long-term data');
    client = new HttpClient(plug.mac, HOST, plug.port, data, { usePersistentConnections: true });
    const id = await currentTemperatureId(client);
    const interval = 1000 / rate;

    // Idle: well before the fit due 60 s after launch.
    if (Date.now() + (idleReads / rate) * 1000 > launched + 55_000) notes.push('idle reads ran close to the fit');
    await readLoop(client, id, interval, (n) => n >= 20); // warm-up, not counted
    const idle = await readLoop(client, id, interval, (n) => n >= idleReads);
    progress(`idle reads: ${idleReads} done`);

    // The fit, twice (60 s after launch, then the cron): watch the thread count (the worker) and
    // the log, and read throughout.
    const fitFrom = plug.text.length;
    const fitRe = new RegExp(`\\[(${ZONE_NAMES.map((z) => z.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\] thermal model: [^\\n]*`, 'g');
    const zonesFitted = () => (plug.text.slice(fitFrom).match(fitRe) ?? []).length;
    await sleep(Math.max(0, launched + 55_000 - Date.now()));
    const baseThreads = procStatusField(plug.status() ?? '', 'Threads') ?? 0;
    const passes: FitPass[] = [];
    let rssDuringFit = 0;
    let polling = true;
    let armed = true;
    const poll = (async () => {
      while (polling) {
        const st = plug.status() ?? '';
        const threads = procStatusField(st, 'Threads') ?? 0;
        const now = performance.now();
        const cur = passes[passes.length - 1];
        // A new pass once the last one's worker is gone (its log line comes before the thread ends).
        if (threads <= baseThreads) armed = true;
        if ((!cur || cur.end !== undefined) && armed && passes.length < PASSES && threads > baseThreads) {
          passes.push({ start: now });
          armed = false;
        }
        const open = passes[passes.length - 1];
        if (open && open.end === undefined) {
          rssDuringFit = Math.max(rssDuringFit, parseVmRssMB(st) ?? 0);
          if (zonesFitted() >= ZONE_NAMES.length * passes.length) open.end = now;
        }
        await sleep(5);
      }
    })();
    const deadline = started + cronFit * 1000 + 30_000;
    const finished = () => passes.length === PASSES && passes[PASSES - 1].end !== undefined;
    const during = await readLoop(client, id, interval, () => (finished() && performance.now() > passes[PASSES - 1].end! + 1000) || Date.now() > deadline);
    polling = false;
    await poll;
    const fitLog = plug.text.slice(fitFrom).match(fitRe) ?? [];
    const done = passes.filter((p): p is Required<FitPass> => p.end !== undefined);
    if (done.length < PASSES) {
      notes.push(`${done.length} of ${PASSES} fit passes seen (${fitLog.length} "thermal model" lines)`);
      progress(`fit passes missing; the plugin's log ends:\n${plug.text.split('\n').slice(-25).join('\n')}`);
    }
    const inFit = during.filter((r) => done.some((p) => overlaps(r.start, r.end, p.start, p.end)));
    const fitSeconds = done.map((p) => r2((p.end - p.start) / 1000));
    progress(`fit passes: ${fitSeconds.join(' s, ')} s; ${inFit.length} reads during them`);
    await sleep(3000);
    const after = await rssSamples(plug, 3, 500);
    const hwm = procStatusField(plug.status() ?? '', 'VmHWM');
    await client.close();
    client = undefined;

    const statsOf = (rs: TimedRead[]) => latencyStats(rs.filter((r) => r.ok).map((r) => r.ms), rs.filter((r) => !r.ok).length);
    const version = (JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'homebridge', 'package.json'), 'utf8')) as { version: string }).version;
    const bareMB = median(bareSamples) ?? NaN;
    const plugMB = median(plugSamples) ?? NaN;
    const afterMB = median(after);
    const peakMB = hwm === undefined ? null : r1(hwm / 1024);
    return {
      homebridgeVersion: version,
      node: process.version,
      zones: ZONE_NAMES.length,
      timeScale: 60,
      settleSeconds: settle,
      bareRssMB: r1(bareMB),
      pluginRssMB: r1(plugMB),
      addedRssMB: r1(plugMB - bareMB),
      bareRssSamplesMB: bareSamples,
      pluginRssSamplesMB: plugSamples,
      pluginRssDuringFitMaxMB: rssDuringFit > 0 ? r1(rssDuringFit) : null,
      pluginRssAfterFitMB: afterMB,
      pluginPeakRssMB: peakMB,
      addedRssAfterFitMB: afterMB === null ? null : r1(afterMB - bareMB),
      addedRssPeakMB: peakMB === null ? null : r1(peakMB - bareMB),
      fitPeakOverSettledMB: peakMB === null ? null : r1(peakMB - plugMB),
      history: { days, recordsPerZone: hist.records, bytesPerZone: hist.bytes, zonesWithHistory: ZONE_NAMES.length },
      readsPerSecond: rate,
      readsIdle: statsOf(idle),
      readsDuringFit: done.length ? statsOf(inFit) : null,
      readsAroundFit: statsOf(during.filter((r) => !inFit.includes(r))),
      fitSeconds,
      fitLog,
      seconds: r1((Date.now() - t0) / 1000),
      notes,
    };
  } finally {
    if (client) await client.close().catch(() => undefined);
    await Promise.all([bare.dispose(), plug.dispose()]);
    killAll();
  }
}

/**
 * Runs measureHomebridge in its own Node process (progress on stderr, the figures as JSON on
 * stdout). Bounded: the child stops its bridges and exits on SIGTERM, sent after `timeoutMs`.
 */
export function runHomebridgeChild(timeoutMs = 240_000): HomebridgeResult {
  const script = path.join(__dirname, 'homebridge.js');
  const r = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
  });
  if (r.status !== 0) return { skipped: `measurement failed (exit ${r.status ?? r.signal}): ${r.error?.message ?? 'see the log above'}` };
  try {
    return JSON.parse(r.stdout) as HomebridgeResult;
  } catch {
    return { skipped: `measurement printed no figures: ${r.stdout.slice(0, 200)}` };
  }
}

const ms = (x: number | null) => (x === null ? '-' : x.toFixed(1));

export function homebridgeTable(h: HomebridgeResult): string {
  if ('skipped' in h) return `  Homebridge: skipped (${h.skipped})`;
  const fit = h.readsDuringFit;
  const lines = [
    `  Homebridge ${h.homebridgeVersion} (${h.node}), loopback: RSS bare ${h.bareRssMB} MB, with the plugin and ${h.zones} simulated zones ${h.pluginRssMB} MB ` +
      `→ the plugin adds ${h.addedRssMB} MB (medians of ${h.pluginRssSamplesMB.length} samples after ${h.settleSeconds} s)`,
    `  with the plugin, while fitting ${h.pluginRssDuringFitMaxMB ?? '-'} MB at most, ${h.pluginRssAfterFitMB ?? '-'} MB 3 s after (adds ${h.addedRssAfterFitMB ?? '-'} MB); ` +
      `peak (VmHWM) ${h.pluginPeakRssMB ?? '-'} MB (adds ${h.addedRssPeakMB ?? '-'} MB; ${h.fitPeakOverSettledMB ?? '-'} MB over the plugin's own settled RSS)`,
    `  HomeKit reads of CurrentTemperature at ${h.readsPerSecond}/s: idle ${ms(h.readsIdle.medianMs)} ms median, ${ms(h.readsIdle.p99Ms)} ms p99 (n ${h.readsIdle.n}); ` +
      (fit ? `during the thermal fit ${ms(fit.medianMs)} ms median, ${ms(fit.p99Ms)} ms p99, ${ms(fit.maxMs)} ms max (n ${fit.n}; ` +
        `the ${h.readsAroundFit.n} around it ${ms(h.readsAroundFit.medianMs)} / ${ms(h.readsAroundFit.p99Ms)} ms)` : 'during the fit: not measured') +
      `${h.readsIdle.errors + (fit?.errors ?? 0) ? `; ${h.readsIdle.errors + (fit?.errors ?? 0)} failed` : ''}`,
    `  thermal fit, ${h.fitSeconds.length} pass(es) of ${h.zones} zones one after another (each ${h.history.days} days of history, ${h.history.recordsPerZone} records, ${(h.history.bytesPerZone / 2 ** 20).toFixed(1)} MB; it reads the last 30): ` +
      `${h.fitSeconds.length ? h.fitSeconds.join(' s and ') : '-'} s`,
  ];
  for (const n of h.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

if (require.main === module) {
  let stopping = false;
  const bail = () => {
    if (stopping) return;
    stopping = true;
    killAll();
    process.exit(1);
  };
  process.once('SIGTERM', bail);
  process.once('SIGINT', bail);
  process.once('exit', killAll);
  measureHomebridge()
    .then((r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    })
    .catch((e: Error) => {
      process.stderr.write(`homebridge measurement failed: ${e.message}\n`);
      process.stdout.write(JSON.stringify({ skipped: `failed: ${e.message}` }));
      killAll();
      process.exit(0);
    });
}
