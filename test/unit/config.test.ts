import { parseConfig } from '../../src/config/validate';

const zone = (extra: Record<string, unknown> = {}) => ({ name: 'Living Room', ...extra });

describe('parseConfig: good configs', () => {
  it('fills every default for a zone with only a name', () => {
    const { settings, problems } = parseConfig({ platform: 'OccupancyThermostat', zones: [zone()] });
    expect(problems).toEqual([]);
    expect(settings.name).toBe('Occupancy Thermostat');
    expect(settings.zones).toEqual([{
      name: 'Living Room',
      source: 'simulated',
      actuator: 'simulated',
      sensors: [],
      switches: { someoneHome: false, motion: [], motionOffSeconds: 60 },
      mqttOutput: undefined,
      httpOutput: undefined,
      demand: 'none',
      modes: ['off', 'heat'],
      comfort: { heat: 21, cool: 24 },
      eco: { heat: 17, cool: 28 },
      limits: { frostProtection: 7, maximum: 30 },
      hysteresis: 0.5,
      minOnMinutes: 5,
      minOffMinutes: 5,
      occupancyTimeoutMinutes: 30,
      learning: true,
      control: 'predictive',
      savingsBias: 0.5,
      holdHours: 3,
      staleSensorMinutes: 30,
      simulated: { initialTemperature: 17, tauHours: 30, heaterPower: 2, coolerPower: 2 },
    }]);
    expect(settings.simulation).toEqual({ timeScale: 1, seed: 1, occupants: 2 });
    expect(settings.historyDays).toBe(90);
    expect(settings.federated).toBe(true);
    expect(settings.mqtt).toBeUndefined();
    expect(settings.webhook).toEqual({ enabled: false, host: '127.0.0.1', port: 51829 });
    expect(settings.maintenance).toEqual({ checkpoint: '17 * * * *', retention: '23 3 * * *', thermalFit: '41 4 * * *' });
  });

  it('keeps valid platform settings', () => {
    const { settings, problems } = parseConfig({ historyDays: 30, maintenance: { checkpoint: '*/5 * * * *', retention: '@daily' } });
    expect(problems).toEqual([]);
    expect(settings.historyDays).toBe(30);
    expect(settings.maintenance).toEqual({ checkpoint: '*/5 * * * *', retention: '@daily', thermalFit: '41 4 * * *' });
  });

  it('keeps valid values, trims names, adds off and expands auto to heat and cool', () => {
    const { settings, problems } = parseConfig({
      name: ' Home ',
      simulation: { timeScale: 600, seed: 7, occupants: 3 },
      zones: [zone({ name: ' Bedroom ', modes: ['auto'], comfort: { heat: 20, cool: 25 }, hysteresis: 1, minOnMinutes: 0 })],
    });
    expect(problems).toEqual([]);
    expect(settings.name).toBe('Home');
    expect(settings.simulation).toEqual({ timeScale: 600, seed: 7, occupants: 3 });
    const z = settings.zones[0];
    expect(z.name).toBe('Bedroom');
    expect(z.modes).toEqual(['off', 'heat', 'cool', 'auto']);
    expect(z.comfort).toEqual({ heat: 20, cool: 25 });
    expect(z.hysteresis).toBe(1);
    expect(z.minOnMinutes).toBe(0);
  });

  it('no zones: no problems and nothing to run', () => {
    const { settings, problems } = parseConfig({ platform: 'OccupancyThermostat' });
    expect(problems).toEqual([]);
    expect(settings.zones).toEqual([]);
  });
});

describe('parseConfig: bad input gets one clear message naming the zone and field', () => {
  const cases: Array<[string, unknown, string, 'warn' | 'error', number]> = [
    // [what, zones, expected message, level, zones kept]
    ['zone without a name', [{}], 'zones[0]: name is required (text of 1 to 64 characters), got nothing; zone skipped', 'error', 0],
    ['blank name', [{ name: '   ' }], 'zones[0]: name is required (text of 1 to 64 characters), got "   "; zone skipped', 'error', 0],
    ['name not text', [{ name: 42 }], 'zones[0]: name is required (text of 1 to 64 characters), got 42; zone skipped', 'error', 0],
    ['zone not an object', ['kitchen'], 'zones[0] must be an object with at least a name, got "kitchen"; zone skipped', 'error', 0],
    ['duplicate names (case-insensitive)', [zone(), { name: 'living room' }],
      'zone "living room" (zones[1]): the name is already used by another zone; zone skipped', 'error', 1],
    ['unknown source', [zone({ source: 'zigbee' })],
      'zone "Living Room": source must be one of "simulated", "sensors", got "zigbee"; zone skipped', 'error', 0],
    ['unknown actuator', [zone({ actuator: 7 })],
      'zone "Living Room": actuator must be one of "simulated", "mqtt", "http", "none", got 7; zone skipped', 'error', 0],
    ['comfort not a number', [zone({ comfort: { heat: 'hot' } })],
      'zone "Living Room": comfort.heat must be a number from 5 to 35 °C, got "hot"; using 21', 'warn', 1],
    ['comfort out of range', [zone({ comfort: { cool: 99 } })],
      'zone "Living Room": comfort.cool must be a number from 10 to 40 °C, got 99; using 24', 'warn', 1],
    ['NaN-like hysteresis', [zone({ hysteresis: null, minOnMinutes: -1 })],
      'zone "Living Room": minOnMinutes must be a number from 0 to 60 minutes, got -1; using 5', 'warn', 1],
    ['eco outside the limits is clamped', [zone({ eco: { heat: 6 } })],
      'zone "Living Room": eco.heat 6 °C is outside the zone\'s limits 7–30 °C; using 7', 'warn', 1],
    ['maximum out of range', [zone({ limits: { frostProtection: 15, maximum: 19 } })],
      'zone "Living Room": limits.maximum must be a number from 20 to 40 °C, got 19; using 30', 'warn', 1],
    ['unknown mode', [zone({ modes: ['heat', 'dry'] })],
      'zone "Living Room": modes contains "dry", which is not one of a list of "off", "heat", "cool", "auto"; ignored', 'warn', 1],
    ['modes not a list', [zone({ modes: 'heat' })],
      'zone "Living Room": modes must be a list of "off", "heat", "cool", "auto", got "heat"; using ["heat"]', 'warn', 1],
    ['auto with a band too narrow', [zone({ modes: ['auto'], comfort: { heat: 23, cool: 23.5 } })],
      'zone "Living Room": with "auto", comfort.cool (23.5 °C) must be at least 1 °C above comfort.heat (23 °C); using 21 and 24', 'warn', 1],
    ['typo in a setting', [zone({ comfrot: {} })], 'zone "Living Room": unknown setting "comfrot" ignored', 'warn', 1],
    ['occupancy timeout out of range', [zone({ occupancyTimeoutMinutes: 1 })],
      'zone "Living Room": occupancyTimeoutMinutes must be a number from 5 to 720 minutes, got 1; using 30', 'warn', 1],
    ['unknown control', [zone({ control: 'smart' })],
      'zone "Living Room": control must be "predictive" or "manual", got "smart"; using "predictive"', 'warn', 1],
    ['savings bias out of range', [zone({ savingsBias: 2 })],
      'zone "Living Room": savingsBias must be a number from 0 to 1, got 2; using 0.5', 'warn', 1],
    ['learning not a boolean', [zone({ learning: 'yes' })],
      'zone "Living Room": learning must be true or false, got "yes"; using true', 'warn', 1],
    ['simulated power out of range', [zone({ simulated: { heaterPower: 0 } })],
      'zone "Living Room": simulated.heaterPower must be a number from 0.1 to 20 °C per hour, got 0; using 2', 'warn', 1],
  ];

  it.each(cases)('%s', (_what, zones, message, level, kept) => {
    const { settings, problems } = parseConfig({ zones });
    expect(problems).toContainEqual({ level, message });
    expect(settings.zones).toHaveLength(kept);
  });

  it('narrow limits fit the defaults in without a message, and still report values the user set', () => {
    const { settings, problems } = parseConfig({
      zones: [zone({ limits: { frostProtection: 10, maximum: 20 }, comfort: { heat: 22 } })],
    });
    expect(settings.zones[0].comfort).toEqual({ heat: 20, cool: 20 });
    expect(settings.zones[0].eco).toEqual({ heat: 17, cool: 20 });
    expect(problems.map((p) => p.message)).toEqual([
      'zone "Living Room": comfort.heat 22 °C is outside the zone\'s limits 10–20 °C; using 20',
    ]);
  });

  it('a bad zone does not affect the good ones', () => {
    const { settings, problems } = parseConfig({ zones: [{}, zone(), { name: 'Office', comfort: { heat: 'hot' } }] });
    expect(settings.zones.map((z) => z.name)).toEqual(['Living Room', 'Office']);
    expect(settings.zones[1].comfort.heat).toBe(21);
    expect(problems).toHaveLength(2);
  });

  it.each([
    ['zones not a list', { zones: { name: 'x' } }, 'zones must be a list of zones, got {"name":"x"}; no zones loaded'],
    ['time scale out of range', { simulation: { timeScale: 0 } }, 'simulation: timeScale must be a number from 1 to 100000 ×, got 0; using 1'],
    ['fractional occupants', { simulation: { occupants: 1.5 } }, 'simulation: occupants must be a whole number from 1 to 6 people, got 1.5; using 2'],
    ['simulation not an object', { simulation: 3 }, 'simulation must be an object, got 3; using defaults'],
    ['federated not a boolean', { federated: 'yes' }, 'settings: federated must be true or false, got "yes"; using true'],
    ['history days out of range', { historyDays: 0 }, 'settings: historyDays must be a whole number from 1 to 3650 days, got 0; using 90'],
    ['a cron expression that is not one', { maintenance: { checkpoint: 'every hour' } },
      'maintenance.checkpoint: "every hour" is not a cron expression (five fields, e.g. "0 * * * *" for every hour); using "17 * * * *"'],
    ['a cron expression of the wrong type', { maintenance: { retention: 5 } }, 'maintenance.retention must be text, got 5; using "23 3 * * *"'],
    ['maintenance not an object', { maintenance: 'hourly' }, 'maintenance must be an object, got "hourly"; using defaults'],
  ])('platform level: %s', (_what, raw, message) => {
    expect(parseConfig(raw).problems.map((p) => p.message)).toContain(message);
  });

  it('never throws, whatever it is given', () => {
    for (const raw of [undefined, null, 42, 'x', [], { zones: [null, [], 1, { name: {} }] }]) {
      expect(() => parseConfig(raw)).not.toThrow();
    }
  });
});
