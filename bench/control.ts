import { MINUTE_MS } from './loaders/types';
import { coldMinuteCost, DEFAULT_SAVINGS_BIAS, decidePredictive, Forecast, LEAD_MARGIN_MINUTES, pHomeWithin } from '../src/control/setpoint';
import { ThermalParams, stepTemperature, timeToReach } from '../src/sim/thermal';
import { ExpectedCostPlanner } from '../src/control/expected-cost';

/**
 * Control track: the real occupancy labels of a home drive a first-order room (the plugin's own
 * thermal model, src/sim/thermal.ts), heated by a simple on/off thermostat whose setpoint each policy
 * chooses minute by minute. Forecast policies only use forecasts already issued at that minute (made
 * by the walk-forward evaluation under PastView), so control cannot peek; only the oracle reads the
 * future, by design.
 */

export interface ControlParams {
  comfort: number;
  eco: number;
  thermal: ThermalParams;
  /** Thermostat switches on below setpoint - band and off above setpoint + band. */
  band: number;
  /** Occupied minutes more than this below comfort count as missed. */
  missTolerance: number;
  /** Minutes simulated but not scored at the start (warm-up). */
  skipMinutes: number;
  initialTemperature: number;
}

export const CONTROL_DEFAULTS: ControlParams = Object.freeze({
  comfort: 21,
  eco: 16,
  thermal: Object.freeze({ tauHours: 30, heaterCPerHour: 2, coolerCPerHour: 0 }),
  band: 0.25,
  missTolerance: 0.5,
  skipMinutes: 24 * 60,
  initialTemperature: 21,
});

export const CONTROL_TAUS = [15, 30, 55];
export const CONTROL_HEATERS = [1, 2, 3];
export const DEFAULT_THETA = 0.5;

/**
 * The savingsBias sweep of the plugin's own decision (src/control/setpoint.ts), in steps of 0.025:
 * near the default, one step of 0.1 moves MissTime by 10 min/day or more, and both a straight line
 * between settings and the dominance check's staircase understate a curve that bends.
 */
export const SAVINGS_BIASES = Array.from({ length: 41 }, (_, i) => i / 40);
/** Methods whose default control is the plugin's decidePredictive at DEFAULT_SAVINGS_BIAS (the rest: θ). */
export const PLUGIN_METHODS = ['ours', 'ours-float', 'ours-noprior'];

interface ForecastInputs {
  /** P(home at issue + h) per issue minute, one array per horizon (same order as `horizons`). */
  forecasts: readonly Float32Array[];
  horizons: readonly number[];
  /** Who says "occupied now": the true label (forecast track) or the method's own +15 forecast (sensor-only). */
  occupiedNow: 'label' | 'forecast';
}

/** How a policy picks the setpoint. */
export type Policy =
  | { kind: 'always' }
  | { kind: 'oracle' }
  /**
   * Comfort when home now or P(home at now + lead) ≥ θ; with a margin, the highest P over
   * [lead, lead + margin] (the plugin's reading of a forecast, for a like-for-like comparison).
   */
  | ({ kind: 'forecast'; theta: number; marginMinutes?: number } & ForecastInputs)
  /** The plugin's own decision: decidePredictive with this savingsBias. */
  | ({ kind: 'plugin'; savingsBias: number } & ForecastInputs);

/** Raw totals of one simulation over the scored minutes. */
export interface ControlRun {
  scoredMinutes: number;
  /** Scored minutes with a known label. */
  labelledMinutes: number;
  occupiedMinutes: number;
  heaterOnMinutes: number;
  missMinutes: number;
  /** Occupied minutes × °C below (comfort − missTolerance), in °C·h. */
  discomfortDegreeHours: number;
  comfortMinutes: number;
}

/**
 * P(home at t + lead) from forecasts at fixed horizons: linear between neighbouring horizons,
 * the first below the shortest, the last beyond the longest.
 */
export function forecastAtLead(forecasts: readonly Float32Array[], horizons: readonly number[], i: number, lead: number): number {
  const last = horizons.length - 1;
  if (!(lead > horizons[0])) return forecasts[0][i];
  if (lead >= horizons[last]) return forecasts[last][i];
  let k = 0;
  while (horizons[k + 1] < lead) k++;
  const w = (lead - horizons[k]) / (horizons[k + 1] - horizons[k]);
  return forecasts[k][i] * (1 - w) + forecasts[k + 1][i] * w;
}

/** For each minute, the first minute >= i labelled home (n if none). */
export function nextHomeIndex(labels: ArrayLike<number>, n: number): Int32Array {
  const next = new Int32Array(n + 1);
  next[n] = n;
  for (let i = n - 1; i >= 0; i--) next[i] = labels[i] === 1 ? i : next[i + 1];
  return next;
}

/** Runs one policy over the first n minutes of a home. `outdoor` holds °C per minute. */
export function simulateControl(
  labels: ArrayLike<number>,
  outdoor: ArrayLike<number>,
  n: number,
  policy: Policy,
  params: ControlParams = CONTROL_DEFAULTS,
  nextHome?: Int32Array,
): ControlRun {
  const { comfort, eco, thermal, band, missTolerance, skipMinutes } = params;
  const next = policy.kind === 'oracle' ? (nextHome ?? nextHomeIndex(labels, n)) : undefined;
  const run: ControlRun = {
    scoredMinutes: 0, labelledMinutes: 0, occupiedMinutes: 0, heaterOnMinutes: 0, missMinutes: 0, discomfortDegreeHours: 0, comfortMinutes: 0,
  };
  let T = params.initialTemperature;
  let on = false;
  // The plugin's decision reads one minute's forecasts at a time; one buffer, refilled each minute.
  const margin = policy.kind === 'forecast' ? policy.marginMinutes ?? 0 : 0;
  const perColumn = policy.kind === 'plugin' || margin > 0;
  const column = perColumn ? new Float64Array((policy as ForecastInputs).horizons.length) : undefined;
  const forecast: Forecast | undefined = perColumn ? { horizons: (policy as ForecastInputs).horizons, pHome: column! } : undefined;
  // The plugin plans with the room it would have fitted; here, the room itself (as for the lead).
  const planner = policy.kind === 'plugin' ? new ExpectedCostPlanner() : undefined;
  const room = { tauHours: thermal.tauHours, ratePerHour: thermal.heaterCPerHour };
  let preComfort = false;
  for (let i = 0; i < n; i++) {
    const tout = outdoor[i];
    const label = labels[i];
    let setpoint: number;
    if (policy.kind === 'always') {
      setpoint = comfort;
    } else {
      // Lead: how long the heater needs from here to comfort (Infinity if it never gets there).
      const leadMin = timeToReach(T, comfort, tout, thermal, 'heat') / MINUTE_MS;
      if (policy.kind === 'oracle') {
        setpoint = label === 1 || next![i] - i <= leadMin ? comfort : eco;
      } else {
        const f = policy.forecasts;
        const here = policy.occupiedNow === 'label' ? label === 1 : f[0][i] >= 0.5;
        if (column) for (let k = 0; k < f.length; k++) column[k] = f[k][i];
        if (policy.kind === 'forecast' && margin > 0) {
          setpoint = here || pHomeWithin(forecast!, Math.max(0, leadMin), Math.max(0, leadMin) + margin) >= policy.theta ? comfort : eco;
        } else if (policy.kind === 'forecast') {
          setpoint = here || forecastAtLead(f, policy.horizons, i, leadMin) >= policy.theta ? comfort : eco;
        } else {
          const d = decidePredictive({
            occupied: here, forecast, leadMinutes: leadMin, savingsBias: policy.savingsBias, comfort, eco, action: 'heat',
            temperature: T, outdoor: tout, room, planner, preComfort,
          });
          setpoint = d.setpoint;
          preComfort = d.kind === 'pre-comfort';
        }
      }
    }
    if (T < setpoint - band) on = true;
    else if (T > setpoint + band) on = false;
    if (i >= skipMinutes) {
      run.scoredMinutes++;
      if (on) run.heaterOnMinutes++;
      if (setpoint === comfort) run.comfortMinutes++;
      if (label >= 0) run.labelledMinutes++;
      if (label === 1) {
        run.occupiedMinutes++;
        const below = comfort - missTolerance - T;
        if (below > 0) {
          run.missMinutes++;
          run.discomfortDegreeHours += below / 60;
        }
      }
    }
    T = stepTemperature(T, tout, thermal, on, false, MINUTE_MS);
  }
  return run;
}

export interface ControlScore {
  savingsPct: number | null;
  missMinPerDay: number | null;
  /** Savings as a share of the oracle's; null when the oracle saves (almost) nothing. */
  oracleShare: number | null;
  energyShare: number | null;
  heaterOnMinutes: number;
  discomfortDegreeHoursPerDay: number | null;
  /** Share of scored minutes at the comfort setpoint. */
  comfortShare: number | null;
}

/** Oracle savings below this (percentage points) make oracleShare meaningless. */
export const ORACLE_MIN_SAVINGS_PCT = 0.2;

const round = (x: number, d = 4): number => Number(x.toFixed(d));

export function scoreRun(run: ControlRun, always: ControlRun, oracle: ControlRun | undefined): ControlScore {
  const savings = (r: ControlRun): number => (always.heaterOnMinutes > 0 ? (100 * (always.heaterOnMinutes - r.heaterOnMinutes)) / always.heaterOnMinutes : NaN);
  const s = savings(run);
  const o = oracle ? savings(oracle) : NaN;
  const days = run.labelledMinutes / 1440;
  const ok = (x: number, d = 4): number | null => (Number.isFinite(x) ? round(x, d) : null);
  return {
    savingsPct: ok(s, 3),
    missMinPerDay: days > 0 ? round(run.missMinutes / days, 2) : null,
    oracleShare: o >= ORACLE_MIN_SAVINGS_PCT ? ok(s / o, 3) : null,
    energyShare: run.scoredMinutes > 0 ? round(run.heaterOnMinutes / run.scoredMinutes) : null,
    heaterOnMinutes: run.heaterOnMinutes,
    discomfortDegreeHoursPerDay: days > 0 ? round(run.discomfortDegreeHours / days, 3) : null,
    comfortShare: run.scoredMinutes > 0 ? round(run.comfortMinutes / run.scoredMinutes) : null,
  };
}

/** Per-minute forecasts of one method on one track, as collected from the evaluation walk. */
export interface MethodForecast {
  /** Ascending; may go beyond the scored horizons (the method's extraHorizons). */
  horizons: readonly number[];
  /** One array per horizon, indexed by issue minute. */
  byIssue: readonly Float32Array[];
}
export type MethodForecasts = Record<string, MethodForecast>;

export interface HomeControlInput {
  labels: ArrayLike<number>;
  outdoor: ArrayLike<number>;
  n: number;
  /** track -> method -> per-horizon forecasts */
  forecasts: { forecast: MethodForecasts; sensorOnly: MethodForecasts };
}

export type TrackControl = Record<string, ControlScore>;
export interface CurvePoint extends ControlScore {
  theta: number | null;
}
export interface BiasPoint extends ControlScore {
  savingsBias: number;
  /** coldMinuteCost(savingsBias): the price of a cold minute the plugin's planner uses. */
  coldMinuteCost: number;
}

export interface HomeControlResult {
  params: {
    comfort: number; eco: number; tauHours: number; heaterCPerHour: number; theta: number; band: number; missTolerance: number;
    /** The plugin's methods are scored at this savingsBias (a cold minute priced at pluginColdMinuteCost) instead of θ. */
    pluginMethods: string[]; savingsBias: number; pluginColdMinuteCost: number;
    /** Longest horizon each method's control could read. */
    maxHorizon: Record<string, number>;
  };
  forecast: TrackControl;
  sensorOnly: TrackControl;
  /** θ sweep for every method (θ compared directly), and the savingsBias sweep of the plugin's decision. */
  curve: {
    thetas: number[];
    forecast: Record<string, CurvePoint[]>;
    sensorOnly: Record<string, CurvePoint[]>;
    savingsBiases: number[];
    bias: { forecast: Record<string, BiasPoint[]>; sensorOnly: Record<string, BiasPoint[]> };
    /**
     * The θ sweep of the other methods read as the plugin reads a forecast: the highest P over
     * [lead, lead + LEAD_MARGIN_MINUTES]. Compares forecasters under one control rule.
     */
    withMargin: { marginMinutes: number; forecast: Record<string, CurvePoint[]>; sensorOnly: Record<string, CurvePoint[]> };
  };
  /**
   * Per track: the other methods' θ points (as published, and "<method>+margin" read with the
   * plugin's margin) that the first plugin method's savingsBias sweep does not dominate.
   */
  dominance: { method: string; forecast: DominanceGap[]; sensorOnly: DominanceGap[] };
  variants: Record<string, { tauHours: number; heaterCPerHour: number; alwaysMissMinPerDay: number | null; forecast: TrackControl; sensorOnly: TrackControl }>;
}

/** A point of another method's θ sweep that no setting of the plugin's dial matches. */
export interface DominanceGap {
  method: string;
  theta: number | null;
  missMinPerDay: number;
  savingsPct: number;
  /** The most the plugin's sweep saves at no more MissTime (null: every setting is colder). */
  oursSavingsPct: number | null;
}

/**
 * Where the plugin's savingsBias sweep fails to dominate: each point of another method's θ sweep
 * (up to `maxMiss` min/day) for which no setting of the dial is at least as warm and saves at least
 * as much, within a tolerance for noise (MissTime `missSlack` min/day, savings `savingsSlack` points).
 * Settings are compared as they are, without drawing lines between them.
 */
export function dominanceGaps(
  ours: readonly ControlScore[],
  others: Record<string, readonly CurvePoint[]>,
  opts: { maxMiss?: number; missSlack?: number; savingsSlack?: number } = {},
): DominanceGap[] {
  const maxMiss = opts.maxMiss ?? 60;
  const missSlack = opts.missSlack ?? 0.5;
  const savingsSlack = opts.savingsSlack ?? 0.05;
  const gaps: DominanceGap[] = [];
  for (const [method, points] of Object.entries(others)) {
    for (const p of points) {
      if (p.missMinPerDay === null || p.savingsPct === null || p.missMinPerDay > maxMiss) continue;
      let best: number | null = null;
      for (const o of ours) {
        if (o.missMinPerDay !== null && o.savingsPct !== null && o.missMinPerDay <= p.missMinPerDay + missSlack) {
          best = best === null ? o.savingsPct : Math.max(best, o.savingsPct);
        }
      }
      if (best === null || best < p.savingsPct - savingsSlack) {
        gaps.push({ method, theta: p.theta, missMinPerDay: p.missMinPerDay, savingsPct: p.savingsPct, oursSavingsPct: best });
      }
    }
  }
  return gaps;
}

/** Methods whose control entry is a fixed policy rather than a forecast (always-home = always comfort). */
const FIXED = new Set(['always', 'oracle']);

/** At a setting: the plugin's methods at a savingsBias, the others at θ; `theta` alone puts every method at θ. */
interface Setting {
  theta: number;
  savingsBias?: number;
  plugin?: ReadonlySet<string>;
  /** θ-methods read the highest P over [lead, lead + this] instead of P at the lead. */
  marginMinutes?: number;
}

function trackScores(
  input: HomeControlInput,
  track: 'forecast' | 'sensorOnly',
  setting: Setting,
  params: ControlParams,
  always: ControlRun,
  oracle: ControlRun,
  only?: (m: string) => boolean,
): TrackControl {
  const out: TrackControl = {};
  for (const [m, f] of Object.entries(input.forecasts[track])) {
    if (FIXED.has(m) || (only && !only(m))) continue;
    const inputs: ForecastInputs = { forecasts: f.byIssue, horizons: f.horizons, occupiedNow: track === 'forecast' ? 'label' : 'forecast' };
    const policy: Policy = setting.savingsBias !== undefined && setting.plugin?.has(m)
      ? { kind: 'plugin', savingsBias: setting.savingsBias, ...inputs }
      : { kind: 'forecast', theta: setting.theta, marginMinutes: setting.marginMinutes, ...inputs };
    out[m] = scoreRun(simulateControl(input.labels, input.outdoor, input.n, policy, params), always, oracle);
  }
  if (!only) {
    out.always = scoreRun(always, always, oracle);
    out.oracle = scoreRun(oracle, always, oracle);
  }
  return out;
}

/**
 * The control track of one home: the default setting and room for both tracks (the plugin's methods
 * through its own decision at the default savingsBias, the others at θ), the θ sweep for every
 * method and the savingsBias sweep for the plugin's (savings vs MissTime), and the other room/heater
 * combinations at the default setting.
 */
export function controlForHome(
  input: HomeControlInput,
  opts: {
    thetas: number[]; theta?: number; base?: ControlParams; taus?: number[]; heaters?: number[];
    pluginMethods?: string[]; savingsBias?: number; savingsBiases?: number[];
  },
): HomeControlResult {
  const base = opts.base ?? CONTROL_DEFAULTS;
  const theta = opts.theta ?? DEFAULT_THETA;
  const savingsBias = opts.savingsBias ?? DEFAULT_SAVINGS_BIAS;
  const plugin = new Set(opts.pluginMethods ?? PLUGIN_METHODS);
  const biases = [...new Set([...(opts.savingsBiases ?? SAVINGS_BIASES), savingsBias])].sort((a, b) => a - b);
  const def: Setting = { theta, savingsBias, plugin };
  const isPlugin = (m: string): boolean => plugin.has(m);
  const maxHorizon: Record<string, number> = {};
  for (const tr of [input.forecasts.forecast, input.forecasts.sensorOnly]) {
    for (const [m, f] of Object.entries(tr)) maxHorizon[m] = Math.max(maxHorizon[m] ?? 0, f.horizons[f.horizons.length - 1]);
  }
  const next = nextHomeIndex(input.labels, input.n);
  const fixedRuns = (p: ControlParams) => ({
    always: simulateControl(input.labels, input.outdoor, input.n, { kind: 'always' }, p),
    oracle: simulateControl(input.labels, input.outdoor, input.n, { kind: 'oracle' }, p, next),
  });
  const fixed = fixedRuns(base);
  const result: HomeControlResult = {
    params: {
      comfort: base.comfort, eco: base.eco, tauHours: base.thermal.tauHours, heaterCPerHour: base.thermal.heaterCPerHour, theta,
      band: base.band, missTolerance: base.missTolerance,
      pluginMethods: [...plugin], savingsBias, pluginColdMinuteCost: coldMinuteCost(savingsBias), maxHorizon,
    },
    forecast: trackScores(input, 'forecast', def, base, fixed.always, fixed.oracle),
    sensorOnly: trackScores(input, 'sensorOnly', def, base, fixed.always, fixed.oracle),
    curve: {
      thetas: opts.thetas, forecast: {}, sensorOnly: {}, savingsBiases: biases, bias: { forecast: {}, sensorOnly: {} },
      withMargin: { marginMinutes: LEAD_MARGIN_MINUTES, forecast: {}, sensorOnly: {} },
    },
    dominance: { method: [...plugin][0], forecast: [], sensorOnly: [] },
    variants: {},
  };
  for (const track of ['forecast', 'sensorOnly'] as const) {
    const curve = result.curve[track];
    for (const th of opts.thetas) {
      // The default result already holds every θ-method at the default θ; the plugin's are at their savingsBias.
      const scores = th === theta
        ? { ...result[track], ...trackScores(input, track, { theta: th }, base, fixed.always, fixed.oracle, isPlugin) }
        : trackScores(input, track, { theta: th }, base, fixed.always, fixed.oracle);
      for (const [m, s] of Object.entries(scores)) {
        if (FIXED.has(m)) continue;
        (curve[m] ??= []).push({ theta: th, ...s });
      }
    }
    curve.always = [{ theta: null, ...result[track].always }];
    curve.oracle = [{ theta: null, ...result[track].oracle }];
    // The dial is swept for the first plugin method only (the one checked for dominance): each
    // setting plans every minute nobody is home, and the other plugin methods are variants of its forecaster.
    const biasCurve = result.curve.bias[track];
    const swept = (m: string): boolean => m === result.dominance.method;
    for (const b of biases) {
      const scores = b === savingsBias
        ? Object.fromEntries(Object.entries(result[track]).filter(([m]) => swept(m)))
        : trackScores(input, track, { theta, savingsBias: b, plugin }, base, fixed.always, fixed.oracle, swept);
      for (const [m, s] of Object.entries(scores)) (biasCurve[m] ??= []).push({ savingsBias: b, coldMinuteCost: coldMinuteCost(b), ...s });
    }
    const withMargin = result.curve.withMargin[track];
    for (const th of opts.thetas) {
      const scores = trackScores(input, track, { theta: th, marginMinutes: LEAD_MARGIN_MINUTES }, base, fixed.always, fixed.oracle,
        (m) => !isPlugin(m));
      for (const [m, sc] of Object.entries(scores)) (withMargin[m] ??= []).push({ theta: th, ...sc });
    }
    const ours = biasCurve[result.dominance.method];
    if (ours) {
      const others = Object.fromEntries(Object.entries(curve).filter(([m]) => !isPlugin(m) && !FIXED.has(m)));
      for (const [m, pts] of Object.entries(withMargin)) others[`${m}+margin`] = pts;
      result.dominance[track] = dominanceGaps(ours, others);
    }
  }
  for (const tau of opts.taus ?? CONTROL_TAUS) {
    for (const heat of opts.heaters ?? CONTROL_HEATERS) {
      const p: ControlParams = { ...base, thermal: { ...base.thermal, tauHours: tau, heaterCPerHour: heat } };
      const isDefault = tau === base.thermal.tauHours && heat === base.thermal.heaterCPerHour;
      const runs = isDefault ? fixed : fixedRuns(p);
      const fc = isDefault ? result.forecast : trackScores(input, 'forecast', def, p, runs.always, runs.oracle);
      result.variants[`tau${tau}-heat${heat}`] = {
        tauHours: tau,
        heaterCPerHour: heat,
        // Non-zero when this heater cannot even hold comfort: every saving there is partly cold rooms.
        alwaysMissMinPerDay: fc.always.missMinPerDay,
        forecast: fc,
        sensorOnly: isDefault ? result.sensorOnly : trackScores(input, 'sensorOnly', def, p, runs.always, runs.oracle),
      };
    }
  }
  return result;
}
