/**
 * End to end: the real Homebridge binary with this plugin loaded from the repository, driven through
 * HomeKit (hap-controller) over 127.0.0.1. Needs `npm run build` first (Homebridge loads dist/).
 *
 * One Homebridge serves tests 1–5 (restarted once, in test 4, on the same storage); a second one,
 * with a config full of mistakes, serves test 6.
 */
import type { HttpClient, PairingData } from 'hap-controller';

import {
  CharRead, ZoneCharName, CharType, connect, FoundAccessory, findAccessory, HAP_INVALID_VALUE, HapEvent, Homebridge,
  listAccessories, pair, readFull, readValue, readValues, requireIds, ServiceType, subscribe, toFahrenheit, withClient,
  withLog, writeOk, writeValues, zoneIds,
} from './harness';

const ZONE = 'Living Room';

const PLATFORM = {
  platform: 'OccupancyThermostat',
  name: 'Occupancy Thermostat',
  simulation: { timeScale: 600, seed: 7, occupants: 2 },
  zones: [
    {
      name: ZONE,
      modes: ['heat', 'cool', 'auto'],
      comfort: { heat: 21, cool: 24 },
      eco: { heat: 17, cool: 28 },
      limits: { frostProtection: 7, maximum: 30 },
      hysteresis: 0.5,
      minOnMinutes: 5,
      minOffMinutes: 5,
      // These tests check the HomeKit mapping, so the target must stay where the client puts it;
      // predictive control (the default) is tested on a simulated home in test/unit/predictive.test.ts.
      control: 'manual',
      simulated: { initialTemperature: 16, tauHours: 30, heaterPower: 3, coolerPower: 2 },
    },
  ],
};

// HAP enumerations.
const OFF = 0;
const HEAT = 1;
const COOL = 2;
const AUTO = 3;
const CELSIUS = 0;
const FAHRENHEIT = 1;

/** Fails early with the log if the plugin did not load or its platform did not start. */
function expectPluginLoaded(hb: Homebridge): void {
  const log = hb.log;
  if (/ERROR LOADING PLUGIN|No plugin was found for the platform|Could not (start|stop)|Error: Cannot find module/.test(log)) {
    throw new Error('the plugin did not load or start cleanly (is dist/ built? run `npm run build`)');
  }
}

function near(actual: unknown, expected: number, tolerance = 0.051): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance);
}

describe(`Homebridge with one zone ("${ZONE}")`, () => {
  let hb: Homebridge | undefined;
  let pairing: PairingData;
  let client: HttpClient | undefined;
  let accessory: FoundAccessory;
  let ids: Record<ZoneCharName, string>;

  const live = () => {
    if (!client) {
      throw new Error('no client: the bridge did not start');
    }
    return client;
  };

  const it2 = (name: string, fn: () => Promise<void>, timeoutMs: number) =>
    it(name, () => withLog(hb, fn), timeoutMs);

  beforeAll(async () => {
    hb = await Homebridge.create({ platforms: [PLATFORM] });
    await withLog(hb, async () => {
      await hb!.start();
      expectPluginLoaded(hb!);
      pairing = await pair(hb!);
      client = connect(hb!, pairing);
      accessory = await findAccessory(client, ZONE);
      ids = requireIds(zoneIds(accessory),
        'CurrentTemperature', 'TargetTemperature', 'CurrentHeatingCoolingState', 'TargetHeatingCoolingState',
        'TemperatureDisplayUnits', 'HeatingThresholdTemperature', 'CoolingThresholdTemperature',
        'CurrentRelativeHumidity', 'OccupancyDetected');
    });
  }, 45_000);

  afterAll(async () => {
    await client?.close();
    await hb?.dispose();
  }, 30_000);

  it2('1. exposes a thermostat and an occupancy sensor with the right metadata', async () => {
    expect(accessory.serviceTypes).toEqual(expect.arrayContaining([ServiceType.Thermostat, ServiceType.OccupancySensor]));

    const all = Object.values(ids);
    const read = await readFull(live(), all);
    const get = (n: keyof typeof ids): CharRead => {
      const r = read[ids[n]];
      expect(r).toBeDefined();
      expect(r.status ?? 0).toBe(0);
      expect(r.type).toBe(CharType[n]);
      return r;
    };
    const perms = (r: CharRead) => [...(r.perms ?? [])].sort();

    const tt = get('TargetTemperature');
    expect(tt.format).toBe('float');
    expect(tt.unit).toBe('celsius');
    expect(tt.minValue).toBe(7);
    expect(tt.maxValue).toBe(30);
    expect(tt.minStep).toBe(0.1);
    expect(perms(tt)).toEqual(['ev', 'pr', 'pw']);
    near(tt.value, 21); // comfort.heat
    // The accessory database (what Apple Home reads at pairing) agrees.
    expect(accessory.db(ids.TargetTemperature)).toMatchObject({ minValue: 7, maxValue: 30, minStep: 0.1 });

    const ct = get('CurrentTemperature');
    expect(ct.format).toBe('float');
    expect(ct.minValue).toBe(-40);
    expect(ct.maxValue).toBe(100);
    expect(ct.minStep).toBe(0.1);
    expect(perms(ct)).toEqual(['ev', 'pr']);
    expect(typeof ct.value).toBe('number');
    expect(ct.value as number).toBeGreaterThanOrEqual(15);
    expect(ct.value as number).toBeLessThanOrEqual(30);

    const target = get('TargetHeatingCoolingState');
    // valid-values are published in the accessory database (GET /accessories), not in GET /characteristics.
    expect(accessory.db(ids.TargetHeatingCoolingState)?.['valid-values']).toEqual([OFF, HEAT, COOL, AUTO]);
    expect(perms(target)).toEqual(['ev', 'pr', 'pw']);
    expect(target.value).toBe(HEAT); // initial mode

    const current = get('CurrentHeatingCoolingState');
    expect(perms(current)).toEqual(['ev', 'pr']);
    expect([OFF, HEAT, COOL]).toContain(current.value);

    const units = get('TemperatureDisplayUnits');
    expect(perms(units)).toEqual(['ev', 'pr', 'pw']);
    expect(units.value).toBe(CELSIUS);

    for (const n of ['HeatingThresholdTemperature', 'CoolingThresholdTemperature'] as const) {
      const th = get(n);
      expect(th.minValue).toBe(7);
      expect(th.maxValue).toBe(30);
      expect(th.minStep).toBe(0.1);
      expect(perms(th)).toEqual(['ev', 'pr', 'pw']);
      expect(typeof th.value).toBe('number');
    }
    near(read[ids.HeatingThresholdTemperature].value, 21);
    near(read[ids.CoolingThresholdTemperature].value, 24);

    const rh = get('CurrentRelativeHumidity');
    expect(perms(rh)).toEqual(['ev', 'pr']);
    expect(rh.value as number).toBeGreaterThanOrEqual(0);
    expect(rh.value as number).toBeLessThanOrEqual(100);

    const occ = get('OccupancyDetected');
    expect(perms(occ)).toEqual(['ev', 'pr']);
    expect([0, 1]).toContain(occ.value);
  }, 15_000);

  it2('2. writes target temperature and mode and reads them back, also in Fahrenheit', async () => {
    const c = live();
    await writeOk(c, { [ids.TargetHeatingCoolingState]: COOL, [ids.TargetTemperature]: 23.5 });
    let v = await readValues(c, [ids.TargetHeatingCoolingState, ids.TargetTemperature]);
    expect(v[ids.TargetHeatingCoolingState]).toBe(COOL);
    near(v[ids.TargetTemperature], 23.5);

    await writeOk(c, { [ids.TargetHeatingCoolingState]: HEAT });
    await writeOk(c, { [ids.TargetTemperature]: 19 });
    v = await readValues(c, [ids.TargetHeatingCoolingState, ids.TargetTemperature]);
    expect(v[ids.TargetHeatingCoolingState]).toBe(HEAT);
    near(v[ids.TargetTemperature], 19);

    // Apple Home in °F: the units, then 72 °F sent as Celsius (22.2222…).
    await writeOk(c, { [ids.TemperatureDisplayUnits]: FAHRENHEIT });
    await writeOk(c, { [ids.TargetTemperature]: 22.2222 });
    v = await readValues(c, [ids.TemperatureDisplayUnits, ids.TargetTemperature]);
    expect(v[ids.TemperatureDisplayUnits]).toBe(FAHRENHEIT);
    const f = toFahrenheit(v[ids.TargetTemperature] as number);
    expect(Math.round(f)).toBe(72); // not 71.6 or 71
    expect(Math.abs(f - 72)).toBeLessThan(0.1);

    await writeOk(c, { [ids.TemperatureDisplayUnits]: CELSIUS });
    expect(await readValue(c, ids.TemperatureDisplayUnits)).toBe(CELSIUS);
  }, 15_000);

  it2('3. pushes a rising room temperature while heating', async () => {
    const c = live();
    const sub = await subscribe(hb!, pairing, [ids.CurrentTemperature, ids.CurrentHeatingCoolingState]);
    try {
      const tStart = Date.now();
      const start = await readValues(c, [ids.CurrentTemperature, ids.CurrentHeatingCoolingState]);
      await writeOk(c, { [ids.TargetHeatingCoolingState]: HEAT, [ids.TargetTemperature]: 28 });
      const t0 = Date.now();

      // CurrentTemperature events seen while the equipment is known to be heating.
      const heatingTemps = (events: HapEvent[]): HapEvent[] => {
        let state = start[ids.CurrentHeatingCoolingState];
        const out: HapEvent[] = [];
        for (const e of events) {
          if (e.id === ids.CurrentHeatingCoolingState) {
            state = e.value;
          } else if (e.id === ids.CurrentTemperature && state === HEAT) {
            out.push(e);
          }
        }
        return out;
      };
      await sub.waitFor((events) => heatingTemps(events).length >= 6, 20_000);
      const seen = heatingTemps(sub.events);
      const temps = seen.map((e) => e.value as number);

      // The equipment heats (and never reported anything else since we asked for 28 °C).
      expect(await readValue(c, ids.CurrentHeatingCoolingState)).toBe(HEAT);
      const other = sub.events.filter((e) => e.id === ids.CurrentHeatingCoolingState && e.value !== HEAT);
      expect(other).toEqual([]);

      // Every pushed value is higher than the one before, and below the target.
      const increasing = temps.every((t, i) => i === 0 || t > temps[i - 1]);
      expect({ increasing, temps }).toEqual({ increasing: true, temps });
      expect(temps[temps.length - 1]).toBeLessThan(28);
      const rise = temps[temps.length - 1] - temps[0];
      expect(rise).toBeGreaterThanOrEqual(0.3);

      // Plausible physics at 600×: the heater adds ~3 °C per simulated hour, i.e. ~0.5 °C per real
      // second. Measured from before the first read to the last event, so late delivery only widens it.
      const seconds = (seen[seen.length - 1].at - tStart) / 1000;
      const total = temps[temps.length - 1] - (start[ids.CurrentTemperature] as number);
      expect(total).toBeLessThanOrEqual(0.6 * seconds + 0.15);
      // And it got there within seconds, not minutes.
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      await sub.close();
    }
  }, 30_000);

  it2('4. keeps target, mode, thresholds and display units across a restart', async () => {
    let c = live();
    await writeOk(c, { [ids.TargetHeatingCoolingState]: AUTO });
    await writeOk(c, { [ids.TargetTemperature]: 25.5 });
    await writeOk(c, { [ids.HeatingThresholdTemperature]: 19.5 });
    await writeOk(c, { [ids.CoolingThresholdTemperature]: 26.5 });
    await writeOk(c, { [ids.TemperatureDisplayUnits]: FAHRENHEIT });
    const keys = [ids.TargetHeatingCoolingState, ids.TargetTemperature, ids.HeatingThresholdTemperature,
      ids.CoolingThresholdTemperature, ids.TemperatureDisplayUnits];
    const before = await readValues(c, keys);
    expect(before[ids.TargetHeatingCoolingState]).toBe(AUTO);
    near(before[ids.TargetTemperature], 25.5);
    near(before[ids.HeatingThresholdTemperature], 19.5);
    near(before[ids.CoolingThresholdTemperature], 26.5);
    expect(before[ids.TemperatureDisplayUnits]).toBe(FAHRENHEIT);

    await c.close();
    client = undefined;
    await hb!.stop();
    expect(hb!.running).toBe(false);
    const mark = hb!.mark();
    await hb!.start();
    expectPluginLoaded(hb!);
    expect(hb!.logSince(mark)).not.toMatch(/Saved state:/);

    // Same pairing (a second pair-setup would be refused), same accessory and ids.
    client = connect(hb!, pairing);
    c = client;
    const again = await findAccessory(c, ZONE);
    expect(again.aid).toBe(accessory.aid);
    expect(zoneIds(again)).toEqual(zoneIds(accessory));

    const after = await readValues(c, keys);
    expect(after[ids.TargetHeatingCoolingState]).toBe(AUTO);
    near(after[ids.TargetTemperature], 25.5);
    near(after[ids.HeatingThresholdTemperature], 19.5);
    near(after[ids.CoolingThresholdTemperature], 26.5);
    expect(after[ids.TemperatureDisplayUnits]).toBe(FAHRENHEIT);
  }, 40_000);

  it2('5. refuses out-of-range writes with a HAP error and keeps working', async () => {
    const c = live();
    const keys = [ids.TargetTemperature, ids.TargetHeatingCoolingState, ids.HeatingThresholdTemperature,
      ids.CoolingThresholdTemperature];
    const before = await readValues(c, keys);

    for (const [id, value] of [
      [ids.TargetTemperature, 45],
      [ids.TargetTemperature, 2],
      [ids.TargetHeatingCoolingState, 7],
      [ids.HeatingThresholdTemperature, 3],
      [ids.CoolingThresholdTemperature, 31],
    ] as const) {
      const statuses = await writeValues(c, { [id]: value });
      expect({ id, value, status: statuses[id] }).toEqual({ id, value, status: HAP_INVALID_VALUE });
    }
    expect(await readValues(c, keys)).toEqual(before);
    expect(hb!.running).toBe(true);

    // A valid write still goes through.
    await writeOk(c, { [ids.TargetHeatingCoolingState]: HEAT, [ids.TargetTemperature]: 20.5 });
    const v = await readValues(c, [ids.TargetHeatingCoolingState, ids.TargetTemperature]);
    expect(v[ids.TargetHeatingCoolingState]).toBe(HEAT);
    near(v[ids.TargetTemperature], 20.5);
    expect(hb!.running).toBe(true);
  }, 15_000);
});

describe('Homebridge with a config full of mistakes', () => {
  let hb: Homebridge | undefined;
  const it2 = (name: string, fn: () => Promise<void>, timeoutMs: number) =>
    it(name, () => withLog(hb, fn), timeoutMs);

  const simulated = { initialTemperature: 19, tauHours: 30, heaterPower: 3, coolerPower: 2 };
  const BAD_PLATFORM = {
    platform: 'OccupancyThermostat',
    name: 'Occupancy Thermostat',
    simulation: { timeScale: 600, seed: 7, occupants: 2 },
    zones: [
      { name: 'Kitchen', modes: ['heat'], simulated },
      { modes: ['heat'], simulated }, // no name
      { name: 'Kitchen', modes: ['heat', 'cool'], simulated }, // duplicate name
      { name: 'Bedroom', modes: ['heat'], comfort: { heat: 'hot' }, simulated }, // not a number
    ],
  };

  beforeAll(async () => {
    hb = await Homebridge.create({ platforms: [BAD_PLATFORM] });
    await withLog(hb, () => hb!.start());
  }, 45_000);

  afterAll(async () => {
    await hb?.dispose();
  }, 30_000);

  it2('6. starts, publishes the valid zone and logs one clear line per problem', async () => {
    expectPluginLoaded(hb!);
    const configLines = hb!.log.split('\n').filter((l) => /Config: /.test(l));

    const nameless = configLines.filter((l) => /zones\[1\]/.test(l));
    expect(nameless).toHaveLength(1);
    expect(nameless[0]).toMatch(/\bname\b/);

    const duplicate = configLines.filter((l) => /Kitchen/.test(l));
    expect(duplicate).toHaveLength(1);
    expect(duplicate[0]).toMatch(/\bname\b/);
    expect(duplicate[0]).toMatch(/zones\[2\]|already|duplicate/i);

    const notANumber = configLines.filter((l) => /Bedroom/.test(l));
    expect(notANumber).toHaveLength(1);
    expect(notANumber[0]).toMatch(/comfort\.heat/);
    expect(notANumber[0]).toMatch(/hot/);

    expect(configLines).toHaveLength(3);

    const pairing = await pair(hb!);
    await withClient(hb!, pairing, async (c) => {
      const zones = (await listAccessories(c)).filter((a) => a.aid !== 1);
      const kitchen = zones.filter((a) => a.name === 'Kitchen');
      expect(kitchen).toHaveLength(1);
      expect(zones.filter((a) => a.name.trim() === '')).toEqual([]);

      // The valid zone is a working thermostat with only the modes it was given.
      const k = requireIds(zoneIds(kitchen[0]), 'TargetHeatingCoolingState', 'TargetTemperature', 'CurrentTemperature');
      expect(zoneIds(kitchen[0]).HeatingThresholdTemperature).toBeUndefined();
      expect(zoneIds(kitchen[0]).CoolingThresholdTemperature).toBeUndefined();
      const read = await readFull(c, Object.values(k));
      expect(kitchen[0].db(k.TargetHeatingCoolingState)?.['valid-values']).toEqual([OFF, HEAT]);
      expect(read[k.TargetHeatingCoolingState].value).toBe(HEAT);
      near(read[k.TargetTemperature].value, 21);
      expect(typeof read[k.CurrentTemperature].value).toBe('number');

      // The zone with a bad number either runs on the default the log announced, or is skipped as the log said.
      const bedroom = zones.filter((a) => a.name === 'Bedroom');
      const used = notANumber[0].match(/using (\d+(?:\.\d+)?)/);
      if (/skipped/.test(notANumber[0])) {
        expect(bedroom).toHaveLength(0);
      } else {
        expect(used).not.toBeNull();
        expect(bedroom).toHaveLength(1);
        const b = requireIds(zoneIds(bedroom[0]), 'TargetTemperature');
        near(await readValue(c, b.TargetTemperature), Number(used![1]));
      }
      expect(zones.length).toBe(1 + bedroom.length);
    });

    // Still up, still answering.
    expect(hb!.running).toBe(true);
    expect(hb!.log).not.toMatch(/uncaughtException|TypeError|ReferenceError/);
  }, 20_000);
});
