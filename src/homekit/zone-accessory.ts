import type { API, Characteristic, CharacteristicValue, PlatformAccessory, Service, WithUUID } from 'homebridge';

import { canCool, canHeat } from '../config/types';
import type { SwitchInputs } from '../io/switches';
import { Zone, ZoneInputError, ZoneLogger, ZoneSnapshot } from '../zone/zone';
import {
  CURRENT_TEMPERATURE_PROPS, currentState, hapToUnits, modeToTargetState, roundTenth, setpointProps,
  targetStateToMode, unitsToHap, validTargetStates,
} from './mapping';

type CharacteristicType = WithUUID<new () => Characteristic>;

export interface ZoneAccessoryOptions {
  manufacturer: string;
  model: string;
  /** Whether the zone's inputs report humidity (CurrentRelativeHumidity is offered only then). */
  humidity: boolean;
  /** Called after a change from Apple Home, so the zone can act on it at once. */
  onUserChange: () => void;
  /** Apple Home switches that feed the zone's learner ("Someone Home", motion mirrors). */
  switches?: SwitchInputs;
  /** Heat/Cool demand accessories for automations: switches or contact sensors (open = demand). */
  demand?: 'none' | 'switch' | 'contact';
}

/** Subtypes of the extra services, so a service removed from the config is removed from HomeKit too. */
const SOMEONE_HOME = 'someone-home';
const MOTION_PREFIX = 'motion:';
const DEMAND = { heat: 'heat-demand', cool: 'cool-demand' } as const;

/**
 * Maps one zone to HomeKit: a Thermostat and an OccupancySensor. Reads are served from the zone's
 * cached snapshot; changes are pushed; writes go to the zone, which validates them.
 */
export class ZoneAccessory {
  private readonly thermostat: Service;
  private readonly occupancy: Service;
  private readonly pushed = new Map<CharacteristicType, CharacteristicValue>();
  private readonly pushedDemand = new Map<string, boolean>();

  constructor(
    private readonly api: API,
    readonly accessory: PlatformAccessory,
    private readonly zone: Zone,
    private readonly log: ZoneLogger,
    private readonly options: ZoneAccessoryOptions,
  ) {
    const { Service: S, Characteristic: C } = api.hap;
    const settings = zone.settings;

    accessory.getService(S.AccessoryInformation)!
      .setCharacteristic(C.Manufacturer, options.manufacturer)
      .setCharacteristic(C.Model, options.model)
      .setCharacteristic(C.SerialNumber, accessory.UUID.slice(0, 8).toUpperCase());

    this.thermostat = accessory.getService(S.Thermostat) ?? accessory.addService(S.Thermostat, settings.name);
    this.occupancy = accessory.getServiceById(S.OccupancySensor, 'occupancy')
      ?? accessory.addService(S.OccupancySensor, `${settings.name} Occupancy`, 'occupancy');

    const t = this.thermostat;
    t.getCharacteristic(C.CurrentTemperature).setProps(CURRENT_TEMPERATURE_PROPS)
      .onGet(() => this.value(C.CurrentTemperature));
    t.getCharacteristic(C.CurrentHeatingCoolingState)
      .onGet(() => this.value(C.CurrentHeatingCoolingState));
    t.getCharacteristic(C.TargetHeatingCoolingState)
      .setProps({ validValues: validTargetStates(settings.modes) })
      .onGet(() => this.value(C.TargetHeatingCoolingState))
      .onSet((v) => this.write('mode', () => {
        const mode = targetStateToMode(v);
        if (!mode) {
          throw new ZoneInputError(`zone "${settings.name}": mode ${String(v)} is not a HomeKit mode`);
        }
        this.zone.setMode(mode);
      }));
    const initial = zone.snapshot;
    // Seed values before narrowing props, so HAP has nothing of its own defaults to clamp.
    t.getCharacteristic(C.TargetTemperature).updateValue(initial.target).setProps(setpointProps(settings.limits))
      .onGet(() => this.value(C.TargetTemperature))
      .onSet((v) => this.write('target temperature', () => this.zone.setTarget(v as number)));
    t.getCharacteristic(C.TemperatureDisplayUnits)
      .onGet(() => this.value(C.TemperatureDisplayUnits))
      .onSet((v) => this.write('display units', () => {
        const units = hapToUnits(v);
        if (!units) {
          throw new ZoneInputError(`zone "${settings.name}": display units ${String(v)} are not Celsius (0) or Fahrenheit (1)`);
        }
        this.zone.setDisplayUnits(units);
      }));

    if (settings.modes.includes('auto')) {
      t.getCharacteristic(C.HeatingThresholdTemperature).updateValue(initial.heatingThreshold)
        .setProps(setpointProps(settings.limits))
        .onGet(() => this.value(C.HeatingThresholdTemperature))
        .onSet((v) => this.write('heating threshold', () => this.zone.setThresholds({ heating: v as number })));
      t.getCharacteristic(C.CoolingThresholdTemperature).updateValue(initial.coolingThreshold)
        .setProps(setpointProps(settings.limits))
        .onGet(() => this.value(C.CoolingThresholdTemperature))
        .onSet((v) => this.write('cooling threshold', () => this.zone.setThresholds({ cooling: v as number })));
    } else {
      this.drop(C.HeatingThresholdTemperature);
      this.drop(C.CoolingThresholdTemperature);
    }
    if (options.humidity) {
      t.getCharacteristic(C.CurrentRelativeHumidity).onGet(() => this.value(C.CurrentRelativeHumidity));
    } else {
      this.drop(C.CurrentRelativeHumidity);
    }
    // HAP defines StatusFault for sensors, not thermostats: the zone's sensing is what fails.
    this.occupancy.getCharacteristic(C.StatusFault).onGet(() => this.value(C.StatusFault));
    this.drop(C.StatusFault); // from the thermostat, where an earlier version put it
    this.occupancy.getCharacteristic(C.OccupancyDetected).onGet(() => this.value(C.OccupancyDetected));

    this.addExtras();
    zone.onChange((s) => this.push(s));
    this.push(zone.snapshot);
  }

  /** Switches that feed the learner and demand outputs; services no longer configured are removed. */
  private addExtras(): void {
    const { Service: S, Characteristic: C } = this.api.hap;
    const { accessory, options } = this;
    const name = this.zone.settings.name;
    const wanted = new Map<string, string>();
    const sw = options.switches;
    if (sw && this.zone.settings.switches.someoneHome) {
      wanted.set(SOMEONE_HOME, S.Switch.UUID);
      // The switch is a state an automation set, not an event: it survives a restart.
      if (accessory.context?.someoneHome === true) {
        sw.setSomeoneHome(true);
      }
      this.service(S.Switch, `${name} Someone Home`, SOMEONE_HOME).getCharacteristic(C.On)
        .onGet(() => sw.someoneHomeOn)
        .onSet((v) => this.input('Someone Home switch', () => {
          sw.setSomeoneHome(v === true || v === 1);
          accessory.context = { ...accessory.context, someoneHome: sw.someoneHomeOn };
          this.api.updatePlatformAccessories([accessory]);
        }));
    }
    for (const motion of sw ? this.zone.settings.switches.motion : []) {
      const subtype = MOTION_PREFIX + motion.toLowerCase();
      wanted.set(subtype, S.Switch.UUID);
      this.service(S.Switch, motion, subtype).getCharacteristic(C.On)
        .onGet(() => sw!.motionOn(motion))
        .onSet((v) => this.input(`motion switch "${motion}"`, () => sw!.setMotion(motion, v === true || v === 1)));
    }
    sw?.onAutoOff((motion, on) => {
      accessory.getServiceById(S.Switch, MOTION_PREFIX + motion.toLowerCase())?.updateCharacteristic(C.On, on);
    });
    const demand = options.demand ?? 'none';
    const settings = this.zone.settings;
    for (const side of ['heat', 'cool'] as const) {
      const offered = side === 'heat' ? canHeat(settings) : canCool(settings);
      if (demand === 'none' || !offered) {
        continue;
      }
      const title = `${name} ${side === 'heat' ? 'Heat' : 'Cool'} Demand`;
      wanted.set(DEMAND[side], demand === 'switch' ? S.Switch.UUID : S.ContactSensor.UUID);
      const get = () => (side === 'heat' ? this.zone.snapshot.heatDemand : this.zone.snapshot.coolDemand);
      if (demand === 'switch') {
        this.service(S.Switch, title, DEMAND[side]).getCharacteristic(C.On)
          .onGet(get)
          .onSet(() => {
            // The zone decides demand; flipping it by hand would lie to the automations hung on it.
            this.log.warn(`the ${title} switch is set by the zone; a change from Apple Home is ignored`);
            setImmediate(() => accessory.getServiceById(S.Switch, DEMAND[side])?.updateCharacteristic(C.On, get()));
            throw new this.api.hap.HapStatusError(this.api.hap.HAPStatus.READ_ONLY_CHARACTERISTIC);
          });
      } else {
        this.service(S.ContactSensor, title, DEMAND[side]).getCharacteristic(C.ContactSensorState)
          .onGet(() => (get() ? C.ContactSensorState.CONTACT_NOT_DETECTED : C.ContactSensorState.CONTACT_DETECTED));
      }
    }
    for (const service of [...accessory.services]) {
      const extra = service.subtype && (service.UUID === S.Switch.UUID || service.UUID === S.ContactSensor.UUID);
      if (extra && wanted.get(service.subtype!) !== service.UUID) {
        accessory.removeService(service);
      }
    }
  }

  /** The service with this subtype, of this type; one of another type under the subtype is replaced. */
  private service(type: WithUUID<typeof Service>, title: string, subtype: string): Service {
    const existing = this.accessory.getServiceById(type, subtype);
    if (existing) {
      return existing;
    }
    const service = this.accessory.addService(type, title, subtype);
    service.addOptionalCharacteristic?.(this.api.hap.Characteristic.ConfiguredName);
    service.setCharacteristic(this.api.hap.Characteristic.ConfiguredName, title);
    return service;
  }

  /** Runs an input switch's change; never throws into HAP except to refuse. */
  private input(what: string, apply: () => void): void {
    try {
      apply();
      this.log.debug(`${what} changed in Apple Home`);
      this.options.onUserChange();
    } catch (err) {
      this.log.warn(`could not take the ${what}: ${(err as Error)?.message ?? String(err)}`);
      throw new this.api.hap.HapStatusError(this.api.hap.HAPStatus.SERVICE_COMMUNICATION_FAILURE);
    }
  }

  /** The HomeKit value of each characteristic, from the zone's snapshot. */
  private values(s: Readonly<ZoneSnapshot>): Map<CharacteristicType, CharacteristicValue> {
    const C = this.api.hap.Characteristic;
    const settings = this.zone.settings;
    const values = new Map<CharacteristicType, CharacteristicValue>([
      [C.CurrentHeatingCoolingState, currentState(s)],
      [C.TargetHeatingCoolingState, modeToTargetState(s.mode)],
      [C.TargetTemperature, s.target],
      [C.TemperatureDisplayUnits, unitsToHap(s.displayUnits)],
      [C.OccupancyDetected, s.occupied ? C.OccupancyDetected.OCCUPANCY_DETECTED : C.OccupancyDetected.OCCUPANCY_NOT_DETECTED],
      [C.StatusFault, s.fault ? C.StatusFault.GENERAL_FAULT : C.StatusFault.NO_FAULT],
    ]);
    if (s.temperature !== undefined) {
      values.set(C.CurrentTemperature, roundTenth(s.temperature));
    }
    if (settings.modes.includes('auto')) {
      values.set(C.HeatingThresholdTemperature, s.heatingThreshold);
      values.set(C.CoolingThresholdTemperature, s.coolingThreshold);
    }
    if (this.options.humidity && s.humidity !== undefined) {
      values.set(C.CurrentRelativeHumidity, Math.round(Math.min(100, Math.max(0, s.humidity))));
    }
    return values;
  }

  /** Demand services follow the zone's decision. */
  private pushDemand(s: Readonly<ZoneSnapshot>): void {
    const { Service: S, Characteristic: C } = this.api.hap;
    for (const side of ['heat', 'cool'] as const) {
      const on = side === 'heat' ? s.heatDemand : s.coolDemand;
      const sw = this.accessory.getServiceById(S.Switch, DEMAND[side]);
      const contact = this.accessory.getServiceById(S.ContactSensor, DEMAND[side]);
      const key = `demand:${side}`;
      if (this.pushedDemand.get(key) === on) {
        continue;
      }
      this.pushedDemand.set(key, on);
      sw?.updateCharacteristic(C.On, on);
      contact?.updateCharacteristic(C.ContactSensorState,
        on ? C.ContactSensorState.CONTACT_NOT_DETECTED : C.ContactSensorState.CONTACT_DETECTED);
    }
  }

  private value(type: CharacteristicType): CharacteristicValue {
    const v = this.values(this.zone.snapshot).get(type);
    if (v === undefined) {
      // Not known yet (no reading): say so rather than invent one.
      throw new this.api.hap.HapStatusError(this.api.hap.HAPStatus.SERVICE_COMMUNICATION_FAILURE);
    }
    return v;
  }

  private push(s: Readonly<ZoneSnapshot>): void {
    this.pushDemand(s);
    for (const [type, value] of this.values(s)) {
      if (this.pushed.get(type) === value) {
        continue;
      }
      this.pushed.set(type, value);
      const C = this.api.hap.Characteristic;
      const service = type === C.OccupancyDetected || type === C.StatusFault ? this.occupancy : this.thermostat;
      service.updateCharacteristic(type, value);
    }
  }

  /** Runs a HomeKit write; a refused value answers "invalid value", anything else "communication failure". */
  private write(what: string, apply: () => void): void {
    const { HapStatusError, HAPStatus } = this.api.hap;
    try {
      apply();
    } catch (err) {
      if (err instanceof ZoneInputError) {
        this.log.warn(`refused a HomeKit write of the ${what}: ${err.message}`);
        throw new HapStatusError(HAPStatus.INVALID_VALUE_IN_REQUEST);
      }
      this.log.warn(`could not apply a HomeKit write of the ${what}: ${(err as Error).message}`);
      throw new HapStatusError(HAPStatus.SERVICE_COMMUNICATION_FAILURE);
    }
    try {
      this.options.onUserChange();
    } catch (err) {
      this.log.warn(`could not act on the new ${what} at once: ${(err as Error).message}`);
    }
  }

  private drop(type: CharacteristicType): void {
    const existing = this.thermostat.characteristics.find((c) => c.UUID === type.UUID);
    if (existing) {
      this.thermostat.removeCharacteristic(existing);
    }
  }
}
