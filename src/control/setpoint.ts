import type { HeatCool } from '../config/types';
import { ExpectedCostPlanner, PLAN_HYSTERESIS } from './expected-cost';
import { Forecast, pHomeWithin } from './forecast';

export { Forecast, pHomeAt, pHomeWithin } from './forecast';

/**
 * The forecast is read over [lead, lead + this], not at the lead alone: a fitted lead is off by
 * about 25 min on real rooms (BENCHMARKS.md, thermal check), and an arrival just after the lead
 * still finds the room cold if the lead was short.
 */
export const LEAD_MARGIN_MINUTES = 30;

// θ at the ends of the savingsBias dial, for the rule used without a room temperature. A calibrated
// P(home) hours ahead of an arrival is rarely high, so the useful θ are small: the dial is geometric.
const THETA_AT_0 = 0.0125;
const THETA_AT_1 = 0.8;

/**
 * Probability at which the zone starts getting comfortable for people it expects when it cannot
 * plan (no room temperature): the savingsBias dial, geometric from 0.0125 (0: pre-heat for any
 * plausible arrival) to 0.8 (1: only for a near-certain one).
 */
export function threshold(savingsBias: number): number {
  const b = Math.min(1, Math.max(0, savingsBias));
  return THETA_AT_0 * (THETA_AT_1 / THETA_AT_0) ** b;
}

// The price of a cold minute at the ends of the dial, in minutes of heating: geometric from 28
// (0: almost any arrival is worth heating for) to 28/256 (1: only a likely one), 1.75 in the middle.
const COST_AT_0 = 28;
const COST_AT_1 = 28 / 256;

/**
 * Minutes of heating (or cooling) one cold occupied minute is worth to the planner: the savingsBias
 * dial, geometric from 28 at 0 (comfort first) to 0.11 at 1 (savings first), 1.75 at the default.
 */
export function coldMinuteCost(savingsBias: number): number {
  const b = Math.min(1, Math.max(0, savingsBias));
  return COST_AT_0 * (COST_AT_1 / COST_AT_0) ** b;
}

/**
 * The dial's default, a cold minute worth 1.75 minutes of heating: just under 15 min/day cold on
 * the mean of the benchmark's control track (over the homes where the oracle saves anything, not
 * one home), the rule the default has followed from the start (BENCHMARKS.md).
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
  /**
   * Indoor temperature now, and the room it is in: with both, the zone plans (expected-cost.ts);
   * without, it pre-heats when P(home) over [lead, lead + LEAD_MARGIN_MINUTES] reaches threshold(savingsBias).
   */
  temperature?: number;
  room?: { tauHours: number; ratePerHour: number };
  /** Outdoor temperature, for the plan; undefined: assumed (expected-cost.ts). */
  outdoor?: number;
  /** Whether the previous decision was 'pre-comfort' (the plan's hysteresis, expected-cost.ts). */
  preComfort?: boolean;
  /** The zone's own planner (its tables are kept between ticks); a shared one otherwise. */
  planner?: ExpectedCostPlanner;
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

const sharedPlanner = new ExpectedCostPlanner();
const minutes = (m: number): string => (m < 10 ? m.toFixed(1) : m.toFixed(0));

/**
 * Comfort when someone is there. Otherwise, with the room's temperature known, the planner's
 * priced bet: comfort now when heating now costs less than the cold minutes it spares, each priced
 * at coldMinuteCost(savingsBias) minutes of heating. Without it, comfort when someone is likely
 * enough to be there by the time the room could be comfortable (up to LEAD_MARGIN_MINUTES later).
 * Eco otherwise.
 */
export function decidePredictive(i: PredictiveInput): PredictiveDecision {
  if (i.occupied) {
    return { setpoint: i.comfort, kind: 'comfort', reason: `occupied: comfort ${i.comfort.toFixed(1)} °C` };
  }
  if (!i.forecast) {
    return { setpoint: i.eco, kind: 'eco', reason: `nobody home, no forecast yet: eco ${i.eco.toFixed(1)} °C` };
  }
  const lead = Math.max(0, i.leadMinutes);
  const pre = i.action === 'heat' ? 'pre-heat' : 'pre-cool';
  const room = i.room;
  if (i.temperature !== undefined && Number.isFinite(i.temperature) && room && room.tauHours > 0 && room.ratePerHour > 0
    && Number.isFinite(room.tauHours) && Number.isFinite(room.ratePerHour)) {
    const price = coldMinuteCost(i.savingsBias);
    const plan = (i.planner ?? sharedPlanner).plan({
      temperature: i.temperature, outdoor: i.outdoor, comfort: i.comfort, eco: i.eco, action: i.action, room,
      forecast: i.forecast, coldMinuteCost: price, running: i.preComfort,
    });
    const extra = plan.heatMinutes.run - plan.heatMinutes.idle;
    const spared = plan.coldMinutes.idle - plan.coldMinutes.run;
    const verb = i.action === 'heat' ? 'heating' : 'cooling';
    const sum = `p(home within ${plan.reachMinutes} min)=${prob(plan.pArrival)}, needs ${Math.round(lead)} min`;
    const bet = `${minutes(Math.max(0, extra))} min of ${verb}, spares ${minutes(Math.max(0, spared))} expected `
      + `${i.action === 'heat' ? 'cold' : 'hot'} min (× ${price.toFixed(2)})`;
    if (plan.held) {
      return {
        setpoint: i.comfort,
        kind: 'pre-comfort',
        reason: `${pre}: going on to ${PLAN_HYSTERESIS} °C past where it pays; ${verb} now costs ${bet}; ${sum}`,
      };
    }
    if (plan.run) {
      return { setpoint: i.comfort, kind: 'pre-comfort', reason: `${pre}: ${verb} now costs ${bet}; ${sum}` };
    }
    return {
      setpoint: i.eco,
      kind: 'eco',
      reason: `set back: ${verb} now would cost ${bet}; ${sum}: eco ${i.eco.toFixed(1)} °C`,
    };
  }
  const p = pHomeWithin(i.forecast, lead, lead + LEAD_MARGIN_MINUTES);
  const theta = threshold(i.savingsBias);
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
