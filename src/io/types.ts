import type { Mode } from '../config/types';

/** A discrete input: motion seen, a door opened, presence reported. */
export interface ActivityEvent {
  t: number;
  kind: 'motion' | 'door' | 'presence';
  value: boolean;
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

/** Where a zone's sensor data comes from (simulated now; MQTT, webhook and HomeKit switches later). */
export interface ZoneInput {
  poll(now: number): InputSnapshot;
  close?(): void;
}

export interface EquipmentCommand {
  mode: Mode;
  heating: boolean;
  cooling: boolean;
  /** The setpoint in force, for equipment that regulates itself. */
  setpoint: number;
}

/** Where a zone's decisions go: a heater/cooler relay, a self-regulating device, a simulation. */
export interface ZoneOutput {
  apply(command: EquipmentCommand, now: number): void;
  close?(): void;
}
