import schema from '../../config.schema.json';
import { PLATFORM_NAME } from '../../src/settings';
import {
  DEFAULT_PAYLOADS, DEFAULT_STATE_KEYS, DEMANDS, HTTP_METHODS, IO_NUMBERS, MIN_TOKEN_LENGTH,
} from '../../src/config/io-validate';
import {
  ACTUATORS, DEFAULT_MAINTENANCE, parseConfig, PLATFORM_NUMBERS, SIMULATION_NUMBERS, SOURCES, ZONE_KEYS, ZONE_NUMBERS,
} from '../../src/config/validate';
import { TEMPLATE_NAMES } from '../../src/io/command';
import { SENSOR_KINDS } from '../../src/io/readings';

type Node = {
  type?: string;
  title?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  required?: boolean;
  description?: string;
  placeholder?: string;
  enum?: unknown[];
  oneOf?: { title?: string; enum?: unknown[] }[];
  'x-schema-form'?: { type?: string };
};

type LayoutItem = string | {
  key?: string;
  type?: string;
  title?: string;
  items?: LayoutItem[];
  condition?: { functionBody: string };
};

function at(node: Node, path: string): Node | undefined {
  let cur: Node | undefined = node;
  for (const part of path.split('.')) {
    cur = cur?.properties?.[part];
  }
  return cur;
}

/** The values a select offers: an enum, or the one value of each oneOf entry. */
function choices(node: Node | undefined): unknown[] | undefined {
  return node?.enum ?? node?.oneOf?.map((o) => o.enum?.[0]);
}

const root = schema.schema as unknown as Node;
const zoneNode = root.properties!.zones.items!;
const sensorNode = zoneNode.properties!.sensors.items!;
const layout = schema.layout as unknown as LayoutItem[];

/** Every layout item, depth first, with the fieldset titles around it. */
function layoutItems(): { item: LayoutItem; within: string[] }[] {
  const out: { item: LayoutItem; within: string[] }[] = [];
  const walk = (item: LayoutItem, within: string[]) => {
    out.push({ item, within });
    if (typeof item === 'object') {
      const inner = item.title ? [...within, item.title] : within;
      item.items?.forEach((i) => walk(i, inner));
    }
  };
  layout.forEach((i) => walk(i, []));
  return out;
}

function layoutKeys(): string[] {
  return layoutItems().flatMap(({ item }) => (typeof item === 'string' ? [item] : item.key ? [item.key] : []));
}

/** Resolves a layout key ("zones[].sensors[].topic"): `[]` must follow an array, and an array is only entered through `[]`. */
function resolve(key: string): Node | undefined {
  let node: Node | undefined = root;
  for (const part of key.split('.')) {
    const m = /^([^[\]]+)((?:\[\])*)$/.exec(part);
    if (!m) {
      return undefined;
    }
    node = node?.type === 'object' || node === root ? node?.properties?.[m[1]] : undefined;
    for (let i = 0; i < m[2].length / 2; i++) {
      node = node?.type === 'array' ? node.items : undefined;
    }
  }
  return node;
}

/** The fill the Homebridge UI does: each property's default, objects filled in, arrays left empty. */
function fill(node: Node): unknown {
  return node.properties
    ? Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, fill(v)]).filter(([, v]) => v !== undefined))
    : node.default;
}

function fieldset(title: string): Exclude<LayoutItem, string> {
  const found = layoutItems().find(({ item }) => typeof item === 'object' && item.type === 'fieldset' && item.title === title);
  expect(found).toBeDefined();
  return found!.item as Exclude<LayoutItem, string>;
}

/** Where an IO_NUMBERS path lives in the schema. */
function ioNode(path: string): Node | undefined {
  if (path.startsWith('sensor.')) {
    return at(sensorNode, path.slice('sensor.'.length));
  }
  return path.startsWith('webhook.') ? at(root, path) : at(zoneNode, path);
}

describe('config.schema.json', () => {
  it('is a singular dynamic platform form the Homebridge UI accepts', () => {
    expect(schema.pluginAlias).toBe(PLATFORM_NAME);
    expect(schema.pluginType).toBe('platform');
    expect(schema.singular).toBe(true);
    expect(root.properties!.name).toMatchObject({ type: 'string', required: true });
  });

  it('offers exactly the zone settings the plugin reads', () => {
    expect(new Set(Object.keys(zoneNode.properties!))).toEqual(ZONE_KEYS);
  });

  it.each(Object.entries(ZONE_NUMBERS))('zone %s matches the validator (default, range) and is described', (path, spec) => {
    const node = at(zoneNode, path);
    expect(node).toMatchObject({ default: spec.def, minimum: spec.min, maximum: spec.max });
    expect(node!.description).toBeTruthy();
  });

  it.each(Object.entries(SIMULATION_NUMBERS))('simulation.%s matches the validator', (path, spec) => {
    expect(at(root, `simulation.${path}`)).toMatchObject({ default: spec.def, minimum: spec.min, maximum: spec.max });
  });

  it('platform settings match the validator', () => {
    expect(at(root, 'historyDays')).toMatchObject({
      default: PLATFORM_NUMBERS.historyDays.def, minimum: PLATFORM_NUMBERS.historyDays.min, maximum: PLATFORM_NUMBERS.historyDays.max,
    });
    expect(at(root, 'federated')!.default).toBe(true);
    expect(at(root, 'maintenance.checkpoint')!.default).toBe(DEFAULT_MAINTENANCE.checkpoint);
    expect(at(root, 'maintenance.retention')!.default).toBe(DEFAULT_MAINTENANCE.retention);
    expect(at(root, 'maintenance.thermalFit')!.default).toBe(DEFAULT_MAINTENANCE.thermalFit);
  });

  it('its defaults, filled in as the UI would, parse without a problem', () => {
    const zone = { ...(fill(zoneNode) as object), name: 'Kitchen' };
    const { settings, problems } = parseConfig({
      name: 'x', zones: [zone], simulation: fill(at(root, 'simulation')!), historyDays: fill(at(root, 'historyDays')!),
      federated: fill(at(root, 'federated')!),
      maintenance: fill(at(root, 'maintenance')!),
      mqtt: fill(at(root, 'mqtt')!),
      webhook: fill(at(root, 'webhook')!),
    });
    expect(problems).toEqual([]);
    expect(settings.zones).toHaveLength(1);
    expect(settings.webhook).toEqual({ enabled: false, host: '127.0.0.1', port: 51829 });
  });

  it.each<[string, string, Record<string, object>]>([
    ['sensors', 'simulated', {}],
    ['sensors', 'mqtt', { mqttOutput: { topic: 'zigbee2mqtt/TRV/set' } }],
    ['sensors', 'http', { httpOutput: { url: 'http://192.168.1.50/relay/0?turn={{heat}}' } }],
    ['sensors', 'none', {}],
  ])('its defaults with source %s, actuator %s and the required fields parse without a problem', (source, actuator, required) => {
    const zone: Record<string, unknown> = { ...(fill(zoneNode) as Record<string, unknown>), name: 'Kitchen', source, actuator };
    for (const [k, v] of Object.entries(required)) {
      zone[k] = { ...(zone[k] as object), ...v };
    }
    const { settings, problems } = parseConfig({
      zones: [zone], mqtt: { ...(fill(at(root, 'mqtt')!) as object), url: 'mqtt://127.0.0.1:1883' }, webhook: fill(at(root, 'webhook')!),
    });
    expect(problems).toEqual([]);
    expect(settings.zones.map((z) => [z.source, z.actuator])).toEqual([[source, actuator]]);
  });

  it('every layout key names a schema property, with [] exactly where the schema has a list', () => {
    const keys = layoutKeys();
    expect(keys.length).toBeGreaterThan(15);
    expect(keys).toEqual(expect.arrayContaining(['zones[].sensors[].topic', 'zones[].switches.motion[]', 'mqtt.password', 'webhook.token']));
    for (const key of keys) {
      expect([key, resolve(key) !== undefined]).toEqual([key, true]);
    }
    expect(resolve('zones.sensors[].topic')).toBeUndefined();
    expect(resolve('zones[].sensors.topic')).toBeUndefined();
    expect(resolve('zones[].switches[].motion')).toBeUndefined();
  });

  it('every setting is in the form once (HTTP headers other than Authorization are for the JSON config only)', () => {
    const leaves: string[] = [];
    const walk = (node: Node, path: string) => {
      if (node.type === 'object' && node.properties) {
        Object.entries(node.properties).forEach(([k, v]) => walk(v, path ? `${path}.${k}` : k));
      } else if (node.type === 'array' && node.items?.type === 'object') {
        walk(node.items, `${path}[]`);
      } else {
        leaves.push(path);
      }
    };
    walk(root, '');
    const keys = layoutKeys();
    const missing = leaves.filter((leaf) => !keys.includes(leaf));
    expect(missing).toEqual([]);
    const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(repeated).toEqual([]);
  });

  describe('inputs and outputs', () => {
    it.each(Object.entries(IO_NUMBERS))('%s matches the validator (default, range, type) and is described', (path, spec) => {
      const node = ioNode(path);
      expect(node).toMatchObject({
        minimum: spec.min, maximum: spec.max, type: 'integer' in spec && spec.integer ? 'integer' : 'number',
      });
      // A default on a sensor's field makes the UI keep blank sensor rows (seen in the real UI): none there.
      expect(node!.default).toBe(path.startsWith('sensor.') ? undefined : spec.def);
      expect(node!.title).toBeTruthy();
      expect(node!.description).toBeTruthy();
    });

    it('offers exactly the sources, actuators, sensor kinds, demands and methods the validator takes', () => {
      expect(choices(zoneNode.properties!.source)).toEqual([...SOURCES]);
      expect(choices(zoneNode.properties!.actuator)).toEqual([...ACTUATORS]);
      expect(choices(sensorNode.properties!.kind)).toEqual([...SENSOR_KINDS]);
      expect(choices(zoneNode.properties!.demand)).toEqual([...DEMANDS]);
      expect(choices(at(zoneNode, 'httpOutput.method'))).toEqual([...HTTP_METHODS]);
      expect(choices(at(zoneNode, 'mqttOutput.style'))).toEqual(['setpoint', 'relay']);
      expect(choices(at(zoneNode, 'httpOutput.style'))).toEqual(['setpoint', 'relay']);
    });

    it('gives every choice a friendly title', () => {
      const kinds = Object.fromEntries(sensorNode.properties!.kind.oneOf!.map((o) => [o.enum![0], o.title]));
      expect(kinds).toEqual({
        occupancy: 'Occupancy', motion: 'Motion', contact: 'Door/window contact', presence: 'Presence (phone)',
        temperature: 'Temperature', humidity: 'Humidity', outdoorTemperature: 'Outdoor temperature', airQuality: 'Air quality (CO2)',
      });
      expect(Object.fromEntries(zoneNode.properties!.actuator.oneOf!.map((o) => [o.enum![0], o.title]))).toEqual({
        simulated: 'Simulated home (demo)', mqtt: 'MQTT device', http: 'HTTP device', none: 'None (Apple Home demand only)',
      });
      expect(Object.fromEntries(zoneNode.properties!.source.oneOf!.map((o) => [o.enum![0], o.title]))).toEqual({
        simulated: 'Simulated home (demo)', sensors: 'My sensors (MQTT, webhook, Apple Home switches)',
      });
      for (const node of [zoneNode.properties!.demand, at(zoneNode, 'mqttOutput.style')!, at(zoneNode, 'httpOutput.style')!]) {
        for (const o of node.oneOf!) {
          expect(o.title).toBeTruthy();
          expect(o.enum).toHaveLength(1);
        }
      }
    });

    it('gives every new setting a title and a description', () => {
      const undescribed: string[] = [];
      const walk = (node: Node, path: string) => {
        if (!node.title || !node.description) {
          undescribed.push(path);
        }
        Object.entries(node.properties ?? {}).forEach(([k, v]) => walk(v, `${path}.${k}`));
        if (node.items?.properties) {
          Object.entries(node.items.properties).forEach(([k, v]) => walk(v, `${path}[].${k}`));
        } else if (node.items) {
          walk(node.items, `${path}[]`);
        }
      };
      for (const key of ['source', 'sensors', 'switches', 'actuator', 'mqttOutput', 'httpOutput', 'demand']) {
        walk(zoneNode.properties![key], `zones[].${key}`);
      }
      walk(root.properties!.mqtt, 'mqtt');
      walk(root.properties!.webhook, 'webhook');
      expect(undescribed).toEqual([]);
    });

    it('uses the validator defaults, and no default where the validator\'s depends on other settings', () => {
      expect(zoneNode.properties!.source.default).toBe(SOURCES[0]);
      expect(zoneNode.properties!.actuator.default).toBe(ACTUATORS[0]);
      expect(sensorNode.properties!.invert.default).toBeUndefined();
      expect(sensorNode.properties!.weight.default).toBeUndefined();
      expect(at(zoneNode, 'switches.someoneHome')!.default).toBe(false);
      expect(at(zoneNode, 'switches.motion')).toMatchObject({ type: 'array', items: { type: 'string', maxLength: 64 } });
      expect(at(zoneNode, 'mqttOutput.style')!.default).toBe('setpoint');
      expect(at(zoneNode, 'mqttOutput.retain')!.default).toBe(false);
      expect(at(zoneNode, 'httpOutput.style')!.default).toBe('setpoint');
      for (const path of ['mqttOutput.payload', 'mqttOutput.coolPayload', 'mqttOutput.stateKey', 'httpOutput.method',
        'httpOutput.stateKey', 'demand']) {
        expect([path, at(zoneNode, path)!.default]).toEqual([path, undefined]);
      }
      expect(at(zoneNode, 'mqttOutput.payload')!.placeholder).toBe(DEFAULT_PAYLOADS.setpoint);
      expect(at(zoneNode, 'mqttOutput.coolPayload')!.placeholder).toBe(DEFAULT_PAYLOADS.coolRelay);
      expect(at(zoneNode, 'mqttOutput.stateKey')!.placeholder).toBe(DEFAULT_STATE_KEYS.setpoint);
      const payload = at(zoneNode, 'mqttOutput.payload')!.description!;
      expect(payload).toContain(DEFAULT_PAYLOADS.setpoint);
      expect(payload).toContain(DEFAULT_PAYLOADS.relay);
      expect(at(zoneNode, 'mqttOutput.stateKey')!.description).toContain(DEFAULT_STATE_KEYS.relay);
      expect(zoneNode.properties!.demand.description).toMatch(/contact sensors when the output is None, otherwise none/);
    });

    it('lists every template value where templates are written', () => {
      for (const path of ['mqttOutput.payload', 'httpOutput.body']) {
        for (const name of TEMPLATE_NAMES) {
          expect([path, at(zoneNode, path)!.description!.includes(`{{${name}}}`)]).toEqual([path, true]);
        }
      }
      expect(at(zoneNode, 'httpOutput.url')!.placeholder).toBe('http://192.168.1.50/relay/0?turn={{heat}}');
    });

    it('a sensor needs a kind and a topic; the HTTP headers are a map of text with Authorization in the form', () => {
      expect(sensorNode.properties!.topic.required).toBe(true);
      expect(sensorNode.properties!.kind.required).toBe(true);
      expect(at(zoneNode, 'httpOutput.headers')).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
      expect(Object.keys(at(zoneNode, 'httpOutput.headers')!.properties!)).toEqual(['Authorization']);
      expect(at(zoneNode, 'httpOutput.headers.Authorization')!['x-schema-form']).toEqual({ type: 'password' });
      // The form drops keys it has no field for: the description says so and points to the list,
      // which the form keeps (checked in homebridge-config-ui-x 5.10.0).
      expect(at(zoneNode, 'httpOutput.headers')!.description).toMatch(/dropped.*Other headers/);
      expect(at(zoneNode, 'httpOutput.headerList')).toMatchObject({ type: 'array', items: { type: 'object' } });
      expect(Object.keys(at(zoneNode, 'httpOutput.headerList')!.items!.properties!)).toEqual(['name', 'value']);
      expect(at(zoneNode, 'httpOutput.headerList')!.items!.properties!.value['x-schema-form']).toEqual({ type: 'password' });
    });

    it('has the MQTT broker and the webhook at platform level, with the validator\'s defaults', () => {
      expect(at(root, 'mqtt')).toMatchObject({ type: 'object' });
      expect(Object.keys(at(root, 'mqtt')!.properties!)).toEqual(['url', 'username', 'password', 'clientId']);
      expect(at(root, 'mqtt.url')!.placeholder).toBe('mqtt://127.0.0.1:1883');
      expect(at(root, 'mqtt.url')!.description).toMatch(/mqtts:\/\//);
      expect(at(root, 'mqtt.url')!.description).toMatch(/user name and password/);
      expect(at(root, 'mqtt.password')!['x-schema-form']).toEqual({ type: 'password' });
      expect(fill(at(root, 'mqtt')!)).toEqual({});

      expect(Object.keys(at(root, 'webhook')!.properties!)).toEqual(['enabled', 'host', 'port', 'token']);
      expect(fill(at(root, 'webhook')!)).toEqual(parseConfig({}).settings.webhook);
      expect(at(root, 'webhook.host')!.description).toMatch(/loopback.*requires a token/);
      expect(at(root, 'webhook.token')).toMatchObject({ minLength: MIN_TOKEN_LENGTH, 'x-schema-form': { type: 'password' } });
      expect(at(root, 'webhook.token')!.description).toContain(`at least ${MIN_TOKEN_LENGTH} characters`);
      // Angle brackets would be taken for HTML by the UI and vanish.
      expect(at(root, 'webhook.token')!.description).toContain('"Authorization: Bearer TOKEN"');
      expect(at(root, 'webhook.token')!.description).not.toMatch(/[<>]/);
      expect(at(root, 'webhook.token')!.description).toContain('?token=');
    });
  });

  describe('layout', () => {
    const zoneTab = () => {
      const zones = layout.find((i) => typeof i === 'object' && i.key === 'zones') as Exclude<LayoutItem, string>;
      return (zones.items![0] as Exclude<LayoutItem, string>).items!;
    };
    const indexIn = (items: LayoutItem[], what: (i: LayoutItem) => boolean) => items.findIndex(what);
    const titled = (title: string) => (i: LayoutItem) => typeof i === 'object' && i.title === title;

    it('no fieldset is conditional: the UI erases the values of hidden fields on save (seen in homebridge-config-ui-x 5.10)', () => {
      const conditional = layoutItems().filter(({ item }) => typeof item === 'object' && item.condition);
      expect(conditional).toEqual([]);
    });

    it('puts the io fieldsets after source and actuator, in order, with demand after the outputs', () => {
      const tab = zoneTab();
      const sourceRow = indexIn(tab, (i) => typeof i === 'object' && !!i.items?.includes('zones[].source') && i.items.includes('zones[].actuator'));
      const order = ['Sensors (MQTT)', 'Apple Home switches', 'MQTT output', 'HTTP output'].map((t) => indexIn(tab, titled(t)));
      const demand = tab.indexOf('zones[].demand');
      expect(sourceRow).toBeGreaterThanOrEqual(0);
      expect([sourceRow, ...order, demand]).toEqual([...[sourceRow, ...order, demand]].sort((a, b) => a - b));
      expect(order.every((i) => i > sourceRow)).toBe(true);
    });

    it('lays the sensors out as a list of compact rows', () => {
      const sensors = fieldset('Sensors (MQTT)');
      expect(sensors).toMatchObject({ expandable: true });
      const list = sensors.items!.find((i) => typeof i === 'object' && i.key === 'zones[].sensors') as Exclude<LayoutItem, string>;
      expect(list.type).toBe('array');
      const row = list.items![0] as Exclude<LayoutItem, string>;
      expect(row.type).toBe('flex');
      const keyOf = (i: LayoutItem) => (typeof i === 'string' ? i : i.key);
      expect(new Set(row.items!.map(keyOf))).toEqual(new Set(Object.keys(sensorNode.properties!).map((k) => `zones[].sensors[].${k}`)));
      // A checkbox always writes false, which keeps blank rows alive: invert is a drop-down.
      expect(row.items!.find((i) => keyOf(i) === 'zones[].sensors[].invert')).toMatchObject({ type: 'select' });
    });

    it.each(['Sensors (MQTT)', 'Apple Home switches', 'MQTT output', 'HTTP output', 'Simulated room'])(
      '"%s" is a collapsed fieldset in every zone', (title) => {
        expect(fieldset(title)).toMatchObject({ expandable: true, expanded: false });
      });

    it('has collapsed MQTT broker and Webhook fieldsets beside History and maintenance', () => {
      const titles = layout.map((i) => (typeof i === 'object' ? i.title : i));
      const history = titles.indexOf('History and maintenance');
      expect(history).toBeGreaterThan(0);
      for (const title of ['MQTT broker', 'Webhook']) {
        const f = fieldset(title);
        expect(f).toMatchObject({ expandable: true, expanded: false });
        expect(f.condition).toBeUndefined();
        expect(Math.abs(titles.indexOf(title) - history)).toBeLessThanOrEqual(2);
      }
      expect(layoutItems().filter(({ within }) => within.includes('MQTT broker')).map(({ item }) => item))
        .toEqual(expect.arrayContaining(['mqtt.url', 'mqtt.username', 'mqtt.password', 'mqtt.clientId']));
      expect(layoutItems().filter(({ within }) => within.includes('Webhook')).map(({ item }) => (typeof item === 'string' ? item : item.key)))
        .toEqual(expect.arrayContaining(['webhook.enabled', 'webhook.host', 'webhook.port', 'webhook.token']));
    });
  });

  describe('a realistic home built from the form\'s field names', () => {
    const config = {
      platform: 'OccupancyThermostat',
      name: 'Heating',
      mqtt: { url: 'mqtt://192.168.1.10:1883', username: 'homebridge', password: 'correct horse', clientId: 'hb-thermostat' },
      webhook: { enabled: true, host: '0.0.0.0', port: 51830, token: 'dGhpcyBpcyBhIGxvbmcgdG9rZW4' },
      zones: [
        {
          name: 'Living Room',
          source: 'sensors',
          actuator: 'mqtt',
          modes: ['heat'],
          sensors: [
            { name: 'Living climate', kind: 'temperature', topic: 'zigbee2mqtt/Living Room climate', weight: 2, invert: false },
            { name: 'Living humidity', kind: 'humidity', topic: 'zigbee2mqtt/Living Room climate' },
            {
              name: 'Living motion', kind: 'motion', topic: 'zigbee2mqtt/Living Room motion',
              availabilityTopic: 'zigbee2mqtt/Living Room motion/availability',
            },
            { name: 'Front door', kind: 'contact', topic: 'zigbee2mqtt/Front door' },
            { name: 'TRV', kind: 'temperature', topic: 'zigbee2mqtt/Living Room TRV', key: 'local_temperature', weight: 0.5 },
            { name: 'Outside', kind: 'outdoorTemperature', topic: 'weather/current', key: 'main.temp' },
          ],
          switches: { someoneHome: true, motion: ['Hallway motion'], motionOffSeconds: 120 },
          mqttOutput: {
            style: 'setpoint',
            topic: 'zigbee2mqtt/Living Room TRV/set',
            payload: '{"current_heating_setpoint": {{setpoint}}, "system_mode": "{{mode}}"}',
            stateTopic: 'zigbee2mqtt/Living Room TRV',
            stateKey: 'running_state',
            retain: false,
          },
          demand: 'switch',
        },
        {
          name: 'Office',
          source: 'sensors',
          actuator: 'http',
          modes: ['heat', 'cool'],
          sensors: [
            { kind: 'temperature', topic: 'shellies/office-ht/sensor/temperature' },
            { name: 'Alex phone', kind: 'presence', topic: 'home/presence/alex' },
          ],
          httpOutput: {
            style: 'relay',
            method: 'GET',
            url: 'http://192.168.1.50/relay/0?turn={{heat}}',
            coolUrl: 'http://192.168.1.51/relay/0?turn={{cool}}',
            headers: { Authorization: 'Basic YWRtaW46c2VjcmV0' },
            timeoutSeconds: 3,
            retries: 2,
            stateKey: 'ison',
          },
        },
        {
          name: 'Bedroom',
          source: 'sensors',
          actuator: 'none',
          switches: { someoneHome: false, motion: ['Bedroom motion', 'Landing motion'] },
          demand: 'contact',
        },
      ],
    };

    it('uses only names the schema has', () => {
      const unknown: string[] = [];
      const walk = (value: unknown, node: Node | undefined, path: string) => {
        if (node === undefined) {
          unknown.push(path);
        } else if (Array.isArray(value)) {
          value.forEach((v) => walk(v, node.items, `${path}[]`));
        } else if (value && typeof value === 'object' && node.properties) {
          Object.entries(value).forEach(([k, v]) => walk(v, node.properties![k], path ? `${path}.${k}` : k));
        }
      };
      const { platform, ...rest } = config;
      expect(platform).toBe(schema.pluginAlias);
      walk(rest, root, '');
      expect(unknown).toEqual([]);
    });

    it('parses with no problem, every setting taken as written', () => {
      const { settings, problems } = parseConfig(config);
      expect(problems).toEqual([]);
      expect(settings.mqtt).toEqual(config.mqtt);
      expect(settings.webhook).toEqual(config.webhook);
      expect(settings.zones.map((z) => [z.name, z.source, z.actuator, z.demand])).toEqual([
        ['Living Room', 'sensors', 'mqtt', 'switch'],
        ['Office', 'sensors', 'http', 'none'],
        ['Bedroom', 'sensors', 'none', 'contact'],
      ]);
      const [living, office, bedroom] = settings.zones;
      expect(living.sensors).toHaveLength(6);
      expect(living.sensors[4]).toEqual({
        name: 'TRV', kind: 'temperature', topic: 'zigbee2mqtt/Living Room TRV', key: 'local_temperature', invert: false, weight: 0.5,
        availabilityTopic: undefined,
      });
      expect(living.switches).toEqual({ someoneHome: true, motion: ['Hallway motion'], motionOffSeconds: 120 });
      expect(living.mqttOutput).toMatchObject({ ...config.zones[0].mqttOutput });
      expect(office.sensors.map((s) => s.name)).toEqual(['shellies/office-ht/sensor/temperature', 'Alex phone']);
      expect(office.httpOutput).toEqual({ ...config.zones[1].httpOutput, body: undefined, coolBody: undefined });
      expect(bedroom.switches.motion).toEqual(['Bedroom motion', 'Landing motion']);
      expect(bedroom.switches.motionOffSeconds).toBe(IO_NUMBERS['switches.motionOffSeconds'].def);
    });
  });
});
