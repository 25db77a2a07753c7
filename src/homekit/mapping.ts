import type { Mode } from '../config/types';
import type { DisplayUnits } from '../zone/zone';

// HAP's enumerations, by value (the HAP spec fixes them); a test checks them against hap-nodejs.
export const TargetState = { OFF: 0, HEAT: 1, COOL: 2, AUTO: 3 } as const;
export const CurrentState = { OFF: 0, HEAT: 1, COOL: 2 } as const;
export const Units = { CELSIUS: 0, FAHRENHEIT: 1 } as const;

const MODE_TO_TARGET: Record<Mode, number> = {
  off: TargetState.OFF, heat: TargetState.HEAT, cool: TargetState.COOL, auto: TargetState.AUTO,
};

export function modeToTargetState(mode: Mode): number {
  return MODE_TO_TARGET[mode];
}

/** undefined for a value HAP does not define. */
export function targetStateToMode(value: unknown): Mode | undefined {
  return (Object.keys(MODE_TO_TARGET) as Mode[]).find((m) => MODE_TO_TARGET[m] === value);
}

/** What the equipment is doing now, not the mode: OFF when idle. */
export function currentState(s: { heating: boolean; cooling: boolean }): number {
  return s.heating ? CurrentState.HEAT : s.cooling ? CurrentState.COOL : CurrentState.OFF;
}

export function validTargetStates(modes: readonly Mode[]): number[] {
  return modes.map(modeToTargetState).sort((a, b) => a - b);
}

export function unitsToHap(units: DisplayUnits): number {
  return units === 'fahrenheit' ? Units.FAHRENHEIT : Units.CELSIUS;
}

export function hapToUnits(value: unknown): DisplayUnits | undefined {
  return value === Units.FAHRENHEIT ? 'fahrenheit' : value === Units.CELSIUS ? 'celsius' : undefined;
}

/** Setpoint props: the zone's real limits, at 0.1 °C so a Fahrenheit choice round-trips (72 °F ↔ 22.2 °C). */
export function setpointProps(limits: { frostProtection: number; maximum: number }) {
  return { minValue: limits.frostProtection, maxValue: limits.maximum, minStep: 0.1 };
}

export const CURRENT_TEMPERATURE_PROPS = { minValue: -40, maxValue: 100, minStep: 0.1 };

/** Temperatures go to HomeKit at 0.1 °C, the resolution it shows. */
export function roundTenth(v: number): number {
  return Math.round(v * 10) / 10;
}
