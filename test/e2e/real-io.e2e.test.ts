/**
 * End to end with real inputs and outputs: the real Homebridge binary with this plugin, an MQTT
 * broker on loopback (aedes, or MQTT_TEST_URL's mosquitto), the plugin's webhook, and a local HTTP
 * test device, driven through HomeKit with hap-controller. Needs `npm run build` first.
 *
 * The simulated clock runs at 60× (a minute in a second), so minimum on/off times of 5 minutes
 * last 5 real seconds. No zone here is simulated: every reading comes in over MQTT, the webhook or
 * an Apple Home switch, and every command goes out over MQTT or HTTP.
 *
 * The Homebridge process is preloaded with a tracer that records every outbound connection it
 * makes; the last test checks that only the configured broker and device were contacted.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import type { HttpClient, PairingData } from 'hap-controller';
import mqtt, { MqttClient } from 'mqtt';

import {
  CharType, connect, FoundAccessory, findAccessory, freePort, Homebridge, pair, readValue, requireIds, ServiceType,
  sleep, withLog, writeOk, zoneIds,
} from './harness';
import { startBroker, TestBroker, uniquePrefix, waitFor } from '../io/mqtt-broker';

const TOKEN = 'e2e-token-0123456789abcdef';
const TIME_SCALE = 60;
const HEAT = 1;
const IDLE = 0;

interface DeviceRequest {
  at: number;
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A local HTTP device (a Shelly-like relay and a thermostat API) that records what it is sent. */
async function startDevice(): Promise<{ port: number; requests: DeviceRequest[]; close(): Promise<void> }> {
  const requests: DeviceRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      requests.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('Homebridge with real sensors and devices (MQTT, webhook, HTTP, Apple Home switches)', () => {
  let broker: TestBroker;
  let device: Awaited<ReturnType<typeof startDevice>>;
  let hb: Homebridge | undefined;
  let pairing: PairingData;
  let client: HttpClient | undefined;
  let bus: MqttClient;
  let webhookPort: number;
  let prefix: string;
  let trace: string;
  const received: { topic: string; payload: string }[] = [];
  const acc: Record<string, FoundAccessory> = {};

  const live = () => {
    if (!client) {
      throw new Error('no client: the bridge did not start');
    }
    return client;
  };
  const it2 = (name: string, fn: () => Promise<void>, timeoutMs: number) => it(name, () => withLog(hb, fn), timeoutMs);
  const webhook = (pathAndQuery: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${webhookPort}${pathAndQuery}`, init);
  const post = (zone: string, readings: Record<string, unknown>) => webhook(`/api/zones/${encodeURIComponent(zone)}/readings`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(readings),
  });
  const publish = (topic: string, payload: string) => bus.publishAsync(`${prefix}/${topic}`, payload);
  const char = (zone: string, type: keyof typeof CharType) => requireIds(zoneIds(acc[zone]), type as 'CurrentTemperature')[type as 'CurrentTemperature'];
  /** Reads until the value is `expected` (booleans and 0/1 alike); a read that fails (no value yet) counts as not yet. */
  const readUntil = async (id: string, expected: number | boolean, what: string) =>
    waitFor(async () => Number(await readValue(live(), id).catch(() => NaN)) === Number(expected), what, 20_000, 100);

  beforeAll(async () => {
    broker = await startBroker();
    device = await startDevice();
    webhookPort = await freePort();
    prefix = uniquePrefix('e2e');
    trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'occupancy-thermostat-trace-')), 'connections.jsonl');
    bus = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
    bus.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await bus.subscribeAsync(`${prefix}/#`);

    const common = { modes: ['heat'], control: 'manual', staleSensorMinutes: 1440, hysteresis: 0.5, minOnMinutes: 5, minOffMinutes: 5 };
    const platform = {
      platform: 'OccupancyThermostat',
      name: 'Occupancy Thermostat',
      simulation: { timeScale: TIME_SCALE },
      mqtt: { url: broker.url },
      webhook: { enabled: true, host: '127.0.0.1', port: webhookPort, token: TOKEN },
      zones: [
        {
          ...common,
          name: 'Study',
          source: 'sensors',
          sensors: [
            { name: 'Study presence', kind: 'occupancy', topic: `${prefix}/study_presence` },
            { name: 'Study climate', kind: 'temperature', topic: `${prefix}/study_climate` },
            { name: 'Study humidity', kind: 'humidity', topic: `${prefix}/study_climate` },
          ],
          actuator: 'mqtt',
          mqttOutput: { style: 'setpoint', topic: `${prefix}/study_trv/set`, stateTopic: `${prefix}/study_trv` },
        },
        {
          ...common,
          name: 'Hall',
          source: 'sensors',
          actuator: 'none',
          demand: 'switch',
        },
        {
          ...common,
          name: 'Porch',
          source: 'sensors',
          actuator: 'http',
          httpOutput: { style: 'relay', url: `http://127.0.0.1:${device.port}/relay/0?turn={{heat}}`, timeoutSeconds: 2, retries: 1 },
        },
        {
          ...common,
          name: 'Bedroom',
          source: 'sensors',
          switches: { someoneHome: true, motion: ['Bedroom Motion'], motionOffSeconds: 60 },
          actuator: 'http',
          httpOutput: {
            style: 'setpoint', method: 'POST', url: `http://127.0.0.1:${device.port}/thermostat`,
            body: '{"target": {{setpoint}}, "mode": "{{mode}}"}', headers: { 'X-Test': 'e2e' },
            // As the settings form saves extra headers: rows of name and value.
            headerList: [{ name: 'X-Api-Key', value: 'from-the-form' }],
          },
          demand: 'contact',
        },
      ],
    };
    hb = await Homebridge.create({
      platforms: [platform],
      env: { NODE_OPTIONS: `--require ${path.join(__dirname, 'fixtures', 'trace-connections.js')}`, TRACE_CONNECTIONS: trace },
    });
    await withLog(hb, async () => {
      await hb!.start();
      await hb!.waitForLog(/webhook: listening on/, 15_000, 0);
      pairing = await pair(hb!);
      client = connect(hb!, pairing);
      for (const name of ['Study', 'Hall', 'Porch', 'Bedroom']) {
        acc[name] = await findAccessory(client, name);
      }
    });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await hb?.dispose();
    await bus?.endAsync().catch(() => undefined);
    await device?.close();
    await broker?.close();
  }, 30_000);

  it2('a webhook temperature changes CurrentTemperature; the zone is readable and refuses a missing token', async () => {
    const ok = await post('Hall', { temperature: 18.4 });
    expect(ok.status).toBe(200);
    await readUntil(char('Hall', 'CurrentTemperature'), 18.4, 'Hall at 18.4 °C');
    // Hall drives no device: its heat demand is a switch for automations, on below the target.
    const demand = acc.Hall.named(ServiceType.Switch, 'Hall Heat Demand', CharType.On);
    expect(demand).toBeDefined();
    await readUntil(demand!, true, 'Hall heat demand on');

    const state = await (await webhook('/api/zones/hall', { headers: { Authorization: `Bearer ${TOKEN}` } })).json() as Record<string, unknown>;
    expect(state).toMatchObject({ name: 'Hall', temperature: 18.4, mode: 'heat' });
    expect(typeof state.reason).toBe('string');

    const refused = await webhook('/api/zones/Hall/readings', { method: 'POST', body: '{"temperature": 30}' });
    expect(refused.status).toBe(401);
    const bad = await post('Hall', { temperature: 500 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/temperature/);
    expect(await readValue(live(), char('Hall', 'CurrentTemperature'))).toBe(18.4);
    expect(hb!.log).not.toContain(TOKEN);
  }, 40_000);

  it2('zigbee2mqtt messages set temperature and humidity, and an occupancy message flips the OccupancySensor', async () => {
    await publish('study_climate', JSON.stringify({ temperature: 19.5, humidity: 41, battery: 90, linkquality: 120 }));
    await readUntil(char('Study', 'CurrentTemperature'), 19.5, 'Study at 19.5 °C');
    await readUntil(char('Study', 'CurrentRelativeHumidity'), 41, 'Study at 41 %');
    const occupied = char('Study', 'OccupancyDetected');
    expect(await readValue(live(), occupied)).toBe(0);
    await publish('study_presence', JSON.stringify({ occupancy: true, battery: 90 }));
    await readUntil(occupied, 1, 'Study occupied');
  }, 40_000);

  it2('a target set from HomeKit reaches the TRV topic; CurrentHeatingCoolingState follows the TRV, not the command', async () => {
    const ids = requireIds(zoneIds(acc.Study), 'TargetTemperature', 'CurrentHeatingCoolingState');
    const mark = received.length;
    await writeOk(live(), { [ids.TargetTemperature]: 22.5 });
    await waitFor(() => received.slice(mark).some((m) => m.topic === `${prefix}/study_trv/set`
      && m.payload === '{"current_heating_setpoint": 22.5}'), 'the setpoint on the TRV topic', 20_000);
    // The zone wants heat (19.5 °C < 22.5 °C), but the TRV has not said it heats: Apple Home shows idle.
    expect(await readValue(live(), ids.CurrentHeatingCoolingState)).toBe(IDLE);
    await publish('study_trv', JSON.stringify({ running_state: 'heat', local_temperature: 19.6 }));
    await readUntil(ids.CurrentHeatingCoolingState, HEAT, 'Study heating, as the TRV reports');
    await publish('study_trv', JSON.stringify({ running_state: 'idle' }));
    await readUntil(ids.CurrentHeatingCoolingState, IDLE, 'Study idle, as the TRV reports');
  }, 40_000);

  it2('a target set from HomeKit reaches the HTTP device with the rendered body and headers; demand shows on a contact sensor', async () => {
    const ids = requireIds(zoneIds(acc.Bedroom), 'TargetTemperature');
    const mark = device.requests.length;
    await writeOk(live(), { [ids.TargetTemperature]: 20.5 });
    await waitFor(() => device.requests.slice(mark).some((r) => r.method === 'POST' && r.url === '/thermostat'
      && r.body === '{"target": 20.5, "mode": "heat"}'), 'the setpoint at the HTTP device', 20_000);
    const sent = device.requests.slice(mark).find((r) => r.url === '/thermostat')!;
    expect(sent.headers).toMatchObject({ 'x-test': 'e2e', 'x-api-key': 'from-the-form', 'content-type': 'application/json' });

    const demand = acc.Bedroom.named(ServiceType.ContactSensor, 'Bedroom Heat Demand', CharType.ContactSensorState);
    expect(demand).toBeDefined();
    expect(await readValue(live(), demand!)).toBe(0); // no reading yet: no demand
    // A device that can only call a URL: readings and token in the query string.
    const res = await webhook(`/api/zones/Bedroom/readings?temperature=16.2&token=${TOKEN}`);
    expect(res.status).toBe(200);
    await readUntil(demand!, 1, 'heat demand (contact open)');
  }, 40_000);

  it2('the "Someone Home" and motion switches feed the occupancy belief', async () => {
    const occupied = char('Bedroom', 'OccupancyDetected');
    const someone = acc.Bedroom.named(ServiceType.Switch, 'Bedroom Someone Home', CharType.On);
    const motion = acc.Bedroom.named(ServiceType.Switch, 'Bedroom Motion', CharType.On);
    expect(someone).toBeDefined();
    expect(motion).toBeDefined();
    await writeOk(live(), { [someone!]: true });
    await readUntil(occupied, 1, 'Bedroom occupied after "Someone Home" on');
    await writeOk(live(), { [someone!]: false });
    await readUntil(occupied, 0, 'Bedroom empty after "Someone Home" off');
    // A motion mirror turns itself off after motionOffSeconds of clock time (60 s at 60× is 1 s).
    await writeOk(live(), { [motion!]: true });
    await readUntil(motion!, false, 'the motion switch off again by itself');
  }, 40_000);

  it2('a relay zone switches with hysteresis and keeps its minimum on and off times', async () => {
    const relay = () => device.requests.filter((r) => r.url.startsWith('/relay/0'));
    const mark = relay().length;
    const calls = () => relay().slice(mark);
    await post('Porch', { temperature: 18 });
    await waitFor(() => calls().some((r) => r.url === '/relay/0?turn=on'), 'the relay on', 20_000);
    const on = calls().find((r) => r.url === '/relay/0?turn=on')!;
    // Inside the band (21 ± 0.25 °C) a running heater stays on.
    await post('Porch', { temperature: 21.1 });
    await sleep(6_000);
    expect(calls().map((r) => r.url)).toEqual(['/relay/0?turn=on']);
    // Above the band it stops.
    await post('Porch', { temperature: 23 });
    await waitFor(() => calls().some((r) => r.url === '/relay/0?turn=off'), 'the relay off', 20_000);
    const off = calls().find((r) => r.url === '/relay/0?turn=off')!;
    expect(off.at - on.at).toBeGreaterThanOrEqual(5_000);
    // Cold again at once: the heater waits out its minimum off time (5 min = 5 s here).
    await post('Porch', { temperature: 17 });
    await waitFor(() => calls().filter((r) => r.url === '/relay/0?turn=on').length === 2, 'the relay on again', 20_000);
    const again = calls().filter((r) => r.url === '/relay/0?turn=on')[1];
    expect(again.at - off.at).toBeGreaterThanOrEqual((5 * 60_000) / TIME_SCALE - 1_000);
  }, 60_000);

  it2('the "Someone Home" switch and the last reading survive a restart', async () => {
    const someone = acc.Bedroom.named(ServiceType.Switch, 'Bedroom Someone Home', CharType.On)!;
    await writeOk(live(), { [someone]: true });
    await readUntil(char('Bedroom', 'OccupancyDetected'), 1, 'Bedroom occupied');
    await client!.close();
    client = undefined;
    await hb!.stop();
    const mark = hb!.mark();
    await hb!.start();
    await hb!.waitForLog(/webhook: listening on/, 15_000, mark);
    // The zone replays its recent events from history (sensor trust, last activity).
    await hb!.waitForLog(/\[Bedroom\][^\n]* recalled [1-9]\d* sensor event\(s\) from the last \d+ days of history/, 5_000, mark);
    client = connect(hb!, pairing);
    acc.Bedroom = await findAccessory(client, 'Bedroom');
    expect(Number(await readValue(live(), acc.Bedroom.named(ServiceType.Switch, 'Bedroom Someone Home', CharType.On)!))).toBe(1);
    // No sensor has reported since the restart: the zone shows its last reading from history.
    expect(await readValue(live(), char('Bedroom', 'CurrentTemperature'))).toBe(16.2);
    await readUntil(char('Bedroom', 'OccupancyDetected'), 1, 'Bedroom occupied after the restart');
  }, 60_000);

  it2('the plugin connects to nothing but the configured broker and device', async () => {
    const lines = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { proto: string; host: string; port: number });
    // Connections to a port the process itself listens on (HAP-NodeJS's internal proxy) stay inside it.
    const own = new Set(lines.filter((l) => l.proto === 'listen').map((l) => l.port));
    const outbound = lines.filter((l) => l.proto === 'tcp' && !own.has(l.port));
    const tcp = outbound.map((l) => `${l.host}:${l.port}`);
    expect(own.has(hb!.port)).toBe(true);
    expect(own.has(webhookPort)).toBe(true);
    const unexpected = outbound.filter((l) => ![`127.0.0.1:${broker.port}`, `127.0.0.1:${device.port}`].includes(`${l.host}:${l.port}`));
    expect(unexpected).toEqual([]);
    expect(new Set(tcp)).toEqual(new Set([`127.0.0.1:${broker.port}`, `127.0.0.1:${device.port}`]));
    // UDP is Homebridge's own mDNS advertiser, bound to loopback by the test config.
    const udp = lines.filter((l) => l.proto === 'udp');
    for (const u of udp) {
      expect(u.port).toBe(5353);
    }
  }, 10_000);
});
