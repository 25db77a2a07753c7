import type { HeatCool } from '../config/types';

/** The forecast horizons (minutes) P(home) is known at, ascending, with their probabilities. */
export interface Forecast {
  horizons: readonly number[];
  pHome: ArrayLike<number>;
}

/**
 * P(home at now + minutes), read off the forecast: linear between horizons, the nearest horizon
 * outside them (a lead shorter than the first horizon uses the first).
 */
export function pHomeAt(forecast: Forecast, minutes: number): number {
  const { horizons: h, pHome: p } = forecast;
  if (minutes <= h[0]) {
    return p[0];
  }
  for (let i = 1; i < h.length; i++) {
    if (minutes <= h[i]) {
      const w = (minutes - h[i - 1]) / (h[i] - h[i - 1]);
      return p[i - 1] * (1 - w) + p[i] * w;
    }
  }
  return p[h.length - 1];
}

/** Probability at which the zone starts getting comfortable for people it expects: the savingsBias dial. */
export function threshold(savingsBias: number): number {
  const b = Math.min(1, Math.max(0, savingsBias));
  return 0.15 + 0.7 * b;
}

export interface PredictiveInput {
  occupied: boolean;
  /** Without a forecast the zone only reacts: comfort when occupied, eco otherwise. */
  forecast?: Forecast;
  /** Minutes the equipment needs to bring the room from now to comfort (0 if it is already there). */
  leadMinutes: number;
  savingsBias: number;
  comfort: number;
  eco: number;
  /** 'heat' or 'cool': only for the wording of the reason. */
  action: 'heat' | 'cool';
}

export interface PredictiveDecision {
  setpoint: number;
  kind: 'comfort' | 'pre-comfort' | 'eco';
  reason: string;
}

/**
 * Comfort when someone is there, or when someone is likely enough to be there by the time the room
 * could be comfortable; eco otherwise. The lead time makes pre-heating start just in time.
 */
export function decidePredictive(i: PredictiveInput): PredictiveDecision {
  if (i.occupied) {
    return { setpoint: i.comfort, kind: 'comfort', reason: `occupied: comfort ${i.comfort.toFixed(1)} °C` };
  }
  if (!i.forecast) {
    return { setpoint: i.eco, kind: 'eco', reason: `nobody home, no forecast yet: eco ${i.eco.toFixed(1)} °C` };
  }
  const lead = Math.max(0, i.leadMinutes);
  const p = pHomeAt(i.forecast, lead);
  const theta = threshold(i.savingsBias);
  const pre = i.action === 'heat' ? 'pre-heat' : 'pre-cool';
  if (p >= theta) {
    return {
      setpoint: i.comfort,
      kind: 'pre-comfort',
      reason: `${pre}: p(home in ${Math.round(lead)} min)=${p.toFixed(2)} ≥ ${theta.toFixed(2)}, needs ${Math.round(lead)} min`,
    };
  }
  return {
    setpoint: i.eco,
    kind: 'eco',
    reason: `set back: p(home in ${Math.round(lead)} min)=${p.toFixed(2)} < ${theta.toFixed(2)}: eco ${i.eco.toFixed(1)} °C`,
  };
}

/** The comfort/eco pair for a mode's action. */
export function temperaturesFor(action: 'heat' | 'cool', comfort: HeatCool, eco: HeatCool): { comfort: number; eco: number } {
  return action === 'heat' ? { comfort: comfort.heat, eco: eco.heat } : { comfort: comfort.cool, eco: eco.cool };
}
