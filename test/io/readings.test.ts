import {
  BinaryKind, lookup, MAX_PAYLOAD_BYTES, NumericKind, parseBoolean, parseNumber, parsePayload, parseReadings, parseValue,
  ReadingError, SensorKind, SensorUpdate, ValueOptions,
} from '../../src/io/readings';

/** Runs `fn` and returns the ReadingError it throws (failing if it throws anything else or nothing). */
function readingError(fn: () => unknown): ReadingError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ReadingError);
    return err as ReadingError;
  }
  throw new Error('expected a ReadingError');
}

describe('parseNumber', () => {
  type Row = [string, NumericKind, unknown, number];
  const ok: Row[] = [
    ['a number', 'temperature', 21.5, 21.5],
    ['a numeric string', 'temperature', '21.5', 21.5],
    ['padded string', 'temperature', '  19 ', 19],
    ['signed string', 'outdoorTemperature', '-12.25', -12.25],
    ['plus sign', 'temperature', '+5', 5],
    ['leading dot', 'humidity', '.5', 0.5],
    ['exponent', 'humidity', '4.5e1', 45],
    ['temperature low edge', 'temperature', -30, -30],
    ['temperature high edge', 'temperature', 60, 60],
    ['humidity low edge', 'humidity', 0, 0],
    ['humidity high edge', 'humidity', 100, 100],
    ['outdoor low edge', 'outdoorTemperature', -60, -60],
    ['outdoor high edge', 'outdoorTemperature', '60', 60],
    ['CO2 ppm', 'airQuality', 612, 612],
    ['air quality low edge', 'airQuality', 0, 0],
    ['air quality high edge', 'airQuality', '65535', 65535],
  ];
  it.each(ok)('%s', (_what, kind, raw, expected) => {
    expect(parseNumber(kind, raw, 'field')).toBe(expected);
  });

  type Bad = [string, NumericKind, unknown, string];
  const bad: Bad[] = [
    ['below temperature range', 'temperature', -30.1, 'outside the physical range -30 to 60 °C'],
    ['above temperature range', 'temperature', 60.01, 'outside the physical range'],
    ['negative humidity', 'humidity', -0.1, 'outside the physical range 0 to 100 %'],
    ['humidity over 100', 'humidity', '100.5', 'outside the physical range'],
    ['outdoor below range', 'outdoorTemperature', -61, 'outside the physical range -60 to 60 °C'],
    ['outdoor above range', 'outdoorTemperature', 61, 'outside'],
    ['negative CO2', 'airQuality', -1, 'outside the physical range 0 to 65535 ppm'],
    ['CO2 beyond any sensor', 'airQuality', 70000, 'outside'],
    ['indoor range is narrower than outdoor', 'temperature', -45, 'outside'],
    ['NaN', 'temperature', NaN, 'finite'],
    ['Infinity', 'temperature', Infinity, 'finite'],
    ['-Infinity', 'outdoorTemperature', -Infinity, 'finite'],
    ['"1e999" overflows', 'temperature', '1e999', 'finite'],
    ['"Infinity" string', 'temperature', 'Infinity', 'expected a number'],
    ['"NaN" string', 'temperature', 'NaN', 'expected a number'],
    ['empty string', 'temperature', '', 'expected a number'],
    ['whitespace', 'humidity', '   ', 'expected a number'],
    ['hex', 'temperature', '0x10', 'expected a number'],
    ['decimal comma', 'temperature', '21,5', 'expected a number'],
    ['trailing unit', 'temperature', '21.5C', 'expected a number'],
    ['boolean', 'temperature', true, 'expected a number, got true'],
    ['null', 'temperature', null, 'expected a number, got null'],
    ['undefined', 'temperature', undefined, 'got undefined'],
    ['object', 'temperature', { value: 21 }, 'got an object'],
    ['array', 'temperature', [21], 'got an array'],
  ];
  it.each(bad)('refuses %s', (_what, kind, raw, message) => {
    const err = readingError(() => parseNumber(kind, raw, 'living.temp'));
    expect(err.field).toBe('living.temp');
    expect(err.message.startsWith('living.temp: ')).toBe(true);
    expect(err.message).toContain(message);
    expect(err.name).toBe('ReadingError');
  });

  it('shortens a long value in the message', () => {
    const err = readingError(() => parseNumber('temperature', 'x'.repeat(500), 'f'));
    expect(err.message.length).toBeLessThan(100);
  });
});

describe('parseBoolean', () => {
  const rows: [unknown, boolean][] = [
    [true, true], [false, false], [1, true], [0, false],
    ['true', true], ['false', false], ['ON', true], ['off', false], ['On', true], [' on ', true],
    ['1', true], ['0', false], ['yes', true], ['no', false],
    ['open', true], ['opened', true], ['closed', false], ['close', false],
    ['detected', true], ['not_detected', false], ['clear', false],
    ['occupied', true], ['unoccupied', false], ['home', true], ['not_home', false], ['away', false],
    ['present', true], ['absent', false], ['active', true], ['inactive', false],
  ];
  it.each(rows)('%p → %p', (raw, expected) => {
    expect(parseBoolean(raw, 'f')).toBe(expected);
  });

  it.each([[2], [-1], [0.5], ['maybe'], [''], ['  '], [null], [undefined], [{}], [[true]], [NaN]])('refuses %p', (raw) => {
    const err = readingError(() => parseBoolean(raw, 'hall.motion'));
    expect(err.field).toBe('hall.motion');
    expect(err.message).toMatch(/^hall\.motion: expected true\/false/);
  });
});

describe('parseValue', () => {
  type Row = [string, SensorKind, unknown, ValueOptions, string | undefined, SensorUpdate];
  const rows: Row[] = [
    ['temperature', 'temperature', '21.5', {}, undefined, { kind: 'temperature', value: 21.5 }],
    ['humidity', 'humidity', 55, {}, undefined, { kind: 'humidity', value: 55 }],
    ['outdoor', 'outdoorTemperature', -8, {}, undefined, { kind: 'outdoorTemperature', value: -8 }],
    ['invert does not touch numbers', 'temperature', 20, { invert: true }, undefined, { kind: 'temperature', value: 20 }],
    ['motion', 'motion', true, {}, 'occupancy', { kind: 'motion', value: true }],
    ['motion inverted', 'motion', true, { invert: true }, undefined, { kind: 'motion', value: false }],
    ['occupancy', 'occupancy', 'occupied', {}, undefined, { kind: 'occupancy', value: true }],
    ['presence', 'presence', 'not_home', {}, undefined, { kind: 'presence', value: false }],
    ['contact without a key: true is open', 'contact', true, {}, undefined, { kind: 'contact', value: true }],
    ['contact from another key: true is open', 'contact', true, {}, 'window_open', { kind: 'contact', value: true }],
    ['zigbee2mqtt contact: true is closed', 'contact', true, {}, 'contact', { kind: 'contact', value: false }],
    ['zigbee2mqtt contact false is open', 'contact', false, {}, 'contact', { kind: 'contact', value: true }],
    ['zigbee2mqtt contact inverted back', 'contact', true, { invert: true }, 'contact', { kind: 'contact', value: true }],
    ['contact inverted', 'contact', 'open', { invert: true }, undefined, { kind: 'contact', value: false }],
  ];
  it.each(rows)('%s', (_what, kind, raw, options, key, expected) => {
    expect(parseValue(kind, raw, 'f', options, key)).toEqual(expected);
  });

  it('names the field in an error', () => {
    expect(readingError(() => parseValue('humidity', 140, 'bath.humidity')).field).toBe('bath.humidity');
    expect(readingError(() => parseValue('motion', 'perhaps', 'hall.motion')).field).toBe('hall.motion');
  });
});

describe('parsePayload', () => {
  type Row = [string, SensorKind, string, (ValueOptions & { key?: string }) | undefined, SensorUpdate | undefined];
  const rows: Row[] = [
    // zigbee2mqtt messages, no key configured
    ['z2m motion sensor', 'motion',
      '{"battery":100,"illuminance":12,"linkquality":87,"occupancy":true,"voltage":3025}', undefined, { kind: 'motion', value: true }],
    ['z2m motion sensor clear', 'motion', '{"occupancy":false,"battery":99}', undefined, { kind: 'motion', value: false }],
    ['z2m occupancy sensor', 'occupancy', '{"occupancy":true}', undefined, { kind: 'occupancy', value: true }],
    ['z2m mmWave presence as occupancy', 'occupancy', '{"presence":true,"illuminance":3}', undefined, { kind: 'occupancy', value: true }],
    ['z2m presence sensor', 'presence', '{"presence":false}', undefined, { kind: 'presence', value: false }],
    ['z2m presence from occupancy', 'presence', '{"occupancy":true}', undefined, { kind: 'presence', value: true }],
    ['z2m motion key', 'motion', '{"motion":"ON"}', undefined, { kind: 'motion', value: true }],
    ['z2m door closed', 'contact', '{"battery":91,"contact":true,"linkquality":120}', undefined, { kind: 'contact', value: false }],
    ['z2m door open', 'contact', '{"contact":false}', undefined, { kind: 'contact', value: true }],
    ['z2m door closed, inverted', 'contact', '{"contact":true}', { invert: true }, { kind: 'contact', value: true }],
    ['z2m thermometer', 'temperature', '{"temperature":21.37,"humidity":48.2,"battery":100}', undefined,
      { kind: 'temperature', value: 21.37 }],
    ['z2m TRV local_temperature', 'temperature', '{"local_temperature":19.5,"current_heating_setpoint":21}', undefined,
      { kind: 'temperature', value: 19.5 }],
    ['z2m humidity', 'humidity', '{"temperature":21.37,"humidity":48.2}', undefined, { kind: 'humidity', value: 48.2 }],
    ['z2m outdoor', 'outdoorTemperature', '{"temperature":-4.5}', undefined, { kind: 'outdoorTemperature', value: -4.5 }],
    ['z2m CO2 sensor', 'airQuality', '{"co2":845,"temperature":22.1,"humidity":40}', undefined, { kind: 'airQuality', value: 845 }],
    ['z2m eCO2 (VOC sensor)', 'airQuality', '{"eco2":512,"voc":120}', undefined, { kind: 'airQuality', value: 512 }],
    ['z2m VOC only: its unit varies by device, so not without a key', 'airQuality', '{"voc":230}', undefined, undefined],
    ['VOC with its key set', 'airQuality', '{"voc":230,"eco2":600}', { key: 'voc' }, { kind: 'airQuality', value: 230 }],
    ['numeric string in JSON', 'temperature', '{"temperature":"22.0"}', undefined, { kind: 'temperature', value: 22 }],
    ['null for the first key falls through', 'temperature', '{"temperature":null,"local_temperature":18}', undefined,
      { kind: 'temperature', value: 18 }],
    // JSON without the kind's property: a battery-only message
    ['battery-only message', 'temperature', '{"battery":97,"linkquality":60}', undefined, undefined],
    ['motion sensor message without occupancy', 'motion', '{"illuminance":40}', undefined, undefined],
    ['contact without contact', 'contact', '{"battery":40}', undefined, undefined],
    ['only null', 'humidity', '{"humidity":null}', undefined, undefined],
    // explicit keys
    ['explicit key', 'temperature', '{"temp_c":20.5,"temperature":99}', { key: 'temp_c' }, { kind: 'temperature', value: 20.5 }],
    ['explicit nested key', 'temperature', '{"sensor":{"air":{"t":"19.25"}}}', { key: 'sensor.air.t' }, { kind: 'temperature', value: 19.25 }],
    ['explicit nested binary', 'motion', '{"state":{"motion":"detected"}}', { key: 'state.motion' }, { kind: 'motion', value: true }],
    ['explicit key contact keeps z2m sense', 'contact', '{"contact":true}', { key: 'contact' }, { kind: 'contact', value: false }],
    ['explicit other key: true is open', 'contact', '{"open":true}', { key: 'open' }, { kind: 'contact', value: true }],
    ['explicit key, bare payload taken as the value', 'temperature', '20.5', { key: 'temp' }, { kind: 'temperature', value: 20.5 }],
    // bare payloads
    ['bare number', 'temperature', '21.5', undefined, { kind: 'temperature', value: 21.5 }],
    ['bare number with newline', 'humidity', '55\n', undefined, { kind: 'humidity', value: 55 }],
    ['bare negative outdoor', 'outdoorTemperature', '-12', undefined, { kind: 'outdoorTemperature', value: -12 }],
    ['bare ON', 'motion', 'ON', undefined, { kind: 'motion', value: true }],
    ['bare off', 'occupancy', 'off', undefined, { kind: 'occupancy', value: false }],
    ['bare open', 'contact', 'open', undefined, { kind: 'contact', value: true }],
    ['bare closed', 'contact', 'closed', undefined, { kind: 'contact', value: false }],
    ['bare true', 'presence', 'true', undefined, { kind: 'presence', value: true }],
    ['bare false', 'motion', 'false', undefined, { kind: 'motion', value: false }],
    ['bare true contact is open', 'contact', 'true', undefined, { kind: 'contact', value: true }],
    ['bare 1', 'motion', '1', undefined, { kind: 'motion', value: true }],
    ['JSON string', 'motion', '"ON"', undefined, { kind: 'motion', value: true }],
    ['JSON string number', 'temperature', '"21"', undefined, { kind: 'temperature', value: 21 }],
    ['bare inverted', 'motion', 'ON', { invert: true }, { kind: 'motion', value: false }],
    ['edge value inclusive', 'temperature', '60', undefined, { kind: 'temperature', value: 60 }],
  ];
  it.each(rows)('%s', (_what, kind, payload, options, expected) => {
    expect(parsePayload(kind, payload, options)).toEqual(expected);
    expect(parsePayload(kind, Buffer.from(payload), options)).toEqual(expected);
  });

  type Bad = [string, SensorKind, string, { key?: string; invert?: boolean } | undefined, string, string];
  const bad: Bad[] = [
    ['empty', 'temperature', '', undefined, 'payload', 'empty'],
    ['whitespace', 'motion', ' \n\t ', undefined, 'payload', 'empty'],
    ['malformed JSON', 'temperature', '{"temperature":', undefined, 'payload', 'malformed JSON'],
    ['malformed JSON string', 'motion', '"ON', undefined, 'payload', 'malformed JSON'],
    ['explicit key missing', 'temperature', '{"temperature":21}', { key: 'temp_c' }, 'temp_c', 'not in the payload'],
    ['explicit nested key missing', 'temperature', '{"a":{"b":1}}', { key: 'a.c' }, 'a.c', 'not in the payload'],
    ['nested key through a number', 'temperature', '{"a":5}', { key: 'a.b' }, 'a.b', 'not in the payload'],
    ['explicit key null', 'humidity', '{"h":null}', { key: 'h' }, 'h', 'is null'],
    ['bare NaN', 'temperature', 'NaN', undefined, 'payload', 'expected a number'],
    ['bare 1e999', 'temperature', '1e999', undefined, 'payload', 'finite'],
    ['bare Infinity', 'outdoorTemperature', 'Infinity', undefined, 'payload', 'expected a number'],
    ['JSON 1e999', 'temperature', '{"temperature":1e999}', undefined, 'temperature', 'finite'],
    ['out of range', 'temperature', '{"temperature":85}', undefined, 'temperature', 'outside the physical range'],
    ['humidity out of range', 'humidity', '101', undefined, 'payload', 'outside the physical range'],
    ['wrong type in JSON', 'motion', '{"occupancy":"sometimes"}', undefined, 'occupancy', 'expected true/false'],
    ['a number for a binary kind', 'contact', '21.5', undefined, 'payload', 'expected true/false'],
    ['a word for a numeric kind', 'temperature', 'ON', undefined, 'payload', 'expected a number'],
    ['null payload', 'temperature', 'null', undefined, 'payload', 'expected a number'],
    ['a JSON array', 'temperature', '[21.5]', undefined, 'payload', 'an array'],
    ['explicit key on a wrong value', 'temperature', '{"t":"warm"}', { key: 't' }, 't', 'expected a number'],
  ];
  it.each(bad)('refuses %s', (_what, kind, payload, options, field, message) => {
    const err = readingError(() => parsePayload(kind, payload, options));
    expect(err.field).toBe(field);
    expect(err.message).toContain(`${field}: `);
    expect(err.message).toContain(message);
  });

  it('refuses an oversized payload whole, and reads one at the limit', () => {
    const big = `{"temperature":21,"pad":"${'x'.repeat(MAX_PAYLOAD_BYTES)}"}`;
    for (const p of [big, Buffer.from(big)]) {
      const err = readingError(() => parsePayload('temperature', p));
      expect(err.field).toBe('payload');
      expect(err.message).toContain('bytes');
    }
    const head = '{"temperature":21,"pad":"';
    const exact = `${head}${'x'.repeat(MAX_PAYLOAD_BYTES - head.length - 2)}"}`;
    expect(Buffer.byteLength(exact)).toBe(MAX_PAYLOAD_BYTES);
    expect(parsePayload('temperature', exact)).toEqual({ kind: 'temperature', value: 21 });
  });

  it('counts bytes, not characters', () => {
    const chars = Math.ceil(MAX_PAYLOAD_BYTES / 2);
    expect(() => parsePayload('motion', `{"occupancy":true,"n":"${'é'.repeat(chars)}"}`)).toThrow(ReadingError);
  });

  it('reads only own properties, never the prototype', () => {
    expect(readingError(() => parsePayload('temperature', '{"a":{}}', { key: 'a.constructor' })).message)
      .toBe('a.constructor: not in the payload');
    expect(readingError(() => parsePayload('motion', '{}', { key: 'toString' })).field).toBe('toString');
  });
});

describe('parseReadings', () => {
  it.each<[string, unknown, SensorUpdate[]]>([
    ['a webhook body', { temperature: 21.3, motion: true }, [{ kind: 'temperature', value: 21.3 }, { kind: 'motion', value: true }]],
    ['query-string values', { humidity: '45', presence: 'home' }, [{ kind: 'humidity', value: 45 }, { kind: 'presence', value: true }]],
    ['outdoor spellings', { outdoorTemperature: -3, outdoor_temperature: '-4' },
      [{ kind: 'outdoorTemperature', value: -3 }, { kind: 'outdoorTemperature', value: -4 }]],
    ['door is contact, true is open', { door: true }, [{ kind: 'contact', value: true }]],
    ['contact from a webhook is not inverted', { contact: 'closed' }, [{ kind: 'contact', value: false }]],
    ['occupancy', { occupancy: 'occupied' }, [{ kind: 'occupancy', value: true }]],
    ['Shelly H&T report keys', { temp: '21.6', hum: '48' }, [{ kind: 'temperature', value: 21.6 }, { kind: 'humidity', value: 48 }]],
    ['CO2 in either spelling', { co2: 700 }, [{ kind: 'airQuality', value: 700 }]],
    ['air quality', { airQuality: '650' }, [{ kind: 'airQuality', value: 650 }]],
    ['edges inclusive', { temperature: -30, humidity: 100 }, [{ kind: 'temperature', value: -30 }, { kind: 'humidity', value: 100 }]],
  ])('%s', (_what, body, expected) => {
    expect(parseReadings(body)).toEqual(expected);
  });

  it('skips the ignore list (the query-string token)', () => {
    expect(parseReadings({ token: 'abc', temperature: '20' }, ['token'])).toEqual([{ kind: 'temperature', value: 20 }]);
  });

  it.each<[string, unknown, readonly string[], string, string]>([
    ['unknown key named', { temperature: 20, temprature: 21 }, [], 'temprature', 'not a reading'],
    ['prototype key is unknown', { constructor: 1 }, [], 'constructor', 'not a reading'],
    ['token without ignore', { token: 'abc' }, [], 'token', 'not a reading'],
    ['bad value named', { motion: true, temperature: 'warm' }, [], 'temperature', 'expected a number'],
    ['out of range named', { humidity: 120 }, [], 'humidity', 'outside the physical range'],
    ['bad binary named', { door: 'ajar' }, [], 'door', 'expected true/false'],
    ['NaN named', { temperature: NaN }, [], 'temperature', 'finite'],
    ['empty object', {}, [], 'body', 'no readings'],
    ['only ignored keys', { token: 'x' }, ['token'], 'body', 'no readings'],
    ['an array', [{ temperature: 20 }], [], 'body', 'expected a JSON object'],
    ['a string', 'temperature=20', [], 'body', 'expected a JSON object'],
    ['null', null, [], 'body', 'expected a JSON object'],
    ['a repeated query parameter', { motion: ['1', '0'] }, [], 'motion', 'an array'],
  ])('refuses %s', (_what, body, ignore, field, message) => {
    const err = readingError(() => parseReadings(body, ignore));
    expect(err.field).toBe(field);
    expect(err.message).toBe(`${field}: ${err.message.slice(field.length + 2)}`);
    expect(err.message).toContain(message);
  });

  it('lists the accepted keys when refusing an unknown one', () => {
    const err = readingError(() => parseReadings({ tmp: 20 }));
    expect(err.message).toContain('temperature');
    expect(err.message).toContain('door');
  });

  it('is all or nothing: one bad reading refuses every reading', () => {
    const body = { temperature: 21, motion: true, humidity: 150 };
    expect(() => parseReadings(body)).toThrow(ReadingError);
  });
});

describe('every error is a ReadingError naming its field', () => {
  const kinds: SensorKind[] = ['occupancy', 'motion', 'contact', 'presence', 'temperature', 'humidity', 'outdoorTemperature'];
  const junk = ['', ' ', '{', '{"x":', '[]', '[1,2]', 'null', '"', '""', '{}', 'NaN', '-', '.', 'e5', '1e999', '-1e999',
    '999', '-999', 'maybe', '{"occupancy":{}}', '{"temperature":[1]}', '{"contact":"ajar"}', '\u0000', '{"__proto__":{"temperature":5}}'];
  it('parsePayload throws nothing but ReadingError (or returns undefined for a message without the value)', () => {
    for (const kind of kinds) {
      for (const p of junk) {
        for (const options of [{}, { key: 'x.y' }, { invert: true }]) {
          try {
            parsePayload(kind, p, options);
          } catch (err) {
            expect(err).toBeInstanceOf(ReadingError);
            const e = err as ReadingError;
            expect(e.message.startsWith(`${e.field}: `)).toBe(true);
          }
        }
      }
    }
  });

  it('binary kinds are every kind that is not numeric', () => {
    const binary: BinaryKind[] = ['occupancy', 'motion', 'contact', 'presence'];
    for (const kind of binary) {
      expect(parsePayload(kind, 'on')).toEqual({ kind, value: true });
    }
  });
});

describe('lookup', () => {
  it.each([
    [{ 'state.temperature': 21 }, 'state.temperature', 21],
    [{ state: { temperature: 22 } }, 'state.temperature', 22],
    [{ a: [1] }, 'a.0', undefined],
    [{ a: null }, 'a.b', undefined],
    ['21', 'a', undefined],
  ])('%j at %s', (obj, key, expected) => {
    expect(lookup(obj, key)).toBe(expected);
  });
});

describe('parsePayload: zigbee2mqtt attribute output', () => {
  it.each([
    ['zigbee2mqtt/front_door/contact', 'false', true],
    ['zigbee2mqtt/front_door/contact', 'true', false],
    ['zigbee2mqtt/front_door', 'false', false],
    ['doors/front', 'open', true],
  ])('%s with %s: open is %s', (topic, payload, open) => {
    expect(parsePayload('contact', payload, { topic })).toEqual({ kind: 'contact', value: open });
  });

  it('invert still flips it', () => {
    expect(parsePayload('contact', 'false', { topic: 'z2m/door/contact', invert: true })).toEqual({ kind: 'contact', value: false });
  });
});
