import type { SensorKind } from '../io/readings';

/** Thermostat modes a zone can be put in. */
export type Mode = 'off' | 'heat' | 'cool' | 'auto';

export const MODES: readonly Mode[] = ['off', 'heat', 'cool', 'auto'];

export interface HeatCool {
  heat: number;
  cool: number;
}

export interface SimulatedZoneSettings {
  /** Room temperature when the simulation starts, °C. */
  initialTemperature: number;
  /** Time constant of the room's heat loss to outdoors, hours. */
  tauHours: number;
  /** How fast the heater warms the room, °C per hour (with indoor = outdoor). */
  heaterPower: number;
  /** How fast the cooler cools the room, °C per hour (with indoor = outdoor). */
  coolerPower: number;
}

/** One MQTT sensor of a zone. */
export interface SensorSettings {
  /** For logs: "Hall motion". Unique within the zone. */
  name: string;
  kind: SensorKind;
  topic: string;
  /** JSON key of the value (dots for nested keys); without it a bare payload, or zigbee2mqtt's key for the kind. */
  key?: string;
  /** Flip a binary value. */
  invert: boolean;
  /** Weight of a temperature in the zone's mean. */
  weight: number;
  /** Air-quality sensors only: the rise in 20 minutes (ppm, or the sensor's unit) read as someone there. */
  rise?: number;
  /** zigbee2mqtt-style availability topic ("online"/"offline", or {"state":"offline"}): offline marks the sensor stale. */
  availabilityTopic?: string;
}

/** Apple Home switches that feed a zone's learner, for homes whose sensors only Apple Home can see. */
export interface SwitchSettings {
  /** A "Someone Home" switch for arrive/leave automations: on = presence home, off = away. */
  someoneHome: boolean;
  /** Names of motion mirror switches; each turned on counts as motion and turns itself off. */
  motion: string[];
  /** Seconds before a motion mirror turns itself off. */
  motionOffSeconds: number;
}

export type OutputStyle = 'setpoint' | 'relay';

/** Where a zone's commands go over MQTT. */
export interface MqttOutputSettings {
  /** setpoint: a device that regulates itself gets the target; relay: the plugin switches heat and cool. */
  style: OutputStyle;
  /** setpoint: where the setpoint payload goes; relay: the heat relay's topic. */
  topic: string;
  /** Payload template (see src/io/command.ts). */
  payload: string;
  /** relay: the cool relay's topic and payload, if the zone cools. */
  coolTopic?: string;
  coolPayload?: string;
  /** Where the device reports what it does; CurrentHeatingCoolingState follows it. */
  stateTopic?: string;
  /** JSON key in the state payload (zigbee2mqtt TRV: running_state; switch: state). */
  stateKey?: string;
  /** relay: the cool relay's state topic. */
  coolStateTopic?: string;
  retain: boolean;
}

/** Where a zone's commands go over HTTP. */
export interface HttpOutputSettings {
  style: OutputStyle;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** URL template; setpoint style: called when the setpoint or mode changes; relay: when heat changes. */
  url: string;
  /** Body template for POST/PUT/PATCH. */
  body?: string;
  /** relay: the cool relay's URL and body, if the zone cools. */
  coolUrl?: string;
  coolBody?: string;
  headers: Record<string, string>;
  timeoutSeconds: number;
  /** Retries after a failure (timeout, 5xx), with exponential backoff from 1 s. */
  retries: number;
  /** A JSON key in the response that tells what the device does (Shelly: ison / output); else success means done. */
  stateKey?: string;
}

export interface ZoneSettings {
  name: string;
  /** simulated: the demo's simulated home; sensors: the MQTT sensors, the webhook and the Apple Home switches. */
  source: 'simulated' | 'sensors';
  sensors: SensorSettings[];
  switches: SwitchSettings;
  /** simulated: the simulated home; mqtt / http: a real device; none: Apple Home demand outputs only. */
  actuator: 'simulated' | 'mqtt' | 'http' | 'none';
  mqttOutput?: MqttOutputSettings;
  httpOutput?: HttpOutputSettings;
  /** Heat/Cool demand accessories for Apple Home automations to act on. */
  demand: 'none' | 'switch' | 'contact';
  /** Modes offered in Apple Home; 'off' is always included. */
  modes: Mode[];
  comfort: HeatCool;
  eco: HeatCool;
  limits: {
    /** Frost protection: the zone heats below this whatever the mode, °C. */
    frostProtection: number;
    /** The zone never heats above this, and cools above it when it can, °C. */
    maximum: number;
  };
  hysteresis: number;
  minOnMinutes: number;
  minOffMinutes: number;
  occupancyTimeoutMinutes: number;
  /** Whether the zone's forecaster keeps learning from its own history (off: the shipped prior only). */
  learning: boolean;
  /** 'predictive': comfort when people are home or expected, eco otherwise; 'manual': the user's target only. */
  control: 'predictive' | 'manual';
  /** 0 comfort first … 1 savings first: how sure the forecast must be before pre-heating or pre-cooling. */
  savingsBias: number;
  /** How long a change made in Apple Home holds before the schedule resumes (it also ends at the next arrival or departure). */
  holdHours: number;
  /** Minutes without a temperature reading before the zone counts its sensor as failed. */
  staleSensorMinutes: number;
  simulated: SimulatedZoneSettings;
}

export interface SimulationSettings {
  /** Clock speed-up for simulated homes: 60 runs an hour per minute. */
  timeScale: number;
  seed: number;
  occupants: number;
}

export interface MaintenanceSettings {
  /** Cron expression: when learned models and history are saved. */
  checkpoint: string;
  /** Cron expression: when history older than historyDays is deleted. */
  retention: string;
  /** Cron expression: when each zone's thermal model is fitted from its history (in a worker thread). */
  thermalFit: string;
}

export interface MqttBrokerSettings {
  /** mqtt://host:1883 or mqtts://host:8883 */
  url: string;
  username?: string;
  password?: string;
  clientId?: string;
}

export interface WebhookSettings {
  enabled: boolean;
  /** Address to listen on; 127.0.0.1 by default. Any other needs a token. */
  host: string;
  port: number;
  /** Required as "Authorization: Bearer <token>" or "token=<token>" in the query string. */
  token?: string;
}

export interface PlatformSettings {
  name: string;
  /** The broker MQTT sensors and outputs use; required when any zone has one. */
  mqtt?: MqttBrokerSettings;
  webhook: WebhookSettings;
  zones: ZoneSettings[];
  simulation: SimulationSettings;
  /** Days of history kept per zone. */
  historyDays: number;
  /** Zones that learn share the household part of their models at each checkpoint (never history). */
  federated: boolean;
  maintenance: MaintenanceSettings;
}

/** True when the zone can heat (has a heater offered in Apple Home). */
export function canHeat(zone: Pick<ZoneSettings, 'modes'>): boolean {
  return zone.modes.includes('heat') || zone.modes.includes('auto');
}

/** True when the zone can cool. */
export function canCool(zone: Pick<ZoneSettings, 'modes'>): boolean {
  return zone.modes.includes('cool') || zone.modes.includes('auto');
}
