import { DEFAULT_SAVINGS_BIAS } from '../control/setpoint';
import { validateCron } from '../maintenance/schedule';
import { readBroker, readWebhook, readZoneIo } from './io-validate';
import { ConfigProblem, Dict, get, isDict, NumberSpec, readBoolean, readNumber, readOneOf, show } from './read';
import { MaintenanceSettings, MODES, Mode, PlatformSettings, SimulationSettings, ZoneSettings } from './types';

export type { ConfigProblem } from './read';

export interface ParsedConfig {
  settings: PlatformSettings;
  problems: ConfigProblem[];
}


export const ZONE_NUMBERS = {
  'comfort.heat': { min: 5, max: 35, def: 21, unit: '°C' },
  'comfort.cool': { min: 10, max: 40, def: 24, unit: '°C' },
  'eco.heat': { min: 5, max: 35, def: 17, unit: '°C' },
  'eco.cool': { min: 10, max: 40, def: 28, unit: '°C' },
  'limits.frostProtection': { min: 0, max: 15, def: 7, unit: '°C' },
  'limits.maximum': { min: 20, max: 40, def: 30, unit: '°C' },
  hysteresis: { min: 0.1, max: 3, def: 0.5, unit: '°C' },
  minOnMinutes: { min: 0, max: 60, def: 5, unit: 'minutes' },
  minOffMinutes: { min: 0, max: 60, def: 5, unit: 'minutes' },
  occupancyTimeoutMinutes: { min: 5, max: 720, def: 30, unit: 'minutes' },
  savingsBias: { min: 0, max: 1, def: DEFAULT_SAVINGS_BIAS, unit: '' },
  holdHours: { min: 0.5, max: 24, def: 3, unit: 'hours' },
  staleSensorMinutes: { min: 5, max: 1440, def: 30, unit: 'minutes' },
  'simulated.initialTemperature': { min: -10, max: 40, def: 17, unit: '°C' },
  'simulated.tauHours': { min: 1, max: 200, def: 30, unit: 'hours' },
  'simulated.heaterPower': { min: 0.1, max: 20, def: 2, unit: '°C per hour' },
  'simulated.coolerPower': { min: 0.1, max: 20, def: 2, unit: '°C per hour' },
} satisfies Record<string, NumberSpec>;

export const SIMULATION_NUMBERS = {
  timeScale: { min: 1, max: 100000, def: 1, unit: '×' },
  seed: { min: 0, max: 2 ** 31 - 1, def: 1, unit: '', integer: true },
  occupants: { min: 1, max: 6, def: 2, unit: 'people', integer: true },
} satisfies Record<string, NumberSpec>;

export const PLATFORM_NUMBERS = {
  historyDays: { min: 1, max: 3650, def: 90, unit: 'days', integer: true },
} satisfies Record<string, NumberSpec>;

export const DEFAULT_MAINTENANCE: MaintenanceSettings = { checkpoint: '17 * * * *', retention: '23 3 * * *', thermalFit: '41 4 * * *' };

export const DEFAULT_MODES: Mode[] = ['off', 'heat'];
export const SOURCES = ['simulated', 'sensors'] as const;
export const CONTROLS = ['predictive', 'manual'] as const;
export const ACTUATORS = ['simulated', 'mqtt', 'http', 'none'] as const;
export const MAX_NAME_LENGTH = 64;

export const ZONE_KEYS = new Set([
  'name', 'source', 'actuator', 'modes', 'comfort', 'eco', 'limits', 'hysteresis', 'minOnMinutes',
  'minOffMinutes', 'occupancyTimeoutMinutes', 'learning', 'control', 'savingsBias', 'holdHours', 'staleSensorMinutes',
  'simulated', 'sensors', 'switches', 'mqttOutput', 'httpOutput', 'demand',
]);

function readModes(zone: Dict, where: string, problems: ConfigProblem[]): Mode[] {
  const raw = zone.modes;
  if (raw === undefined || raw === null) {
    return [...DEFAULT_MODES];
  }
  const allowed = `a list of ${MODES.map((m) => `"${m}"`).join(', ')}`;
  if (!Array.isArray(raw)) {
    problems.push({ level: 'warn', message: `${where}: modes must be ${allowed}, got ${show(raw)}; using ["heat"]` });
    return [...DEFAULT_MODES];
  }
  const modes = new Set<Mode>(['off']);
  for (const m of raw) {
    if ((MODES as readonly unknown[]).includes(m)) {
      modes.add(m as Mode);
    } else {
      problems.push({ level: 'warn', message: `${where}: modes contains ${show(m)}, which is not one of ${allowed}; ignored` });
    }
  }
  if (modes.has('auto')) {
    modes.add('heat');
    modes.add('cool');
  }
  if (modes.size === 1) {
    problems.push({ level: 'warn', message: `${where}: modes offers nothing but "off"; using ["heat"]` });
    return [...DEFAULT_MODES];
  }
  return MODES.filter((m) => modes.has(m));
}

function readChoice<T extends string>(
  zone: Dict, key: string, choices: readonly T[], where: string, problems: ConfigProblem[],
): T | undefined {
  const v = zone[key];
  if (v === undefined || v === null || v === '') {
    return choices[0];
  }
  if ((choices as readonly unknown[]).includes(v)) {
    return v as T;
  }
  problems.push({
    level: 'error',
    message: `${where}: ${key} must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${show(v)}; zone skipped`,
  });
  return undefined;
}

function clampInto(
  value: number, lo: number, hi: number, where: string, field: string, problems: ConfigProblem[],
): number {
  if (value >= lo && value <= hi) {
    return value;
  }
  const clamped = Math.min(hi, Math.max(lo, value));
  problems.push({
    level: 'warn',
    message: `${where}: ${field} ${value} °C is outside the zone's limits ${lo}–${hi} °C; using ${clamped}`,
  });
  return clamped;
}

function parseZone(
  raw: unknown, index: number, seen: Set<string>, hasBroker: boolean, problems: ConfigProblem[],
): ZoneSettings | undefined {
  if (!isDict(raw)) {
    problems.push({ level: 'error', message: `zones[${index}] must be an object with at least a name, got ${show(raw)}; zone skipped` });
    return undefined;
  }
  const rawName = raw.name;
  const name = typeof rawName === 'string' ? rawName.trim() : '';
  if (!name || name.length > MAX_NAME_LENGTH) {
    problems.push({
      level: 'error',
      message: `zones[${index}]: name is required (text of 1 to ${MAX_NAME_LENGTH} characters), got ${show(rawName)}; zone skipped`,
    });
    return undefined;
  }
  const where = `zone "${name}"`;
  const key = name.toLowerCase();
  if (seen.has(key)) {
    problems.push({ level: 'error', message: `${where} (zones[${index}]): the name is already used by another zone; zone skipped` });
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (!ZONE_KEYS.has(k)) {
      problems.push({ level: 'warn', message: `${where}: unknown setting "${k}" ignored` });
    }
  }
  const source = readChoice(raw, 'source', SOURCES, where, problems);
  const actuator = readChoice(raw, 'actuator', ACTUATORS, where, problems);
  if (!source || !actuator) {
    return undefined;
  }

  const num = (path: keyof typeof ZONE_NUMBERS) => readNumber(raw, path, ZONE_NUMBERS[path], where, problems);
  // The ranges keep maximum at least 5 °C above frost protection.
  const frostProtection = num('limits.frostProtection');
  const maximum = num('limits.maximum');
  // Defaults are fitted into narrow limits quietly; only values the user set are worth a message.
  const within = (field: keyof typeof ZONE_NUMBERS) => (get(raw, field) === undefined
    ? Math.min(maximum, Math.max(frostProtection, num(field)))
    : clampInto(num(field), frostProtection, maximum, where, field, problems));
  const comfort = { heat: within('comfort.heat'), cool: within('comfort.cool') };
  const eco = { heat: within('eco.heat'), cool: within('eco.cool') };
  const modes = readModes(raw, where, problems);
  if (modes.includes('auto') && comfort.cool - comfort.heat < 1) {
    problems.push({
      level: 'warn',
      message: `${where}: with "auto", comfort.cool (${comfort.cool} °C) must be at least 1 °C above comfort.heat `
        + `(${comfort.heat} °C); using ${ZONE_NUMBERS['comfort.heat'].def} and ${ZONE_NUMBERS['comfort.cool'].def}`,
    });
    comfort.heat = clampInto(ZONE_NUMBERS['comfort.heat'].def, frostProtection, maximum, where, 'comfort.heat', problems);
    comfort.cool = clampInto(ZONE_NUMBERS['comfort.cool'].def, frostProtection, maximum, where, 'comfort.cool', problems);
  }
  const io = readZoneIo(raw, where, source, actuator, modes, hasBroker, problems);
  if (!io) {
    return undefined;
  }
  seen.add(key);
  return {
    name,
    source,
    actuator,
    ...io,
    modes,
    comfort,
    eco,
    limits: { frostProtection, maximum },
    hysteresis: num('hysteresis'),
    minOnMinutes: num('minOnMinutes'),
    minOffMinutes: num('minOffMinutes'),
    occupancyTimeoutMinutes: num('occupancyTimeoutMinutes'),
    learning: readBoolean(raw, 'learning', true, where, problems),
    control: readOneOf(raw, 'control', CONTROLS, 'predictive', `${where}: control`, problems),
    savingsBias: num('savingsBias'),
    holdHours: num('holdHours'),
    staleSensorMinutes: num('staleSensorMinutes'),
    simulated: {
      initialTemperature: num('simulated.initialTemperature'),
      tauHours: num('simulated.tauHours'),
      heaterPower: num('simulated.heaterPower'),
      coolerPower: num('simulated.coolerPower'),
    },
  };
}

/**
 * Parses the platform block of config.json into typed settings. Never throws: every problem is
 * returned as a message naming the zone and field, with a default used or the zone skipped.
 */
export function parseConfig(raw: unknown): ParsedConfig {
  const problems: ConfigProblem[] = [];
  const cfg: Dict = isDict(raw) ? raw : {};
  const name = typeof cfg.name === 'string' && cfg.name.trim() ? cfg.name.trim() : 'Occupancy Thermostat';

  const simRaw = cfg.simulation;
  let simulation: SimulationSettings;
  {
    const obj: Dict = isDict(simRaw) ? simRaw : {};
    if (simRaw !== undefined && !isDict(simRaw)) {
      problems.push({ level: 'warn', message: `simulation must be an object, got ${show(simRaw)}; using defaults` });
    }
    const n = (path: keyof typeof SIMULATION_NUMBERS) => readNumber(obj, path, SIMULATION_NUMBERS[path], 'simulation', problems);
    simulation = { timeScale: n('timeScale'), seed: n('seed'), occupants: n('occupants') };
  }

  const historyDays = readNumber(cfg, 'historyDays', PLATFORM_NUMBERS.historyDays, 'settings', problems);
  const federated = readBoolean(cfg, 'federated', true, 'settings', problems);
  const maintenance = { ...DEFAULT_MAINTENANCE };
  if (cfg.maintenance !== undefined && !isDict(cfg.maintenance)) {
    problems.push({ level: 'warn', message: `maintenance must be an object, got ${show(cfg.maintenance)}; using defaults` });
  } else if (isDict(cfg.maintenance)) {
    for (const key of Object.keys(DEFAULT_MAINTENANCE) as (keyof MaintenanceSettings)[]) {
      const v = cfg.maintenance[key];
      if (v === undefined || v === null || v === '') {
        continue;
      }
      const problem = typeof v === 'string' ? validateCron(v, `maintenance.${key}`) : `maintenance.${key} must be text, got ${show(v)}`;
      if (problem) {
        problems.push({ level: 'warn', message: `${problem}; using "${DEFAULT_MAINTENANCE[key]}"` });
      } else {
        maintenance[key] = v as string;
      }
    }
  }

  const mqtt = readBroker(cfg.mqtt, problems);
  const webhook = readWebhook(cfg.webhook, problems);
  const zones: ZoneSettings[] = [];
  if (cfg.zones !== undefined && !Array.isArray(cfg.zones)) {
    problems.push({ level: 'error', message: `zones must be a list of zones, got ${show(cfg.zones)}; no zones loaded` });
  } else if (Array.isArray(cfg.zones)) {
    const seen = new Set<string>();
    cfg.zones.forEach((z, i) => {
      const zone = parseZone(z, i, seen, mqtt !== undefined, problems);
      if (zone) {
        zones.push(zone);
      }
    });
  }
  return { settings: { name, mqtt, webhook, zones, simulation, historyDays, federated, maintenance }, problems };
}
