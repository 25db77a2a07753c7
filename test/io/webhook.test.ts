import http from 'node:http';
import net from 'node:net';

import { ManualClock } from '../../src/clock';
import { SensorUpdate } from '../../src/io/readings';
import { SensorSource, ZoneSensors } from '../../src/io/sensor-hub';
import { isLoopbackHost, WebhookOptions, WebhookServer, WebhookZone } from '../../src/io/webhook';
import { slug } from '../../src/store/learning-store';

const T0 = 1_700_000_000_000;
const TOKEN = 'correct-horse-battery-staple';

interface Push { source: SensorSource; update: SensorUpdate; at: number }

class RecordingSensors {
  pushes: Push[] = [];
  push(source: SensorSource, update: SensorUpdate, at: number): void {
    this.pushes.push({ source, update, at });
  }
}

interface TestZone extends WebhookZone {
  sensors: RecordingSensors;
}

function zone(name: string, state: () => Record<string, unknown> = () => ({ temperature: 20.5, target: 21, mode: 'heat' })): TestZone {
  return { name, sensors: new RecordingSensors(), state };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

interface RequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sends this chunk again and again (chunked, no Content-Length) until the server answers. */
  streamChunk?: Buffer;
  localAddress?: string;
}

function request(port: number, o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers, agent: false, localAddress: o.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Left empty; tests that expect JSON check the text.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    if (o.streamChunk) {
      const chunk = o.streamChunk;
      let answered = false;
      let sent = 0;
      req.on('response', () => {
        answered = true;
      });
      const pump = () => {
        if (answered || sent > 256 * 1024) {
          req.end();
          return;
        }
        sent += chunk.length;
        req.write(chunk, () => setImmediate(pump));
      };
      pump();
      return;
    }
    req.end(o.body);
  });
}

const json = { 'Content-Type': 'application/json' };

describe('WebhookServer', () => {
  const servers: WebhookServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function setup(options: Partial<WebhookOptions> = {}) {
    const logs: { level: 'info' | 'warn' | 'debug'; line: string }[] = [];
    const clock = new ManualClock(T0);
    const zones = [zone('Living Room'), zone('Kitchen')];
    const server = new WebhookServer({
      host: '127.0.0.1',
      port: 0,
      zones,
      clock,
      log: {
        info: (line) => logs.push({ level: 'info', line }),
        warn: (line) => logs.push({ level: 'warn', line }),
        debug: (line) => logs.push({ level: 'debug', line }),
      },
      ...options,
    });
    servers.push(server);
    const { port } = await server.start();
    const send = (o: RequestOptions) => request(port, o);
    const pushes = () => zones.flatMap((z) => z.sensors.pushes);
    /** A good request still works (after whatever bad ones a test sent). */
    const stillServes = async (headers: Record<string, string> = {}) => {
      const before = zones[1].sensors.pushes.length;
      const r = await send({ method: 'POST', path: '/api/zones/kitchen/readings', headers: { ...json, ...headers }, body: '{"humidity": 40}' });
      expect(r.status).toBe(200);
      expect(zones[1].sensors.pushes.length).toBe(before + 1);
    };
    return { server, port, zones, clock, logs, send, pushes, stillServes };
  }

  describe('readings', () => {
    it('POST puts the readings into the zone named in the path, stamped with the clock', async () => {
      const { send, zones, clock } = await setup();
      clock.advance(5_000);
      const r = await send({ method: 'POST', path: '/api/zones/Living%20Room/readings', headers: json, body: '{"temperature": 21.3, "motion": true}' });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.json).toEqual({ ok: true, zone: 'Living Room', accepted: ['temperature', 'motion'] });
      expect(zones[0].sensors.pushes).toEqual([
        { source: { id: 'webhook:temperature' }, update: { kind: 'temperature', value: 21.3 }, at: T0 + 5_000 },
        { source: { id: 'webhook:motion' }, update: { kind: 'motion', value: true }, at: T0 + 5_000 },
      ]);
      expect(zones[1].sensors.pushes).toEqual([]);
    });

    it('finds the zone by name in any case, or by slug', async () => {
      const { send, zones } = await setup();
      for (const path of ['living%20room', 'LIVING%20ROOM', slug('Living Room'), slug('Living Room').toUpperCase(), 'Living%20Room']
        .map((key) => `/api/zones/${key}/readings`).concat('/api/zones/Living%20Room/readings/')) {
        const r = await send({ method: 'POST', path, headers: json, body: '{"humidity": 50}' });
        expect({ path, status: r.status, zone: r.json.zone }).toEqual({ path, status: 200, zone: 'Living Room' });
      }
      expect(zones[0].sensors.pushes).toHaveLength(6);
    });

    it('GET takes the readings from the query string, for devices that can only call a URL', async () => {
      const { send, zones } = await setup();
      const r = await send({ path: '/api/zones/kitchen/readings?temperature=21.3&motion=on&door=open&outdoor_temperature=-4' });
      expect(r.status).toBe(200);
      expect(r.json.accepted).toEqual(['temperature', 'motion', 'contact', 'outdoorTemperature']);
      expect(zones[1].sensors.pushes.map((p) => p.update)).toEqual([
        { kind: 'temperature', value: 21.3 },
        { kind: 'motion', value: true },
        { kind: 'contact', value: true },
        { kind: 'outdoorTemperature', value: -4 },
      ]);
    });

    it('feeds a real ZoneSensors', async () => {
      const clock = new ManualClock(T0);
      const sensors = new ZoneSensors('Den', 30 * 60_000);
      const server = new WebhookServer({
        host: '127.0.0.1', port: 0, clock, zones: [{ name: 'Den', sensors, state: () => ({}) }],
        log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
      });
      servers.push(server);
      const { port } = await server.start();
      expect((await request(port, { method: 'POST', path: '/api/zones/den/readings', body: '{"temperature": 19.5, "motion": "detected"}' })).status).toBe(200);
      const snapshot = sensors.poll(T0 + 1_000);
      expect(snapshot.temperature).toEqual({ value: 19.5, at: T0 });
      expect(snapshot.events).toEqual([{ t: T0, kind: 'motion', value: true, sensor: 'webhook:motion' }]);
    });

    it('GET /api/zones/<zone> answers the zone state; GET /api/zones lists the zones', async () => {
      const { send } = await setup();
      const state = await send({ path: '/api/zones/kitchen' });
      expect(state.status).toBe(200);
      expect(state.json).toEqual({ temperature: 20.5, target: 21, mode: 'heat' });
      const list = await send({ path: '/api/zones' });
      expect(list.status).toBe(200);
      expect(list.json).toEqual({ zones: ['Living Room', 'Kitchen'] });
    });
  });

  describe('bad requests', () => {
    const badBodies: [string, string | Buffer, RegExp][] = [
      ['malformed JSON', '{"temperature": 21.3', /^body: malformed JSON/],
      ['NaN in JSON text', '{"temperature": NaN}', /^body: malformed JSON/],
      ['a word for a number', '{"temperature": "warm"}', /^temperature: expected a number, got "warm"/],
      ['"NaN"', '{"temperature": "NaN"}', /^temperature: expected a number/],
      ['"Infinity"', '{"temperature": "Infinity"}', /^temperature: expected a number/],
      ['1e999', '{"temperature": 1e999}', /^temperature: expected a finite number/],
      ['a boolean for a number', '{"temperature": true}', /^temperature: expected a number/],
      ['an array for a number', '{"temperature": [21]}', /^temperature: expected a number/],
      ['a word for a boolean', '{"motion": "maybe"}', /^motion: expected true\/false/],
      ['an absurd temperature', '{"temperature": 500}', /^temperature: 500 °C is outside the physical range -30 to 60 °C/],
      ['negative humidity', '{"humidity": -1}', /^humidity: -1 % is outside/],
      ['an unknown key beside a good one', '{"temperature": 21, "colour": "red"}', /^colour: not a reading/],
      ['__proto__', '{"__proto__": {"temperature": 21}}', /^__proto__: not a reading/],
      ['an array body', '[21]', /^body: expected a JSON object of readings, got an array/],
      ['a null body', 'null', /^body: expected a JSON object/],
      ['a string body', '"21"', /^body: expected a JSON object/],
      ['an empty body', '', /^body: empty/],
      ['no readings', '{}', /^body: no readings/],
      ['one reading twice', '{"door": true, "contact": false}', /^contact: the same reading as door/],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /^body: not valid UTF-8/],
    ];
    it.each(badBodies)('400 for %s, and the zone gets nothing', async (_name, body, message) => {
      const { send, pushes, stillServes } = await setup();
      const r = await send({ method: 'POST', path: '/api/zones/kitchen/readings', headers: json, body });
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.json.error).toMatch(message);
      expect(pushes()).toEqual([]);
      await stillServes();
    });

    const badQueries: [string, RegExp][] = [
      ['temperature=NaN', /^temperature: expected a number, got "NaN"/],
      ['temperature=1e999', /^temperature: expected a finite number/],
      ['temperature=500', /^temperature: 500 °C is outside/],
      ['temperature=21&colour=red', /^colour: not a reading/],
      ['motion=perhaps', /^motion: expected true\/false/],
      ['', /^query: no readings/],
      ['token=abc', /^query: no readings/],
      ['temperature=20&temperature=21', /^temperature: given more than once/],
    ];
    it.each(badQueries)('400 for GET ?%s', async (query, message) => {
      const { send, pushes, stillServes } = await setup();
      const r = await send({ path: `/api/zones/kitchen/readings?${query}` });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(message);
      expect(pushes()).toEqual([]);
      await stillServes();
    });

    it('404 for an unknown zone lists the known ones; 404 for an unknown route', async () => {
      const { send, stillServes } = await setup();
      const r = await send({ method: 'POST', path: '/api/zones/garage/readings', headers: json, body: '{"temperature": 20}' });
      expect(r.status).toBe(404);
      expect(r.json.error).toMatch(/^no zone "garage"; known zones: "Living Room" \(living-room-[0-9a-f]{8}\), "Kitchen" \(kitchen-[0-9a-f]{8}\)/);
      for (const path of ['/', '/api', '/api/things', '/api/zones/kitchen/readings/extra', '/api/zones/kitchen/temperature', '/api//zones']) {
        const miss = await send({ path });
        expect({ path, status: miss.status }).toEqual({ path, status: 404 });
        expect(miss.json.error).toMatch(/^no route/);
      }
      await stillServes();
    });

    it('400 for malformed percent-encoding in the path', async () => {
      const { send, stillServes } = await setup();
      const r = await send({ path: '/api/zones/%E0%A4%A/readings?temperature=20' });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/^path: malformed percent-encoding/);
      await stillServes();
    });

    it('405 with Allow for a method a route does not take', async () => {
      const { send, stillServes } = await setup();
      for (const [method, path, allow] of [
        ['DELETE', '/api/zones/kitchen/readings', 'GET, POST'],
        ['PUT', '/api/zones/kitchen/readings', 'GET, POST'],
        ['POST', '/api/zones/kitchen', 'GET'],
        ['PATCH', '/api/zones', 'GET'],
      ]) {
        const r = await send({ method, path, headers: json, body: '{"temperature": 20}' });
        expect({ method, path, status: r.status, allow: r.headers.allow }).toEqual({ method, path, status: 405, allow });
        expect(r.json.error).toContain(`${method} is not allowed`);
      }
      await stillServes();
    });

    it('413 for a body over the limit, declared by Content-Length', async () => {
      const { send, pushes, stillServes } = await setup();
      const body = JSON.stringify({ temperature: 21, pad: 'x'.repeat(5_000) });
      const r = await send({ method: 'POST', path: '/api/zones/kitchen/readings', headers: { ...json, 'Content-Length': String(body.length) }, body });
      expect(r.status).toBe(413);
      expect(r.json.error).toMatch(/^body: \d+ bytes is more than the 4096 bytes read/);
      expect(pushes()).toEqual([]);
      await stillServes();
    });

    it('413 for a chunked body (no Content-Length) as soon as it passes the limit', async () => {
      const { send, pushes, stillServes } = await setup({ maxBodyBytes: 256 });
      const r = await send({
        method: 'POST', path: '/api/zones/kitchen/readings', headers: { ...json, 'Transfer-Encoding': 'chunked' },
        streamChunk: Buffer.from(' '.repeat(100)),
      });
      expect(r.status).toBe(413);
      expect(r.json.error).toMatch(/more than the 256 bytes read/);
      expect(pushes()).toEqual([]);
      await stillServes();
    });

    it('415 for a POST whose Content-Type is not JSON; JSON types and no type are fine', async () => {
      const { send, pushes, stillServes } = await setup();
      const refused = await send({ method: 'POST', path: '/api/zones/kitchen/readings', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '{"temperature": 20}' });
      expect(refused.status).toBe(415);
      expect(refused.json.error).toMatch(/^Content-Type: expected application\/json, got "application\/x-www-form-urlencoded"/);
      expect(pushes()).toEqual([]);
      for (const type of ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.shelly+json', undefined]) {
        const r = await send({ method: 'POST', path: '/api/zones/kitchen/readings', headers: type ? { 'Content-Type': type } : {}, body: '{"temperature": 20}' });
        expect({ type, status: r.status }).toEqual({ type, status: 200 });
      }
      await stillServes();
    });

    it('answers malformed HTTP with a JSON 400 and closes the connection', async () => {
      const { port, stillServes } = await setup();
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('NONSENSE\r\n\r\n'));
        let text = '';
        socket.on('data', (d) => (text += d.toString('utf8')));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ error: expect.stringMatching(/^malformed HTTP request/) });
      await stillServes();
    });

    it('500 without details when a zone fails, logged as a warning, and the server carries on', async () => {
      const { send, zones, logs, stillServes } = await setup();
      zones[1].state = () => {
        throw new Error('sensor table corrupt');
      };
      const r = await send({ path: '/api/zones/kitchen' });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ error: 'internal error; see the Homebridge log' });
      expect(r.text).not.toContain('corrupt');
      expect(r.text).not.toContain('at ');
      expect(logs.filter((l) => l.level === 'warn').map((l) => l.line)).toEqual([expect.stringContaining('sensor table corrupt')]);
      await stillServes();
    });

    it('logs each refusal once at debug, naming the path but not the query', async () => {
      const { send, logs } = await setup();
      await send({ path: '/api/zones/kitchen/readings?temperature=500' });
      const lines = logs.filter((l) => l.line.startsWith('webhook: 400'));
      expect(lines).toEqual([{ level: 'debug', line: expect.stringContaining('GET /api/zones/kitchen/readings from 127.0.0.1: temperature: 500') }]);
      expect(lines[0].line).not.toContain('?');
    });

    it('cuts off a client that sends a request too slowly', async () => {
      const { port, stillServes } = await setup({ requestTimeoutMs: 300 });
      for (const partial of [
        'POST /api/zones/kitchen/readings HTTP/1.1\r\nHost: x\r\n',
        'POST /api/zones/kitchen/readings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"temp',
      ]) {
        const raw = await new Promise<string>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write(partial));
          let text = '';
          socket.on('data', (d) => (text += d.toString('utf8')));
          socket.on('close', () => resolve(text));
          socket.on('error', reject);
        });
        expect(raw).toMatch(/^HTTP\/1.1 408 /);
      }
      await stillServes();
    });
  });

  describe('token', () => {
    const path = '/api/zones/kitchen/readings';

    it('401 with WWW-Authenticate for a missing or wrong token, whatever its length', async () => {
      const { send, pushes, stillServes } = await setup({ token: TOKEN });
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
        { Authorization: 'Bearer x' },
        { Authorization: `Bearer ${TOKEN}${'x'.repeat(1_000)}` },
        { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
        { Authorization: TOKEN },
      ];
      for (const headers of attempts) {
        const r = await send({ method: 'POST', path, headers: { ...json, ...headers }, body: '{"temperature": 20}' });
        expect({ headers, status: r.status }).toEqual({ headers, status: 401 });
        expect(r.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(r.json.error).toMatch(/token/);
      }
      for (const query of ['token=wrong&temperature=20', `token=${TOKEN}&token=guess&temperature=20`, 'temperature=20']) {
        const r = await send({ path: `${path}?${query}` });
        expect({ query, status: r.status }).toEqual({ query, status: 401 });
      }
      expect(pushes()).toEqual([]);
      await stillServes({ Authorization: `Bearer ${TOKEN}` });
    });

    it('is needed on every route, before a zone name is looked at', async () => {
      const { send } = await setup({ token: TOKEN });
      for (const p of ['/api/zones', '/api/zones/kitchen', '/api/zones/garage/readings', '/api/zones/%E0%A4%A/readings', '/nowhere']) {
        const r = await send({ path: p });
        expect({ p, status: r.status }).toEqual({ p, status: 401 });
        expect(r.text).not.toContain('Kitchen');
      }
    });

    it('is accepted in the Authorization header or the query string', async () => {
      const { send, zones } = await setup({ token: TOKEN });
      const byHeader = await send({ method: 'POST', path, headers: { ...json, Authorization: `bearer ${TOKEN}` }, body: '{"temperature": 20}' });
      expect(byHeader.status).toBe(200);
      const byQuery = await send({ path: `${path}?temperature=21&token=${encodeURIComponent(TOKEN)}` });
      expect(byQuery.status).toBe(200);
      expect(byQuery.json.accepted).toEqual(['temperature']);
      const postWithQueryToken = await send({ method: 'POST', path: `${path}?token=${TOKEN}`, headers: json, body: '{"temperature": 22}' });
      expect(postWithQueryToken.status).toBe(200);
      const state = await send({ path: `/api/zones/kitchen?token=${TOKEN}` });
      expect(state.status).toBe(200);
      expect(zones[1].sensors.pushes.map((p) => p.update.value)).toEqual([20, 21, 22]);
    });

    it('never reaches the log, and a flood of 401s warns once per reason', async () => {
      const { send, logs } = await setup({ token: TOKEN });
      for (let i = 0; i < 5; i++) {
        await send({ path: `${path}?temperature=20&token=${TOKEN.slice(0, -1)}` });
        await send({ path: `${path}?temperature=20` });
      }
      await send({ path: `${path}?temperature=500&token=${TOKEN}` });
      await send({ path: `${path}?temperature=${TOKEN}&token=${TOKEN}` });
      await send({ path: `/api/zones/${TOKEN}?token=${TOKEN}` });
      await send({ method: 'POST', path, headers: { ...json, Authorization: `Bearer ${TOKEN}` }, body: `{"motion": "${TOKEN}"}` });
      await send({ path: `${path}?temperature=20&token=${TOKEN}` });
      expect(logs.length).toBeGreaterThan(10);
      for (const { line } of logs) {
        expect(line).not.toContain(TOKEN);
        expect(line).not.toContain(TOKEN.slice(0, -1));
      }
      const warnings = logs.filter((l) => l.level === 'warn').map((l) => l.line);
      expect(warnings).toEqual([expect.stringContaining('wrong token'), expect.stringContaining('missing token')]);
      expect(logs.filter((l) => l.line.startsWith('webhook: 401'))).toHaveLength(10);
    });

    it('is not needed on loopback without one configured (a token parameter is ignored)', async () => {
      const { send } = await setup();
      expect((await send({ path: `${path}?temperature=20` })).status).toBe(200);
      expect((await send({ path: `${path}?temperature=20&token=anything` })).status).toBe(200);
    });
  });

  describe('rate limit', () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('429 with Retry-After once a client exceeds its bucket, and OK again once it refills', async () => {
      const { send, logs } = await setup({ rateLimit: { perSecond: 2, burst: 3 } });
      const replies: Reply[] = [];
      for (let i = 0; i < 50; i++) {
        replies.push(await send({ path: '/api/zones' }));
      }
      expect(replies.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
      const limited = replies.filter((r) => r.status === 429);
      // 50 requests would need over 23 s to stay inside 2/s after a burst of 3.
      expect(limited.length).toBeGreaterThanOrEqual(30);
      expect(replies.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      const last = limited[limited.length - 1];
      expect(last.json.error).toMatch(/^too many requests from 127\.0\.0\.1/);
      const wait = Number(last.headers['retry-after']);
      expect(Number.isInteger(wait) && wait >= 1).toBe(true);
      expect(logs.filter((l) => l.level === 'warn')).toEqual([]);

      await sleep(wait * 1000 + 50);
      expect((await send({ path: '/api/zones' })).status).toBe(200);
    });

    it('counts each client address on its own', async () => {
      const { send } = await setup({ rateLimit: { perSecond: 1, burst: 2 } });
      for (let i = 0; i < 5; i++) {
        await send({ path: '/api/zones' });
      }
      expect((await send({ path: '/api/zones' })).status).toBe(429);
      let other: Reply;
      try {
        other = await send({ path: '/api/zones', localAddress: '127.0.0.2' });
      } catch (err) {
        // Only Linux routes all of 127.0.0.0/8 to loopback out of the box; elsewhere there is no second address.
        expect((err as NodeJS.ErrnoException).code).toBe('EADDRNOTAVAIL');
        return;
      }
      expect(other.status).toBe(200);
    });
  });

  describe('construction and start', () => {
    const log = { info: () => undefined, warn: () => undefined, debug: () => undefined };
    const base = { port: 0, zones: [], clock: new ManualClock(T0), log };

    it.each(['0.0.0.0', '::', '192.168.1.20', 'homebridge.local', '128.0.0.1'])('refuses %s without a token, naming webhook.token', (host) => {
      expect(() => new WebhookServer({ ...base, host })).toThrow(/webhook\.token is required when webhook\.host/);
      expect(() => new WebhookServer({ ...base, host, token: '   ' })).toThrow(/webhook\.token/);
    });

    it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('accepts loopback %s without a token', (host) => {
      expect(isLoopbackHost(host)).toBe(true);
      expect(() => new WebhookServer({ ...base, host })).not.toThrow();
    });

    it.each(['0.0.0.0', '::', '::2', '10.0.0.1', '127.0.0.1.example.com', 'localhost.example.com', '::ffff:10.0.0.1', ''])('%s is not loopback', (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    });

    it('listens on 0.0.0.0 with a token', async () => {
      const server = new WebhookServer({ ...base, host: '0.0.0.0', token: TOKEN });
      servers.push(server);
      const { host, port } = await server.start();
      expect(host).toBe('0.0.0.0');
      expect(port).toBeGreaterThan(0);
      expect((await request(port, { path: '/api/zones', headers: { Authorization: `Bearer ${TOKEN}` } })).json).toEqual({ zones: [] });
    });

    it('refuses a port out of range or a blank host, naming the field', () => {
      expect(() => new WebhookServer({ ...base, host: '127.0.0.1', port: 70_000 })).toThrow(/webhook\.port/);
      expect(() => new WebhookServer({ ...base, host: '127.0.0.1', port: 1.5 })).toThrow(/webhook\.port/);
      expect(() => new WebhookServer({ ...base, host: ' ' })).toThrow(/webhook\.host/);
    });

    it('start() rejects clearly when the port is in use, and twice is refused', async () => {
      const first = new WebhookServer({ ...base, host: '127.0.0.1' });
      servers.push(first);
      const { port } = await first.start();
      await expect(first.start()).rejects.toThrow(/already started/);
      const second = new WebhookServer({ ...base, host: '127.0.0.1', port });
      servers.push(second);
      await expect(second.start()).rejects.toThrow(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*webhook\\.port`));
      // The first is unaffected.
      expect((await request(port, { path: '/api/zones' })).status).toBe(200);
    });

    it('close() is safe before start and twice', async () => {
      const server = new WebhookServer({ ...base, host: '127.0.0.1' });
      await server.close();
      await server.start();
      await server.close();
      await server.close();
    });
  });
});
