/**
 * Sensor readings as they arrive from outside (MQTT payloads, webhook bodies and query strings):
 * parsed, range-checked and turned into updates a zone can use. Pure functions; every error names
 * the field it is about, and nothing here throws anything but ReadingError.
 */

/**
 * What a sensor measures. Contact is a door or window: true means open. Air quality is a CO2 (or
 * VOC) level: a rising level is read as someone there (src/learning/air-rise.ts).
 */
export type SensorKind = 'occupancy' | 'motion' | 'contact' | 'presence' | 'temperature' | 'humidity' | 'outdoorTemperature' | 'airQuality';

export const SENSOR_KINDS: readonly SensorKind[] = [
  'occupancy', 'motion', 'contact', 'presence', 'temperature', 'humidity', 'outdoorTemperature', 'airQuality',
];

export type BinaryKind = 'occupancy' | 'motion' | 'contact' | 'presence';
export type NumericKind = 'temperature' | 'humidity' | 'outdoorTemperature' | 'airQuality';

export function isNumericKind(kind: SensorKind): kind is NumericKind {
  return kind === 'temperature' || kind === 'humidity' || kind === 'outdoorTemperature' || kind === 'airQuality';
}

/** Physical ranges: a reading outside is a broken sensor or a wrong key, never learned from. */
export const PHYSICAL_RANGE: Record<NumericKind, { min: number; max: number; unit: string }> = {
  temperature: { min: -30, max: 60, unit: '°C' },
  humidity: { min: 0, max: 100, unit: '%' },
  outdoorTemperature: { min: -60, max: 60, unit: '°C' },
  // CO2 sensors read up to 5,000–10,000 ppm; VOC in ppb can read higher.
  airQuality: { min: 0, max: 65535, unit: 'ppm' },
};

/** zigbee2mqtt's property for each kind, used when a sensor has no key configured. */
export const ZIGBEE2MQTT_KEYS: Record<SensorKind, string[]> = {
  occupancy: ['occupancy', 'presence'],
  motion: ['occupancy', 'motion'],
  contact: ['contact'],
  presence: ['presence', 'occupancy'],
  temperature: ['temperature', 'local_temperature'],
  humidity: ['humidity'],
  outdoorTemperature: ['temperature'],
  // CO2 and eCO2 are both ppm; VOC units differ by device, so a VOC sensor needs its key set.
  airQuality: ['co2', 'eco2'],
};

export type SensorUpdate =
  | { kind: NumericKind; value: number }
  | { kind: BinaryKind; value: boolean };

export class ReadingError extends Error {
  override readonly name = 'ReadingError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

const TRUE_WORDS = new Set(['true', 'on', '1', 'yes', 'open', 'opened', 'detected', 'occupied', 'home', 'present', 'active']);
const FALSE_WORDS = new Set(['false', 'off', '0', 'no', 'closed', 'close', 'clear', 'not_detected', 'unoccupied', 'away',
  'not_home', 'absent', 'inactive']);

function describe(raw: unknown): string {
  if (typeof raw === 'string') {
    return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  }
  if (typeof raw === 'number' || typeof raw === 'boolean' || raw === null || raw === undefined) {
    return String(raw);
  }
  return Array.isArray(raw) ? 'an array' : 'an object';
}

/** A number for a numeric kind: a finite number or a numeric string, inside the physical range. */
export function parseNumber(kind: NumericKind, raw: unknown, field: string): number {
  let v: number;
  if (typeof raw === 'number') {
    v = raw;
  } else if (typeof raw === 'string' && raw.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim())) {
    v = Number(raw.trim());
  } else {
    throw new ReadingError(field, `expected a number, got ${describe(raw)}`);
  }
  if (!Number.isFinite(v)) {
    throw new ReadingError(field, `expected a finite number, got ${describe(raw)}`);
  }
  const r = PHYSICAL_RANGE[kind];
  if (v < r.min || v > r.max) {
    throw new ReadingError(field, `${v} ${r.unit} is outside the physical range ${r.min} to ${r.max} ${r.unit}`);
  }
  return v;
}

/** A yes/no for a binary kind: a boolean, 0/1, or a word such as ON/OFF, open/closed, home/away. */
export function parseBoolean(raw: unknown, field: string): boolean {
  if (typeof raw === 'boolean') {
    return raw;
  }
  if (raw === 0 || raw === 1) {
    return raw === 1;
  }
  if (typeof raw === 'string') {
    const w = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) {
      return true;
    }
    if (FALSE_WORDS.has(w)) {
      return false;
    }
  }
  throw new ReadingError(field, `expected true/false (or ON/OFF, open/closed, 1/0), got ${describe(raw)}`);
}

/** Options a configured sensor adds to how its values are read. */
export interface ValueOptions {
  /** Flip a binary value (a contact that reports true when open instead of closed, say). */
  invert?: boolean;
}

/**
 * One value for one kind. For contact, the value means "open"; zigbee2mqtt's `contact` key means
 * "closed", so a value read from a key named `contact` is flipped (and `invert` flips it back).
 */
export function parseValue(kind: SensorKind, raw: unknown, field: string, options: ValueOptions = {}, key?: string): SensorUpdate {
  if (isNumericKind(kind)) {
    return { kind, value: parseNumber(kind, raw, field) };
  }
  let v = parseBoolean(raw, field);
  if (kind === 'contact' && key === 'contact') {
    v = !v;
  }
  if (options.invert) {
    v = !v;
  }
  return { kind, value: v };
}

/** Largest MQTT payload read; larger ones are refused whole. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * Reads a key from a parsed JSON value: the whole key first (a key may hold a dot), then as a
 * dotted path ("state.temperature"); undefined when it is not there.
 */
export function lookup(obj: unknown, key: string): unknown {
  const own = (o: unknown, k: string): unknown =>
    (typeof o === 'object' && o !== null && !Array.isArray(o) && Object.prototype.hasOwnProperty.call(o, k)
      ? (o as Record<string, unknown>)[k] : undefined);
  const whole = own(obj, key);
  if (whole !== undefined) {
    return whole;
  }
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    cur = own(cur, part);
    if (cur === undefined) {
      return undefined;
    }
  }
  return cur;
}

/**
 * Reads one sensor's value out of an MQTT payload: a bare value ("21.5", "ON", "true") or a JSON
 * object read at `key`, or, with no key, at the kind's zigbee2mqtt property. A JSON object without
 * the property (a zigbee2mqtt message about the battery only, say) is not an error: it gives
 * undefined. `topic`, when given, lets a bare contact on zigbee2mqtt's ".../contact" attribute
 * topic be read in zigbee2mqtt's sense.
 */
export function parsePayload(
  kind: SensorKind, payload: Buffer | string, options: ValueOptions & { key?: string; topic?: string } = {},
): SensorUpdate | undefined {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) {
    throw new ReadingError('payload', `${size} bytes is more than the ${MAX_PAYLOAD_BYTES} read`);
  }
  const text = (typeof payload === 'string' ? payload : payload.toString('utf8')).trim();
  if (text === '') {
    throw new ReadingError('payload', 'empty');
  }
  let parsed: unknown = text;
  if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ReadingError('payload', 'malformed JSON');
    }
  } else if (text === 'true' || text === 'false') {
    parsed = text === 'true';
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    const keys = options.key ? [options.key] : ZIGBEE2MQTT_KEYS[kind];
    for (const key of keys) {
      const raw = lookup(obj, key);
      if (raw !== undefined && raw !== null) {
        return parseValue(kind, raw, key, options, key.split('.').pop());
      }
    }
    if (options.key) {
      throw new ReadingError(options.key, lookup(obj, options.key) === null ? 'is null' : 'not in the payload');
    }
    return undefined;
  }
  // A bare value: with a key configured too, the value is taken as it is (the key cannot apply).
  // zigbee2mqtt's attribute output publishes each property on its own topic (".../contact"), in
  // the property's own sense, so a contact read there means "closed" as in the JSON form.
  const attribute = options.topic?.split('/').pop();
  return parseValue(kind, parsed, 'payload', options, attribute === 'contact' ? 'contact' : undefined);
}

/** Body keys the webhook accepts, each a sensor kind ("door" is contact). */
export const READING_KEYS: Record<string, SensorKind> = {
  temperature: 'temperature',
  humidity: 'humidity',
  // What a Shelly H&T appends to its report URL.
  temp: 'temperature',
  hum: 'humidity',
  outdoorTemperature: 'outdoorTemperature',
  outdoor_temperature: 'outdoorTemperature',
  occupancy: 'occupancy',
  motion: 'motion',
  contact: 'contact',
  door: 'contact',
  presence: 'presence',
  co2: 'airQuality',
  airQuality: 'airQuality',
};

/**
 * A webhook's readings: a JSON object (or query parameters) of kind → value, e.g.
 * `{"temperature": 21.3, "motion": true}`. All or nothing: one bad reading refuses the request, so
 * a device learns of its mistake and nothing half-applied is learned from. `ignore` names keys
 * that are not readings (the token in a query string).
 */
export function parseReadings(body: unknown, ignore: readonly string[] = []): SensorUpdate[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ReadingError('body', `expected a JSON object of readings, got ${describe(body)}`);
  }
  const updates: SensorUpdate[] = [];
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (ignore.includes(key)) {
      continue;
    }
    const kind = Object.prototype.hasOwnProperty.call(READING_KEYS, key) ? READING_KEYS[key] : undefined;
    if (!kind) {
      throw new ReadingError(key, `not a reading (expected one of ${Object.keys(READING_KEYS).join(', ')})`);
    }
    // Contact from a webhook means "open"; zigbee2mqtt's inverted sense applies to MQTT keys only.
    updates.push(parseValue(kind, raw, key));
  }
  if (updates.length === 0) {
    throw new ReadingError('body', 'no readings');
  }
  return updates;
}
