import { stepTemperature, timeToReach, ThermalParams } from '../sim/thermal';
import { Forecast, pHomeAt } from './forecast';

/**
 * Pre-heating as a priced bet. While nobody is home, heat now only if that costs less, in expected
 * minutes of heating, than the cold minutes it spares the people who may arrive, each cold minute
 * priced at `coldMinuteCost` minutes of heating (the savingsBias dial sets the price).
 *
 * The forecast gives P(home at now + h); read as "arrived by then" (its running maximum), it is a
 * distribution of the arrival time over the forecast's reach. A small dynamic program over the
 * room's temperature, in PLAN_STEP_MINUTES steps to the last horizon, finds the cheapest run/idle
 * plan for the first-order room the lead time comes from, and the first step of that plan is the
 * decision. The zone plans again every tick, so only first steps are ever used.
 *
 * The cost of a plan is the heat the room loses while nobody is home: whatever is stored in the
 * room when people are back at comfort is the same for every plan, so the losses are what a plan
 * really spends. A cold minute is an occupied minute more than COLD_TOLERANCE below comfort, with
 * the equipment running flat out from the arrival.
 *
 * Why not "P(home by the time the room could be warm) ≥ θ", the rule used before: a household that
 * may come back at any hour of an evening keeps that P near θ for hours, and the rule holds the
 * room just under comfort all evening. The plan weighs an hour of heating against the arrivals it
 * would serve, and lets the room cool while the bet is poor (BENCHMARKS.md).
 */

/** Minutes one step of the plan lasts. */
export const PLAN_STEP_MINUTES = 5;
/** Occupied minutes more than this below comfort (above, when cooling) count as cold; the relay holds ±0.25 °C. */
export const COLD_TOLERANCE = 0.5;
/**
 * Share of the heat stored above eco that counts as wasted when the forecast's reach ends with
 * nobody home yet: some of it leaks away before they come, some still helps when they do.
 */
export const STORED_HEAT_LOST = 0.5;
/**
 * Once running for the plan, the equipment goes on while running would still win with the room
 * this much cooler. Re-planned every minute without it, the target switches between comfort and eco
 * every few minutes while the plan holds the room part-way: 137–167 changes a day on the
 * benchmark's homes, 33–43 with it, for 0.14–0.23 points of savings (BENCHMARKS.md).
 */
export const PLAN_HYSTERESIS = 0.1;
/** Without an outdoor reading the room is planned as if outdoors were this far below eco (above, when cooling). */
export const ASSUMED_OUTDOOR_GAP = 10;
/** Temperature grid of the plan, °C, and its size limit (a wider span gets a coarser grid). */
const GRID_STEP = 0.2;
const GRID_MAX_POINTS = 200;
const DAY_MINUTES = 24 * 60;

export interface ExpectedCostInput {
  /** Indoor temperature now. */
  temperature: number;
  /** Outdoor temperature; undefined: ASSUMED_OUTDOOR_GAP below eco (above, when cooling). */
  outdoor?: number;
  comfort: number;
  eco: number;
  action: 'heat' | 'cool';
  /** The room: time constant, hours, and the equipment's rate with indoor = outdoor, °C/h. */
  room: { tauHours: number; ratePerHour: number };
  /** P(home at now + h), formed while nobody is home. */
  forecast: Forecast;
  /** Minutes of heating (cooling) one cold (hot) occupied minute is worth. */
  coldMinuteCost: number;
  /** Whether the previous decision was to run for the plan (see PLAN_HYSTERESIS). */
  running?: boolean;
}

export interface ExpectedCostPlan {
  /** Run the equipment now (comfort setpoint): the cheaper first step, or still short of the level plus PLAN_HYSTERESIS when already running. */
  run: boolean;
  /** Running only because of the hysteresis: idling would be cheaper now. */
  held: boolean;
  /** Expected heat lost from now on, in minutes of the equipment running, for each first step. */
  heatMinutes: { run: number; idle: number };
  /** Expected cold minutes of the arrivals within the reach, for each first step. */
  coldMinutes: { run: number; idle: number };
  /** P(someone home by the end of the reach). */
  pArrival: number;
  /** Minutes of the reach: the forecast's last horizon. */
  reachMinutes: number;
  /**
   * The level the plan holds the room at: below it (above, when cooling) running now is cheaper
   * than idling. -Infinity (+Infinity) when idling wins everywhere; +Infinity (-Infinity) when
   * running wins everywhere.
   */
  runBelow: number;
}

/**
 * The planner keeps its scratch arrays and its per-room tables from tick to tick: the arrays grow
 * once, and the tables are rebuilt only when the room, the temperatures or the outdoor reading change.
 */
export class ExpectedCostPlanner {
  private heat = new Float64Array(0);
  private cold = new Float64Array(0);
  private nextHeat = new Float64Array(0);
  private nextCold = new Float64Array(0);
  private weight = new Float64Array(0);
  private loss = new Float64Array(0);
  private coldEnd = new Float64Array(0);
  private cell = new Int32Array(0);
  private arrived = new Float64Array(0);
  /** What the tables were built for: grid floor and top, eco, comfort, outdoor, τ, rate (NaN: not built). */
  private readonly tableKey = new Float64Array(7).fill(NaN);
  private lo = 0;
  private gs = GRID_STEP;
  private n = 0;

  plan(i: ExpectedCostInput): ExpectedCostPlan {
    if (!(i.room.tauHours > 0) || !Number.isFinite(i.room.tauHours) || !(i.room.ratePerHour > 0) || !Number.isFinite(i.room.ratePerHour)) {
      throw new RangeError(`room: tauHours and ratePerHour must be positive, got ${i.room.tauHours} h and ${i.room.ratePerHour} °C/h`);
    }
    if (![i.temperature, i.comfort, i.eco].every(Number.isFinite)) {
      throw new RangeError(`temperature, comfort and eco must be numbers, got ${i.temperature}, ${i.comfort}, ${i.eco}`);
    }
    if (i.forecast.horizons.length === 0 || !(i.forecast.horizons[i.forecast.horizons.length - 1] > 0)) {
      throw new RangeError('forecast: needs at least one horizon after now');
    }
    // In u = T when heating and u = -T when cooling, the equipment always "heats".
    const sign = i.action === 'heat' ? 1 : -1;
    const uComfort = sign * i.comfort;
    const uEco = Math.min(sign * i.eco, uComfort);
    const uOut = i.outdoor !== undefined && Number.isFinite(i.outdoor) ? sign * i.outdoor : uEco - ASSUMED_OUTDOOR_GAP;
    const u0 = sign * i.temperature;
    const rate = i.room.ratePerHour;
    const params: ThermalParams = { tauHours: i.room.tauHours, heaterCPerHour: rate, coolerCPerHour: 0 };
    const lam = Math.max(0, i.coldMinuteCost);
    const hz = i.forecast.horizons;
    const reach = hz[hz.length - 1];
    const steps = Math.max(1, Math.round(reach / PLAN_STEP_MINUTES));
    const dt = PLAN_STEP_MINUTES * 60_000;
    const target = uComfort - COLD_TOLERANCE;
    const lossPerStep = (a: number, b: number) => (((a + b) / 2 - uOut) / (params.tauHours * rate)) * PLAN_STEP_MINUTES;
    // Cold minutes of an arrival at u. Equipment too weak to ever get there: a day, plus the gap at
    // its nominal rate, so that a warmer room still counts as less cold.
    const coldAt = (u: number) => {
      if (u >= target) {
        return 0;
      }
      const m = timeToReach(u, target, uOut, params, 'heat') / 60_000;
      return Number.isFinite(m) ? Math.min(DAY_MINUTES, m) : DAY_MINUTES + ((target - u) / rate) * 60;
    };

    // Arrival distribution: F[m] = P(arrived by step m), non-decreasing.
    const F = this.grow('arrived', steps + 1);
    F[0] = 0;
    for (let m = 1; m <= steps; m++) {
      F[m] = Math.max(F[m - 1], Math.min(1, Math.max(0, pHomeAt(i.forecast, m * PLAN_STEP_MINUTES))));
    }

    // The grid spans eco - 1 °C to comfort + 0.5 °C, in whole degrees, wider when the room (or one
    // step of running from it) is outside; one node sits on the cold threshold, where the cold
    // minutes have a kink.
    const lo0 = Math.floor(Math.min(uEco - 1, u0 - 0.5));
    const hi0 = Math.ceil(Math.max(uComfort + 0.5, u0 + (rate * PLAN_STEP_MINUTES) / 60 + GRID_STEP));
    const key = this.tableKey;
    if (key[0] !== lo0 || key[1] !== hi0 || key[2] !== uEco || key[3] !== uComfort || key[4] !== uOut || key[5] !== params.tauHours
      || key[6] !== rate) {
      this.buildTables(lo0, hi0, target, uOut, params, dt, lossPerStep, coldAt);
      key.set([lo0, hi0, uEco, uComfort, uOut, params.tauHours, rate]);
    }
    const { lo, gs, n, cell, weight, loss, coldEnd } = this;
    const heat = this.grow('heat', n);
    const cold = this.grow('cold', n);
    const nHeat = this.grow('nextHeat', n);
    const nCold = this.grow('nextCold', n);

    // At the end of the reach with nobody home yet, part of the heat stored above eco is wasted.
    const stored = ((1 - F[steps]) * STORED_HEAT_LOST * 60) / rate;
    for (let g = 0; g < n; g++) {
      heat[g] = stored * Math.max(0, lo + g * gs - uEco);
      cold[g] = 0;
    }
    // Expected cost to go, backwards from the end of the reach, as unconditional expectations: a
    // step's losses count while nobody has arrived (P 1 - F[m]); the cold minutes of the arrivals
    // within a step are taken at the temperature the step ends with.
    for (let m = steps - 1; m >= 1; m--) {
      const away = 1 - F[m];
      const arrive = F[m + 1] - F[m];
      for (let g = 0; g < n; g++) {
        let best = Infinity;
        for (let a = 0; a < 2; a++) {
          const j = 2 * g + a;
          const k = cell[j];
          const w = weight[j];
          const h = away * loss[j] + heat[k] + (heat[k + 1] - heat[k]) * w;
          const c = arrive * coldEnd[j] + cold[k] + (cold[k + 1] - cold[k]) * w;
          if (h + lam * c < best) {
            best = h + lam * c;
            nHeat[g] = h;
            nCold[g] = c;
          }
        }
      }
      heat.set(nHeat.subarray(0, n));
      cold.set(nCold.subarray(0, n));
    }

    // The first step, from the actual temperature rather than a grid point; `heat` and `cold` now
    // hold the cost to go from step 1 (or from the end of the reach, for a one-step plan).
    const lerp = (arr: Float64Array, u: number) => {
      const x = Math.min(n - 1, Math.max(0, (u - lo) / gs));
      const k = Math.min(n - 2, Math.floor(x));
      return arr[k] + (arr[k + 1] - arr[k]) * (x - k);
    };
    // The same first step from every grid point: the temperature below which running wins, the
    // level the plan holds the room at (a setpoint a thermostat or a valve can keep by itself).
    let runBelow = -Infinity;
    let prevDiff = NaN;
    for (let g = 0; g < n; g++) {
      let diff = 0;
      for (let a = 0; a < 2; a++) {
        const j = 2 * g + a;
        const k = cell[j];
        const w = weight[j];
        const h = loss[j] + heat[k] + (heat[k + 1] - heat[k]) * w;
        const c = F[1] * coldEnd[j] + cold[k] + (cold[k + 1] - cold[k]) * w;
        diff += (a === 0 ? 1 : -1) * (h + lam * c);
      }
      // diff < 0: running is cheaper here. The level is the last crossing from running to idling.
      if (diff < 0) {
        runBelow = lo + g * gs;
      } else if (prevDiff < 0) {
        runBelow = lo + (g - 1 + prevDiff / (prevDiff - diff)) * gs;
      }
      prevDiff = diff;
    }
    if (prevDiff < 0) {
      runBelow = Infinity; // running wins even at the top of the grid
    }
    // The first step from a temperature u, run and idle.
    const firstStep = (u: number) => {
      const uRun = stepTemperature(u, uOut, params, true, false, dt);
      const uIdle = stepTemperature(u, uOut, params, false, false, dt);
      const heatMinutes = { run: lossPerStep(u, uRun) + lerp(heat, uRun), idle: lossPerStep(u, uIdle) + lerp(heat, uIdle) };
      const coldMinutes = { run: F[1] * coldAt(uRun) + lerp(cold, uRun), idle: F[1] * coldAt(uIdle) + lerp(cold, uIdle) };
      const cheaper = heatMinutes.run + lam * coldMinutes.run < heatMinutes.idle + lam * coldMinutes.idle;
      return { heatMinutes, coldMinutes, cheaper };
    };
    const { heatMinutes, coldMinutes, cheaper } = firstStep(u0);
    // Hysteresis: once running, go on while running would still win with the room PLAN_HYSTERESIS cooler.
    const run = cheaper || (i.running === true && firstStep(u0 - PLAN_HYSTERESIS).cheaper);
    return {
      run,
      held: run && !cheaper,
      heatMinutes,
      coldMinutes,
      pArrival: F[steps],
      reachMinutes: reach,
      runBelow: sign * runBelow,
    };
  }

  /** Per grid point and first move (run, idle): where the step ends, as a cell and a weight; its loss; the cold minutes of an arrival then. */
  private buildTables(
    lo0: number, hi: number, target: number, uOut: number, params: ThermalParams, dt: number,
    lossPerStep: (a: number, b: number) => number, coldAt: (u: number) => number,
  ): void {
    let gs = GRID_STEP;
    if ((hi - lo0) / gs + 2 > GRID_MAX_POINTS) {
      gs = (hi - lo0) / (GRID_MAX_POINTS - 2);
    }
    // Aligned so that the cold threshold is a node, and reaching at least `hi`.
    const lo = target - Math.ceil((target - lo0) / gs) * gs;
    const n = Math.ceil((hi - lo) / gs) + 1;
    this.lo = lo;
    this.gs = gs;
    this.n = n;
    const cell = this.cell.length >= 2 * n ? this.cell : (this.cell = new Int32Array(2 * n));
    const weight = this.grow('weight', 2 * n);
    const loss = this.grow('loss', 2 * n);
    const coldEnd = this.grow('coldEnd', 2 * n);
    for (let g = 0; g < n; g++) {
      const u = lo + g * gs;
      for (let a = 0; a < 2; a++) {
        const v = stepTemperature(u, uOut, params, a === 0, false, dt);
        const x = Math.min(n - 1, Math.max(0, (v - lo) / gs));
        const k = Math.min(n - 2, Math.floor(x));
        cell[2 * g + a] = k;
        weight[2 * g + a] = x - k;
        loss[2 * g + a] = lossPerStep(u, v);
        coldEnd[2 * g + a] = coldAt(v);
      }
    }
  }

  private grow(name: 'heat' | 'cold' | 'nextHeat' | 'nextCold' | 'weight' | 'loss' | 'coldEnd' | 'arrived', n: number): Float64Array {
    if (this[name].length < n) {
      this[name] = new Float64Array(n);
    }
    return this[name];
  }
}
