import { HOUR_MS } from './time';

// Module-level aliases: global lookups are slow inside Jest's vm sandbox, where tests run simulated years.
const { exp, log } = Math;

/** First-order grey-box room: one time constant plus constant-power heater and cooler. */
export interface ThermalParams {
  /** Time constant of the room's loss to outdoors, hours. */
  tauHours: number;
  /** °C/h the heater alone adds when indoor equals outdoor. */
  heaterCPerHour: number;
  /** °C/h the cooler alone removes when indoor equals outdoor. */
  coolerCPerHour: number;
}

/** Temperature the room settles at with these inputs held constant. */
export function equilibrium(Tout: number, p: ThermalParams, heating: boolean, cooling: boolean): number {
  return Tout + p.tauHours * ((heating ? p.heaterCPerHour : 0) - (cooling ? p.coolerCPerHour : 0));
}

/**
 * Exact solution of dT/dt = (Tout - T)/tau + heat - cool over `dtMs` with constant inputs, so one big
 * step equals many small ones.
 */
export function stepTemperature(
  T: number,
  Tout: number,
  p: ThermalParams,
  heating: boolean,
  cooling: boolean,
  dtMs: number,
): number {
  if (!(dtMs > 0)) {
    return T;
  }
  const teq = equilibrium(Tout, p, heating, cooling);
  return teq + (T - teq) * exp(-dtMs / (p.tauHours * HOUR_MS));
}

/**
 * Milliseconds the heater (or cooler) alone needs to take T to `target` with constant Tout: 0 if already
 * there, Infinity if the equilibrium never gets past the target.
 */
export function timeToReach(T: number, target: number, Tout: number, p: ThermalParams, mode: 'heat' | 'cool'): number {
  let teq: number;
  if (mode === 'heat') {
    if (T >= target) {
      return 0;
    }
    teq = equilibrium(Tout, p, true, false);
    if (teq <= target) {
      return Infinity;
    }
  } else {
    if (T <= target) {
      return 0;
    }
    teq = equilibrium(Tout, p, false, true);
    if (teq >= target) {
      return Infinity;
    }
  }
  return p.tauHours * HOUR_MS * log((T - teq) / (target - teq));
}

/** Throws a RangeError naming `what` if the parameters cannot describe a room. */
export function validateThermal(p: ThermalParams, what: string): void {
  if (!(p.tauHours > 0) || !Number.isFinite(p.tauHours)) {
    throw new RangeError(`${what}: tauHours must be a positive number, got ${p.tauHours}`);
  }
  if (!(p.heaterCPerHour >= 0) || !Number.isFinite(p.heaterCPerHour)) {
    throw new RangeError(`${what}: heaterCPerHour must be >= 0, got ${p.heaterCPerHour}`);
  }
  if (!(p.coolerCPerHour >= 0) || !Number.isFinite(p.coolerCPerHour)) {
    throw new RangeError(`${what}: coolerCPerHour must be >= 0, got ${p.coolerCPerHour}`);
  }
}
