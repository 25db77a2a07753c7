import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpOutputSettings } from '../../src/config/types';
import { HttpOutput } from '../../src/io/http-output';
import type { DeviceState, EquipmentCommand } from '../../src/io/types';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Answer = 'ok' | '500' | 'hang' | { status?: number; json: unknown };

/** A local HTTP device: records every request and answers as told (a queue first, then `otherwise`). */
class TestDevice {
  readonly seen: Seen[] = [];
  readonly queue: Answer[] = [];
  otherwise: Answer = 'ok';
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = this.queue.shift() ?? this.otherwise;
      if (answer === 'hang') {
        return;
      }
      if (answer === '500') {
        res.writeHead(500).end('broken');
      } else if (answer === 'ok') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      } else {
        res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.json));
      }
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get paths(): string[] {
    return this.seen.map((s) => s.url);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A short pause to show something does NOT happen (a cancelled retry would fire within it). */
const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

function command(over: Partial<EquipmentCommand> = {}): EquipmentCommand {
  return { mode: 'heat', heating: false, cooling: false, setpoint: 21, coolingSetpoint: 21, ...over };
}

/** A logger that keeps its lines; `onWarn` runs after each warn (to act while a retry is pending). */
function recorder(onWarn?: () => void) {
  const lines: { level: 'info' | 'warn' | 'debug'; message: string }[] = [];
  return {
    lines,
    log: {
      info: (message: string) => lines.push({ level: 'info', message }),
      warn: (message: string) => {
        lines.push({ level: 'warn', message });
        onWarn?.();
      },
      debug: (message: string) => lines.push({ level: 'debug', message }),
    },
    of: (level: 'info' | 'warn' | 'debug') => lines.filter((l) => l.level === level).map((l) => l.message),
  };
}

describe('HttpOutput against a local device', () => {
  let device: TestDevice;
  const outputs: HttpOutput[] = [];

  beforeEach(async () => {
    device = new TestDevice();
    await device.start();
  });

  afterEach(async () => {
    for (const o of outputs.splice(0)) {
      o.close();
    }
    await device.stop();
  });

  function output(over: Partial<HttpOutputSettings>, rec = recorder(), backoffBaseMs = 20) {
    const settings: HttpOutputSettings = {
      style: 'relay',
      method: 'GET',
      url: `${device.base}/relay/0?turn={{heat}}`,
      headers: {},
      // Generous: a loaded test machine must not time out a healthy device. Timeout tests set their own.
      timeoutSeconds: 2,
      retries: 3,
      ...over,
    };
    const out = new HttpOutput('Living Room', settings, rec.log, { backoffBaseMs, maxBackoffMs: 4 * backoffBaseMs });
    outputs.push(out);
    const states: DeviceState[] = [];
    out.onState((s) => states.push(s));
    return { out, rec, states };
  }

  it('switches a Shelly Gen1 relay with GET and confirms each change', async () => {
    const { out, rec, states } = output({});
    out.apply(command({ heating: true }), 0);
    await waitFor('heat on', () => states.length === 1);
    expect(device.seen[0]).toMatchObject({ method: 'GET', url: '/relay/0?turn=on', body: '' });
    expect(states).toEqual([{ heating: true, cooling: false }]);

    out.apply(command({ heating: false }), 1);
    await waitFor('heat off', () => states.length === 2);
    expect(device.paths).toEqual(['/relay/0?turn=on', '/relay/0?turn=off']);
    expect(states[1]).toEqual({ heating: false, cooling: false });
    expect(rec.of('warn')).toEqual([]);
    expect(rec.of('debug').length).toBe(2);
  });

  it('posts a JSON setpoint with a custom header, and sends setpoint and mode changes', async () => {
    const { out, states } = output({
      style: 'setpoint',
      method: 'POST',
      url: `${device.base}/api/thermostat?zone={{zone}}`,
      body: '{"setpoint": {{setpoint}}, "mode": "{{mode}}"}',
      headers: { 'X-Api-Key': 'k-123' },
    });
    out.apply(command({ setpoint: 20.5, heating: true }), 0);
    await waitFor('first post', () => states.length === 1);
    const first = device.seen[0];
    expect(first.method).toBe('POST');
    expect(first.url).toBe('/api/thermostat?zone=Living%20Room');
    expect(JSON.parse(first.body)).toEqual({ setpoint: 20.5, mode: 'heat' });
    expect(first.headers['x-api-key']).toBe('k-123');
    expect(first.headers['content-type']).toBe('application/json');
    expect(states).toEqual([{ heating: true, cooling: false }]);

    out.apply(command({ setpoint: 22 }), 1);
    await waitFor('setpoint change', () => device.seen.length === 2);
    out.apply(command({ setpoint: 22, mode: 'auto' }), 2);
    await waitFor('mode change', () => device.seen.length === 3);
    expect(device.seen.map((s) => JSON.parse(s.body))).toEqual([
      { setpoint: 20.5, mode: 'heat' }, { setpoint: 22, mode: 'heat' }, { setpoint: 22, mode: 'auto' },
    ]);
  });

  it('keeps a Content-Type the headers set, and sends none for a plain body', async () => {
    const a = output({ method: 'PUT', body: '{"on": {{heating}}}', headers: { 'content-type': 'application/vnd.dev+json' } });
    a.out.apply(command({ heating: true }), 0);
    await waitFor('put', () => device.seen.length === 1);
    expect(device.seen[0].headers['content-type']).toBe('application/vnd.dev+json');
    expect(device.seen[0].body).toBe('{"on": true}');

    const b = output({ method: 'POST', url: `${device.base}/plain`, body: '{{HEAT}}' });
    b.out.apply(command({ heating: true }), 0);
    await waitFor('post', () => device.seen.length === 2);
    expect(device.seen[1].headers['content-type']).toBeUndefined();
    expect(device.seen[1].body).toBe('ON');
  });

  it('does not resend a repeat: relay only on a heating change, setpoint only on a new request', async () => {
    const relay = output({});
    relay.out.apply(command({ heating: true, setpoint: 20 }), 0);
    await waitFor('relay on', () => relay.states.length === 1);
    relay.out.apply(command({ heating: true, setpoint: 22 }), 1);
    relay.out.apply(command({ heating: true, mode: 'auto' }), 2);

    const sp = output({ style: 'setpoint', method: 'POST', url: `${device.base}/sp`, body: '{"t": {{setpoint}}}' });
    sp.out.apply(command({ setpoint: 20, heating: true }), 0);
    await waitFor('setpoint', () => sp.states.length === 1);
    // Same request, the zone's own heating estimate changes: confirmed at once, nothing sent.
    sp.out.apply(command({ setpoint: 20, heating: false }), 1);
    expect(sp.states).toEqual([{ heating: true, cooling: false }, { heating: false, cooling: false }]);
    await settle();
    expect(device.paths).toEqual(['/relay/0?turn=on', '/sp']);
  });

  it('switches the cool relay on its own URL when cooling changes, after the heat relay is off', async () => {
    const { out, states } = output({ coolUrl: `${device.base}/relay/1?turn={{cool}}` });
    out.apply(command({ mode: 'auto', heating: true }), 0);
    await waitFor('both relays', () => device.seen.length === 2 && states.length === 2);
    // At start neither relay is known: the cool relay's "off" goes first, then heat on.
    expect(device.paths).toEqual(['/relay/1?turn=off', '/relay/0?turn=on']);
    expect(states).toEqual([{ heating: false, cooling: false }, { heating: true, cooling: false }]);

    // Heat off fails once; cool on waits until heat off has landed.
    device.queue.push('500');
    out.apply(command({ mode: 'auto', cooling: true }), 1);
    await waitFor('cooling confirmed', () => states.length === 4);
    expect(device.paths.slice(2)).toEqual(['/relay/0?turn=off', '/relay/0?turn=off', '/relay/1?turn=on']);
    expect(states.slice(2)).toEqual([{ heating: false, cooling: false }, { heating: false, cooling: true }]);

    out.apply(command({ mode: 'auto', cooling: true, setpoint: 23 }), 2);
    await settle();
    expect(device.seen.length).toBe(5);
  });

  it('retries a 500 and lands, with one warn and an info when it works again', async () => {
    const { out, rec, states } = output({});
    device.queue.push('500', '500');
    out.apply(command({ heating: true }), 0);
    await waitFor('confirmed', () => states.length === 1);
    expect(device.paths).toEqual(['/relay/0?turn=on', '/relay/0?turn=on', '/relay/0?turn=on']);
    expect(states).toEqual([{ heating: true, cooling: false }]);
    const warns = rec.of('warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toContain('HTTP heat relay'); // the zone's logger adds the zone's name
    expect(warns[0]).toContain('GET');
    expect(warns[0]).toContain(`${device.base}/relay/0?turn=on`);
    expect(warns[0]).toContain('HTTP 500');
    expect(rec.of('info')).toEqual([expect.stringContaining('works again')]);
  });

  it('retries a request that times out', async () => {
    const { out, rec, states } = output({ timeoutSeconds: 0.2 });
    device.queue.push('hang');
    out.apply(command({ heating: true }), 0);
    await waitFor('confirmed', () => states.length === 1);
    expect(device.paths.length).toBeGreaterThanOrEqual(2);
    expect(new Set(device.paths)).toEqual(new Set(['/relay/0?turn=on']));
    expect(states).toEqual([{ heating: true, cooling: false }]);
    expect(rec.of('warn')).toEqual([expect.stringContaining('no answer within 0.2 s')]);
  });

  it('when every retry fails: one warn, the last confirmed state stands, and the next command is sent', async () => {
    const { out, rec, states } = output({ retries: 2 });
    out.apply(command({ heating: false }), 0);
    await waitFor('off confirmed', () => states.length === 1);

    device.otherwise = '500';
    out.apply(command({ heating: true }), 1);
    await waitFor('three attempts', () => device.seen.length === 4);
    await waitFor('gave up', () => rec.of('debug').some((m) => m.includes('gave up')));
    await settle();
    expect(device.seen.length).toBe(4);
    expect(rec.of('warn')).toHaveLength(1);
    expect(states).toEqual([{ heating: false, cooling: false }]);

    // The device comes back: the next command is sent even though it matches the last success.
    device.otherwise = 'ok';
    out.apply(command({ heating: false }), 2);
    await waitFor('sent again', () => device.seen.length === 5);
    await waitFor('works again', () => rec.of('info').length === 1);
    expect(device.paths[4]).toBe('/relay/0?turn=off');
    expect(states).toEqual([{ heating: false, cooling: false }]);
    expect(rec.of('warn')).toHaveLength(1);
  });

  it('names a refused connection in the warn', async () => {
    const dead = new TestDevice();
    await dead.start();
    const url = `${dead.base}/relay/0?turn={{heat}}`;
    await dead.stop();
    const { out, rec } = output({ url, retries: 0 });
    out.apply(command({ heating: true }), 0);
    await waitFor('warn', () => rec.of('warn').length === 1);
    expect(rec.of('warn')[0]).toContain('ECONNREFUSED');
  });

  it('a newer command supersedes a pending retry: the device never sees the older after the newer', async () => {
    // The newer command comes right after the first failure, while its retry (in 200 ms) is pending.
    const rec = recorder(() => setImmediate(() => out.apply(command({ setpoint: 23, heating: true }), 1)));
    const { out, states } = output({ style: 'setpoint', method: 'POST', url: `${device.base}/sp`, body: '{"t": {{setpoint}}}', retries: 5 },
      rec, 200);
    device.queue.push('500');
    out.apply(command({ setpoint: 20 }), 0);
    await waitFor('newer confirmed', () => states.length === 1);
    await settle(400);
    expect(device.seen.map((s) => s.body)).toEqual(['{"t": 20.0}', '{"t": 23.0}']);
    expect(states).toEqual([{ heating: true, cooling: false }]);
  });

  it('a command given while an older one is in flight is sent after it, and the older is not retried', async () => {
    const { out, states } = output({ retries: 5, timeoutSeconds: 0.2 });
    device.queue.push('hang');
    out.apply(command({ heating: true }), 0);
    await waitFor('first attempt', () => device.seen.length === 1);
    out.apply(command({ heating: false }), 1);
    await waitFor('off confirmed', () => states.length === 1);
    await settle();
    expect(device.paths[0]).toBe('/relay/0?turn=on');
    expect(device.paths.length).toBeGreaterThanOrEqual(2);
    expect(new Set(device.paths.slice(1))).toEqual(new Set(['/relay/0?turn=off']));
    expect(states).toEqual([{ heating: false, cooling: false }]);
  });

  it('takes the state from the response when stateKey is set (Shelly ison)', async () => {
    const { out, states } = output({ stateKey: 'ison' });
    // The relay refuses to turn on (overheated, say): Apple Home is told it is off.
    device.queue.push({ json: { ison: false, has_timer: false } });
    out.apply(command({ heating: true }), 0);
    await waitFor('reported', () => states.length === 1);
    expect(states).toEqual([{ heating: false, cooling: false }]);

    // A response without the key: the success confirms the command.
    device.queue.push({ json: { other: 1 } });
    out.apply(command({ heating: false }), 1);
    device.queue.push({ json: { ison: true } });
    out.apply(command({ heating: true }), 2);
    await waitFor('reported on', () => states.length === 2);
    expect(states[1]).toEqual({ heating: true, cooling: false });
  });

  it('reads a dotted stateKey for a setpoint device, and a cool relay\'s state as cooling', async () => {
    const sp = output({ style: 'setpoint', method: 'POST', url: `${device.base}/sp`, body: '{"t": {{setpoint}}}', stateKey: 'state.running' });
    device.queue.push({ json: { state: { running: 'cooling' } } });
    sp.out.apply(command({ mode: 'cool', setpoint: 24 }), 0);
    await waitFor('reported', () => sp.states.length === 1);
    expect(sp.states).toEqual([{ heating: false, cooling: true }]);

    const relays = output({ url: `${device.base}/h?turn={{heat}}`, coolUrl: `${device.base}/c?turn={{cool}}`, stateKey: 'ison' });
    device.otherwise = { json: { ison: true } };
    relays.out.apply(command({ mode: 'cool', cooling: true }), 0);
    await waitFor('both', () => device.seen.length === 3);
    await waitFor('state', () => relays.states.some((s) => s.cooling));
    // The heat relay answered ison:true to "off": the device is believed over the command.
    expect(relays.states[relays.states.length - 1]).toEqual({ heating: true, cooling: true });
  });

  it('redacts credentials in logs and sends userinfo as Basic auth', async () => {
    const rec = recorder();
    const { out } = output({
      url: `http://admin:s3cretpw@${device.base.slice('http://'.length)}/relay/0?turn={{heat}}&token=tok-abc123`,
      headers: { Authorization: 'Bearer hdr-secret-9' },
      retries: 1,
    }, rec);
    device.otherwise = '500';
    out.apply(command({ heating: true }), 0);
    await waitFor('two attempts', () => device.seen.length === 2);
    await waitFor('gave up', () => rec.of('debug').some((m) => m.includes('gave up')));
    expect(device.seen[0].url).toBe('/relay/0?turn=on&token=tok-abc123');
    expect(device.seen[0].headers.authorization).toBe('Bearer hdr-secret-9');
    const all = rec.lines.map((l) => l.message).join('\n');
    expect(all).not.toMatch(/s3cretpw|tok-abc123|hdr-secret-9|admin/);
    expect(rec.of('warn')[0]).toContain('http://***@127.0.0.1:');
    expect(rec.of('warn')[0]).toContain('/relay/0?turn=on&token=***');

    const basic = output({ url: `http://admin:pa%24%24@${device.base.slice('http://'.length)}/r`, method: 'GET' });
    device.otherwise = 'ok';
    basic.out.apply(command({ heating: true }), 0);
    await waitFor('basic', () => basic.states.length === 1);
    expect(device.seen[2].headers.authorization).toBe(`Basic ${Buffer.from('admin:pa$$').toString('base64')}`);
  });

  it('close() cancels a pending retry and an in-flight request', async () => {
    // Closed right after the first failure, while its retry (in 100 ms) is pending.
    const a = output({ retries: 5 }, recorder(() => setImmediate(() => a.out.close())), 100);
    device.queue.push('500');
    a.out.apply(command({ heating: true }), 0);
    await waitFor('first attempt failed', () => a.rec.of('warn').length === 1);
    await settle(300);
    expect(device.seen.length).toBe(1);
    expect(a.states).toEqual([]);

    const b = output({ retries: 5 });
    device.queue.push('hang');
    b.out.apply(command({ heating: true }), 0);
    await waitFor('in flight', () => device.seen.length === 2);
    b.out.close();
    b.out.apply(command({ heating: false }), 1);
    await settle();
    expect(device.seen.length).toBe(2);
    expect(b.rec.of('warn')).toEqual([]);
    expect(b.states).toEqual([]);
  });

  it('tells listeners only of changes, and a throwing listener is logged, not thrown', async () => {
    const { out, rec, states } = output({});
    out.onState(() => {
      throw new Error('listener broke');
    });
    out.apply(command({ heating: true }), 0);
    await waitFor('on', () => states.length === 1);
    out.apply(command({ heating: false }), 1);
    out.apply(command({ heating: true }), 2);
    await waitFor('three requests', () => device.seen.length === 3);
    await waitFor('on again', () => states.length === 3);
    expect(states.map((s) => s.heating)).toEqual([true, false, true]);
    expect(rec.of('warn').every((m) => m.includes('listener broke'))).toBe(true);
  });
});
