import { DEFAULT_PAYLOADS, DEFAULT_STATE_KEYS } from '../../src/config/io-validate';
import { ConfigProblem, parseConfig } from '../../src/config/validate';

const broker = { url: 'mqtt://127.0.0.1:1883' };
const W = 'zone "Hall"';
/** A zone named Hall with its own settings. */
const zone = (extra: Record<string, unknown> = {}) => ({ name: 'Hall', ...extra });
/** A zone on real sensors. */
const sensing = (extra: Record<string, unknown> = {}) => zone({ source: 'sensors', ...extra });
const temp = (extra: Record<string, unknown> = {}) => ({ kind: 'temperature', topic: 'zigbee2mqtt/Hall climate', ...extra });
const mqttZone = (mqttOutput: unknown, extra: Record<string, unknown> = {}) => sensing({ actuator: 'mqtt', mqttOutput, ...extra });
const httpZone = (httpOutput: unknown, extra: Record<string, unknown> = {}) => sensing({ actuator: 'http', httpOutput, ...extra });
const shelly = 'http://192.168.1.50/relay/0?turn={{heat}}';

function parseZone(z: unknown, platform: Record<string, unknown> = { mqtt: broker }) {
  const { settings, problems } = parseConfig({ ...platform, zones: [z] });
  return { zone: settings.zones[0], problems };
}

/** [what, zone, expected message, level, zones kept] */
type Case = [string, unknown, string | RegExp, ConfigProblem['level'], number];

/** Each bad input gets exactly one message, naming the zone and the field. */
function expectOne(problems: ConfigProblem[], level: ConfigProblem['level'], message: string | RegExp): void {
  if (typeof message === 'string') {
    expect(problems).toEqual([{ level, message }]);
  } else {
    expect(problems).toHaveLength(1);
    expect(problems[0].level).toBe(level);
    expect(problems[0].message).toMatch(message);
  }
}

describe('io config: sensors', () => {
  const cases: Case[] = [
    ['sensor not an object', sensing({ sensors: ['zigbee2mqtt/Hall motion'] }),
      `${W}: sensors[0] must be an object with a kind and a topic, got "zigbee2mqtt/Hall motion"; sensor ignored`, 'warn', 1],
    ['sensor null', sensing({ sensors: [null] }),
      `${W}: sensors[0] must be an object with a kind and a topic, got null; sensor ignored`, 'warn', 1],
    ['unknown kind', sensing({ sensors: [temp({ kind: 'door' })] }),
      `${W}: sensors[0]: kind must be one of "occupancy", "motion", "contact", "presence", "temperature", "humidity", `
        + '"outdoorTemperature", "airQuality", got "door"; sensor ignored', 'warn', 1],
    ['missing kind', sensing({ sensors: [{ topic: 'zigbee2mqtt/Hall climate' }] }),
      /^zone "Hall": sensors\[0\]: kind must be one of .*, got nothing; sensor ignored$/, 'warn', 1],
    ['missing topic', sensing({ sensors: [{ kind: 'motion' }] }),
      `${W}: sensors[0]: topic is required (the MQTT topic the sensor publishes on); sensor ignored`, 'warn', 1],
    ['blank topic', sensing({ sensors: [{ kind: 'motion', topic: '   ' }] }),
      `${W}: sensors[0]: topic is required (the MQTT topic the sensor publishes on); sensor ignored`, 'warn', 1],
    ['wildcard + in the topic', sensing({ sensors: [temp({ topic: 'zigbee2mqtt/+' })] }),
      `${W}: sensors[0]: topic "zigbee2mqtt/+" must not contain the wildcards + or #; sensor ignored`, 'warn', 1],
    ['wildcard # in the topic', sensing({ sensors: [temp(), temp({ topic: 'zigbee2mqtt/#' })] }),
      `${W}: sensors[1]: topic "zigbee2mqtt/#" must not contain the wildcards + or #; sensor ignored`, 'warn', 1],
    ['weight above the range', sensing({ sensors: [temp({ weight: 101 })] }),
      `${W}: sensors[0]: weight must be a number from 0.1 to 100, got 101; using 1`, 'warn', 1],
    ['negative weight', sensing({ sensors: [temp({ weight: -1 })] }),
      `${W}: sensors[0]: weight must be a number from 0.1 to 100, got -1; using 1`, 'warn', 1],
    ['weight not a number', sensing({ sensors: [temp({ weight: '2' })] }),
      `${W}: sensors[0]: weight must be a number from 0.1 to 100, got "2"; using 1`, 'warn', 1],
    ['invert not a boolean', sensing({ sensors: [{ kind: 'contact', topic: 'zigbee2mqtt/Door', invert: 'yes' }] }),
      `${W}: sensors[0]: invert must be true or false, got "yes"; using false`, 'warn', 1],
    ['key not text', sensing({ sensors: [temp({ key: 3 })] }),
      `${W}: sensors[0]: key must be text, got 3; ignored`, 'warn', 1],
    ['wildcard availability topic', sensing({ sensors: [temp({ availabilityTopic: 'zigbee2mqtt/+/availability' })] }),
      `${W}: sensors[0]: availabilityTopic "zigbee2mqtt/+/availability" must not contain the wildcards + or #; ignored`, 'warn', 1],
    ['sensors not a list', sensing({ sensors: { kind: 'motion' } }),
      `${W}: sensors must be a list, got {"kind":"motion"}; no MQTT sensors`, 'warn', 1],
  ];

  it.each(cases)('%s', (_what, z, message, level, kept) => {
    const { settings, problems } = parseConfig({ mqtt: broker, zones: [z] });
    expectOne(problems, level, message);
    expect(settings.zones).toHaveLength(kept);
  });

  it('a bad sensor is dropped, the good ones and the zone are kept', () => {
    const { zone: z } = parseZone(sensing({ sensors: [temp(), { kind: 'motion' }, 7, temp({ topic: 'a/+' }), { kind: 'motion', topic: 'm' }] }));
    expect(z.sensors.map((s) => s.topic)).toEqual(['zigbee2mqtt/Hall climate', 'm']);
  });

  it('fills the defaults and keeps what is set, trimmed', () => {
    const { zone: z, problems } = parseZone(sensing({
      sensors: [
        temp(),
        { name: ' Door ', kind: 'contact', topic: ' zigbee2mqtt/Door ', key: ' contact ', invert: true, weight: 0.5,
          availabilityTopic: 'zigbee2mqtt/Door/availability' },
      ],
    }));
    expect(problems).toEqual([]);
    expect(z.sensors).toEqual([
      { name: 'zigbee2mqtt/Hall climate', kind: 'temperature', topic: 'zigbee2mqtt/Hall climate', key: undefined, invert: false, weight: 1,
        availabilityTopic: undefined },
      { name: 'Door', kind: 'contact', topic: 'zigbee2mqtt/Door', key: 'contact', invert: true, weight: 0.5,
        availabilityTopic: 'zigbee2mqtt/Door/availability' },
    ]);
  });

  it('an air-quality sensor takes a rise (default 30); other kinds warn about one and ignore it', () => {
    const { zone: z, problems } = parseZone(sensing({
      sensors: [
        { name: 'Office CO2', kind: 'airQuality', topic: 'zigbee2mqtt/Office' },
        { name: 'Bedroom CO2', kind: 'airQuality', topic: 'zigbee2mqtt/Bedroom', rise: 50 },
        { name: 'Loft CO2', kind: 'airQuality', topic: 'zigbee2mqtt/Loft', rise: 0 },
        temp({ rise: 30 }),
      ],
    }));
    expect(z.sensors.map((s) => s.rise)).toEqual([30, 50, 30, undefined]);
    expect(problems.map((p) => p.message)).toEqual([
      `${W}: sensors[2]: rise must be a number from 0.01 to 5000, got 0; using 30`,
      `${W}: sensors[3]: rise only applies to an air-quality sensor, not "temperature"; ignored`,
    ]);
  });

  it('duplicate names (case-insensitive, or the same topic without a name) get a suffix', () => {
    const { zone: z, problems } = parseZone(sensing({
      sensors: [
        temp({ name: 'Climate' }),
        { name: 'climate', kind: 'humidity', topic: 'zigbee2mqtt/Hall climate' },
        temp({ topic: 'zigbee2mqtt/TRV' }),
        { kind: 'humidity', topic: 'zigbee2mqtt/TRV' },
      ],
    }));
    expect(problems.map((p) => p.message)).toEqual([
      `${W}: sensors[1]: the name "climate" is already used in this zone; using "climate (2)"`,
      `${W}: sensors[3]: the name "zigbee2mqtt/TRV" is already used in this zone; using "zigbee2mqtt/TRV (2)"`,
    ]);
    expect(z.sensors.map((s) => s.name)).toEqual(['Climate', 'climate (2)', 'zigbee2mqtt/TRV', 'zigbee2mqtt/TRV (2)']);
  });

  it('a suffixed name is checked again, so no two sensors share a name', () => {
    const { zone: z } = parseZone(sensing({
      sensors: [temp({ name: 'A (2)' }), temp({ name: 'A' }), temp({ name: 'A' })],
    }));
    expect(z.sensors.map((s) => s.name)).toEqual(['A (2)', 'A', 'A (3)']);
  });

  it('sensors without a broker: a warning, the zone kept', () => {
    const { settings, problems } = parseConfig({ zones: [sensing({ sensors: [temp()] })] });
    expectOne(problems, 'warn', `${W}: sensors need an MQTT broker (the mqtt settings); they are not read`);
    expect(settings.zones).toHaveLength(1);
  });

  it('sensors on a zone whose source is simulated: a warning, the zone kept', () => {
    const { settings, problems } = parseConfig({ mqtt: broker, zones: [zone({ sensors: [temp()] })] });
    expectOne(problems, 'warn', `${W}: sensors are listed but source is "simulated"; they are not read`);
    expect(settings.zones).toHaveLength(1);
  });

  it('an empty list, or no sensors, says nothing', () => {
    expect(parseConfig({ zones: [sensing({ sensors: [] }), zone({ name: 'Den', source: 'sensors', sensors: null })] }).problems).toEqual([]);
  });
});

describe('io config: MQTT output', () => {
  const cases: Case[] = [
    ['without a broker', mqttZone({ topic: 'zigbee2mqtt/TRV/set' }),
      `${W}: actuator "mqtt" needs an MQTT broker (the mqtt settings); zone skipped`, 'error', 0],
    ['without mqttOutput', sensing({ actuator: 'mqtt' }),
      `${W}: mqttOutput is required with actuator "mqtt" (at least a topic), got nothing; zone skipped`, 'error', 0],
    ['mqttOutput not an object', mqttZone('zigbee2mqtt/TRV/set'),
      `${W}: mqttOutput is required with actuator "mqtt" (at least a topic), got "zigbee2mqtt/TRV/set"; zone skipped`, 'error', 0],
    ['without a topic', mqttZone({ payload: '{{setpoint}}' }),
      `${W}: mqttOutput.topic must be an MQTT topic without wildcards, got nothing; zone skipped`, 'error', 0],
    ['wildcard topic', mqttZone({ topic: 'zigbee2mqtt/+/set' }),
      `${W}: mqttOutput.topic must be an MQTT topic without wildcards, got "zigbee2mqtt/+/set"; zone skipped`, 'error', 0],
    ['unknown template name in the payload', mqttZone({ topic: 't/set', payload: '{"target": {{temp}}}' }),
      `${W}: mqttOutput.payload uses {{temp}}, which is not a template value; zone skipped`, 'error', 0],
    ['unknown template name in the cool payload', mqttZone(
      { style: 'relay', topic: 'heat/set', coolTopic: 'cool/set', coolPayload: '{{ON}}' }, { modes: ['cool'] }),
      `${W}: mqttOutput.coolPayload uses {{ON}}, which is not a template value; zone skipped`, 'error', 0],
    ['relay in a zone that cools, without coolTopic', mqttZone({ style: 'relay', topic: 'heat/set' }, { modes: ['heat', 'cool'] }),
      `${W}: mqttOutput: the zone offers cooling, so a relay needs coolTopic; zone skipped`, 'error', 0],
    ['relay in an auto zone, without coolTopic', mqttZone({ style: 'relay', topic: 'heat/set' }, { modes: ['auto'] }),
      `${W}: mqttOutput: the zone offers cooling, so a relay needs coolTopic; zone skipped`, 'error', 0],
    ['unknown style', mqttZone({ style: 'valve', topic: 't/set' }),
      `${W}: mqttOutput.style must be "setpoint" or "relay", got "valve"; using "setpoint"`, 'warn', 1],
    ['wildcard state topic', mqttZone({ topic: 't/set', stateTopic: 't/#' }),
      `${W}: mqttOutput.stateTopic "t/#" must not contain the wildcards + or #; ignored`, 'warn', 1],
    ['retain not a boolean', mqttZone({ topic: 't/set', retain: 1 }),
      `${W}: mqttOutput: retain must be true or false, got 1; using false`, 'warn', 1],
  ];

  it.each(cases)('%s', (_what, z, message, level, kept) => {
    const platform = _what === 'without a broker' ? {} : { mqtt: broker };
    const { settings, problems } = parseConfig({ ...platform, zones: [z, zone({ name: 'Den' })] });
    expectOne(problems, level, message);
    expect(settings.zones).toHaveLength(kept + 1);
  });

  it('setpoint style (the default): the zigbee2mqtt TRV payload and running_state', () => {
    const { zone: z, problems } = parseZone(mqttZone({ topic: 'zigbee2mqtt/TRV/set' }));
    expect(problems).toEqual([]);
    expect(z.mqttOutput).toEqual({
      style: 'setpoint', topic: 'zigbee2mqtt/TRV/set', payload: DEFAULT_PAYLOADS.setpoint, coolTopic: undefined, coolPayload: undefined,
      stateTopic: undefined, stateKey: DEFAULT_STATE_KEYS.setpoint, coolStateTopic: undefined, retain: false,
    });
    expect(z.mqttOutput!.payload).toBe('{"current_heating_setpoint": {{setpoint}}}');
    expect(z.mqttOutput!.stateKey).toBe('running_state');
  });

  it('relay style: ON/OFF state payloads and the state key', () => {
    const { zone: z, problems } = parseZone(mqttZone({ style: 'relay', topic: 'heat/set', stateTopic: 'heat' }));
    expect(problems).toEqual([]);
    expect(z.mqttOutput).toEqual({
      style: 'relay', topic: 'heat/set', payload: '{"state": "{{HEAT}}"}', coolTopic: undefined, coolPayload: '{"state": "{{COOL}}"}',
      stateTopic: 'heat', stateKey: 'state', coolStateTopic: undefined, retain: false,
    });
  });

  it('relay style in a zone that cools: both relays', () => {
    const { zone: z, problems } = parseZone(mqttZone(
      { style: 'relay', topic: 'heat/set', coolTopic: 'cool/set', coolStateTopic: 'cool', retain: true }, { modes: ['auto'] }));
    expect(problems).toEqual([]);
    expect(z.mqttOutput).toMatchObject({ coolTopic: 'cool/set', coolStateTopic: 'cool', retain: true });
  });

  it('what the user sets wins over the style\'s defaults; cool settings are dropped for a setpoint device', () => {
    const { zone: z, problems } = parseZone(mqttZone({
      topic: 'trv/set', payload: ' {"target": {{ setpoint }}} ', stateKey: 'action', coolTopic: 'x/set', coolPayload: 'x',
    }, { modes: ['heat', 'cool'] }));
    expect(problems).toEqual([]);
    expect(z.mqttOutput).toMatchObject({ payload: '{"target": {{ setpoint }}}', stateKey: 'action', coolTopic: undefined, coolPayload: undefined });
  });

  it('every template value is accepted', () => {
    const payload = '{{setpoint}} {{cooling_setpoint}} {{setpoint_f}} {{mode}} {{heating}} {{cooling}} {{heat}} {{cool}} {{HEAT}} {{COOL}} {{zone}}';
    expect(parseZone(mqttZone({ topic: 't/set', payload })).problems).toEqual([]);
  });
});

describe('io config: HTTP output', () => {
  const cases: Case[] = [
    ['without httpOutput', sensing({ actuator: 'http' }),
      `${W}: httpOutput is required with actuator "http" (at least a url), got nothing; zone skipped`, 'error', 0],
    ['missing url', httpZone({ method: 'POST' }), `${W}: httpOutput.url is required with actuator "http"; zone skipped`, 'error', 0],
    ['url not text', httpZone({ url: 42 }), /^zone "Hall": httpOutput: url must be text, got 42; ignored$/, 'warn', 0],
    ['not an http URL', httpZone({ url: 'ftp://192.168.1.50/relay' }),
      /^zone "Hall": httpOutput\.url must be an http:\/\/ or https:\/\/ URL, got .*ftp:.*; zone skipped$/, 'error', 0],
    ['unparsable URL', httpZone({ url: '192.168.1.50/relay/0?turn=on' }),
      `${W}: httpOutput.url must be an http:// or https:// URL, got "192.168.1.50/relay/0?turn=on"; zone skipped`, 'error', 0],
    ['unknown template name in the url', httpZone({ url: 'http://192.168.1.50/set?t={{temp}}' }),
      `${W}: httpOutput.url uses {{temp}}, which is not a template value; zone skipped`, 'error', 0],
    ['unknown template name in the body', httpZone({ url: 'http://thermostat.local/api', body: '{"t": {{temperature}}}' }),
      `${W}: httpOutput.body uses {{temperature}}, which is not a template value; zone skipped`, 'error', 0],
    ['relay in a zone that cools, without coolUrl', httpZone({ style: 'relay', url: shelly }, { modes: ['heat', 'cool'] }),
      `${W}: httpOutput: the zone offers cooling, so a relay needs coolUrl; zone skipped`, 'error', 0],
    ['a cool relay URL that is not http', httpZone({ style: 'relay', url: shelly, coolUrl: 'mqtt://192.168.1.51/relay' }, { modes: ['cool'] }),
      /^zone "Hall": httpOutput\.coolUrl must be an http:\/\/ or https:\/\/ URL, got .*mqtt:.*; zone skipped$/, 'error', 0],
    ['unknown method', httpZone({ url: shelly, method: 'DELETE' }),
      `${W}: httpOutput.method must be one of GET, POST, PUT, PATCH, got "DELETE"; using GET`, 'warn', 1],
    ['unknown method with a body', httpZone({ url: shelly, method: 7, body: 'x' }),
      `${W}: httpOutput.method must be one of GET, POST, PUT, PATCH, got 7; using POST`, 'warn', 1],
    ['header name with a space', httpZone({ url: shelly, headers: { 'Bad Header': 'x', 'X-Ok': 'y' } }),
      `${W}: httpOutput.headers["Bad Header"] is not a valid header name and text value; ignored`, 'warn', 1],
    ['header value with CR/LF', httpZone({ url: shelly, headers: { 'X-Api-Key': 'abc\r\nHost: evil.example' } }),
      `${W}: httpOutput.headers["X-Api-Key"] is not a valid header name and text value; ignored`, 'warn', 1],
    ['header value not text', httpZone({ url: shelly, headers: { 'X-Retries': 3 } }),
      `${W}: httpOutput.headers["X-Retries"] is not a valid header name and text value; ignored`, 'warn', 1],
    ['headers not an object', httpZone({ url: shelly, headers: ['Authorization: Basic x'] }),
      `${W}: httpOutput.headers must be an object of header names to text; ignored`, 'warn', 1],
    ['headerList not a list', httpZone({ url: shelly, headerList: { 'X-Api-Key': 'k' } }),
      `${W}: httpOutput.headerList must be a list of { "name", "value" } rows; ignored`, 'warn', 1],
    ['headerList row not an object', httpZone({ url: shelly, headerList: ['X-Api-Key: k'] }),
      `${W}: httpOutput.headerList[0] must be { "name": ..., "value": ... }; ignored`, 'warn', 1],
    ['headerList row with a bad name', httpZone({ url: shelly, headerList: [{ name: 'X Api', value: 'k' }] }),
      `${W}: httpOutput.headerList[0] is not a valid header name and text value; ignored`, 'warn', 1],
    ['headerList row with CR/LF in the value', httpZone({ url: shelly, headerList: [{ name: 'X-A', value: 'k' }, { name: 'X-B', value: 'a\nHost: x' }] }),
      `${W}: httpOutput.headerList[1] is not a valid header name and text value; ignored`, 'warn', 1],
    ['timeout out of range', httpZone({ url: shelly, timeoutSeconds: 0.1 }),
      `${W}: httpOutput: timeoutSeconds must be a number from 0.5 to 60 seconds, got 0.1; using 5`, 'warn', 1],
    ['fractional retries', httpZone({ url: shelly, retries: 1.5 }),
      `${W}: httpOutput: retries must be a whole number from 0 to 10, got 1.5; using 3`, 'warn', 1],
    ['too many retries', httpZone({ url: shelly, retries: 11 }),
      `${W}: httpOutput: retries must be a whole number from 0 to 10, got 11; using 3`, 'warn', 1],
  ];

  it.each(cases)('%s', (what, z, message, level, kept) => {
    const { settings, problems } = parseConfig({ zones: [z] });
    if (what === 'url not text') {
      // The wrong type is named first; the zone is then skipped for want of a url.
      expect(problems).toEqual([
        { level: 'warn', message: `${W}: httpOutput: url must be text, got 42; ignored` },
        { level: 'error', message: `${W}: httpOutput.url is required with actuator "http"; zone skipped` },
      ]);
    } else {
      expectOne(problems, level, message);
    }
    expect(settings.zones).toHaveLength(kept);
  });

  it('a Shelly relay: GET with the defaults', () => {
    const { zone: z, problems } = parseZone(httpZone({ style: 'relay', url: shelly, stateKey: 'ison' }), {});
    expect(problems).toEqual([]);
    expect(z.httpOutput).toEqual({
      style: 'relay', method: 'GET', url: shelly, body: undefined, coolUrl: undefined, coolBody: undefined, headers: {},
      timeoutSeconds: 5, retries: 3, stateKey: 'ison',
    });
  });

  it.each([
    ['no body: GET', {}, 'GET'],
    ['a body: POST', { body: '{"target": {{setpoint}}}' }, 'POST'],
    ['lowercase method accepted', { method: 'put', body: 'x' }, 'PUT'],
    ['mixed case', { method: 'Patch' }, 'PATCH'],
    ['empty method: the default', { method: '' }, 'GET'],
  ])('method: %s', (_what, extra, method) => {
    const { zone: z, problems } = parseZone(httpZone({ url: 'http://thermostat.local/api', ...extra }), {});
    expect(problems).toEqual([]);
    expect(z.httpOutput!.method).toBe(method);
  });

  it('an explicit GET with a body is kept, with a line saying the body is not sent', () => {
    const { zone: z, problems } = parseZone(httpZone({ url: 'http://thermostat.local/api', method: 'GET', body: 'x' }), {});
    expect(z.httpOutput!.method).toBe('GET');
    expect(problems).toEqual([{ level: 'warn',
      message: `${W}: httpOutput: a GET request has no body, so body is not sent; use method POST, PUT or PATCH to send it` }]);
  });

  it('keeps good headers and drops only the bad ones', () => {
    const { zone: z, problems } = parseZone(httpZone({
      url: shelly, headers: { Authorization: 'Bearer abc', 'X-Bad\n': 'v', 'Content-Type': 'text/plain' },
    }), {});
    expect(problems).toHaveLength(1);
    expect(problems[0].level).toBe('warn');
    expect(z.httpOutput!.headers).toEqual({ Authorization: 'Bearer abc', 'Content-Type': 'text/plain' });
  });

  it('merges the header list (the form\'s rows) into headers; a row replaces the same header, ignoring case', () => {
    const { zone: z, problems } = parseZone(httpZone({
      url: shelly,
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'old' },
      headerList: [{ name: 'X-Api-Key', value: 'new' }, { name: 'Accept', value: 'application/json' }, { name: '', value: '' }, {}],
    }), {});
    expect(z.httpOutput!.headers).toEqual({ Authorization: 'Bearer abc', 'X-Api-Key': 'new', Accept: 'application/json' });
    expect(problems).toEqual([{ level: 'warn', message: `${W}: httpOutput.headerList[0] sets X-Api-Key again; the list's value is used` }]);
  });

  it('relay in a zone that cools, with both URLs and bodies; https accepted', () => {
    const { zone: z, problems } = parseZone(httpZone({
      style: 'relay', method: 'POST', url: 'https://relay.local/heat', body: '{"on": {{heating}}}',
      coolUrl: 'https://relay.local/cool', coolBody: '{"on": {{cooling}}}', timeoutSeconds: 0.5, retries: 0,
    }, { modes: ['auto'] }), {});
    expect(problems).toEqual([]);
    expect(z.httpOutput).toMatchObject({ coolUrl: 'https://relay.local/cool', coolBody: '{"on": {{cooling}}}', timeoutSeconds: 0.5, retries: 0 });
  });

  it('a template value in the host is checked with a sample value', () => {
    expect(parseZone(httpZone({ url: 'http://192.168.1.50/zones/{{zone}}?mode={{mode}}' }), {}).problems).toEqual([]);
  });
});

describe('io config: demand', () => {
  it.each([
    ['actuator none: contact sensors', { actuator: 'none' }, 'contact'],
    ['actuator simulated: none', {}, 'none'],
    ['actuator http: none', { actuator: 'http', httpOutput: { url: shelly } }, 'none'],
    ['actuator mqtt: none', { actuator: 'mqtt', mqttOutput: { topic: 't/set' } }, 'none'],
    ['set: switch', { actuator: 'none', demand: 'switch' }, 'switch'],
    ['set with an output: contact', { actuator: 'http', httpOutput: { url: shelly }, demand: 'contact' }, 'contact'],
    ['empty: the default', { actuator: 'none', demand: '' }, 'contact'],
  ])('%s', (_what, extra, demand) => {
    const { zone: z, problems } = parseZone(sensing(extra));
    expect(problems).toEqual([]);
    expect(z.demand).toBe(demand);
  });

  it.each([
    ['bad demand', sensing({ demand: 'lamp' }), `${W}: demand must be one of "none", "switch", "contact", got "lamp"; using "none"`],
    ['bad demand with actuator none', sensing({ actuator: 'none', demand: true }),
      `${W}: demand must be one of "none", "switch", "contact", got true; using "contact"`],
    ['actuator none and demand none', sensing({ actuator: 'none', demand: 'none' }),
      `${W}: actuator "none" and demand "none": the zone's decisions reach no equipment`],
  ])('%s: a warning, the zone kept', (_what, z, message) => {
    const { settings, problems } = parseConfig({ zones: [z] });
    expectOne(problems, 'warn', message);
    expect(settings.zones).toHaveLength(1);
  });
});

describe('io config: Apple Home switches', () => {
  const cases: Case[] = [
    ['switches not an object', sensing({ switches: ['Hall motion'] }),
      `${W}: switches must be an object, got ["Hall motion"]; no switches`, 'warn', 1],
    ['motion not a list', sensing({ switches: { motion: 'Hall motion' } }),
      `${W}: switches.motion must be a list of names, got "Hall motion"; ignored`, 'warn', 1],
    ['duplicate motion names', sensing({ switches: { motion: ['Hall motion', ' hall MOTION '] } }),
      `${W}: switches.motion names "hall MOTION" twice; the second is ignored`, 'warn', 1],
    ['a motion name that is not text', sensing({ switches: { motion: ['Hall motion', 5] } }),
      `${W}: switches.motion contains 5, not a name of 1 to 64 characters; ignored`, 'warn', 1],
    ['a blank motion name', sensing({ switches: { motion: ['  '] } }),
      `${W}: switches.motion contains "  ", not a name of 1 to 64 characters; ignored`, 'warn', 1],
    ['a motion name too long', sensing({ switches: { motion: ['m'.repeat(65)] } }),
      `${W}: switches.motion contains "${'m'.repeat(65)}", not a name of 1 to 64 characters; ignored`, 'warn', 1],
    ['motion off time too short', sensing({ switches: { motionOffSeconds: 1 } }),
      `${W}: switches: motionOffSeconds must be a number from 5 to 3600 seconds, got 1; using 60`, 'warn', 1],
    ['motion off time too long', sensing({ switches: { motionOffSeconds: 3601 } }),
      `${W}: switches: motionOffSeconds must be a number from 5 to 3600 seconds, got 3601; using 60`, 'warn', 1],
    ['someoneHome not a boolean', sensing({ switches: { someoneHome: 'on' } }),
      `${W}: switches: someoneHome must be true or false, got "on"; using false`, 'warn', 1],
  ];

  it.each(cases)('%s', (_what, z, message, level, kept) => {
    const { settings, problems } = parseConfig({ zones: [z] });
    expectOne(problems, level, message);
    expect(settings.zones).toHaveLength(kept);
  });

  it('trims the names and keeps the good ones in order', () => {
    const { zone: z, problems } = parseZone(sensing({
      switches: { someoneHome: true, motion: [' Hall motion ', 'Kitchen motion', 'hall motion', 7], motionOffSeconds: 5 },
    }));
    expect(problems.map((p) => p.level)).toEqual(['warn', 'warn']);
    expect(z.switches).toEqual({ someoneHome: true, motion: ['Hall motion', 'Kitchen motion'], motionOffSeconds: 5 });
  });

  it('defaults: no switches', () => {
    expect(parseZone(sensing({ switches: null })).zone.switches).toEqual({ someoneHome: false, motion: [], motionOffSeconds: 60 });
    expect(parseZone(sensing({ switches: {} })).zone.switches).toEqual({ someoneHome: false, motion: [], motionOffSeconds: 60 });
  });
});

describe('io config: MQTT broker', () => {
  it.each([
    ['unparsable url', { url: '192.168.1.10:1883' },
      'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "192.168.1.10:1883"; MQTT is off'],
    ['ws:// refused', { url: 'ws://broker.local:9001' },
      'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "ws://broker.local:9001"; MQTT is off'],
    ['http:// refused', { url: 'http://broker.local' },
      'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "http://broker.local"; MQTT is off'],
    ['no host', { url: 'mqtt://' }, 'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "mqtt://"; MQTT is off'],
    ['no slashes', { url: 'mqtt:broker' }, 'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "mqtt:broker"; MQTT is off'],
    ['scheme forgotten', { url: 'broker.local:1883' },
      'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "broker.local:1883"; MQTT is off'],
    ['credentials in the URL refused', { url: 'mqtt://homebridge:secret@broker.local:1883' },
      'mqtt.url must not hold a user name or password: use mqtt.username and mqtt.password; MQTT is off'],
    ['a user name alone in the URL refused', { url: 'mqtts://homebridge@broker.local:8883' },
      'mqtt.url must not hold a user name or password: use mqtt.username and mqtt.password; MQTT is off'],
    ['not an object', 'mqtt://broker.local', 'mqtt must be an object with a url, got "mqtt://broker.local"; MQTT is off'],
  ])('%s: an error, MQTT off', (_what, mqtt, message) => {
    const { settings, problems } = parseConfig({ mqtt });
    expect(problems).toEqual([{ level: 'error', message }]);
    expect(settings.mqtt).toBeUndefined();
    // The secret never reaches a message.
    expect(problems[0].message).not.toContain('secret');
  });

  it('a bad broker also skips the zones that need one, each with its own message', () => {
    const { settings, problems } = parseConfig({
      mqtt: { url: 'ws://broker.local' }, zones: [mqttZone({ topic: 't/set' }), zone({ name: 'Den' })],
    });
    expect(problems.map((p) => p.message)).toEqual([
      'mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got "ws://broker.local"; MQTT is off',
      `${W}: actuator "mqtt" needs an MQTT broker (the mqtt settings); zone skipped`,
    ]);
    expect(settings.zones.map((z) => z.name)).toEqual(['Den']);
  });

  it('keeps the password exactly as written, trims the other fields', () => {
    const { settings, problems } = parseConfig({
      mqtt: { url: ' mqtts://broker.local:8883 ', username: ' homebridge ', password: ' p@ss word ', clientId: ' hb-1 ' },
    });
    expect(problems).toEqual([]);
    expect(settings.mqtt).toEqual({ url: 'mqtts://broker.local:8883', username: 'homebridge', password: ' p@ss word ', clientId: 'hb-1' });
  });

  it('no url: no broker, quietly (the form saves an empty object)', () => {
    expect(parseConfig({ mqtt: {} })).toMatchObject({ problems: [], settings: { mqtt: undefined } });
    expect(parseConfig({ mqtt: { url: '' } })).toMatchObject({ problems: [], settings: { mqtt: undefined } });
  });

  it('a user name that is not text is named', () => {
    const { settings, problems } = parseConfig({ mqtt: { ...broker, username: 42 } });
    expect(problems).toEqual([{ level: 'warn', message: 'mqtt: username must be text, got 42; ignored' }]);
    expect(settings.mqtt).toEqual({ url: broker.url, username: undefined, password: undefined, clientId: undefined });
  });
});

describe('io config: webhook', () => {
  const token = 'a-long-random-token-0123456789';

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', {}],
    ['the form\'s defaults', { enabled: false, host: '127.0.0.1', port: 51829 }],
  ])('%s: off on 127.0.0.1:51829, no problem', (_what, webhook) => {
    const { settings, problems } = parseConfig({ webhook });
    expect(problems).toEqual([]);
    expect(settings.webhook).toEqual({ enabled: false, host: '127.0.0.1', port: 51829 });
  });

  it.each([
    ['enabled, loopback, no token', { enabled: true }, { enabled: true, host: '127.0.0.1', port: 51829 }],
    ['0.0.0.0 with a good token', { enabled: true, host: '0.0.0.0', token }, { enabled: true, host: '0.0.0.0', port: 51829, token }],
    ['::1 counts as loopback', { enabled: true, host: '::1' }, { enabled: true, host: '::1', port: 51829 }],
    ['[::1] counts as loopback', { enabled: true, host: '[::1]' }, { enabled: true, host: '[::1]', port: 51829 }],
    ['localhost counts as loopback', { enabled: true, host: 'LocalHost' }, { enabled: true, host: 'LocalHost', port: 51829 }],
    ['127.0.0.53 counts as loopback', { enabled: true, host: '127.0.0.53' }, { enabled: true, host: '127.0.0.53', port: 51829 }],
    ['a LAN address with a token, another port', { enabled: true, host: '192.168.1.2', port: 8080, token: ` ${token} ` },
      { enabled: true, host: '192.168.1.2', port: 8080, token }],
    ['exactly 16 characters', { enabled: true, token: 'x'.repeat(16) }, { enabled: true, host: '127.0.0.1', port: 51829, token: 'x'.repeat(16) }],
    ['disabled: a short token is not checked', { enabled: false, host: '0.0.0.0', token: 'short' },
      { enabled: false, host: '0.0.0.0', port: 51829, token: 'short' }],
  ])('%s', (_what, webhook, expected) => {
    const { settings, problems } = parseConfig({ webhook });
    expect(problems).toEqual([]);
    expect(settings.webhook).toEqual(expected);
  });

  it.each([
    ['a token shorter than 16 characters', { enabled: true, host: '0.0.0.0', token: 'x'.repeat(15) },
      'webhook.token must be at least 16 characters (a short one is easy to guess); the webhook is off'],
    ['a non-loopback host without a token', { enabled: true, host: '0.0.0.0' },
      'webhook.token is required to listen on 0.0.0.0, which other devices can reach; the webhook is off'],
    ['a LAN address with a blank token', { enabled: true, host: '192.168.1.2', token: '   ' },
      'webhook.token is required to listen on 192.168.1.2, which other devices can reach; the webhook is off'],
    ['the IPv6 any address without a token', { enabled: true, host: '::' },
      'webhook.token is required to listen on ::, which other devices can reach; the webhook is off'],
    ['a token that is not text', { enabled: true, token: 1234567890123456 }, 'webhook.token must be text; the webhook is off'],
  ])('%s: an error naming webhook.token, the webhook off', (_what, webhook, message) => {
    const { settings, problems } = parseConfig({ webhook });
    expect(problems).toEqual([{ level: 'error', message }]);
    expect(settings.webhook.enabled).toBe(false);
  });

  it.each([
    ['port out of range', { enabled: true, port: 70000 }, 'webhook: port must be a whole number from 1 to 65535, got 70000; using 51829'],
    ['fractional port', { port: 8080.5 }, 'webhook: port must be a whole number from 1 to 65535, got 8080.5; using 51829'],
    ['enabled not a boolean', { enabled: 'true' }, 'webhook: enabled must be true or false, got "true"; using false'],
    ['host not text', { host: 127 }, 'webhook: host must be text, got 127; ignored'],
    ['not an object', true, 'webhook must be an object, got true; the webhook is off'],
  ])('%s: a warning and the default', (_what, webhook, message) => {
    const { settings, problems } = parseConfig({ webhook });
    expect(problems).toEqual([{ level: 'warn', message }]);
    expect(settings.webhook.port).toBe(51829);
    expect(settings.webhook.host).toBe('127.0.0.1');
  });

  it('never puts the token in a message', () => {
    const secret = 'sh0rt-secret';
    const { problems } = parseConfig({ webhook: { enabled: true, host: '0.0.0.0', token: secret } });
    expect(problems).toHaveLength(1);
    expect(problems[0].message).not.toContain(secret);
  });
});

describe('io config: never throws', () => {
  it.each([
    [{ mqtt: [], webhook: [], zones: [sensing({ sensors: [[], {}, { kind: {} }], switches: { motion: [{}, null] } })] }],
    [{ mqtt: { url: {} }, zones: [mqttZone([]), httpZone({ url: {}, headers: null }), httpZone({ url: 'http://[', headers: 'x' })] }],
    [{ webhook: { enabled: true, host: {}, token: {} }, zones: [sensing({ actuator: 'none', demand: {} })] }],
  ])('%#', (raw) => {
    expect(() => parseConfig(raw)).not.toThrow();
  });
});

describe('io config: typos and odd combinations get a line', () => {
  it.each([
    ['a sensor', sensing({ sensors: [temp({ wieght: 2 })] }), `${W}: sensors[0]: unknown setting "wieght" ignored`],
    ['switches', sensing({ switches: { someonehome: true } }), `${W}: switches: unknown setting "someonehome" ignored`],
    ['mqttOutput', mqttZone({ topic: 't/set', retained: true }), `${W}: mqttOutput: unknown setting "retained" ignored`],
    ['httpOutput', httpZone({ url: shelly, timeout: 3 }), `${W}: httpOutput: unknown setting "timeout" ignored`],
  ])('an unknown key in %s', (_what, z, message) => {
    const { problems } = parseZone(z);
    expectOne(problems, 'warn', message);
  });

  it('unknown keys in the broker and webhook blocks', () => {
    const { problems } = parseConfig({ mqtt: { url: 'mqtt://b', user: 'x' }, webhook: { enabled: false, prot: 1 } });
    expect(problems.map((p) => p.message)).toEqual([
      'mqtt: unknown setting "user" ignored',
      'webhook: unknown setting "prot" ignored',
    ]);
  });

  it('a password that is not text is reported, not kept', () => {
    const { settings, problems } = parseConfig({ mqtt: { url: 'mqtt://b', password: 123456 } });
    expect(problems).toEqual([{ level: 'warn', message: 'mqtt.password must be text; ignored' }]);
    expect(settings.mqtt!.password).toBeUndefined();
  });

  it('a simulated source driving a real device is allowed, with a line', () => {
    const { zone: z, problems } = parseZone(zone({ actuator: 'mqtt', mqttOutput: { topic: 't/set' } }));
    expect(z.actuator).toBe('mqtt');
    expectOne(problems, 'warn', `${W}: source "simulated" with actuator "mqtt": a real device is driven by simulated temperatures`);
  });

  it('an output topic with a NUL is refused', () => {
    const { settings, problems } = parseConfig({ mqtt: broker, zones: [mqttZone({ topic: 'a\u0000b' })] });
    expect(settings.zones).toHaveLength(0);
    expect(problems[0].message).toMatch(/mqttOutput\.topic must be an MQTT topic without wildcards/);
  });

  it('a URL is checked with the zone\'s own name in it', () => {
    const { settings, problems } = parseConfig({ zones: [{ name: 'Living Room', source: 'sensors', actuator: 'http',
      httpOutput: { url: 'http://{{zone}}/set' } }] });
    expect(settings.zones).toHaveLength(0);
    expect(problems[0].message).toMatch(/httpOutput\.url must be an http:\/\/ or https:\/\/ URL/);
  });
});
