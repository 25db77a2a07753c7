/**
 * Test brokers for the MQTT suites. By default an aedes broker on 127.0.0.1 over TCP; with
 * MQTT_TEST_URL set (scripts/with-mosquitto.sh does), that external broker instead.
 *
 * aedes is an ES module that Jest's CommonJS runtime cannot require, so it runs in a child Node
 * process: plain node:net + aedes, which also lets a test kill the broker and start it again on the
 * same port, as a crashed or rebooted broker would.
 */
import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { isNumericKind, PHYSICAL_RANGE, SensorKind, SensorUpdate } from '../../src/io/readings';
import { SensorSource, ZoneSensors } from '../../src/io/sensor-hub';

export const EXTERNAL_URL = process.env.MQTT_TEST_URL || undefined;
export const EXTERNAL = EXTERNAL_URL !== undefined;

/** `it` for tests that stop and start the broker: skipped against an external broker. */
export const itWithOwnBroker: jest.It = EXTERNAL ? it.skip : it;

export interface TestBroker {
  url: string;
  port: number;
  /** True when this is MQTT_TEST_URL's broker, which tests cannot stop or start. */
  external: boolean;
  /** Kills the broker (as a crash would); its port stays reserved for `start`. aedes only. */
  stop(): Promise<void>;
  /** Starts the broker again on the same port. aedes only. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const AEDES_SCRIPT = `
import net from 'node:net';
const { Aedes } = await import(process.env.AEDES_URL);
const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
server.on('error', (err) => { process.stderr.write('listen error ' + err.code + '\\n'); process.exit(3); });
server.listen(Number(process.env.AEDES_PORT), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n');
});
// The test process going away closes our stdin: go with it.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
`;

function spawnAedes(port: number): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', AEDES_SCRIPT], {
      env: { ...process.env, AEDES_URL: pathToFileURL(require.resolve('aedes')).href, AEDES_PORT: String(port) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const fail = (why: string) => {
      child.kill('SIGKILL');
      reject(new Error(`aedes did not start on port ${port}: ${why} ${err.trim()}`));
    };
    const timer = setTimeout(() => fail('timeout'), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aedes exited with ${code} on port ${port}: ${err.trim()}`));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** An aedes broker in a child process on `port` (0: any free port). */
export async function startAedes(port = 0): Promise<TestBroker> {
  let current: ChildProcess | undefined;
  let bound = port;
  const launch = async () => {
    // A port just released can take a moment to be free again.
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await spawnAedes(bound);
        current = r.child;
        bound = r.port;
        return;
      } catch (err) {
        if (attempt >= 20 || !/EADDRINUSE/.test(String(err))) {
          throw err;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  };
  await launch();
  const broker: TestBroker = {
    url: `mqtt://127.0.0.1:${bound}`,
    port: bound,
    external: false,
    async stop() {
      if (current) {
        const c = current;
        current = undefined;
        await kill(c);
      }
    },
    async start() {
      if (!current) {
        await launch();
      }
    },
    async close() {
      await broker.stop();
    },
  };
  return broker;
}

/** The broker for a suite: MQTT_TEST_URL's, or a fresh aedes. */
export async function startBroker(): Promise<TestBroker> {
  if (EXTERNAL_URL) {
    const port = Number(new URL(EXTERNAL_URL).port || 1883);
    const refuse = () => Promise.reject(new Error('an external broker cannot be stopped or started by a test'));
    return { url: EXTERNAL_URL, port, external: true, stop: refuse, start: refuse, close: async () => undefined };
  }
  return startAedes(0);
}

/** A topic prefix no other test (or earlier run against the same broker) uses. */
export function uniquePrefix(name: string): string {
  return `ot-test/${name}/${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Waits until `cond` holds, checking every `every` ms; fails with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000, every = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) {
      return;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((res) => setTimeout(res, every));
  }
}

/**
 * Repeats `act` (a publish, say) until `cond` holds: for the first message after a subscription,
 * whose broker-side start no client can observe directly.
 */
export async function repeatUntil(act: () => Promise<unknown>, cond: () => boolean, what: string, timeoutMs = 15_000,
  every = 150): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await act().catch(() => undefined);
    const next = Date.now() + every;
    while (Date.now() < next) {
      if (cond()) {
        return;
      }
      await new Promise((res) => setTimeout(res, 10));
    }
    if (cond()) {
      return;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'debug';
  message: string;
}

/** A logger that records what it is told. */
export function recordingLog(): { info(m: string): void; warn(m: string): void; debug(m: string): void; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (m) => lines.push({ level: 'info', message: m }),
    warn: (m) => lines.push({ level: 'warn', message: m }),
    debug: (m) => lines.push({ level: 'debug', message: m }),
  };
}

/** A zone's sensor hub that also keeps every update and availability change it is given. */
export class RecordingHub extends ZoneSensors {
  readonly updates: { id: string; update: SensorUpdate; at: number }[] = [];
  readonly availability: { id: string; available: boolean }[] = [];

  override push(source: SensorSource, update: SensorUpdate, at: number): void {
    this.updates.push({ id: source.id, update, at });
    super.push(source, update, at);
  }

  override setAvailable(source: SensorSource, available: boolean): void {
    this.availability.push({ id: source.id, available });
    super.setAvailable(source, available);
  }

  /** Values pushed for one sensor (by name) and kind. */
  values(name: string, kind?: SensorKind): (number | boolean)[] {
    return this.updates.filter((u) => u.id === `mqtt:${name}` && (!kind || u.update.kind === kind)).map((u) => u.update.value);
  }
}

/** Why an update is not one a zone may learn from, or undefined when it is. */
export function invalidUpdate(kind: SensorKind, u: unknown): string | undefined {
  if (typeof u !== 'object' || u === null) {
    return `not an object: ${String(u)}`;
  }
  const { kind: k, value } = u as { kind?: unknown; value?: unknown };
  if (k !== kind) {
    return `kind ${String(k)} for a ${kind} sensor`;
  }
  if (Object.keys(u).length !== 2) {
    return `unexpected fields ${Object.keys(u).join(', ')}`;
  }
  if (isNumericKind(kind)) {
    const r = PHYSICAL_RANGE[kind];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < r.min || value > r.max) {
      return `value ${String(value)} is not a finite ${kind} in ${r.min}..${r.max}`;
    }
  } else if (typeof value !== 'boolean') {
    return `value ${String(value)} is not a boolean`;
  }
  return undefined;
}
