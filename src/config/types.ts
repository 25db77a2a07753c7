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

export interface ZoneSettings {
  name: string;
  source: 'simulated';
  actuator: 'simulated';
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

export interface PlatformSettings {
  name: string;
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
