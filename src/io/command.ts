import type { DeviceState, EquipmentCommand } from './types';

/**
 * Payload and URL templates for outputs. `{{name}}` is replaced by the command's value:
 *
 * | name | value |
 * |---|---|
 * | `setpoint`, `cooling_setpoint` | target °C (one decimal) |
 * | `setpoint_f` | target °F (one decimal) |
 * | `mode` | off, heat, cool or auto |
 * | `heating`, `cooling` | true or false |
 * | `heat`, `cool` | on or off |
 * | `HEAT`, `COOL` | ON or OFF |
 * | `zone` | the zone's name |
 *
 * An unknown name is a config error found at start (`templateProblems`), not at the first command.
 */
export const TEMPLATE_NAMES = ['setpoint', 'cooling_setpoint', 'setpoint_f', 'mode', 'heating', 'cooling', 'heat', 'cool',
  'HEAT', 'COOL', 'zone'] as const;

/** Any {{...}}, so a misspelt name (with a digit, a dot, nothing) is caught, not sent as it is. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function templateValues(command: EquipmentCommand, zone: string): Record<(typeof TEMPLATE_NAMES)[number], string> {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  return {
    setpoint: command.setpoint.toFixed(1),
    cooling_setpoint: command.coolingSetpoint.toFixed(1),
    setpoint_f: (command.setpoint * 9 / 5 + 32).toFixed(1),
    mode: command.mode,
    heating: String(command.heating),
    cooling: String(command.cooling),
    heat: onOff(command.heating),
    cool: onOff(command.cooling),
    HEAT: onOff(command.heating).toUpperCase(),
    COOL: onOff(command.cooling).toUpperCase(),
    zone,
  };
}

/** Names in a template that are not template values; empty when the template is good. */
export function templateProblems(template: string): string[] {
  const bad: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_NAMES as readonly string[]).includes(m[1]) && !bad.includes(m[1])) {
      bad.push(m[1]);
    }
  }
  return bad;
}

/** Fills a template. `encode` applies to each value (encodeURIComponent for URLs). */
export function render(template: string, command: EquipmentCommand, zone: string, encode: (v: string) => string = (v) => v): string {
  const values = templateValues(command, zone) as Record<string, string>;
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    (Object.prototype.hasOwnProperty.call(values, name) ? encode(values[name]) : whole));
}

/**
 * Fills a payload or body template. In a JSON template (one that opens with { or [), each value is
 * escaped as JSON string content, so a zone named `Bob's "den"` inside quotes stays valid JSON;
 * the values that go unquoted (numbers, true/false) have nothing to escape.
 */
export function renderPayload(template: string, command: EquipmentCommand, zone: string): string {
  // JSON opens with [ or with a { that is not a placeholder's {{.
  const json = /^\s*(\[|\{(?!\{))/.test(template);
  return render(template, command, zone, json ? (v) => JSON.stringify(v).slice(1, -1) : undefined);
}

/**
 * What a device says it is doing, from a state value: heat/heating/ON/true → heating,
 * cool/cooling → cooling, idle/off/false → neither. For a relay the value is its own on/off
 * (`relay` names which). Undefined when the value says nothing we know.
 */
export function parseDeviceState(raw: unknown, relay?: 'heat' | 'cool'): DeviceState | undefined {
  let w: string;
  if (typeof raw === 'boolean') {
    w = raw ? 'on' : 'off';
  } else if (typeof raw === 'number' && (raw === 0 || raw === 1)) {
    w = raw === 1 ? 'on' : 'off';
  } else if (typeof raw === 'string') {
    w = raw.trim().toLowerCase();
  } else {
    return undefined;
  }
  if (['heat', 'heating'].includes(w)) {
    return { heating: true, cooling: false };
  }
  if (['cool', 'cooling'].includes(w)) {
    return { heating: false, cooling: true };
  }
  if (['idle', 'off', 'false', '0', 'none', 'stopped'].includes(w)) {
    return { heating: false, cooling: false };
  }
  if (['on', 'true', '1'].includes(w)) {
    return relay === 'cool' ? { heating: false, cooling: true } : { heating: true, cooling: false };
  }
  return undefined;
}
