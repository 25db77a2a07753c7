import { render, templateProblems } from '../io/command';
import { SENSOR_KINDS, SensorKind } from '../io/readings';
import { AIR_RISE_DEFAULTS } from '../learning/air-rise';
import { isLoopbackHost } from '../io/webhook';
import { ConfigProblem, Dict, isDict, NumberSpec, readBoolean, readNumber, readOneOf, show } from './read';
import type {
  HttpOutputSettings, MqttBrokerSettings, MqttOutputSettings, Mode, SensorSettings, SwitchSettings, WebhookSettings, ZoneSettings,
} from './types';

/** Settings of a zone's inputs and outputs, read from its config block. */
export type ZoneIo = Pick<ZoneSettings, 'sensors' | 'switches' | 'mqttOutput' | 'httpOutput' | 'demand'>;

export const IO_NUMBERS = {
  'sensor.weight': { min: 0.1, max: 100, def: 1, unit: '' },
  'sensor.rise': { min: 0.01, max: 5000, def: AIR_RISE_DEFAULTS.rise, unit: '' },
  'switches.motionOffSeconds': { min: 5, max: 3600, def: 60, unit: 'seconds' },
  'httpOutput.timeoutSeconds': { min: 0.5, max: 60, def: 5, unit: 'seconds' },
  'httpOutput.retries': { min: 0, max: 10, def: 3, unit: '', integer: true },
  'webhook.port': { min: 1, max: 65535, def: 51829, unit: '', integer: true },
} satisfies Record<string, NumberSpec>;

export const DEMANDS = ['none', 'switch', 'contact'] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH'] as const;
/** Shortest webhook token accepted: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

export const DEFAULT_PAYLOADS = {
  setpoint: '{"current_heating_setpoint": {{setpoint}}}',
  relay: '{"state": "{{HEAT}}"}',
  coolRelay: '{"state": "{{COOL}}"}',
};
export const DEFAULT_STATE_KEYS = { setpoint: 'running_state', relay: 'state' };

const SAMPLE_COMMAND = { mode: 'heat' as Mode, heating: true, cooling: false, setpoint: 21, coolingSetpoint: 24 };

function text(obj: Dict, key: string, where: string, problems: ConfigProblem[]): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') {
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push({ level: 'warn', message: `${where}: ${key} must be text, got ${show(v)}; ignored` });
    return undefined;
  }
  return v.trim() === '' ? undefined : v.trim();
}

/** A typo inside a block ("wieght") gets a line, as a typo in a zone does. */
function unknownKeys(obj: Dict, allowed: readonly string[], at: string, problems: ConfigProblem[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      problems.push({ level: 'warn', message: `${at}: unknown setting "${k}" ignored` });
    }
  }
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Request headers from `headers` (an object of name to text, for the JSON config) and `headerList`
 * (rows of { name, value }, which the settings form can edit and keeps on save). A row naming a header
 * the object already sets replaces it, with a warning; names compare ignoring case, as HTTP does.
 */
function readHeaders(raw: Record<string, unknown>, at: string, problems: ConfigProblem[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const valid = (name: unknown, value: unknown): boolean =>
    typeof name === 'string' && HEADER_NAME.test(name) && typeof value === 'string' && !/[\r\n]/.test(value);
  if (raw.headers !== undefined && raw.headers !== null) {
    if (!isDict(raw.headers)) {
      problems.push({ level: 'warn', message: `${at}.headers must be an object of header names to text; ignored` });
    } else {
      for (const [k, v] of Object.entries(raw.headers)) {
        if (valid(k, v)) {
          headers[k] = v as string;
        } else {
          problems.push({ level: 'warn', message: `${at}.headers["${k.slice(0, 40)}"] is not a valid header name and text value; ignored` });
        }
      }
    }
  }
  if (raw.headerList !== undefined && raw.headerList !== null) {
    if (!Array.isArray(raw.headerList)) {
      problems.push({ level: 'warn', message: `${at}.headerList must be a list of { "name", "value" } rows; ignored` });
      return headers;
    }
    raw.headerList.forEach((row: unknown, i: number) => {
      const here = `${at}.headerList[${i}]`;
      if (!isDict(row)) {
        problems.push({ level: 'warn', message: `${here} must be { "name": ..., "value": ... }; ignored` });
        return;
      }
      if ((row.name === undefined || row.name === '') && (row.value === undefined || row.value === '')) {
        return; // an empty row the form left behind
      }
      if (!valid(row.name, row.value)) {
        problems.push({ level: 'warn', message: `${here} is not a valid header name and text value; ignored` });
        return;
      }
      const name = row.name as string;
      const same = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
      if (same !== undefined) {
        problems.push({ level: 'warn', message: `${here} sets ${name} again; the list's value is used` });
        delete headers[same];
      }
      headers[name] = row.value as string;
    });
  }
  return headers;
}

/** An MQTT topic to subscribe to: no wildcards (a sensor is one device), no NUL, not empty. */
function topicProblem(topic: string): string | undefined {
  if (/[+#]/.test(topic)) {
    return 'must not contain the wildcards + or #';
  }
  if (topic.includes('\u0000')) {
    return 'must not contain a NUL character';
  }
  return undefined;
}

function readSensor(raw: unknown, i: number, where: string, names: Set<string>, problems: ConfigProblem[]): SensorSettings | undefined {
  const at = `${where}: sensors[${i}]`;
  if (!isDict(raw)) {
    problems.push({ level: 'warn', message: `${at} must be an object with a kind and a topic, got ${show(raw)}; sensor ignored` });
    return undefined;
  }
  unknownKeys(raw, ['name', 'kind', 'topic', 'key', 'invert', 'weight', 'rise', 'availabilityTopic'], at, problems);
  const kind = raw.kind;
  if (!(SENSOR_KINDS as readonly unknown[]).includes(kind)) {
    problems.push({
      level: 'warn',
      message: `${at}: kind must be one of ${SENSOR_KINDS.map((k) => `"${k}"`).join(', ')}, got ${show(kind)}; sensor ignored`,
    });
    return undefined;
  }
  const topic = text(raw, 'topic', at, problems);
  if (!topic) {
    problems.push({ level: 'warn', message: `${at}: topic is required (the MQTT topic the sensor publishes on); sensor ignored` });
    return undefined;
  }
  const bad = topicProblem(topic);
  if (bad) {
    problems.push({ level: 'warn', message: `${at}: topic ${show(topic)} ${bad}; sensor ignored` });
    return undefined;
  }
  const given = text(raw, 'name', at, problems) ?? topic;
  let name = given;
  for (let n = 2; names.has(name.toLowerCase()); n++) {
    name = `${given} (${n})`;
  }
  if (name !== given) {
    problems.push({ level: 'warn', message: `${at}: the name "${given}" is already used in this zone; using "${name}"` });
  }
  names.add(name.toLowerCase());
  const availabilityTopic = text(raw, 'availabilityTopic', at, problems);
  const availabilityBad = availabilityTopic && topicProblem(availabilityTopic);
  if (availabilityBad) {
    problems.push({ level: 'warn', message: `${at}: availabilityTopic ${show(availabilityTopic)} ${availabilityBad}; ignored` });
  }
  if (kind !== 'airQuality' && raw.rise !== undefined && raw.rise !== null && raw.rise !== '') {
    problems.push({ level: 'warn', message: `${at}: rise only applies to an air-quality sensor, not ${show(kind)}; ignored` });
  }
  return {
    name,
    kind: kind as SensorKind,
    topic,
    key: text(raw, 'key', at, problems),
    invert: readBoolean(raw, 'invert', false, at, problems),
    weight: readNumber(raw, 'weight', { ...IO_NUMBERS['sensor.weight'] }, at, problems),
    ...(kind === 'airQuality' ? { rise: readNumber(raw, 'rise', { ...IO_NUMBERS['sensor.rise'] }, at, problems) } : {}),
    availabilityTopic: availabilityBad ? undefined : availabilityTopic,
  };
}

function readSwitches(raw: unknown, where: string, problems: ConfigProblem[]): SwitchSettings {
  const def: SwitchSettings = { someoneHome: false, motion: [], motionOffSeconds: IO_NUMBERS['switches.motionOffSeconds'].def };
  if (raw === undefined || raw === null) {
    return def;
  }
  if (!isDict(raw)) {
    problems.push({ level: 'warn', message: `${where}: switches must be an object, got ${show(raw)}; no switches` });
    return def;
  }
  const at = `${where}: switches`;
  unknownKeys(raw, ['someoneHome', 'motion', 'motionOffSeconds'], at, problems);
  const motion: string[] = [];
  if (raw.motion !== undefined && raw.motion !== null) {
    if (!Array.isArray(raw.motion)) {
      problems.push({ level: 'warn', message: `${at}.motion must be a list of names, got ${show(raw.motion)}; ignored` });
    } else {
      for (const m of raw.motion) {
        const name = typeof m === 'string' ? m.trim() : '';
        if (!name || name.length > 64) {
          problems.push({ level: 'warn', message: `${at}.motion contains ${show(m)}, not a name of 1 to 64 characters; ignored` });
        } else if (motion.some((x) => x.toLowerCase() === name.toLowerCase())) {
          problems.push({ level: 'warn', message: `${at}.motion names "${name}" twice; the second is ignored` });
        } else {
          motion.push(name);
        }
      }
    }
  }
  return {
    someoneHome: readBoolean(raw, 'someoneHome', false, at, problems),
    motion,
    motionOffSeconds: readNumber(raw, 'motionOffSeconds', IO_NUMBERS['switches.motionOffSeconds'], at, problems),
  };
}

function checkTemplate(template: string, field: string, where: string, problems: ConfigProblem[]): boolean {
  const bad = templateProblems(template);
  if (bad.length > 0) {
    problems.push({
      level: 'error',
      message: `${where}: ${field} uses ${bad.map((b) => `{{${b}}}`).join(', ')}, which is not a template value; zone skipped`,
    });
    return false;
  }
  return true;
}

const STYLES = ['setpoint', 'relay'] as const;

function readStyle(obj: Dict, at: string, problems: ConfigProblem[]): 'setpoint' | 'relay' {
  return readOneOf(obj, 'style', STYLES, 'setpoint', `${at}.style`, problems);
}

function readMqttOutput(raw: unknown, where: string, cools: boolean, problems: ConfigProblem[]): MqttOutputSettings | undefined {
  const at = `${where}: mqttOutput`;
  if (!isDict(raw)) {
    problems.push({ level: 'error', message: `${at} is required with actuator "mqtt" (at least a topic), got ${show(raw)}; zone skipped` });
    return undefined;
  }
  unknownKeys(raw, ['style', 'topic', 'payload', 'coolTopic', 'coolPayload', 'stateTopic', 'stateKey', 'coolStateTopic', 'retain'],
    at, problems);
  const style = readStyle(raw, at, problems);
  const topic = text(raw, 'topic', at, problems);
  if (!topic || topicProblem(topic)) {
    problems.push({ level: 'error', message: `${at}.topic must be an MQTT topic without wildcards, got ${show(raw.topic)}; zone skipped` });
    return undefined;
  }
  const out: MqttOutputSettings = {
    style,
    topic,
    payload: text(raw, 'payload', at, problems) ?? DEFAULT_PAYLOADS[style],
    coolTopic: style === 'relay' ? text(raw, 'coolTopic', at, problems) : undefined,
    coolPayload: style === 'relay' ? text(raw, 'coolPayload', at, problems) ?? DEFAULT_PAYLOADS.coolRelay : undefined,
    stateTopic: text(raw, 'stateTopic', at, problems),
    stateKey: text(raw, 'stateKey', at, problems) ?? DEFAULT_STATE_KEYS[style],
    coolStateTopic: style === 'relay' ? text(raw, 'coolStateTopic', at, problems) : undefined,
    retain: readBoolean(raw, 'retain', false, at, problems),
  };
  if (style === 'relay' && cools && !out.coolTopic) {
    problems.push({ level: 'error', message: `${at}: the zone offers cooling, so a relay needs coolTopic; zone skipped` });
    return undefined;
  }
  for (const [field, t] of [['payload', out.payload], ['coolPayload', out.coolPayload]] as const) {
    if (t !== undefined && !checkTemplate(t, `mqttOutput.${field}`, where, problems)) {
      return undefined;
    }
  }
  for (const field of ['stateTopic', 'coolStateTopic'] as const) {
    const t = out[field];
    if (t && topicProblem(t)) {
      problems.push({ level: 'warn', message: `${at}.${field} ${show(t)} ${topicProblem(t)}; ignored` });
      out[field] = undefined;
    }
  }
  return out;
}

function checkUrl(template: string, field: string, zone: string, where: string, problems: ConfigProblem[]): boolean {
  if (!checkTemplate(template, field, where, problems)) {
    return false;
  }
  let url: URL;
  try {
    url = new URL(render(template, SAMPLE_COMMAND, zone, encodeURIComponent));
  } catch {
    problems.push({ level: 'error', message: `${where}: ${field} must be an http:// or https:// URL, got ${show(template)}; zone skipped` });
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({ level: 'error', message: `${where}: ${field} must be an http:// or https:// URL, got ${show(template)}; zone skipped` });
    return false;
  }
  return true;
}

function readHttpOutput(
  raw: unknown, zone: string, where: string, cools: boolean, problems: ConfigProblem[],
): HttpOutputSettings | undefined {
  const at = `${where}: httpOutput`;
  if (!isDict(raw)) {
    problems.push({ level: 'error', message: `${at} is required with actuator "http" (at least a url), got ${show(raw)}; zone skipped` });
    return undefined;
  }
  unknownKeys(raw, ['style', 'method', 'url', 'body', 'coolUrl', 'coolBody', 'headers', 'headerList', 'timeoutSeconds', 'retries', 'stateKey'],
    at, problems);
  const style = readStyle(raw, at, problems);
  const url = text(raw, 'url', at, problems);
  if (!url) {
    problems.push({ level: 'error', message: `${at}.url is required with actuator "http"; zone skipped` });
    return undefined;
  }
  const body = text(raw, 'body', at, problems);
  let method: HttpOutputSettings['method'] = body ? 'POST' : 'GET';
  if (raw.method !== undefined && raw.method !== null && raw.method !== '') {
    const m = typeof raw.method === 'string' ? raw.method.toUpperCase() : raw.method;
    if ((HTTP_METHODS as readonly unknown[]).includes(m)) {
      method = m as HttpOutputSettings['method'];
    } else {
      problems.push({ level: 'warn', message: `${at}.method must be one of ${HTTP_METHODS.join(', ')}, got ${show(raw.method)}; using ${method}` });
    }
  }
  if (method === 'GET' && (body || raw.coolBody)) {
    problems.push({ level: 'warn', message: `${at}: a GET request has no body, so body is not sent; use method POST, PUT or PATCH to send it` });
  }
  const headers = readHeaders(raw, at, problems);
  const out: HttpOutputSettings = {
    style,
    method,
    url,
    body,
    coolUrl: style === 'relay' ? text(raw, 'coolUrl', at, problems) : undefined,
    coolBody: style === 'relay' ? text(raw, 'coolBody', at, problems) : undefined,
    headers,
    timeoutSeconds: readNumber(raw, 'timeoutSeconds', IO_NUMBERS['httpOutput.timeoutSeconds'], at, problems),
    retries: readNumber(raw, 'retries', IO_NUMBERS['httpOutput.retries'], at, problems),
    stateKey: text(raw, 'stateKey', at, problems),
  };
  if (style === 'relay' && cools && !out.coolUrl) {
    problems.push({ level: 'error', message: `${at}: the zone offers cooling, so a relay needs coolUrl; zone skipped` });
    return undefined;
  }
  if (!checkUrl(url, 'httpOutput.url', zone, where, problems)
    || (out.coolUrl && !checkUrl(out.coolUrl, 'httpOutput.coolUrl', zone, where, problems))) {
    return undefined;
  }
  for (const [field, t] of [['body', out.body], ['coolBody', out.coolBody]] as const) {
    if (t !== undefined && !checkTemplate(t, `httpOutput.${field}`, where, problems)) {
      return undefined;
    }
  }
  return out;
}

/**
 * Reads a zone's inputs and outputs. Returns undefined (zone skipped, with an error naming the
 * field) only when the zone could not drive its equipment safely; sensors with problems are
 * dropped one by one.
 */
export function readZoneIo(
  raw: Dict, where: string, source: ZoneSettings['source'], actuator: ZoneSettings['actuator'], modes: Mode[],
  hasBroker: boolean, problems: ConfigProblem[],
): ZoneIo | undefined {
  const cools = modes.includes('cool');
  const sensors: SensorSettings[] = [];
  if (raw.sensors !== undefined && raw.sensors !== null) {
    if (!Array.isArray(raw.sensors)) {
      problems.push({ level: 'warn', message: `${where}: sensors must be a list, got ${show(raw.sensors)}; no MQTT sensors` });
    } else {
      const names = new Set<string>();
      raw.sensors.forEach((s, i) => {
        const sensor = readSensor(s, i, where, names, problems);
        if (sensor) {
          sensors.push(sensor);
        }
      });
    }
  }
  if (sensors.length > 0 && source !== 'sensors') {
    problems.push({ level: 'warn', message: `${where}: sensors are listed but source is "${source}"; they are not read` });
  }
  if (sensors.length > 0 && source === 'sensors' && !hasBroker) {
    problems.push({ level: 'warn', message: `${where}: sensors need an MQTT broker (the mqtt settings); they are not read` });
  }
  if (source === 'simulated' && (actuator === 'mqtt' || actuator === 'http')) {
    problems.push({
      level: 'warn',
      message: `${where}: source "simulated" with actuator "${actuator}": a real device is driven by simulated temperatures`,
    });
  }
  let mqttOutput: MqttOutputSettings | undefined;
  let httpOutput: HttpOutputSettings | undefined;
  if (actuator === 'mqtt') {
    if (!hasBroker) {
      problems.push({ level: 'error', message: `${where}: actuator "mqtt" needs an MQTT broker (the mqtt settings); zone skipped` });
      return undefined;
    }
    mqttOutput = readMqttOutput(raw.mqttOutput, where, cools, problems);
    if (!mqttOutput) {
      return undefined;
    }
  } else if (actuator === 'http') {
    httpOutput = readHttpOutput(raw.httpOutput, String(raw.name).trim(), where, cools, problems);
    if (!httpOutput) {
      return undefined;
    }
  }
  const demand = readOneOf(raw, 'demand', DEMANDS, actuator === 'none' ? 'contact' : 'none', `${where}: demand`, problems);
  if (actuator === 'none' && demand === 'none') {
    problems.push({ level: 'warn', message: `${where}: actuator "none" and demand "none": the zone's decisions reach no equipment` });
  }
  return { sensors, switches: readSwitches(raw.switches, where, problems), mqttOutput, httpOutput, demand };
}


/** The platform's MQTT broker, or undefined (with a message) when it is missing or unusable. */
export function readBroker(raw: unknown, problems: ConfigProblem[]): MqttBrokerSettings | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  if (!isDict(raw)) {
    problems.push({ level: 'error', message: `mqtt must be an object with a url, got ${show(raw)}; MQTT is off` });
    return undefined;
  }
  const where = 'mqtt';
  const url = text(raw, 'url', where, problems);
  if (!url) {
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^mqtts?:\/\/[^/]/.test(url) || !parsed.hostname) {
    problems.push({ level: 'error', message: `mqtt.url must be like mqtt://host:1883 or mqtts://host:8883, got ${show(url)}; MQTT is off` });
    return undefined;
  }
  if (parsed.username || parsed.password) {
    problems.push({ level: 'error', message: 'mqtt.url must not hold a user name or password: use mqtt.username and mqtt.password; MQTT is off' });
    return undefined;
  }
  if (raw.password !== undefined && raw.password !== null && typeof raw.password !== 'string') {
    problems.push({ level: 'warn', message: 'mqtt.password must be text; ignored' });
  }
  unknownKeys(raw, ['url', 'username', 'password', 'clientId'], 'mqtt', problems);
  return {
    url,
    username: text(raw, 'username', where, problems),
    password: typeof raw.password === 'string' && raw.password !== '' ? raw.password : undefined,
    clientId: text(raw, 'clientId', where, problems),
  };
}

/** The platform's webhook; off (with a message naming the field) when it would be unsafe. */
export function readWebhook(raw: unknown, problems: ConfigProblem[]): WebhookSettings {
  const off: WebhookSettings = { enabled: false, host: '127.0.0.1', port: IO_NUMBERS['webhook.port'].def };
  if (raw === undefined || raw === null) {
    return off;
  }
  if (!isDict(raw)) {
    problems.push({ level: 'warn', message: `webhook must be an object, got ${show(raw)}; the webhook is off` });
    return off;
  }
  unknownKeys(raw, ['enabled', 'host', 'port', 'token'], 'webhook', problems);
  const w: WebhookSettings = {
    enabled: readBoolean(raw, 'enabled', false, 'webhook', problems),
    host: text(raw, 'host', 'webhook', problems) ?? '127.0.0.1',
    port: readNumber(raw, 'port', IO_NUMBERS['webhook.port'], 'webhook', problems),
    token: typeof raw.token === 'string' && raw.token.trim() !== '' ? raw.token.trim() : undefined,
  };
  if (raw.token !== undefined && raw.token !== null && typeof raw.token !== 'string') {
    problems.push({ level: 'error', message: 'webhook.token must be text; the webhook is off' });
    return { ...w, enabled: false };
  }
  if (!w.enabled) {
    return w;
  }
  if (w.token !== undefined && w.token.length < MIN_TOKEN_LENGTH) {
    problems.push({ level: 'error', message: `webhook.token must be at least ${MIN_TOKEN_LENGTH} characters (a short one is easy to guess); the webhook is off` });
    return { ...w, enabled: false };
  }
  if (!isLoopbackHost(w.host) && w.token === undefined) {
    problems.push({ level: 'error', message: `webhook.token is required to listen on ${w.host}, which other devices can reach; the webhook is off` });
    return { ...w, enabled: false };
  }
  return w;
}
