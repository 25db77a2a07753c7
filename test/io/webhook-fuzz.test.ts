import http from 'node:http';
import net from 'node:net';

import { ManualClock } from '../../src/clock';
import {
  isNumericKind, parsePayload, parseReadings, PHYSICAL_RANGE, READING_KEYS, ReadingError, SENSOR_KINDS, SensorKind, SensorUpdate,
} from '../../src/io/readings';
import type { SensorSource } from '../../src/io/sensor-hub';
import { WebhookServer } from '../../src/io/webhook';
import { slug } from '../../src/store/learning-store';

/** mulberry32: a tiny seeded PRNG, so a failure names a seed that replays it. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const TOKEN = 'fuzz-token-0123456789';
const READING_KEY_LIST = Object.keys(READING_KEYS);
const ODD_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'token', '', ' temperature', 'Temperature', 'temp', '🌡️', 'state.temperature'];
const WORDS = ['on', 'OFF', 'true', 'false', 'open', 'closed', 'yes', 'no', 'home', 'away', 'detected', 'NaN', 'Infinity', '-Infinity',
  '1e999', '-1e999', '21.5', ' 21.5 ', '0x15', '1_000', '', ' ', '∞', 'null', 'undefined', '２１', '21,5', '+21', '.5', '5.', '1e2', '-0'];
const UNICODE = ['é', 'ß', '中文', '🔥', '\u0000', '\u200b', '\ud800', '\udfff', '\u202e', 'İ', 'ﬁ', '\n', '"', '\\', '%', '/', '?', '#', '&', '='];

function randomString(rng: Rng, max = 12): string {
  let s = '';
  const n = rng.int(max + 1);
  for (let i = 0; i < n; i++) {
    s += rng.chance(0.25) ? rng.pick(UNICODE) : String.fromCharCode(0x20 + rng.int(0x5f));
  }
  return s;
}

function randomNumber(rng: Rng): number {
  switch (rng.int(8)) {
    case 0: return rng.pick([0, -0, 1, -1, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 1, 1e21, -1e-7]);
    case 1: return rng.next() * 200 - 100;
    case 2: return Math.round(rng.next() * 4000 - 2000) / 10;
    case 3: return rng.int(2);
    case 4: return rng.pick([-30, 60, -60, 100, -30.0001, 60.0001, 100.5, -0.5]);
    default: return Math.round((rng.next() * 40 - 5) * 10) / 10;
  }
}

function randomScalar(rng: Rng): unknown {
  switch (rng.int(5)) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return randomNumber(rng);
    case 3: return rng.pick(WORDS);
    default: return randomString(rng);
  }
}

function randomValue(rng: Rng, depth = 0): unknown {
  if (depth > 3 || rng.chance(0.6)) {
    return randomScalar(rng);
  }
  if (rng.chance(0.4)) {
    return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
  }
  return randomObject(rng, depth + 1);
}

function randomKey(rng: Rng): string {
  return rng.chance(0.75) ? rng.pick(READING_KEY_LIST) : rng.chance(0.5) ? rng.pick(ODD_KEYS) : randomString(rng, 8);
}

/** An object of readings, often all valid, often with one thing wrong. */
function randomObject(rng: Rng, depth = 0): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const n = rng.int(4);
  for (let i = 0; i < n; i++) {
    const key = randomKey(rng);
    const kind = Object.prototype.hasOwnProperty.call(READING_KEYS, key) ? READING_KEYS[key] : undefined;
    const value = kind && rng.chance(0.6) ? goodValue(rng, kind) : randomValue(rng, depth + 1);
    Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return obj;
}

function goodValue(rng: Rng, kind: SensorKind): unknown {
  if (isNumericKind(kind)) {
    const { min, max } = PHYSICAL_RANGE[kind];
    const v = Math.round((min + rng.next() * (max - min)) * 10) / 10;
    return rng.chance(0.3) ? String(v) : v;
  }
  return rng.pick([true, false, 'on', 'off', 1, 0, 'open', 'closed', 'detected', 'clear']);
}

/** Why an update is not one a zone may get, or undefined when it is fine. */
function invalidUpdate(u: SensorUpdate): string | undefined {
  if (!SENSOR_KINDS.includes(u.kind)) {
    return `unknown kind ${String(u.kind)}`;
  }
  if (isNumericKind(u.kind)) {
    const { min, max } = PHYSICAL_RANGE[u.kind];
    return typeof u.value === 'number' && Number.isFinite(u.value) && u.value >= min && u.value <= max
      ? undefined : `${u.kind} ${String(u.value)}`;
  }
  return typeof u.value === 'boolean' ? undefined : `${u.kind} ${String(u.value)}`;
}

describe('parseReadings under fuzzing', () => {
  it.each([1, 2, 3])('seed %i: valid updates for every key, or a ReadingError naming its field', (seed) => {
    const rng = new Rng(seed);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 3_000; i++) {
      const input = rng.chance(0.85) ? randomObject(rng) : randomValue(rng);
      const ignore = rng.chance(0.2) ? ['token', rng.pick(READING_KEY_LIST)] : [];
      let updates: SensorUpdate[];
      try {
        updates = parseReadings(input, ignore);
      } catch (err) {
        if (!(err instanceof ReadingError)) {
          throw new Error(`seed ${seed} #${i}: ${JSON.stringify(input)} threw ${String(err)}`);
        }
        const keys = typeof input === 'object' && input !== null ? Object.keys(input) : [];
        expect({ i, ok: err.message.startsWith(`${err.field}: `) && (err.field === 'body' || keys.includes(err.field)) })
          .toEqual({ i, ok: true });
        refused++;
        continue;
      }
      // All or nothing: one update per reading key, in order, each of the key's kind.
      const keys = Object.keys(input as object).filter((k) => !ignore.includes(k));
      expect({ i, kinds: updates.map((u) => u.kind), bad: updates.map(invalidUpdate).filter(Boolean) })
        .toEqual({ i, kinds: keys.map((k) => READING_KEYS[k]), bad: [] });
      expect(updates.length).toBeGreaterThan(0);
      accepted++;
    }
    // Both outcomes are exercised, or the fuzzing proves little.
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('parsePayload gives a valid update, nothing, or a ReadingError', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 3_000; i++) {
      const kind = rng.pick(SENSOR_KINDS);
      const raw = rng.int(4) === 0 ? randomString(rng, 20) : JSON.stringify(rng.chance(0.6) ? randomObject(rng) : randomValue(rng));
      const payload = rng.chance(0.2) ? Buffer.from(Array.from({ length: rng.int(30) }, () => rng.int(256))) : raw;
      const options = { key: rng.chance(0.3) ? randomKey(rng) : undefined, invert: rng.chance(0.2) };
      let update: SensorUpdate | undefined;
      try {
        update = parsePayload(kind, payload, options);
      } catch (err) {
        expect({ i, payload: String(payload), error: err instanceof ReadingError }).toEqual({ i, payload: String(payload), error: true });
        continue;
      }
      if (update) {
        expect({ i, kind: update.kind, bad: invalidUpdate(update) }).toEqual({ i, kind, bad: undefined });
      }
    }
  });
});

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  chunked: boolean;
}

interface Reply {
  status: number;
  contentType?: string;
  text: string;
}

function send(port: number, r: Sent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
    if (r.body && r.chunked) {
      const cut = Math.floor(r.body.length / 2);
      req.write(r.body.subarray(0, cut));
      req.end(r.body.subarray(cut));
    } else {
      req.end(r.body);
    }
  });
}

const METHODS = ['GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'FOO', 'PROPFIND'];
const CONTENT_TYPES = [undefined, undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded',
  'application/vnd.x+json', 'multipart/form-data; boundary=x', 'json', ';;;'];

/** encodeURIComponent, with lone surrogates (which it refuses) replaced as a browser would. */
function enc(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function randomZoneKey(rng: Rng): string {
  const names = ['Living Room', 'Kitchen', 'Bad/Name ✓'];
  switch (rng.int(7)) {
    case 0: return enc(rng.pick(names));
    case 1: return enc(rng.pick(names).toUpperCase());
    case 2: return slug(rng.pick(names));
    case 3: return enc(randomString(rng, 10));
    case 4: return rng.pick(['%', '%zz', '%E0%A4%A', '..', '.', '%2F', '%00', '%C0%AF', '~', '%25']);
    default: return enc(rng.pick(names)).toLowerCase();
  }
}

function randomPath(rng: Rng): string {
  const zone = randomZoneKey(rng);
  const roll = rng.int(10);
  let path = roll < 6 ? `/api/zones/${zone}/readings` : roll === 6 ? `/api/zones/${zone}` : roll === 7 ? '/api/zones'
    : `/${Array.from({ length: rng.int(5) }, () => (rng.chance(0.5) ? rng.pick(['api', 'zones', 'readings', '']) : randomZoneKey(rng))).join('/')}`;
  if (rng.chance(0.1)) {
    path += '/';
  }
  const params: string[] = [];
  const n = rng.chance(0.5) ? rng.int(4) : 0;
  for (let i = 0; i < n; i++) {
    const key = randomKey(rng);
    const kind = Object.prototype.hasOwnProperty.call(READING_KEYS, key) ? READING_KEYS[key] : undefined;
    const value = kind && rng.chance(0.6) ? goodValue(rng, kind) : randomScalar(rng);
    params.push(rng.chance(0.9) ? `${enc(key)}=${enc(String(value))}` : rng.pick(['&', '=', '%', 'a=%zz', '+=+', 'temperature']));
  }
  if (rng.chance(0.3)) {
    params.push(`token=${rng.chance(0.7) ? TOKEN : enc(randomString(rng, 30))}`);
  }
  return params.length > 0 ? `${path}?${params.join('&')}` : path;
}

function randomBody(rng: Rng): Buffer | undefined {
  switch (rng.int(9)) {
    case 0: return undefined;
    case 1: return Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256)));
    case 2: return Buffer.from(JSON.stringify(randomValue(rng)));
    case 3: return Buffer.from(rng.pick(['{"temperature": NaN}', '{"temperature": Infinity}', '{"temperature": 1e999}', '{"temperature": -1e999}',
      '{"temperature": 21,}', "{'temperature': 21}", '{"temperature": 0x15}', '{"temperature": 21', '', ' ', '\ufeff{"humidity": 40}',
      '{"temperature": 21}{"temperature": 22}', '{"motion": true, "motion": false}', `${'['.repeat(2_000)}${']'.repeat(2_000)}`,
      `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`, '{"temperature": 1e-400}', '{"humidity": 100.0000000000000001}']));
    case 4: return Buffer.from(JSON.stringify({ temperature: 21, pad: 'x'.repeat(4_096 + rng.int(20_000)) }));
    default: return Buffer.from(JSON.stringify(randomObject(rng)));
  }
}

function randomHeaderValue(rng: Rng): string {
  return Array.from({ length: rng.int(40) }, () => String.fromCharCode(0x20 + rng.int(0x5f))).join('').trim();
}

function randomRequest(rng: Rng): Sent {
  const method = rng.pick(METHODS);
  const headers: Record<string, string> = {};
  const type = rng.pick(CONTENT_TYPES);
  if (type !== undefined) {
    headers['Content-Type'] = type;
  }
  switch (rng.int(6)) {
    case 0: headers.Authorization = `Bearer ${TOKEN}`; break;
    case 1: headers.Authorization = `Bearer ${randomHeaderValue(rng)}`; break;
    case 2: headers.Authorization = randomHeaderValue(rng); break;
    case 3: headers.Authorization = `Bearer ${TOKEN}`; break;
    default: break;
  }
  if (rng.chance(0.2)) {
    headers[`X-Fuzz-${rng.int(100)}`] = randomHeaderValue(rng);
  }
  // FOO is not HTTP: the server cannot parse past it, so it gets no body to trip over.
  const body = method === 'FOO' ? undefined : randomBody(rng);
  const chunked = body !== undefined && rng.chance(0.3);
  if (body !== undefined) {
    if (chunked) {
      headers['Transfer-Encoding'] = 'chunked';
    } else {
      headers['Content-Length'] = String(body.length);
    }
  }
  return { method, path: randomPath(rng), headers, body, chunked };
}

interface Push { source: SensorSource; update: SensorUpdate; at: number }

describe('WebhookServer under fuzzing', () => {
  let server: WebhookServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    [11, false],
    [12, true],
    [13, true],
  ])('seed %i (token %s): every answer is JSON with a 2xx/4xx status, and zones get only valid updates', async (seed, withToken) => {
    const rng = new Rng(seed);
    const pushes: Push[] = [];
    const names = ['Living Room', 'Kitchen', 'Bad/Name ✓'];
    const warnings: string[] = [];
    const logLines: string[] = [];
    const clock = new ManualClock(1_700_000_000_000);
    server = new WebhookServer({
      host: '127.0.0.1',
      port: 0,
      token: withToken ? TOKEN : undefined,
      clock,
      zones: names.map((name) => ({
        name,
        sensors: { push: (source, update, at) => pushes.push({ source, update, at }) },
        state: () => ({ name, temperature: 20.5, occupied: true, plan: [{ at: 0, target: 21 }], reason: 'fuzz ✓', missing: undefined, nan: NaN }),
      })),
      log: {
        info: (l) => logLines.push(l),
        warn: (l) => {
          warnings.push(l);
          logLines.push(l);
        },
        debug: (l) => logLines.push(l),
      },
      rateLimit: { perSecond: 1e6, burst: 1e6 },
      requestTimeoutMs: 1_000,
    });
    const { port } = await server.start();

    const requests = Array.from({ length: 150 }, () => randomRequest(rng));
    const replies: Reply[] = new Array<Reply>(requests.length);
    let nextIndex = 0;
    // A few at a time, as devices would.
    await Promise.all(Array.from({ length: 6 }, async () => {
      while (nextIndex < requests.length) {
        const i = nextIndex++;
        try {
          replies[i] = await send(port, requests[i]);
        } catch (err) {
          const r = requests[i];
          throw new Error(`seed ${seed} #${i} ${r.method} ${r.path}: ${String(err)}`);
        }
      }
    }));

    let acceptedTotal = 0;
    const statuses = new Map<number, number>();
    requests.forEach((r, i) => {
      const reply = replies[i];
      const where = `seed ${seed} #${i} ${r.method} ${r.path}`;
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect({ where, status: reply.status >= 200 && reply.status < 500 }).toEqual({ where, status: true });
      if (r.method === 'HEAD') {
        expect({ where, text: reply.text }).toEqual({ where, text: '' });
        return;
      }
      expect({ where, type: reply.contentType }).toEqual({ where, type: expect.stringMatching(/^application\/json/) });
      const body = JSON.parse(reply.text) as Record<string, unknown>;
      expect({ where, object: typeof body === 'object' && body !== null && !Array.isArray(body) }).toEqual({ where, object: true });
      if (reply.status >= 400) {
        expect({ where, error: typeof body.error === 'string' && body.error.length > 0 }).toEqual({ where, error: true });
      } else if (Array.isArray(body.accepted)) {
        acceptedTotal += body.accepted.length;
      }
      if (withToken && reply.status !== 401) {
        // Anything but a refusal for the token needs the right one, in the header or the query.
        const auth = r.headers.Authorization;
        const tokens = new URLSearchParams(r.path.split('?')[1] ?? '').getAll('token');
        const authorized = auth !== undefined ? auth === `Bearer ${TOKEN}` : tokens.length === 1 && tokens[0] === TOKEN;
        if (!authorized && r.method !== 'FOO') {
          throw new Error(`${where}: answered ${reply.status} ${reply.text} without the right token`);
        }
      }
    });

    // Only answered readings reached a zone (all or nothing), and each is one a zone may use.
    expect(pushes.length).toBe(acceptedTotal);
    expect(pushes.map((p) => invalidUpdate(p.update)).filter(Boolean)).toEqual([]);
    expect(pushes.every((p) => p.source.id === `webhook:${p.update.kind}` && p.at === clock.now())).toBe(true);
    // The fuzzing reached deep enough to matter: readings accepted and refused for several reasons.
    expect(acceptedTotal).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(withToken ? 4 : 5);
    expect(warnings.filter((w) => !w.includes('token'))).toEqual([]);
    if (withToken) {
      expect(logLines.filter((l) => l.includes(TOKEN))).toEqual([]);
    }

    // Still up.
    const good = await send(port, {
      method: 'POST', path: '/api/zones/kitchen/readings', chunked: false, body: Buffer.from('{"temperature": 20}'),
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    });
    expect(good.status).toBe(200);
  });

  it('answers raw garbage on the socket with JSON or closes it, and stays up', async () => {
    const rng = new Rng(21);
    server = new WebhookServer({
      host: '127.0.0.1', port: 0, clock: new ManualClock(0), requestTimeoutMs: 500,
      zones: [{ name: 'Kitchen', sensors: { push: () => undefined }, state: () => ({}) }],
      log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    });
    const { port } = await server.start();
    const raws = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const bytes = i % 2 === 0
        ? Buffer.concat([Buffer.from(Array.from({ length: 1 + rng.int(100) }, () => rng.int(256))), Buffer.from('\r\n\r\n')])
        : Buffer.from(`GET /api/zones HTTP/1.1\r\nHost: x\r\n${randomHeaderValue(rng)}: \u0001${String.fromCharCode(rng.int(32))}\r\n\r\n`, 'latin1');
      return new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
        let text = '';
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
      });
    }));
    for (const raw of raws) {
      expect(raw).toMatch(/^HTTP\/1.1 4\d\d /);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error?: unknown };
      expect(typeof body.error).toBe('string');
    }
    expect((await send(port, { method: 'GET', path: '/api/zones', headers: {}, chunked: false })).status).toBe(200);
  });
});
