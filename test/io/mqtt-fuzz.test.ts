import type { SensorSettings } from '../../src/config/types';
import { attachMqttSensors, MqttConnection } from '../../src/io/mqtt';
import { MAX_PAYLOAD_BYTES, parsePayload, ReadingError, SENSOR_KINDS, SensorKind, SensorUpdate } from '../../src/io/readings';
import { invalidUpdate, recordingLog, RecordingHub, repeatUntil, startBroker, TestBroker, uniquePrefix, waitFor } from './mqtt-broker';

/** mulberry32: small, seeded, good enough to explore inputs reproducibly. */
function prng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const KEYS = ['occupancy', 'motion', 'presence', 'contact', 'temperature', 'local_temperature', 'humidity', 'battery', 'state',
  'value', '__proto__', 'constructor', 'toString', '', 'a', 'état', '温度'];
const WORDS = ['on', 'ON', 'off', 'OFF', 'true', 'false', 'open', 'closed', 'home', 'away', 'detected', 'clear', 'yes', 'no',
  'occupied', 'unoccupied', 'online', 'offline', 'null', 'undefined', 'NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '1e-400',
  '0x10', '1_000', '21,5', '21.5.3', '+5', '.5', '5.', '-0', ' 21.5 ', '\t1\n', '٢١', '２１', '21°C', '1/0', 'e', '-', '+', '.'];
const UNICODE = ['\u0000', '\u202e', '\ud800', '\udfff', '😀', '\u00e9', '\u200b', '\ufeff', 'Ω', '\u0301', '\\', '"', '\n'];
const NUMBERS = [0, -0, 1, -1, 21.5, 100, 100.0001, -30, -30.0001, 60, 60.0001, -60, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER,
  0.1 + 0.2, 1e21, 123456789.123];

function randomString(r: Rng): string {
  let s = '';
  const n = r.int(20);
  for (let i = 0; i < n; i++) {
    s += r.chance(0.3) ? r.pick(UNICODE) : String.fromCharCode(32 + r.int(95));
  }
  return s;
}

function randomNumber(r: Rng): number {
  switch (r.int(4)) {
    case 0:
      return r.pick(NUMBERS);
    case 1:
      return (r.next() - 0.5) * 200;
    case 2:
      return (r.next() - 0.5) * 10 ** r.int(400);
    default:
      return Math.round((r.next() * 120 - 40) * 10) / 10;
  }
}

function randomValue(r: Rng, depth: number): unknown {
  const k = r.int(depth > 6 ? 6 : 9);
  switch (k) {
    case 0:
      return randomNumber(r);
    case 1:
      return r.chance(0.5);
    case 2:
      return null;
    case 3:
      return r.pick(WORDS);
    case 4:
      return randomString(r);
    case 5:
      return String(randomNumber(r));
    case 6: {
      const o: Record<string, unknown> = {};
      const n = r.int(6);
      for (let i = 0; i < n; i++) {
        o[r.chance(0.8) ? r.pick(KEYS) : randomString(r)] = randomValue(r, depth + 1);
      }
      return o;
    }
    case 7:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default:
      return { state: randomValue(r, depth + 1), temperature: randomNumber(r) };
  }
}

/** JSON text with numbers JSON.stringify cannot write (NaN, 1e999) spliced in. */
function jsonText(r: Rng, value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  if (r.chance(0.15)) {
    return text.replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/i, r.pick(['NaN', '1e999', '-1e999', 'Infinity', '0x1F', '01', '1e-999', '-']));
  }
  return text;
}

function randomPayload(r: Rng): Buffer | string {
  switch (r.int(12)) {
    case 0:
      return Buffer.from(Array.from({ length: r.int(64) }, () => r.int(256)));
    case 1:
      return Buffer.alloc(MAX_PAYLOAD_BYTES - 8 + r.int(16), r.int(256));
    case 2:
      return String(randomNumber(r));
    case 3:
      return r.pick(WORDS);
    case 4: {
      const o: Record<string, unknown> = {};
      for (const key of KEYS) {
        if (r.chance(0.3)) {
          o[key] = randomValue(r, 3);
        }
      }
      return jsonText(r, o);
    }
    case 5:
      return jsonText(r, randomValue(r, 0));
    case 6: {
      const n = 1 + r.int(MAX_PAYLOAD_BYTES / 2);
      return r.chance(0.5) ? `${'['.repeat(n)}1${']'.repeat(r.chance(0.8) ? n : r.int(n))}`
        : `${'{"state":'.repeat(Math.min(n, 1800))}21${'}'.repeat(Math.min(n, 1800))}`;
    }
    case 7:
      return jsonText(r, { state: { temperature: randomValue(r, 4), nested: { deeper: randomValue(r, 4) } } });
    case 8:
      return r.pick(['1e999', '-1e999', 'NaN', '"NaN"', '{"temperature":NaN}', '{"temperature":1e999}', '"21.5"', '"\\u0000"',
        '{"temperature":"1e999"}', '{"temperature":"  "}', '{"__proto__":{"temperature":21}}', '{"temperature":[21]}', '{}', '[]',
        '""', '"', '{', '}', 'true', 'false', ' ', '\u0000', '{"contact":null}', '{"occupancy":"true "}']);
    case 9:
      return randomString(r);
    case 10: {
      const text = jsonText(r, randomValue(r, 2));
      return text.slice(0, r.int(text.length + 1));
    }
    default:
      return Buffer.concat([Buffer.from(jsonText(r, { temperature: randomNumber(r), occupancy: r.chance(0.5) })),
        Buffer.from(Array.from({ length: r.int(4) }, () => 0x80 + r.int(128)))]);
  }
}

const OPTION_KEYS: (string | undefined)[] = [undefined, 'temperature', 'state', 'state.temperature', 'occupancy', 'contact', 'value',
  '__proto__', 'constructor', 'toString', 'a.b.c', '', '.', 'state.nested.deeper'];

/** What parsePayload did with one input: an update, nothing, a ReadingError, or a violation of its promise. */
function outcome(kind: SensorKind, payload: Buffer | string, options: { key?: string; invert?: boolean }):
  { update?: SensorUpdate; error?: ReadingError; violation?: string } {
  let update: SensorUpdate | undefined;
  try {
    update = parsePayload(kind, payload, options);
  } catch (err) {
    if (err instanceof ReadingError && err.name === 'ReadingError' && typeof err.field === 'string' && err.message.length > 0) {
      return { error: err };
    }
    return { violation: `threw ${(err as Error)?.name}: ${(err as Error)?.message}` };
  }
  if (update === undefined) {
    return {};
  }
  const why = invalidUpdate(kind, update);
  return why ? { violation: why } : { update };
}

function show(payload: Buffer | string): string {
  const s = typeof payload === 'string' ? payload : payload.toString('utf8');
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…(${s.length})` : s);
}

describe('parsePayload fuzz', () => {
  it.each([1, 2, 3, 4])('seed %i: 1500 random payloads give a valid update, nothing, or a ReadingError for every kind', (seed) => {
    const r = prng(seed * 7919);
    const violations: string[] = [];
    const counts = { update: 0, none: 0, error: 0 };
    for (let i = 0; i < 1500; i++) {
      const payload = randomPayload(r);
      for (const kind of SENSOR_KINDS) {
        const variants: { key?: string; invert?: boolean }[] = [{}, { key: r.pick(OPTION_KEYS), invert: r.chance(0.5) }];
        for (const options of variants) {
          for (const p of [payload, typeof payload === 'string' ? Buffer.from(payload) : payload.toString('utf8')]) {
            const o = outcome(kind, p, options);
            if (o.violation) {
              violations.push(`#${i} ${kind} ${JSON.stringify(options)} ${show(p)}: ${o.violation}`);
            } else if (o.update) {
              counts.update++;
            } else if (o.error) {
              counts.error++;
            } else {
              counts.none++;
            }
          }
        }
      }
    }
    expect(violations.slice(0, 20)).toEqual([]);
    // The generator reaches all three outcomes, so the check above means something.
    expect(counts.update).toBeGreaterThan(500);
    expect(counts.error).toBeGreaterThan(500);
    expect(counts.none).toBeGreaterThan(100);
  });

  it('is deterministic: the same payload and options give the same answer', () => {
    const r = prng(42);
    for (let i = 0; i < 300; i++) {
      const payload = randomPayload(r);
      const kind = r.pick(SENSOR_KINDS);
      const options = { key: r.pick(OPTION_KEYS), invert: r.chance(0.5) };
      const a = outcome(kind, payload, options);
      const b = outcome(kind, payload, options);
      expect([b.update, b.error?.message]).toEqual([a.update, a.error?.message]);
    }
  });
});

describe('MQTT sensors fuzz over a real broker', () => {
  let broker: TestBroker;
  const connections: MqttConnection[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    broker = await startBroker();
  });

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await broker?.close();
    process.off('unhandledRejection', onUnhandled);
  });

  it('400 random payloads: no crash, the hub gets exactly the valid updates, one log line per bad payload', async () => {
    const p = uniquePrefix('fuzz');
    const topic = `${p}/device`;
    const options = { backoffBaseMs: 50, maxBackoffMs: 400, publishTimeoutMs: 5000 };
    const connLog = recordingLog();
    const conn = new MqttConnection({ url: broker.url }, connLog, options);
    const pub = new MqttConnection({ url: broker.url }, recordingLog(), options);
    connections.push(conn, pub);
    conn.connect();
    pub.connect();

    const sensors: SensorSettings[] = [
      ...SENSOR_KINDS.map((kind): SensorSettings => ({ name: `z2m ${kind}`, kind, topic, invert: false, weight: 1 })),
      { name: 'keyed', kind: 'temperature', topic, key: 'state.temperature', invert: false, weight: 1 },
      { name: 'inverted', kind: 'contact', topic, key: 'state', invert: true, weight: 1 },
      { name: 'available', kind: 'humidity', topic, invert: false, weight: 1, availabilityTopic: topic },
    ];
    const hub = new RecordingHub('Fuzz', 30 * 60_000);
    const log = recordingLog();
    const detach = attachMqttSensors('Fuzz', sensors, hub, conn, { now: () => Date.now() }, log);

    await repeatUntil(() => pub.publish(topic, '{"temperature": 20}'), () => hub.updates.length > 0, 'the subscription');
    // Messages on one topic from one client arrive in order: after this marker, no priming message is left in flight.
    await pub.publish(topic, '{"temperature": 20.25}');
    await waitFor(() => hub.values('z2m temperature').includes(20.25), 'the marker');
    hub.updates.length = 0;
    log.lines.length = 0;

    const r = prng(20240601);
    const expected: { id: string; update: SensorUpdate }[] = [];
    let expectedLines = 0;
    const send = async (payload: Buffer | string) => {
      for (const s of sensors) {
        const o = outcome(s.kind, payload, { key: s.key, invert: s.invert });
        if (o.update) {
          expected.push({ id: `mqtt:${s.name}`, update: o.update });
        } else if (o.error) {
          expectedLines++;
        }
      }
      await pub.publish(topic, payload);
    };
    for (let i = 0; i < 400; i++) {
      await send(randomPayload(r));
    }
    // Messages on one topic from one client arrive in order: once the closing marker is in, all are.
    await send('{"temperature": 20.75}');
    await waitFor(() => hub.values('z2m temperature').includes(20.75), 'the closing marker', 30_000);

    expect(hub.updates.map((u) => invalidUpdate(u.update.kind, u.update)).filter(Boolean)).toEqual([]);
    expect(hub.updates.map(({ id, update }) => ({ id, update }))).toEqual(expected);
    const payloadLines = log.lines.filter((l) => /\(topic /.test(l.message) && /; ignored$/.test(l.message));
    expect(payloadLines.filter((l) => !/availability:/.test(l.message))).toHaveLength(expectedLines);
    expect(log.lines.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(sensors.length);
    expect(hub.availability.length).toBeGreaterThan(0);
    expect(conn.connected).toBe(true);
    expect(connLog.lines.filter((l) => /failed|could not/.test(l.message))).toEqual([]);
    expect(unhandled).toEqual([]);
    detach();
  });
});
