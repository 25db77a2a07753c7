import type { MqttOutputSettings, SensorSettings } from '../../src/config/types';
import { attachMqttSensors, MqttConnection, MqttOutput, topicMatches } from '../../src/io/mqtt';
import { redactUrl } from '../../src/io/redact';
import type { DeviceState, EquipmentCommand } from '../../src/io/types';
import {
  freePort, itWithOwnBroker, recordingLog, RecordingHub, repeatUntil, startAedes, startBroker, TestBroker, uniquePrefix, waitFor,
} from './mqtt-broker';

const FAST = { backoffBaseMs: 50, maxBackoffMs: 400, connectTimeoutMs: 3000, publishTimeoutMs: 3000 };
const STALE_MS = 30 * 60_000;
const clock = { now: () => Date.now() };

let broker: TestBroker;
const connections: MqttConnection[] = [];
const brokers: TestBroker[] = [];
const cleanups: (() => void)[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

function connection(url = broker.url, log = recordingLog(), settings: { username?: string; password?: string } = {}): MqttConnection {
  const c = new MqttConnection({ url, ...settings }, log, FAST);
  connections.push(c);
  c.connect();
  return c;
}

function sensor(over: Partial<SensorSettings> & Pick<SensorSettings, 'name' | 'topic'>): SensorSettings {
  return { kind: 'temperature', invert: false, weight: 1, ...over };
}

function command(over: Partial<EquipmentCommand> = {}): EquipmentCommand {
  return { mode: 'heat', heating: false, cooling: false, setpoint: 21, coolingSetpoint: 21, ...over };
}

/** A connection that records every message under `prefix/#`, subscribed for sure once this resolves. */
async function observer(prefix: string, url = broker.url): Promise<{ conn: MqttConnection; messages: { topic: string; payload: string }[];
  on(topic: string): string[]; }> {
  const conn = connection(url);
  const messages: { topic: string; payload: string }[] = [];
  conn.subscribe(`${prefix}/#`, (payload, topic) => messages.push({ topic, payload: payload.toString() }));
  await repeatUntil(() => conn.publish(`${prefix}/probe`, 'probe'), () => messages.some((m) => m.topic === `${prefix}/probe`),
    'the observer to see its own probe');
  return { conn, messages, on: (topic) => messages.filter((m) => m.topic === topic).map((m) => m.payload) };
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  broker = await startBroker();
});

afterEach(async () => {
  for (const fn of cleanups.splice(0)) {
    fn();
  }
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

afterAll(async () => {
  await broker?.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('helpers', () => {
  it('redacts credentials from broker URLs', () => {
    expect(redactUrl('mqtt://user:secret@broker.lan:1883')).toBe('mqtt://***@broker.lan:1883');
    expect(redactUrl('mqtts://broker.lan:8883')).toBe('mqtts://broker.lan:8883');
    expect(redactUrl('not a url //u:p@x')).toBe('(invalid URL)');
  });

  it.each([
    ['a/b', 'a/b', true], ['a/+', 'a/b', true], ['a/+', 'a/b/c', false], ['a/#', 'a', true], ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false], ['+/x', '$SYS/x', false], ['a/b', 'a/c', false], ['+/+', 'a/b', true], ['a/+/c', 'a/b/c', true],
  ])('topic filter %s on %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('loads the mqtt package only when a connection starts', () => {
    jest.isolateModules(() => {
      let loads = 0;
      jest.doMock('mqtt', () => {
        loads++;
        return { connect: () => { throw new Error('stub: no broker'); } };
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require('../../src/io/mqtt') as typeof import('../../src/io/mqtt');
      const log = recordingLog();
      const c2 = new m.MqttConnection({ url: 'mqtt://127.0.0.1:1' }, log);
      c2.subscribe('a', () => undefined);
      expect(loads).toBe(0);
      c2.connect();
      expect(loads).toBe(1);
      // A broken client library is a warning, not a crash.
      expect(log.lines.some((l) => l.level === 'warn' && /stub: no broker/.test(l.message))).toBe(true);
      void c2.close();
      jest.dontMock('mqtt');
    });
  });
});

describe('MQTT sensors', () => {
  it('reads zigbee2mqtt payloads without a key: occupancy, temperature, humidity, contact', async () => {
    const p = uniquePrefix('z2m');
    const hub = new RecordingHub('Living Room', STALE_MS);
    const conn = connection();
    const pub = connection();
    const log = recordingLog();
    cleanups.push(attachMqttSensors('Living Room', [
      sensor({ name: 'Hall motion', kind: 'motion', topic: `${p}/hall` }),
      sensor({ name: 'Hall temperature', kind: 'temperature', topic: `${p}/hall` }),
      sensor({ name: 'Hall humidity', kind: 'humidity', topic: `${p}/hall` }),
      sensor({ name: 'Front door', kind: 'contact', topic: `${p}/door` }),
    ], hub, conn, clock, log));

    await repeatUntil(() => pub.publish(`${p}/hall`, '{"occupancy":true,"temperature":21.3,"humidity":40,"battery":90}'),
      () => hub.values('Hall temperature').length > 0, 'the hall reading');
    await repeatUntil(() => pub.publish(`${p}/door`, '{"contact":false,"battery":100}'),
      () => hub.values('Front door').length > 0, 'the door reading');

    expect(hub.values('Hall motion', 'motion')[0]).toBe(true);
    expect(hub.values('Hall temperature', 'temperature')[0]).toBe(21.3);
    expect(hub.values('Hall humidity', 'humidity')[0]).toBe(40);
    // zigbee2mqtt's contact means closed: contact false is a door open.
    expect(hub.values('Front door', 'contact')[0]).toBe(true);
    const snap = hub.poll(Date.now());
    expect(snap.temperature?.value).toBeCloseTo(21.3);
    expect(snap.humidity?.value).toBe(40);
    expect(snap.events.some((e) => e.kind === 'motion' && e.value)).toBe(true);
    expect(snap.events.some((e) => e.kind === 'door' && e.value)).toBe(true);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('reads a zigbee2mqtt CO2 sensor, each with its own rise: a rising level is motion from that sensor', async () => {
    const p = uniquePrefix('co2');
    const hub = new RecordingHub('Office', STALE_MS);
    const conn = connection();
    const pub = connection();
    let now = 1_000 * 60_000;
    cleanups.push(attachMqttSensors('Office', [
      sensor({ name: 'Desk CO2', kind: 'airQuality', topic: `${p}/office` }),
      sensor({ name: 'Shelf CO2', kind: 'airQuality', topic: `${p}/office`, rise: 40 }),
    ], hub, conn, { now: () => now }, recordingLog()));
    const send = async (co2: number, minute: number): Promise<void> => {
      now = 1_000 * 60_000 + minute * 60_000;
      const seen = hub.values('Shelf CO2').length;
      await repeatUntil(() => pub.publish(`${p}/office`, JSON.stringify({ co2, temperature: 22, battery: 90 })),
        () => hub.values('Shelf CO2').length > seen, `the CO2 reading at minute ${minute}`);
    };
    await send(500, 0);
    await send(535, 5);
    expect(hub.poll(now).events.map((e) => e.sensor)).toEqual(['mqtt:Desk CO2']);
    await send(545, 10);
    expect(hub.poll(now).events.map((e) => e.sensor).sort()).toEqual(['mqtt:Desk CO2', 'mqtt:Shelf CO2']);
    // A reading sent again (the helper repeats until it lands) is the same value at the same time.
    expect([...new Set(hub.values('Desk CO2', 'airQuality'))]).toEqual([500, 535, 545]);
  });

  it('reads explicit keys, nested keys and bare payloads', async () => {
    const p = uniquePrefix('keys');
    const hub = new RecordingHub('Office', STALE_MS);
    const conn = connection();
    const pub = connection();
    cleanups.push(attachMqttSensors('Office', [
      sensor({ name: 'Tasmota', kind: 'temperature', topic: `${p}/tasmota`, key: 'DS18B20.Temperature' }),
      sensor({ name: 'Keyed', kind: 'humidity', topic: `${p}/keyed`, key: 'rh' }),
      sensor({ name: 'Bare temperature', kind: 'temperature', topic: `${p}/bare-t` }),
      sensor({ name: 'Bare motion', kind: 'motion', topic: `${p}/bare-m` }),
      sensor({ name: 'Inverted presence', kind: 'presence', topic: `${p}/presence`, invert: true }),
    ], hub, conn, clock, recordingLog()));

    const cases: [string, string, string, number | boolean][] = [
      ['Tasmota', `${p}/tasmota`, '{"Time":"2024-01-01T00:00:00","DS18B20":{"Id":"01","Temperature":19.8}}', 19.8],
      ['Keyed', `${p}/keyed`, '{"rh": "55.5"}', 55.5],
      ['Bare temperature', `${p}/bare-t`, '21.5', 21.5],
      ['Bare motion', `${p}/bare-m`, 'ON', true],
      ['Inverted presence', `${p}/presence`, 'home', false],
    ];
    for (const [name, topic, payload, value] of cases) {
      await repeatUntil(() => pub.publish(topic, payload), () => hub.values(name).length > 0, `${name}'s reading`);
      expect(hub.values(name)[0]).toBe(value);
    }
  });

  it('marks a sensor stale when its availability topic says offline, and restores it when online', async () => {
    const p = uniquePrefix('avail');
    const hub = new RecordingHub('Bedroom', STALE_MS);
    const conn = connection();
    const pub = connection();
    cleanups.push(attachMqttSensors('Bedroom', [
      sensor({ name: 'Window', topic: `${p}/window`, availabilityTopic: `${p}/window/availability` }),
      sensor({ name: 'Bed', topic: `${p}/bed`, availabilityTopic: `${p}/bed/availability` }),
    ], hub, conn, clock, recordingLog()));

    await repeatUntil(() => pub.publish(`${p}/window`, '{"temperature": 18}'), () => hub.values('Window').length > 0, 'window');
    await repeatUntil(() => pub.publish(`${p}/bed`, '{"temperature": 22}'), () => hub.values('Bed').length > 0, 'bed');
    expect(hub.poll(Date.now()).temperature?.value).toBe(20);

    const avail = (name: string) => hub.availability.filter((a) => a.id === `mqtt:${name}`).map((a) => a.available);
    await repeatUntil(() => pub.publish(`${p}/window/availability`, 'offline'), () => avail('Window').includes(false), 'offline');
    expect(hub.poll(Date.now()).temperature?.value).toBe(22);

    await repeatUntil(() => pub.publish(`${p}/window/availability`, '{"state":"online"}'), () => avail('Window').at(-1) === true,
      'online');
    expect(hub.poll(Date.now()).temperature?.value).toBe(20);

    // With every sensor offline the zone sees an old reading, so it faults instead of trusting it.
    await repeatUntil(() => pub.publish(`${p}/window/availability`, '{"state":"offline"}'), () => avail('Window').at(-1) === false,
      'window offline');
    await repeatUntil(() => pub.publish(`${p}/bed/availability`, 'OFFLINE'), () => avail('Bed').at(-1) === false, 'bed offline');
    const now = Date.now();
    const t = hub.poll(now).temperature;
    expect(t).toBeDefined();
    expect(now - t!.at).toBeGreaterThan(STALE_MS);
  });

  it('logs each bad payload once with sensor, topic and field, and keeps going', async () => {
    const p = uniquePrefix('bad');
    const topic = `${p}/hall`;
    const hub = new RecordingHub('Hall', STALE_MS);
    const other = new RecordingHub('Kitchen', STALE_MS);
    const conn = connection();
    const pub = connection();
    const log = recordingLog();
    const kitchenLog = recordingLog();
    cleanups.push(attachMqttSensors('Hall', [sensor({ name: 'Hall thermometer', topic })], hub, conn, clock, log));
    // Another zone on the same connection, even on the same topic, is not disturbed.
    cleanups.push(attachMqttSensors('Kitchen', [
      sensor({ name: 'Kitchen thermometer', topic: `${p}/kitchen` }),
      sensor({ name: 'Hall motion', kind: 'motion', topic }),
    ], other, conn, clock, kitchenLog));
    // A handler that throws is logged and does not stop the others.
    const unsubscribe = conn.subscribe(topic, () => {
      throw new Error('handler exploded');
    });
    cleanups.push(unsubscribe);

    await repeatUntil(() => pub.publish(topic, '{"temperature": 20}'), () => hub.values('Hall thermometer').length > 0, 'first');
    await pub.publish(topic, '{"temperature": 20.5}');
    await waitFor(() => hub.values('Hall thermometer').includes(20.5), 'the second good reading');
    const before = log.lines.length;
    const bad: [string, RegExp][] = [
      ['{"temperature": 21', /payload: malformed JSON/],
      ['{"temperature": "warm"}', /temperature: expected a number/],
      ['{"temperature": true}', /temperature: expected a number/],
      ['NaN', /payload: expected a number/],
      ['1e999', /payload: expected a finite number/],
      ['{"temperature": 1e999}', /temperature: expected a finite number/],
      ['{"temperature": 200}', /temperature: 200 °C is outside the physical range/],
      ['-45', /payload: -45 °C is outside the physical range/],
      [`{"temperature": 21, "pad": "${'x'.repeat(20_000)}"}`, /payload: \d+ bytes is more than the 16384 read/],
      ['', /payload: empty/],
      ['[21]', /payload: expected a number, got an array/],
    ];
    for (const [payload] of bad) {
      await pub.publish(topic, payload);
    }
    await pub.publish(`${p}/kitchen`, '19');
    await pub.publish(topic, '{"temperature": 22, "occupancy": true}');
    await waitFor(() => hub.values('Hall thermometer').includes(22), 'the reading after the bad ones');
    await waitFor(() => other.values('Kitchen thermometer').includes(19), "the kitchen's reading");

    const lines = log.lines.slice(before).filter((l) => /Hall thermometer/.test(l.message));
    expect(lines).toHaveLength(bad.length);
    bad.forEach(([, field], i) => {
      expect(lines[i].message).toMatch(field);
      expect(lines[i].message).toContain('MQTT sensor "Hall thermometer"'); // the zone's logger adds the zone
      expect(lines[i].message).toContain(`topic ${topic}`);
    });
    // One warning per sensor, then debug: a flood of bad payloads does not flood the log.
    expect(lines.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(1);
    expect(hub.values('Hall thermometer')).toEqual([20, 20.5, 22]);
    expect(hub.poll(Date.now()).temperature?.value).toBe(22);
    // The kitchen's motion sensor read the hall payloads it could, and logged none of the temperature faults.
    expect(other.values('Hall motion')).toContain(true);
    expect(kitchenLog.lines.filter((l) => /Kitchen thermometer/.test(l.message))).toEqual([]);
    expect(conn.connected).toBe(true);
  });

  it('logs a throwing subscriber and still delivers to the others', async () => {
    const p = uniquePrefix('throw');
    const log = recordingLog();
    const conn = connection(broker.url, log);
    const pub = connection();
    const got: string[] = [];
    cleanups.push(conn.subscribe(`${p}/t`, () => {
      throw new Error('handler exploded');
    }));
    cleanups.push(conn.subscribe(`${p}/+`, (payload) => got.push(payload.toString())));
    await repeatUntil(() => pub.publish(`${p}/t`, 'x'), () => got.length > 0, 'delivery');
    expect(log.lines.some((l) => l.level === 'warn' && /handler exploded/.test(l.message))).toBe(true);
    expect(conn.connected).toBe(true);
  });

  it('takes a retained reading as the latest value but not a retained motion or air level as news', async () => {
    const p = uniquePrefix('retained');
    const pub = connection();
    const obs = await observer(p);
    await pub.publish(`${p}/hall`, '{"occupancy":true,"temperature":19.5,"co2":900}', { retain: true });
    await pub.publish(`${p}/hall/availability`, 'offline', { retain: true });
    await waitFor(() => obs.on(`${p}/hall/availability`).length === 1, 'the retained messages to be stored');
    try {
      const hub = new RecordingHub('Study', STALE_MS);
      const conn = connection();
      cleanups.push(attachMqttSensors('Study', [
        sensor({ name: 'Study temperature', topic: `${p}/hall`, availabilityTopic: `${p}/hall/availability` }),
        sensor({ name: 'Study motion', kind: 'motion', topic: `${p}/hall` }),
        sensor({ name: 'Study CO2', kind: 'airQuality', topic: `${p}/hall` }),
      ], hub, conn, clock, recordingLog()));
      await waitFor(() => hub.values('Study temperature').length === 1 && hub.availability.length === 1, 'the retained messages');
      expect(hub.availability[0].available).toBe(false);
      expect(hub.values('Study motion')).toEqual([]);
      // An air level from whenever it was retained is no start for a rise now.
      expect(hub.values('Study CO2')).toEqual([]);
      // A live message is news: it counts.
      await repeatUntil(() => pub.publish(`${p}/hall`, '{"occupancy":true}'), () => hub.values('Study motion').length > 0, 'live motion');
      expect(hub.values('Study motion')[0]).toBe(true);

      // Availability first this time (as after a reconnect, in any order): the retained reading of an
      // offline sensor does not bring it back.
      const hub2 = new RecordingHub('Study', STALE_MS);
      const conn2 = new MqttConnection({ url: broker.url }, recordingLog(), FAST);
      connections.push(conn2);
      cleanups.push(conn2.subscribe(`${p}/hall/availability`, () => undefined));
      cleanups.push(attachMqttSensors('Study', [
        sensor({ name: 'Study temperature', topic: `${p}/hall`, availabilityTopic: `${p}/hall/availability` }),
      ], hub2, conn2, clock, recordingLog()));
      conn2.connect();
      await waitFor(() => hub2.availability.length === 1, 'the retained availability');
      await repeatUntil(() => pub.publish(`${p}/hall`, '{"temperature": 20.5}'), () => hub2.updates.length > 0, 'a live reading');
      expect(hub2.values('Study temperature')).toEqual([20.5]);
    } finally {
      await pub.publish(`${p}/hall`, '', { retain: true });
      await pub.publish(`${p}/hall/availability`, '', { retain: true });
    }
  });

  it('takes a retained presence or held occupancy as the current state', async () => {
    const p = uniquePrefix('retained-state');
    const pub = connection();
    const obs = await observer(p);
    await pub.publish(`${p}/phone`, 'home', { retain: true });
    await pub.publish(`${p}/radar`, '{"occupancy":true}', { retain: true });
    await waitFor(() => obs.on(`${p}/radar`).length === 1, 'the retained messages to be stored');
    try {
      const hub = new RecordingHub('Study', STALE_MS);
      cleanups.push(attachMqttSensors('Study', [
        sensor({ name: 'Phone', kind: 'presence', topic: `${p}/phone` }),
        sensor({ name: 'Radar', kind: 'occupancy', topic: `${p}/radar` }),
      ], hub, connection(), clock, recordingLog()));
      await waitFor(() => hub.values('Phone').length === 1 && hub.values('Radar').length === 1, 'the retained states');
      expect(hub.values('Phone')).toEqual([true]);
      expect(hub.values('Radar')).toEqual([true]);
    } finally {
      await pub.publish(`${p}/phone`, '', { retain: true });
      await pub.publish(`${p}/radar`, '', { retain: true });
    }
  });

  it('stops delivering after the returned function unsubscribes', async () => {
    const p = uniquePrefix('unsub');
    const hub = new RecordingHub('Den', STALE_MS);
    const conn = connection();
    const pub = connection();
    const detach = attachMqttSensors('Den', [sensor({ name: 'Den', topic: `${p}/den` })], hub, conn, clock, recordingLog());
    const seen: string[] = [];
    cleanups.push(conn.subscribe(`${p}/den`, (payload) => seen.push(payload.toString())));
    await repeatUntil(() => pub.publish(`${p}/den`, '20'), () => hub.values('Den').length > 0, 'first');
    detach();
    detach();
    await pub.publish(`${p}/den`, '25');
    await waitFor(() => seen.includes('25'), 'the other subscriber to see 25');
    expect(hub.values('Den')).not.toContain(25);
  });
});

describe('MQTT connection', () => {
  itWithOwnBroker('retries with backoff while the broker is down at start, then connects and reads sensors', async () => {
    const port = await freePort();
    const log = recordingLog();
    const url = `mqtt://127.0.0.1:${port}`;
    let conn: MqttConnection | undefined;
    expect(() => {
      conn = connection(url, log, { username: 'thermostat', password: 'hunter2-secret' });
    }).not.toThrow();
    const hub = new RecordingHub('Attic', STALE_MS);
    const p = uniquePrefix('down');
    cleanups.push(attachMqttSensors('Attic', [sensor({ name: 'Attic', topic: `${p}/attic` })], hub, conn!, clock, recordingLog()));
    const published = conn!.publish(`${p}/x`, 'early').then(() => 'sent', (err: Error) => err.message);

    const delays = () => log.lines.map((l) => /next attempt in (\d+) ms/.exec(l.message)).filter(Boolean).map((m) => Number(m![1]));
    await waitFor(() => delays().length >= 6, 'six reconnect attempts');
    const d = delays();
    expect(d[0]).toBe(50);
    for (let i = 1; i < d.length; i++) {
      expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
      expect(d[i]).toBeLessThanOrEqual(400);
    }
    expect(d).toContain(400);
    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0].message).toBe(`MQTT broker ${url} unreachable (ECONNREFUSED); retrying`);
    expect(conn!.connected).toBe(false);
    // A publish while down fails in time for its caller to retry; it does not hang or crash.
    expect(await published).toMatch(/not connected/);

    const late = await startAedes(port);
    brokers.push(late);
    await waitFor(() => conn!.connected, 'the connection once the broker is up');
    expect(log.lines.some((l) => l.level === 'info' && l.message.startsWith(`MQTT connected to ${url}`))).toBe(true);
    const pub = connection(url);
    await repeatUntil(() => pub.publish(`${p}/attic`, '17.5'), () => hub.values('Attic').includes(17.5), 'the attic reading');
    expect(log.lines.some((l) => /hunter2|secret/.test(l.message))).toBe(false);
  });

  itWithOwnBroker('reconnects and resubscribes after the broker restarts mid-run', async () => {
    const own = await startAedes();
    brokers.push(own);
    const log = recordingLog();
    const conn = connection(own.url, log);
    const pub = connection(own.url);
    const hub = new RecordingHub('Garage', STALE_MS);
    const p = uniquePrefix('restart');
    cleanups.push(attachMqttSensors('Garage', [sensor({ name: 'Garage', topic: `${p}/garage` })], hub, conn, clock, recordingLog()));
    await repeatUntil(() => pub.publish(`${p}/garage`, '12'), () => hub.values('Garage').includes(12), 'a reading before');

    await own.stop();
    await waitFor(() => !conn.connected && !pub.connected, 'both clients to notice the broker is gone');
    await waitFor(() => log.lines.some((l) => /next attempt/.test(l.message)), 'a retry');
    await own.start();
    await waitFor(() => conn.connected && pub.connected, 'both clients to reconnect');
    await repeatUntil(() => pub.publish(`${p}/garage`, '13'), () => hub.values('Garage').includes(13), 'a reading after');

    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0].message).toMatch(new RegExp(`^MQTT connection to ${own.url.replace(/[.]/g, '\\.')} lost`));
    expect(log.lines.some((l) => l.level === 'info' && l.message.startsWith(`MQTT reconnected to ${own.url}`))).toBe(true);
  });

  it('logs the broker URL without credentials and never the password', async () => {
    const port = await freePort();
    const log = recordingLog();
    connection(`mqtt://someone:url-password@127.0.0.1:${port}`, log, { username: 'u', password: 'p4ss-w0rd' });
    await waitFor(() => log.lines.some((l) => l.level === 'warn'), 'the unreachable warning');
    expect(log.lines.find((l) => l.level === 'warn')!.message).toBe(`MQTT broker mqtt://***@127.0.0.1:${port} unreachable (ECONNREFUSED); retrying`);
    expect(log.lines.some((l) => /url-password|p4ss-w0rd|someone/.test(l.message))).toBe(false);
  });

  it('publishes with an acknowledgement and closes cleanly', async () => {
    const p = uniquePrefix('pub');
    const obs = await observer(p);
    const conn = connection();
    await conn.publish(`${p}/a`, 'one');
    await conn.publish(`${p}/a`, 'two', { qos: 0 });
    await waitFor(() => obs.on(`${p}/a`).length === 2, 'both messages');
    // Order holds within one QoS only; brokers may pass the QoS 0 message first.
    expect(obs.on(`${p}/a`).sort()).toEqual(['one', 'two']);
    await expect(conn.publish(`${p}/+`, 'x')).rejects.toThrow(/cannot be published/);
    await conn.close();
    expect(conn.connected).toBe(false);
    await expect(conn.publish(`${p}/a`, 'three')).rejects.toThrow(/closed/);
    await conn.close();
  });
});

describe('MqttOutput', () => {
  function output(settings: Partial<MqttOutputSettings> & Pick<MqttOutputSettings, 'style' | 'topic' | 'payload'>, conn: MqttConnection,
    log = recordingLog()): { out: MqttOutput; states: DeviceState[] } {
    const out = new MqttOutput('Living Room', { retain: false, ...settings }, conn, log, { backoffBaseMs: 50, maxBackoffMs: 200 });
    cleanups.push(() => out.close());
    const states: DeviceState[] = [];
    out.onState((s) => states.push(s));
    return { out, states };
  }

  it('setpoint style: publishes the rendered payload once per change and follows the state topic', async () => {
    const p = uniquePrefix('trv');
    const obs = await observer(p);
    const conn = connection();
    await waitFor(() => conn.connected, 'connected');
    const log = recordingLog();
    const { out, states } = output({
      style: 'setpoint', topic: `${p}/trv/set`, payload: '{"current_heating_setpoint": {{setpoint}}}',
      stateTopic: `${p}/trv`, stateKey: 'running_state',
    }, conn, log);

    out.apply(command({ setpoint: 21.5, heating: true }), Date.now());
    await waitFor(() => obs.on(`${p}/trv/set`).length === 1, 'the setpoint');
    expect(JSON.parse(obs.on(`${p}/trv/set`)[0])).toEqual({ current_heating_setpoint: 21.5 });
    out.apply(command({ setpoint: 21.5, heating: false }), Date.now());
    out.apply(command({ setpoint: 19 }), Date.now());
    await waitFor(() => obs.on(`${p}/trv/set`).length === 2, 'the new setpoint');
    expect(obs.on(`${p}/trv/set`)[1]).toBe('{"current_heating_setpoint": 19.0}');

    // With a state topic, Apple Home shows what the device says, not what it was told.
    expect(states).toEqual([]);
    const pub = connection();
    await repeatUntil(() => pub.publish(`${p}/trv`, '{"running_state":"heat","local_temperature":19}'), () => states.length > 0, 'state');
    expect(states.at(-1)).toEqual({ heating: true, cooling: false });
    await pub.publish(`${p}/trv`, '{"running_state":"idle"}');
    await waitFor(() => states.length === 2, 'idle');
    expect(states.at(-1)).toEqual({ heating: false, cooling: false });
    await pub.publish(`${p}/trv`, 'not json at all {');
    await pub.publish(`${p}/trv`, '{"running_state":"idle"}');
    await pub.publish(`${p}/trv`, '"cool"');
    await waitFor(() => states.length === 3, 'cool');
    expect(states.at(-1)).toEqual({ heating: false, cooling: true });
    expect(obs.on(`${p}/trv/set`)).toHaveLength(2);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a command applied before the connection is up is sent once it is, without a warning', async () => {
    const p = uniquePrefix('early');
    const obs = await observer(p);
    const log = recordingLog();
    const conn = new MqttConnection({ url: broker.url }, recordingLog(), FAST);
    connections.push(conn);
    const out = new MqttOutput('Early', { style: 'setpoint', topic: `${p}/set`, payload: '{{setpoint}}', retain: false }, conn, log);
    cleanups.push(() => out.close());
    out.apply(command({ setpoint: 18 }), Date.now());
    conn.connect();
    await waitFor(() => obs.on(`${p}/set`).length === 1, 'the command');
    expect(obs.on(`${p}/set`)).toEqual(['18.0']);
    expect(log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('setpoint style without a state topic: the acknowledged command is the state', async () => {
    const p = uniquePrefix('ack');
    const conn = connection();
    await waitFor(() => conn.connected, 'connected');
    const { out, states } = output({ style: 'setpoint', topic: `${p}/set`, payload: '{{setpoint}}' }, conn);
    out.apply(command({ setpoint: 22, heating: true }), Date.now());
    await waitFor(() => states.length === 1, 'the confirmed state');
    expect(states[0]).toEqual({ heating: true, cooling: false });
    // Same payload, demand changed: already confirmed, so the state follows without a publish.
    out.apply(command({ setpoint: 22, heating: false }), Date.now());
    expect(states.at(-1)).toEqual({ heating: false, cooling: false });
  });

  it('relay style: heat and cool relays each get their own payload when their demand changes', async () => {
    const p = uniquePrefix('relay');
    const obs = await observer(p);
    const conn = connection();
    await waitFor(() => conn.connected, 'connected');
    const { out, states } = output({
      style: 'relay', topic: `${p}/heater/set`, payload: '{"state": "{{HEAT}}"}', coolTopic: `${p}/ac/set`,
    }, conn);

    out.apply(command({ heating: true }), Date.now());
    await waitFor(() => obs.on(`${p}/heater/set`).length === 1 && obs.on(`${p}/ac/set`).length === 1, 'both relays');
    expect(obs.on(`${p}/heater/set`)).toEqual(['{"state": "ON"}']);
    expect(obs.on(`${p}/ac/set`)).toEqual(['{"state": "OFF"}']);
    await waitFor(() => states.length > 0 && states.at(-1)!.heating, 'the confirmed heating');
    expect(states.at(-1)).toEqual({ heating: true, cooling: false });

    out.apply(command({ heating: true, setpoint: 22 }), Date.now());
    out.apply(command({ mode: 'cool', cooling: true }), Date.now());
    await waitFor(() => obs.on(`${p}/heater/set`).length === 2 && obs.on(`${p}/ac/set`).length === 2, 'the switch to cooling');
    expect(obs.on(`${p}/heater/set`)).toEqual(['{"state": "ON"}', '{"state": "OFF"}']);
    expect(obs.on(`${p}/ac/set`)).toEqual(['{"state": "OFF"}', '{"state": "ON"}']);
    await waitFor(() => states.length > 0 && states.at(-1)!.cooling && !states.at(-1)!.heating, 'the confirmed cooling');
  });

  it('relay style with state topics: the relays report heating and cooling', async () => {
    const p = uniquePrefix('relay-state');
    const conn = connection();
    const pub = connection();
    await waitFor(() => conn.connected, 'connected');
    const { out, states } = output({
      style: 'relay', topic: `${p}/heater/set`, payload: '{"state": "{{HEAT}}"}', stateTopic: `${p}/heater`, stateKey: 'state',
      coolTopic: `${p}/ac/set`, coolStateTopic: `${p}/ac`,
    }, conn);
    out.apply(command({ heating: true }), Date.now());
    await repeatUntil(() => pub.publish(`${p}/heater`, '{"state":"ON","power":1500}'), () => states.length > 0, 'heater state');
    expect(states.at(-1)).toEqual({ heating: true, cooling: false });
    await pub.publish(`${p}/heater`, '{"state":"OFF"}');
    await waitFor(() => states.length === 2, 'heater off');
    expect(states.at(-1)).toEqual({ heating: false, cooling: false });
    await repeatUntil(() => pub.publish(`${p}/ac`, '{"state":"ON"}'), () => states.length === 3, 'cooler state');
    expect(states.at(-1)).toEqual({ heating: false, cooling: true });
  });

  itWithOwnBroker('retries a command while the broker is down; after reconnect the newest lands and nothing older follows it', async () => {
    const own = await startAedes();
    brokers.push(own);
    const p = uniquePrefix('retry');
    const obs = await observer(p, own.url);
    const log = recordingLog();
    const conn = connection(own.url);
    await waitFor(() => conn.connected, 'connected');
    const { out, states } = output({ style: 'setpoint', topic: `${p}/set`, payload: '{{setpoint}}', retain: true }, conn, log);
    out.apply(command({ setpoint: 20 }), Date.now());
    await waitFor(() => obs.on(`${p}/set`).length === 1, 'the first command');

    await own.stop();
    await waitFor(() => !conn.connected, 'the loss');
    out.apply(command({ setpoint: 21 }), Date.now());
    out.apply(command({ setpoint: 22.5 }), Date.now());
    await waitFor(() => log.lines.filter((l) => /still not delivered/.test(l.message)).length >= 3, 'a few retries');
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(log.lines.find((l) => l.level === 'warn')!.message).toMatch(/not delivered \(broker not connected\); retrying/);

    await own.start();
    await waitFor(() => obs.on(`${p}/set`).includes('22.5'), 'the newest command after reconnect');
    await waitFor(() => states.at(-1)?.heating === false && log.lines.some((l) => /delivered to .* after \d+ failed/.test(l.message)),
      'the delivery to be confirmed');
    const seen = obs.on(`${p}/set`);
    expect(seen.slice(seen.indexOf('22.5'))).not.toContain('21.0');
    // The broker keeps the last command (retained): a newcomer sees the newest, so nothing older came after it.
    const late = connection(own.url);
    const retained: string[] = [];
    late.subscribe(`${p}/set`, (payload) => retained.push(payload.toString()));
    await waitFor(() => retained.length > 0, 'the retained command');
    expect(retained).toEqual(['22.5']);
  });
});

describe('MqttOutput retries (scripted connection)', () => {
  class ScriptedConnection {
    connected = true;
    failuresLeft = 0;
    calls: { payload: string; at: number }[] = [];
    delivered: string[] = [];
    subscribe(): () => void {
      return () => undefined;
    }
    onConnected(): () => void {
      return () => undefined;
    }
    publish(_topic: string, payload: string): Promise<void> {
      this.calls.push({ payload, at: Date.now() });
      if (this.failuresLeft > 0) {
        this.failuresLeft--;
        return Promise.reject(new Error('no PUBACK'));
      }
      this.delivered.push(payload);
      return Promise.resolve();
    }
  }

  it('backs off 1×, 2×, 4× … the base, logs one warning, and confirms the command when it lands', async () => {
    const fake = new ScriptedConnection();
    fake.failuresLeft = 4;
    const log = recordingLog();
    const out = new MqttOutput('Z', { style: 'setpoint', topic: 'z/set', payload: '{{setpoint}}', retain: false },
      fake as unknown as MqttConnection, log, { backoffBaseMs: 40, maxBackoffMs: 150 });
    cleanups.push(() => out.close());
    const states: DeviceState[] = [];
    out.onState((s) => states.push(s));
    out.apply(command({ setpoint: 20, heating: true }), 0);
    await waitFor(() => fake.delivered.length === 1, 'delivery');
    const gaps = fake.calls.slice(1).map((c, i) => c.at - fake.calls[i].at);
    expect(gaps).toHaveLength(4);
    [40, 80, 150, 150].forEach((d, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(d - 5);
    });
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(log.lines.some((l) => l.level === 'info' && /after 4 failed attempt/.test(l.message))).toBe(true);
    expect(states).toEqual([{ heating: true, cooling: false }]);
  });

  it('sends the newest command when one supersedes a failing one, and never the older after it', async () => {
    const fake = new ScriptedConnection();
    fake.failuresLeft = 3;
    const out = new MqttOutput('Z', { style: 'setpoint', topic: 'z/set', payload: '{{setpoint}}', retain: false },
      fake as unknown as MqttConnection, recordingLog(), { backoffBaseMs: 30 });
    cleanups.push(() => out.close());
    out.apply(command({ setpoint: 20 }), 0);
    await waitFor(() => fake.calls.length >= 2, 'a retry');
    out.apply(command({ setpoint: 23 }), 0);
    await waitFor(() => fake.delivered.length === 1, 'delivery');
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.delivered).toEqual(['23.0']);
    const firstNew = fake.calls.findIndex((c) => c.payload === '23.0');
    expect(fake.calls.slice(firstNew).map((c) => c.payload).every((x) => x === '23.0')).toBe(true);
  });

  it('stops retrying once closed', async () => {
    const fake = new ScriptedConnection();
    fake.failuresLeft = 1000;
    const out = new MqttOutput('Z', { style: 'relay', topic: 'z/heat', payload: '{{HEAT}}', retain: false },
      fake as unknown as MqttConnection, recordingLog(), { backoffBaseMs: 10 });
    out.apply(command({ heating: true }), 0);
    await waitFor(() => fake.calls.length >= 2, 'a retry');
    out.close();
    const n = fake.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls.length).toBeLessThanOrEqual(n + 1);
    out.apply(command({ heating: false }), 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.calls.every((c) => c.payload === 'ON')).toBe(true);
  });
});
