import { Household, HouseholdParams, SensorEvent } from './household';
import { OutdoorCurve, TEMPERATE_CURVE, outdoorTemperature } from './outdoor';
import { ThermalParams, stepTemperature, validateThermal } from './thermal';
import { DAY_MS, MINUTE_MS } from './time';

// Module-level aliases: global lookups are slow inside Jest's vm sandbox, where tests run simulated years.
const { PI, cos, floor, max, min, round, sin } = Math;

export interface SimZoneSpec {
  name: string;
  thermal: ThermalParams;
  initialTemperature: number;
  /** Mean relative humidity, %; default 47. */
  humidity?: number;
}

export interface SimHomeParams {
  household: HouseholdParams;
  /** Defaults to TEMPERATE_CURVE; without its own utcOffsetMinutes it uses the household's. */
  outdoor?: OutdoorCurve;
  zones: SimZoneSpec[];
  start: number;
}

interface ZoneState {
  readonly name: string;
  readonly thermal: ThermalParams;
  readonly meanHumidity: number;
  /** Phase offset so zones' humidity does not move in lockstep. */
  readonly phase: number;
  temperature: number;
  heating: boolean;
  cooling: boolean;
  heatingMs: number;
  coolingMs: number;
}

// Outdoor temperature is held constant over each minute of an epoch-aligned grid, so the exact room
// step makes the result independent of how callers split time.
const STEP_MS = MINUTE_MS;
const DEFAULT_HUMIDITY = 47;

/** Rooms of one home sharing a household and an outdoor climate; integrates on demand. */
export class SimulatedHome {
  readonly household: Household;
  readonly outdoor: OutdoorCurve;
  private readonly zones: ZoneState[] = [];
  private readonly byName = new Map<string, ZoneState>();
  private current: number;
  private cachedCell = NaN;
  private cachedOutdoor = 0;

  constructor(params: SimHomeParams) {
    if (!Number.isFinite(params.start)) {
      throw new RangeError(`start must be a finite time, got ${params.start}`);
    }
    this.household = new Household(params.household);
    const curve = params.outdoor ?? TEMPERATE_CURVE;
    this.outdoor = Object.freeze({
      ...curve,
      utcOffsetMinutes: curve.utcOffsetMinutes ?? this.household.params.utcOffsetMinutes,
    });
    this.current = params.start;
    params.zones.forEach((spec, index) => {
      if (this.byName.has(spec.name)) {
        throw new Error(`duplicate simulated zone "${spec.name}"`);
      }
      validateThermal(spec.thermal, `zone "${spec.name}"`);
      if (!Number.isFinite(spec.initialTemperature)) {
        throw new RangeError(`zone "${spec.name}": initialTemperature must be finite, got ${spec.initialTemperature}`);
      }
      const state: ZoneState = {
        name: spec.name,
        thermal: { ...spec.thermal },
        meanHumidity: spec.humidity ?? DEFAULT_HUMIDITY,
        phase: index * 2.1,
        temperature: spec.initialTemperature,
        heating: false,
        cooling: false,
        heatingMs: 0,
        coolingMs: 0,
      };
      this.zones.push(state);
      this.byName.set(spec.name, state);
    });
  }

  /** Simulated time the zones have been integrated up to. */
  get now(): number {
    return this.current;
  }

  /** Integrates every zone up to t with the equipment as it is, in steps of at most 60 s; earlier t is ignored. */
  advanceTo(t: number): void {
    if (!(t > this.current)) {
      return;
    }
    let a = this.current;
    while (a < t) {
      const cell = floor(a / STEP_MS);
      const b = min((cell + 1) * STEP_MS, t);
      const tout = this.gridOutdoor(cell);
      const dt = b - a;
      for (const z of this.zones) {
        z.temperature = stepTemperature(z.temperature, tout, z.thermal, z.heating, z.cooling, dt);
        if (z.heating) {
          z.heatingMs += dt;
        }
        if (z.cooling) {
          z.coolingMs += dt;
        }
      }
      a = b;
    }
    this.current = t;
  }

  /** advanceTo(t), then switches the zone's heater and cooler. */
  setEquipment(zone: string, state: { heating: boolean; cooling: boolean }, t: number): void {
    const z = this.get(zone);
    this.advanceTo(t);
    z.heating = state.heating;
    z.cooling = state.cooling;
  }

  /** The zone as of `now`. */
  zone(zone: string): { temperature: number; humidity: number; heating: boolean; cooling: boolean } {
    const z = this.get(zone);
    return { temperature: z.temperature, humidity: this.humidity(z), heating: z.heating, cooling: z.cooling };
  }

  outdoorTemperature(t: number): number {
    return outdoorTemperature(t, this.outdoor);
  }

  /** Household sensor events in [from, to) as this zone sees them (currently every zone sees all). */
  events(zone: string, from: number, to: number): SensorEvent[] {
    this.get(zone);
    return this.household.events(from, to);
  }

  /** Heater and cooler on-time in ms since start. */
  runtime(zone: string): { heatingMs: number; coolingMs: number } {
    const z = this.get(zone);
    return { heatingMs: z.heatingMs, coolingMs: z.coolingMs };
  }

  private get(zone: string): ZoneState {
    const z = this.byName.get(zone);
    if (z === undefined) {
      throw new Error(`unknown simulated zone "${zone}"`);
    }
    return z;
  }

  private gridOutdoor(cell: number): number {
    if (cell !== this.cachedCell) {
      this.cachedCell = cell;
      this.cachedOutdoor = outdoorTemperature((cell + 0.5) * STEP_MS, this.outdoor);
    }
    return this.cachedOutdoor;
  }

  /** Believable relative humidity: slow seasonal and weather-like swings, drier when the room is warm. */
  private humidity(z: ZoneState): number {
    const days = this.current / DAY_MS;
    const rh =
      z.meanHumidity +
      4 * cos((2 * PI * (days - 200)) / 365.2425) +
      3 * sin((2 * PI * days) / 3.3 + z.phase) +
      1.5 * sin((2 * PI * days) / 0.93 + 1.7 * z.phase) -
      0.8 * (z.temperature - 20);
    return round(min(70, max(25, rh)) * 10) / 10;
  }
}
