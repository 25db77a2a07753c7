import { parseDeviceState, render, renderPayload, TEMPLATE_NAMES, templateProblems, templateValues } from '../../src/io/command';
import type { DeviceState, EquipmentCommand } from '../../src/io/types';

function command(over: Partial<EquipmentCommand> = {}): EquipmentCommand {
  return { mode: 'heat', heating: true, cooling: false, setpoint: 20.5, coolingSetpoint: 24, ...over };
}

describe('render', () => {
  type Row = [string, Partial<EquipmentCommand>, string];
  const rows: Row[] = [
    ['{{setpoint}}', {}, '20.5'],
    ['{{setpoint}}', { setpoint: 21 }, '21.0'],
    ['{{setpoint}}', { setpoint: 19.04 }, '19.0'],
    ['{{cooling_setpoint}}', {}, '24.0'],
    ['{{cooling_setpoint}}', { coolingSetpoint: 25.55 }, '25.6'],
    ['{{setpoint_f}}', { setpoint: 21 }, '69.8'],
    ['{{setpoint_f}}', { setpoint: 0 }, '32.0'],
    ['{{setpoint_f}}', { setpoint: -5 }, '23.0'],
    ['{{mode}}', { mode: 'off' }, 'off'],
    ['{{mode}}', { mode: 'auto' }, 'auto'],
    ['{{heating}}', {}, 'true'],
    ['{{heating}}', { heating: false }, 'false'],
    ['{{cooling}}', { cooling: true }, 'true'],
    ['{{cooling}}', {}, 'false'],
    ['{{heat}}', {}, 'on'],
    ['{{heat}}', { heating: false }, 'off'],
    ['{{cool}}', { cooling: true }, 'on'],
    ['{{cool}}', {}, 'off'],
    ['{{HEAT}}', {}, 'ON'],
    ['{{HEAT}}', { heating: false }, 'OFF'],
    ['{{COOL}}', { cooling: true }, 'ON'],
    ['{{COOL}}', {}, 'OFF'],
    ['{{zone}}', {}, 'Living Room'],
    ['{{ setpoint }}', {}, '20.5'],
    ['{{setpoint}}/{{setpoint}}', {}, '20.5/20.5'],
    ['{"setpoint": {{setpoint}}, "mode": "{{mode}}", "on": {{heating}}}', { mode: 'cool', heating: false, setpoint: 24 },
      '{"setpoint": 24.0, "mode": "cool", "on": false}'],
    ['no placeholders', {}, 'no placeholders'],
    ['', {}, ''],
    ['{setpoint} {{{setpoint}}}', {}, '{setpoint} {20.5}'],
  ];
  it.each(rows)('%s with %p → %s', (template, over, expected) => {
    expect(render(template, command(over), 'Living Room')).toBe(expected);
  });

  it('has a value for every template name', () => {
    const values = templateValues(command(), 'Z');
    expect(Object.keys(values).sort()).toEqual([...TEMPLATE_NAMES].sort());
    for (const name of TEMPLATE_NAMES) {
      expect(render(`{{${name}}}`, command(), 'Z')).toBe(values[name]);
      expect(templateProblems(`{{${name}}}`)).toEqual([]);
    }
  });

  it('encodes values, not the template, for URLs', () => {
    const url = render('http://h/set?zone={{zone}}&t={{setpoint}}&m={{mode}}', command(), 'Kids & Guests/Up?', encodeURIComponent);
    expect(url).toBe('http://h/set?zone=Kids%20%26%20Guests%2FUp%3F&t=20.5&m=heat');
    expect(render('{{zone}}', command(), 'Bad "quote"')).toBe('Bad "quote"');
  });

  it('leaves unknown names alone', () => {
    expect(render('{{temperature}} {{ Setpoint }} {{setpoint}}', command(), 'Z')).toBe('{{temperature}} {{ Setpoint }} 20.5');
    expect(render('{{constructor}} {{toString}}', command(), 'Z')).toBe('{{constructor}} {{toString}}');
  });
});

describe('templateProblems', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['http://shelly/relay/0?turn={{heat}}', []],
    ['{"t": {{ setpoint }}, "m": "{{mode}}"}', []],
    ['{{temperature}}', ['temperature']],
    ['{{Setpoint}}', ['Setpoint']],
    ['{{heat}} {{on}} {{zone_name}}', ['on', 'zone_name']],
    ['{{constructor}}', ['constructor']],
    ['{{toString}}', ['toString']],
    ['{single} {{heat}', []],
  ])('%p → %p', (template, problems) => {
    expect(templateProblems(template)).toEqual(problems);
  });
});

describe('parseDeviceState', () => {
  const HEAT: DeviceState = { heating: true, cooling: false };
  const COOL: DeviceState = { heating: false, cooling: true };
  const IDLE: DeviceState = { heating: false, cooling: false };
  type Row = [unknown, 'heat' | 'cool' | undefined, DeviceState | undefined];
  const rows: Row[] = [
    ['heat', undefined, HEAT],
    ['heating', undefined, HEAT],
    ['HEATING', undefined, HEAT],
    [' Heat ', undefined, HEAT],
    ['cool', undefined, COOL],
    ['cooling', undefined, COOL],
    ['idle', undefined, IDLE],
    ['off', undefined, IDLE],
    ['OFF', undefined, IDLE],
    ['none', undefined, IDLE],
    ['stopped', undefined, IDLE],
    ['false', undefined, IDLE],
    ['0', undefined, IDLE],
    [false, undefined, IDLE],
    [0, undefined, IDLE],
    ['ON', undefined, HEAT],
    ['on', 'heat', HEAT],
    ['true', undefined, HEAT],
    ['1', undefined, HEAT],
    [true, undefined, HEAT],
    [1, 'heat', HEAT],
    // a cool relay's own on/off
    ['ON', 'cool', COOL],
    [true, 'cool', COOL],
    [1, 'cool', COOL],
    ['1', 'cool', COOL],
    ['off', 'cool', IDLE],
    [false, 'cool', IDLE],
    [0, 'cool', IDLE],
    // a named state wins over the relay
    ['cooling', 'heat', COOL],
    ['idle', 'cool', IDLE],
    // nothing we know
    ['unknown', undefined, undefined],
    ['fan_only', undefined, undefined],
    ['', undefined, undefined],
    [2, undefined, undefined],
    [-1, 'heat', undefined],
    [0.5, undefined, undefined],
    [NaN, undefined, undefined],
    [null, undefined, undefined],
    [undefined, undefined, undefined],
    [{ state: 'heat' }, undefined, undefined],
    [['heat'], undefined, undefined],
  ];
  it.each(rows)('%p (relay %p) → %p', (raw, relay, expected) => {
    expect(parseDeviceState(raw, relay)).toEqual(expected);
  });
});

describe('templateProblems: misspelt names of any shape', () => {
  it.each([
    ['{{setpoint2}}', ['setpoint2']],
    ['{{setpoint-f}}', ['setpoint-f']],
    ['{{heat.state}}', ['heat.state']],
    ['{{}}', ['']],
    ['{{foo}} {{foo}}', ['foo']],
    ['{{ setpoint }}', []],
  ])('%s', (template, bad) => {
    expect(templateProblems(template)).toEqual(bad);
  });
});

describe('renderPayload', () => {
  const cmd: EquipmentCommand = { mode: 'heat', heating: true, cooling: false, setpoint: 21.5, coolingSetpoint: 24 };

  it('keeps a JSON template valid whatever the zone is called', () => {
    const out = renderPayload('{"zone": "{{zone}}", "setpoint": {{setpoint}}, "on": {{heating}}}', cmd, 'Bob\'s "den" \\ 1');
    expect(JSON.parse(out)).toEqual({ zone: 'Bob\'s "den" \\ 1', setpoint: 21.5, on: true });
  });

  it('leaves a plain template as it is', () => {
    expect(renderPayload('{{HEAT}} "{{zone}}"', cmd, 'a"b')).toBe('ON "a"b"');
  });
});
