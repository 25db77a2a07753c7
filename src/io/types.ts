import type { Mode } from '../config/types';

/** A discrete input: motion seen, a door opened, presence reported. */
/** Longest sensor name a zone's history keeps with an event (longer ones are cut when written). */
export const MAX_SENSOR_ID = 200;

export interface ActivityEvent {
  t: number;
  kind: 'motion' | 'door' | 'presence';
  value: boolean;
  /** Which sensor saw it, when known: the zone learns which sensors fire alone (misfires) and discounts them. */
  sensor?: string;
}

export interface Reading {
  value: number;
  /** When it was measured (clock ms). */
  at: number;
}

/** What a zone's sensors have to say at one poll. Readings are the latest known; events are new since the last poll. */
export interface InputSnapshot {
  temperature?: Reading;
  humidity?: Reading;
  outdoorTemperature?: Reading;
  events: ActivityEvent[];
}

/** Where a zone's sensor data comes from: the simulated home, or real sensors (MQTT, webhook, Apple Home switches). */
export interface ZoneInput {
  poll(now: number): InputSnapshot;
  close?(): void;
}

export interface EquipmentCommand {
  mode: Mode;
  heating: boolean;
  cooling: boolean;
  /** The setpoint in force, for equipment that regulates itself (in auto, the heating end of the band; when off, the frost limit). */
  setpoint: number;
  /** The cooling end of the band in auto; otherwise the same as `setpoint`. */
  coolingSetpoint: number;
}

/** What the equipment is known to be doing: reported by the device, or confirmed by a command that succeeded. */
export interface DeviceState {
  heating: boolean;
  cooling: boolean;
}

/**
 * Where a zone's decisions go: a heater/cooler relay, a self-regulating device, a simulation.
 * `apply` is called when the command changes and must not throw for a device that fails: the
 * output retries and logs on its own, and tells the zone what is true through `onState`.
 */
export interface ZoneOutput {
  apply(command: EquipmentCommand, now: number): void;
  /**
   * Outputs that know what the device does (a state topic, a confirmed HTTP call) call `listener`
   * whenever that changes; the zone then shows it in Apple Home instead of the command. Outputs
   * without it are taken to do what they are told.
   */
  onState?(listener: (state: DeviceState) => void): void;
  close?(): void;
}
