import type { Mode } from '../config/types';

export interface EquipmentState {
  heating: boolean;
  cooling: boolean;
  /** When the heater last switched on or off (ms); -Infinity if never. */
  heatingChangedAt: number;
  coolingChangedAt: number;
}

export interface RelayInput {
  now: number;
  mode: Mode;
  /** Setpoint in heat or cool mode. */
  target: number;
  /** Band used in auto mode. */
  heatingThreshold: number;
  coolingThreshold: number;
  /** Current room temperature; undefined when no reading is known. */
  temperature: number | undefined;
  frostProtection: number;
  maximum: number;
  hysteresis: number;
  minOnMs: number;
  minOffMs: number;
  canHeat: boolean;
  canCool: boolean;
  equipment: EquipmentState;
}

export interface RelayDecision {
  heating: boolean;
  cooling: boolean;
  reason: string;
}

const c = (v: number) => `${v.toFixed(1)} °C`;
const minutes = (ms: number) => `${Math.ceil(ms / 60000)} min`;

/** Two-point regulation around `setpoint`: on below the band, off above it, unchanged inside. */
function band(on: boolean, t: number, setpoint: number, hysteresis: number, sign: 1 | -1): boolean {
  const error = sign * (setpoint - t); // > 0 means the room needs this equipment
  return on ? error > -hysteresis / 2 : error > hysteresis / 2;
}

/**
 * Decides the heater and cooler for one tick. Frost protection and the maximum always win, over
 * the mode and over minimum on/off times; otherwise the mode's setpoint is followed with
 * hysteresis, and minimum on/off times keep the equipment from short-cycling.
 */
export function decideRelay(input: RelayInput): RelayDecision {
  const { temperature: t, equipment: eq, hysteresis: h } = input;
  if (t === undefined || !Number.isFinite(t)) {
    return { heating: false, cooling: false, reason: 'no temperature reading: equipment off' };
  }

  // Safety first: these ignore mode and minimum times.
  if (input.canHeat && (t < input.frostProtection || (eq.heating && t < input.frostProtection + h))) {
    return { heating: true, cooling: false, reason: `frost protection: ${c(t)} is below ${c(input.frostProtection)}` };
  }
  // Cooling started by the maximum keeps its hysteresis in modes that would not cool by themselves.
  const maxCoolingContinues = eq.cooling && input.canCool && t > input.maximum - h
    && (input.mode === 'off' || input.mode === 'heat');
  if (t > input.maximum || maxCoolingContinues) {
    const cooling = input.canCool;
    return {
      heating: false,
      cooling,
      reason: t > input.maximum
        ? `above maximum: ${c(t)} is over ${c(input.maximum)}, heater off${cooling ? ', cooling' : ''}`
        : `cooling down from the maximum: ${c(t)}, stops below ${c(input.maximum - h)}`,
    };
  }

  const clamp = (v: number) => Math.min(input.maximum, Math.max(input.frostProtection, v));
  let heatSetpoint: number | undefined;
  let coolSetpoint: number | undefined;
  if (input.mode === 'heat' && input.canHeat) {
    heatSetpoint = clamp(input.target);
  } else if (input.mode === 'cool' && input.canCool) {
    coolSetpoint = clamp(input.target);
  } else if (input.mode === 'auto') {
    heatSetpoint = input.canHeat ? clamp(input.heatingThreshold) : undefined;
    coolSetpoint = input.canCool ? clamp(input.coolingThreshold) : undefined;
  }

  if (heatSetpoint === undefined && coolSetpoint === undefined) {
    return { heating: false, cooling: false, reason: `mode ${input.mode}: equipment off` };
  }

  let wantHeat = heatSetpoint !== undefined && band(eq.heating, t, heatSetpoint, h, 1);
  let wantCool = coolSetpoint !== undefined && band(eq.cooling, t, coolSetpoint, h, -1);
  if (wantHeat && wantCool) {
    // Only possible with a band narrower than the hysteresis: serve the nearer need.
    wantCool = t > (heatSetpoint! + coolSetpoint!) / 2;
    wantHeat = !wantCool;
  }

  const heat = hold('heater', eq.heating, wantHeat, eq.heatingChangedAt, input);
  const cool = hold('cooler', eq.cooling, wantCool, eq.coolingChangedAt, input);
  // Never run both: a cooler kept on by its minimum time keeps the heater off, and vice versa.
  let heating = heat.on;
  let cooling = cool.on;
  if (heating && cooling) {
    if (eq.heating) {
      cooling = false;
    } else {
      heating = false;
    }
  }

  let reason: string;
  if (heat.held ?? cool.held) {
    reason = (heat.held ?? cool.held)!;
  } else if (heating) {
    reason = `heating: ${c(t)} is below ${c(heatSetpoint!)}`;
  } else if (cooling) {
    reason = `cooling: ${c(t)} is above ${c(coolSetpoint!)}`;
  } else if (heatSetpoint !== undefined && coolSetpoint !== undefined) {
    reason = `idle: ${c(t)} is within ${c(heatSetpoint)}–${c(coolSetpoint)}`;
  } else {
    const sp = (heatSetpoint ?? coolSetpoint)!;
    reason = `idle: ${c(t)} is at ${c(sp)} ± ${(h / 2).toFixed(2)}`;
  }
  return { heating, cooling, reason };
}

/** Applies minimum on/off times; explicit "off" mode still turns equipment off at once. */
function hold(
  what: string, on: boolean, want: boolean, changedAt: number, input: RelayInput,
): { on: boolean; held?: string } {
  if (on === want) {
    return { on };
  }
  const elapsed = input.now - changedAt;
  if (on && !want && input.mode !== 'off' && elapsed < input.minOnMs) {
    return { on: true, held: `${what} kept on: minimum on time (${minutes(input.minOnMs - elapsed)} left)` };
  }
  if (!on && want && elapsed < input.minOffMs) {
    return { on: false, held: `${what} kept off: minimum off time (${minutes(input.minOffMs - elapsed)} left)` };
  }
  return { on: want };
}
