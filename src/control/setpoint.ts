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

/**
 * Highest P(home) anywhere in [from, to] minutes ahead. The forecast is linear between horizons, so
 * the ends and the horizons inside are enough.
 */
export function pHomeWithin(forecast: Forecast, from: number, to: number): number {
  let p = Math.max(pHomeAt(forecast, from), pHomeAt(forecast, to));
  for (let k = 0; k < forecast.horizons.length; k++) {
    const h = forecast.horizons[k];
    if (h > from && h < to) {
      p = Math.max(p, forecast.pHome[k]);
    }
  }
  return p;
}

/**
 * The forecast is read over [lead, lead + this], not at the lead alone: a fitted lead is off by
 * about 25 min on real rooms (BENCHMARKS.md, thermal check), and an arrival just after the lead
 * still finds the room cold if the lead was short.
 */
export const LEAD_MARGIN_MINUTES = 30;

// θ at the ends of the savingsBias dial. A calibrated P(home) hours ahead of an arrival is rarely
// high, so the useful θ are small: the dial is geometric, and its middle, 0.1, is the default.
const THETA_AT_0 = 0.0125;
const THETA_AT_1 = 0.8;

/**
 * Probability at which the zone starts getting comfortable for people it expects: the savingsBias
 * dial, geometric from 0.0125 (0: pre-heat for any plausible arrival) to 0.8 (1: only for a near-certain one).
 */
export function threshold(savingsBias: number): number {
  const b = Math.min(1, Math.max(0, savingsBias));
  return THETA_AT_0 * (THETA_AT_1 / THETA_AT_0) ** b;
}

/**
 * The dial's default, θ 0.1: near the knee of savings against MissTime in the benchmark's control
 * track (mean over the homes where the oracle saves anything, not one home), under 15 min/day cold.
 */
export const DEFAULT_SAVINGS_BIAS = 0.5;

/** Probabilities in reasons: small ones keep a third decimal, since θ itself can be 0.002–0.04. */
const prob = (p: number): string => (p < 0.1 ? p.toFixed(3) : p.toFixed(2));

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
 * could be comfortable (up to LEAD_MARGIN_MINUTES later); eco otherwise. The lead time makes
 * pre-heating start just in time.
 */
export function decidePredictive(i: PredictiveInput): PredictiveDecision {
  if (i.occupied) {
    return { setpoint: i.comfort, kind: 'comfort', reason: `occupied: comfort ${i.comfort.toFixed(1)} °C` };
  }
  if (!i.forecast) {
    return { setpoint: i.eco, kind: 'eco', reason: `nobody home, no forecast yet: eco ${i.eco.toFixed(1)} °C` };
  }
  const lead = Math.max(0, i.leadMinutes);
  const p = pHomeWithin(i.forecast, lead, lead + LEAD_MARGIN_MINUTES);
  const theta = threshold(i.savingsBias);
  const pre = i.action === 'heat' ? 'pre-heat' : 'pre-cool';
  const window = `${Math.round(lead)}–${Math.round(lead + LEAD_MARGIN_MINUTES)} min`;
  if (p >= theta) {
    return {
      setpoint: i.comfort,
      kind: 'pre-comfort',
      reason: `${pre}: p(home in ${window})=${prob(p)} ≥ ${prob(theta)}, needs ${Math.round(lead)} min`,
    };
  }
  return {
    setpoint: i.eco,
    kind: 'eco',
    reason: `set back: p(home in ${window})=${prob(p)} < ${prob(theta)}: eco ${i.eco.toFixed(1)} °C`,
  };
}

/** The comfort/eco pair for a mode's action. */
export function temperaturesFor(action: 'heat' | 'cool', comfort: HeatCool, eco: HeatCool): { comfort: number; eco: number } {
  return action === 'heat' ? { comfort: comfort.heat, eco: eco.heat } : { comfort: comfort.cool, eco: eco.cool };
}
