import type { Clock } from '../clock';
import { canCool, canHeat, Mode, ZoneSettings } from '../config/types';
import { decideRelay, EquipmentState } from '../control/relay';
import { MAX_SENSOR_ID, type ActivityEvent, type DeviceState, type EquipmentCommand, type Reading, type ZoneInput, type ZoneOutput } from '../io/types';
import type { HistoryRecord } from '../store/history';
import { ExpectedCostPlanner } from '../control/expected-cost';
import { decidePredictive, PredictiveDecision, temperaturesFor } from '../control/setpoint';
import { HORIZONS, OccupancyForecaster } from '../learning/forecaster';
import { leadMinutes } from '../control/lead';
import { RateEstimator } from '../learning/thermal-rate';
import type { ComfortLearner } from '../learning/comfort';
import { isActivity, OccupancyEstimator } from '../learning/occupancy-now';

export type DisplayUnits = 'celsius' | 'fahrenheit';

/** What the user chose; survives restarts. */
export interface ZoneUserState {
  mode: Mode;
  target: number;
  heatingThreshold: number;
  coolingThreshold: number;
  displayUnits: DisplayUnits;
  /** Until when (clock ms) a change made in Apple Home holds against the schedule. */
  holdUntil?: number;
}

/** What sets the target now: the user (manual control or a hold) or the schedule's plan. */
export type Plan = 'manual' | 'hold' | 'comfort' | 'pre-comfort' | 'eco' | 'off';

export interface ZoneSnapshot extends ZoneUserState {
  temperature?: number;
  humidity?: number;
  heating: boolean;
  cooling: boolean;
  occupied: boolean;
  occupancyReason: string;
  /** Why the equipment is doing what it does. */
  reason: string;
  plan: Plan;
  /** Why the target is what it is. */
  planReason: string;
  /** The temperature sensor has been silent too long: equipment off, accessory faulted. */
  fault: boolean;
  /** What the zone asks of the equipment (heating/cooling show what it does, when the device reports it). */
  heatDemand: boolean;
  coolDemand: boolean;
}

export interface ZoneDeps {
  input: ZoneInput;
  output: ZoneOutput;
  clock: Clock;
  log: ZoneLogger;
  /** What the user chose before a restart. */
  saved?: Partial<ZoneUserState>;
  persist?: (state: ZoneUserState) => void;
  /** Forecasts occupancy from the zone's own history; without one the zone only reacts. */
  forecaster?: OccupancyForecaster;
  /** Where the zone's history is kept (inputs, beliefs, decisions), for learning later. */
  history?: { append(record: HistoryRecord): unknown };
  /** Learns comfort temperatures from changes made in Apple Home; without one the configured comfort holds. */
  comfort?: ComfortLearner;
  /**
   * The last readings from before a restart (from the zone's history), so Apple Home has a real
   * value until a sensor next reports; a reading older than staleSensorMinutes still faults.
   */
  lastReadings?: { temperature?: Reading; humidity?: Reading };
}

/** Readings go to the history when they move this much, or at least this often. */
const HISTORY_STEP = { temperature: 0.1, humidity: 1, outdoor: 0.5 };
const HISTORY_EVERY_MS = 15 * 60_000;

export interface ZoneLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** A request the zone refuses (value out of range, mode not offered); the message names the zone and field. */
export class ZoneInputError extends Error {
  override readonly name = 'ZoneInputError';
}

const AUTO_GAP = 1;

/** Fills gaps and repairs values that no longer fit the settings (e.g. a mode removed from config). */
export function sanitizeUserState(settings: ZoneSettings, saved: Partial<ZoneUserState> | undefined): ZoneUserState {
  const { frostProtection: lo, maximum: hi } = settings.limits;
  const clamp = (v: unknown, def: number) =>
    (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : def);
  const defaultMode: Mode = canHeat(settings) ? 'heat' : 'cool';
  const mode = saved?.mode && settings.modes.includes(saved.mode) ? saved.mode : defaultMode;
  const heatingThreshold = clamp(saved?.heatingThreshold, settings.comfort.heat);
  let coolingThreshold = clamp(saved?.coolingThreshold, settings.comfort.cool);
  if (coolingThreshold - heatingThreshold < AUTO_GAP) {
    coolingThreshold = Math.min(hi, heatingThreshold + AUTO_GAP);
  }
  return {
    mode,
    target: clamp(saved?.target, defaultMode === 'heat' ? settings.comfort.heat : settings.comfort.cool),
    heatingThreshold,
    coolingThreshold,
    displayUnits: saved?.displayUnits === 'fahrenheit' ? 'fahrenheit' : 'celsius',
    holdUntil: typeof saved?.holdUntil === 'number' && Number.isFinite(saved.holdUntil) ? saved.holdUntil : undefined,
  };
}

/**
 * One zone's loop: read inputs, decide, drive outputs, tell listeners. Plain TypeScript on an
 * injected clock, so the plugin, the tests and the benchmark run the same code.
 */
export class Zone {
  private state: ZoneSnapshot;
  private equipment: EquipmentState = {
    heating: false, cooling: false, heatingChangedAt: -Infinity, coolingChangedAt: -Infinity,
  };
  private readonly occupancy: OccupancyEstimator;
  /** The last command sent to the output; a new one goes out when any part of it changes. */
  private lastCommand?: EquipmentCommand;
  /** Whether the output reports what the device does, and what it last said. */
  private readonly reportsState: boolean;
  private reported?: DeviceState;
  private readonly startedAt: number;
  private lastTemperatureAt?: number;
  private readonly rates = new RateEstimator();
  /** The room as fitted from history (tau and rates together); until then the online rates. */
  private fitted?: { tauHours: number; heatPerHour?: number; coolPerHour?: number };
  /** Plans pre-heating while nobody is home; keeps its tables between ticks. */
  private readonly planner = new ExpectedCostPlanner();
  /** The belief at the previous tick; undefined on the first, so a restart is not taken for an arrival. */
  private lastBelief?: boolean;
  private readonly listeners = new Set<(s: Readonly<ZoneSnapshot>) => void>();

  private readonly input: ZoneInput;
  private readonly output: ZoneOutput;
  private readonly clock: Clock;
  private readonly log: ZoneLogger;
  private readonly persist: (state: ZoneUserState) => void;
  readonly forecaster?: OccupancyForecaster;
  private readonly history?: ZoneDeps['history'];
  readonly comfort?: ComfortLearner;
  private readonly recorded: Partial<Record<keyof typeof HISTORY_STEP, { v: number; t: number }>> = {};

  constructor(readonly settings: ZoneSettings, deps: ZoneDeps) {
    ({ input: this.input, output: this.output, clock: this.clock, log: this.log, forecaster: this.forecaster } = deps);
    this.history = deps.history;
    this.comfort = deps.comfort;
    this.persist = deps.persist ?? (() => undefined);
    this.occupancy = new OccupancyEstimator(settings.occupancyTimeoutMinutes * 60000);
    this.state = {
      ...sanitizeUserState(settings, deps.saved),
      heating: false,
      cooling: false,
      occupied: false,
      occupancyReason: 'no activity seen yet',
      reason: 'starting',
      plan: settings.control === 'manual' ? 'manual' : 'comfort',
      planReason: 'starting',
      fault: false,
      heatDemand: false,
      coolDemand: false,
    };
    this.startedAt = this.clock.now();
    const last = deps.lastReadings;
    if (last?.temperature && Number.isFinite(last.temperature.value) && last.temperature.at <= this.startedAt) {
      this.state.temperature = last.temperature.value;
      this.lastTemperatureAt = last.temperature.at;
    }
    if (last?.humidity && Number.isFinite(last.humidity.value)) {
      this.state.humidity = last.humidity.value;
    }
    this.reportsState = typeof this.output.onState === 'function';
    this.output.onState?.((device) => this.deviceReported(device));
    // A saved hold can be no longer than a fresh one (a clock that jumped, a hand-edited file).
    const maxHold = this.startedAt + settings.holdHours * 3_600_000;
    if (this.state.holdUntil !== undefined && this.state.holdUntil > maxHold) {
      this.state.holdUntil = maxHold;
    }
  }

  get name(): string {
    return this.settings.name;
  }

  /**
   * Feeds events from before a restart (from the zone's history, oldest first) to the occupancy
   * estimator, so what it learned about its sensors (which ones fire alone) and when it last saw
   * someone survive the restart. Nothing is written to the history again; events from now on are
   * left to the inputs. Returns how many events were taken.
   */
  recall(events: Iterable<ActivityEvent>): number {
    const now = this.clock.now();
    let n = 0;
    for (const e of events) {
      if (e.t < now) {
        this.occupancy.add(e);
        n++;
      }
    }
    return n;
  }

  get snapshot(): Readonly<ZoneSnapshot> {
    return this.state;
  }

  get userState(): ZoneUserState {
    const { mode, target, heatingThreshold, coolingThreshold, displayUnits, holdUntil } = this.state;
    return { mode, target, heatingThreshold, coolingThreshold, displayUnits, holdUntil };
  }

  onChange(listener: (s: Readonly<ZoneSnapshot>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the inputs, decides and drives the outputs. Errors from inputs/outputs propagate to the caller. */
  tick(): void {
    const now = this.clock.now();
    const snap = this.input.poll(now);
    const next: ZoneSnapshot = { ...this.state };
    if (snap.temperature && Number.isFinite(snap.temperature.value)) {
      next.temperature = snap.temperature.value;
      this.lastTemperatureAt = Math.max(this.lastTemperatureAt ?? -Infinity, snap.temperature.at);
    }
    const staleMs = this.settings.staleSensorMinutes * 60000;
    const silentFor = now - (this.lastTemperatureAt ?? this.startedAt);
    next.fault = silentFor > staleMs;
    if (next.fault !== this.state.fault) {
      if (next.fault) {
        this.log.warn(`no temperature reading for ${Math.round(silentFor / 60000)} min: equipment off, accessory marked faulted`);
      } else {
        this.log.info('temperature readings are back');
      }
    }
    if (snap.humidity && Number.isFinite(snap.humidity.value)) {
      next.humidity = snap.humidity.value;
    }
    this.record('temperature', snap.temperature);
    this.record('humidity', snap.humidity);
    this.record('outdoor', snap.outdoorTemperature);
    let activity = false;
    for (const e of snap.events) {
      this.history?.append({
        t: e.t, kind: 'event', e: e.kind, v: e.value, ...(e.sensor ? { s: e.sensor.slice(0, MAX_SENSOR_ID) } : {}),
      });
      this.occupancy.add(e);
      activity ||= isActivity(e);
    }
    const belief = this.occupancy.belief(now, this.forecaster?.usuallyHome(now));
    this.forecaster?.observe(now, belief.occupied ? 1 : 0, activity);
    if (belief.occupied !== next.occupied) {
      this.history?.append({ t: now, kind: 'occupancy', v: belief.occupied });
      this.log.info(`${belief.occupied ? 'occupied' : 'unoccupied'}: ${belief.reason}${this.describeForecast()}`);
    }
    next.occupied = belief.occupied;
    next.occupancyReason = belief.reason;
    this.rates.observe(now, next.fault ? undefined : snap.temperature?.value, snap.outdoorTemperature?.value,
      this.equipment.heating, this.equipment.cooling);
    this.planTarget(next, now, snap.outdoorTemperature?.value);
    this.lastBelief = belief.occupied;

    const s = this.settings;
    const decision = decideRelay({
      now,
      mode: next.mode,
      target: next.target,
      heatingThreshold: next.heatingThreshold,
      coolingThreshold: next.coolingThreshold,
      temperature: next.fault ? undefined : next.temperature,
      frostProtection: s.limits.frostProtection,
      maximum: s.limits.maximum,
      hysteresis: s.hysteresis,
      minOnMs: s.minOnMinutes * 60000,
      minOffMs: s.minOffMinutes * 60000,
      canHeat: canHeat(s),
      canCool: canCool(s),
      equipment: this.equipment,
    });
    const eq = this.equipment;
    const changed = decision.heating !== eq.heating || decision.cooling !== eq.cooling;
    const command: EquipmentCommand = {
      mode: next.mode, heating: decision.heating, cooling: decision.cooling, ...this.setpoints(next),
    };
    const last = this.lastCommand;
    const commandChanged = !last || last.mode !== command.mode || last.heating !== command.heating
      || last.cooling !== command.cooling || last.setpoint !== command.setpoint || last.coolingSetpoint !== command.coolingSetpoint;
    if (changed || commandChanged) {
      this.equipment = {
        heating: decision.heating,
        cooling: decision.cooling,
        heatingChangedAt: decision.heating !== eq.heating ? now : eq.heatingChangedAt,
        coolingChangedAt: decision.cooling !== eq.cooling ? now : eq.coolingChangedAt,
      };
      this.lastCommand = command;
      this.output.apply(command, now);
      if (changed || !last) {
        this.history?.append({ t: now, kind: 'equipment', heat: decision.heating, cool: decision.cooling });
      }
      if (changed) {
        const what = decision.heating ? 'heating on' : decision.cooling ? 'cooling on' : `${eq.heating ? 'heating' : 'cooling'} off`;
        this.log.info(`${what}: ${decision.reason}`);
      }
    }
    // Debug-log a new kind of reason ("idle", "heater kept on", ...), not every temperature in it.
    if (!changed && decision.reason.split(':')[0] !== next.reason.split(':')[0]) {
      this.log.debug(decision.reason);
    }
    // An output that knows what the device does is believed over the command (HomeKit is told the truth).
    next.heating = this.reportsState ? this.reported?.heating ?? false : decision.heating;
    next.cooling = this.reportsState ? this.reported?.cooling ?? false : decision.cooling;
    next.reason = decision.reason;
    next.heatDemand = decision.heating;
    next.coolDemand = decision.cooling;
    this.commit(next);
  }

  setMode(mode: Mode): void {
    if (!this.settings.modes.includes(mode)) {
      throw new ZoneInputError(
        `zone "${this.name}": mode "${mode}" is not offered (offered: ${this.settings.modes.join(', ')})`,
      );
    }
    this.changeUserState({ mode }, `mode set to ${mode}`);
  }

  setTarget(value: number): void {
    this.checkTemperature('target temperature', value);
    if (this.state.mode === 'heat' || this.state.mode === 'cool') {
      this.learnComfort(this.state.mode, value, this.state.target);
    }
    this.changeUserState({ target: value }, `target set to ${value.toFixed(1)} °C`);
  }

  /** Sets the auto band; the other end moves if needed to keep a 1 °C gap. */
  setThresholds(change: { heating?: number; cooling?: number }): void {
    const { frostProtection: lo, maximum: hi } = this.settings.limits;
    let heating = this.state.heatingThreshold;
    let cooling = this.state.coolingThreshold;
    if (change.heating !== undefined) {
      this.checkTemperature('heating threshold', change.heating);
      heating = change.heating;
    }
    if (change.cooling !== undefined) {
      this.checkTemperature('cooling threshold', change.cooling);
      cooling = change.cooling;
    }
    if (cooling - heating < AUTO_GAP) {
      if (change.cooling !== undefined && change.heating === undefined) {
        heating = Math.max(lo, cooling - AUTO_GAP);
      } else {
        cooling = Math.min(hi, heating + AUTO_GAP);
      }
      if (cooling - heating < AUTO_GAP) {
        throw new ZoneInputError(
          `zone "${this.name}": heating threshold ${heating} °C and cooling threshold ${cooling} °C must be at least ${AUTO_GAP} °C apart`,
        );
      }
    }
    // Only the side the user moved teaches comfort, not the end pushed along to keep the gap.
    if (change.heating !== undefined) {
      this.learnComfort('heat', change.heating, this.state.heatingThreshold);
    }
    if (change.cooling !== undefined) {
      this.learnComfort('cool', change.cooling, this.state.coolingThreshold);
    }
    this.changeUserState(
      { heatingThreshold: heating, coolingThreshold: cooling },
      `auto band set to ${heating.toFixed(1)}–${cooling.toFixed(1)} °C`,
    );
  }

  setDisplayUnits(units: DisplayUnits): void {
    this.changeUserState({ displayUnits: units }, `display units set to ${units}`);
  }

  close(): void {
    this.input.close?.();
    this.output.close?.();
    this.listeners.clear();
  }

  /**
   * Predictive control: the schedule sets the target (comfort, pre-comfort or eco) unless a change
   * from Apple Home holds. A hold ends when its time is up or at the next arrival or departure.
   */
  private planTarget(next: ZoneSnapshot, now: number, outdoor: number | undefined): void {
    const s = this.settings;
    if (s.control === 'manual') {
      next.plan = 'manual';
      next.planReason = 'manual control: the target set in Apple Home';
      return;
    }
    if (next.holdUntil !== undefined) {
      const transition = this.lastBelief !== undefined && this.lastBelief !== next.occupied;
      if (now >= next.holdUntil || transition) {
        const why = now >= next.holdUntil ? 'its time is up' : next.occupied ? 'someone arrived' : 'everyone left';
        this.log.info(`hold ended (${why}): the schedule resumes`);
        next.holdUntil = undefined;
        this.save(next);
      } else {
        next.plan = 'hold';
        next.planReason = `holding the change made in Apple Home for ${Math.ceil((next.holdUntil - now) / 60000)} more min`;
        return;
      }
    }
    if (next.mode === 'off') {
      next.plan = 'off';
      next.planReason = 'off';
      return;
    }
    const forecast = this.forecaster ? { horizons: HORIZONS, pHome: this.forecaster.predictions() } : undefined;
    const t = next.fault ? undefined : next.temperature;
    const comfort = {
      heat: this.comfort?.setpointAt(now, 'heat') ?? s.comfort.heat,
      cool: this.comfort?.setpointAt(now, 'cool') ?? s.comfort.cool,
    };
    const decide = (action: 'heat' | 'cool') => {
      const room = this.room(action);
      return decidePredictive({
        occupied: next.occupied,
        forecast,
        leadMinutes: leadMinutes(t, comfort[action], outdoor, action, room),
        temperature: t,
        outdoor,
        room,
        planner: this.planner,
        preComfort: this.state.plan === 'pre-comfort',
        savingsBias: s.savingsBias,
        action,
        ...temperaturesFor(action, comfort, s.eco),
      });
    };
    let d: PredictiveDecision;
    if (next.mode === 'auto') {
      // The side the room is on decides which lead counts; inside the band neither needs one.
      d = decide(t !== undefined && t > comfort.cool ? 'cool' : 'heat');
      const comfortable = d.kind !== 'eco';
      next.heatingThreshold = comfortable ? comfort.heat : s.eco.heat;
      const cool = comfortable ? comfort.cool : s.eco.cool;
      next.coolingThreshold = Math.min(s.limits.maximum, Math.max(cool, next.heatingThreshold + AUTO_GAP));
      next.target = next.heatingThreshold;
    } else {
      d = decide(next.mode === 'cool' ? 'cool' : 'heat');
      next.target = d.setpoint;
    }
    if (d.kind !== next.plan) {
      this.log.info(d.reason);
    }
    next.plan = d.kind;
    next.planReason = d.reason;
  }

  /** Takes a room model fitted from the zone's history; rates it could not fit stay learned online. */
  setRoomModel(fit: { tauHours: number; heatPerHour?: number; coolPerHour?: number }): void {
    this.fitted = fit;
  }

  private room(action: 'heat' | 'cool'): { tauHours: number; ratePerHour: number } {
    const rate = action === 'heat' ? this.fitted?.heatPerHour : this.fitted?.coolPerHour;
    return this.fitted && rate !== undefined ? { tauHours: this.fitted.tauHours, ratePerHour: rate } : this.rates.room(action);
  }

  /** A change made in Apple Home while predictive control runs is the best sign of what comfort means here. */
  private learnComfort(action: 'heat' | 'cool', setpoint: number, previous: number): void {
    if (!this.comfort || this.settings.control !== 'predictive') {
      return;
    }
    const r = this.comfort.record({ t: this.clock.now(), action, setpoint, occupied: this.state.occupied, previous });
    this.log.debug(`comfort: ${r.reason}`);
  }

  /** P(home) by horizon in minutes, or undefined without a forecaster. */
  forecast(): Record<number, number> | undefined {
    if (!this.forecaster) {
      return undefined;
    }
    const p = this.forecaster.predictions();
    return Object.fromEntries(HORIZONS.map((h, i) => [h, p[i]]));
  }

  private describeForecast(): string {
    const f = this.forecast();
    return f ? `; p(home) ${HORIZONS.map((h) => `+${h} min ${f[h].toFixed(2)}`).join(', ')}` : '';
  }

  private setpoint(s: ZoneUserState): number {
    return s.mode === 'auto' ? s.heatingThreshold : s.target;
  }

  /** What a self-regulating device is asked for: the band in auto, the frost limit when off. */
  private setpoints(s: ZoneUserState): Pick<EquipmentCommand, 'setpoint' | 'coolingSetpoint'> {
    if (s.mode === 'off') {
      const frost = this.settings.limits.frostProtection;
      return { setpoint: frost, coolingSetpoint: frost };
    }
    if (s.mode === 'auto') {
      return { setpoint: s.heatingThreshold, coolingSetpoint: s.coolingThreshold };
    }
    return { setpoint: s.target, coolingSetpoint: s.target };
  }

  /** The device said what it does; Apple Home shows that. Never throws (called from an output's callback). */
  private deviceReported(device: DeviceState): void {
    try {
      const prev = this.reported;
      this.reported = { heating: device.heating, cooling: device.cooling };
      if (prev?.heating !== device.heating || prev?.cooling !== device.cooling) {
        this.log.debug(`the equipment reports ${device.heating ? 'heating' : device.cooling ? 'cooling' : 'idle'}`);
      }
      this.commit({ ...this.state, heating: device.heating, cooling: device.cooling });
    } catch (err) {
      this.log.warn(`could not take the equipment's report: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private checkTemperature(field: string, value: number): void {
    const { frostProtection: lo, maximum: hi } = this.settings.limits;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
      throw new ZoneInputError(`zone "${this.name}": ${field} must be from ${lo} to ${hi} °C, got ${String(value)}`);
    }
  }

  private record(kind: keyof typeof HISTORY_STEP, reading: Reading | undefined): void {
    if (!this.history || !reading || !Number.isFinite(reading.value)) {
      return;
    }
    const last = this.recorded[kind];
    if (!last || Math.abs(reading.value - last.v) >= HISTORY_STEP[kind] || reading.at - last.t >= HISTORY_EVERY_MS) {
      this.recorded[kind] = { v: reading.value, t: reading.at };
      this.history.append({ t: reading.at, kind, v: Math.round(reading.value * 100) / 100 });
    }
  }

  private save(state: ZoneUserState): void {
    try {
      const { mode, target, heatingThreshold, coolingThreshold, displayUnits, holdUntil } = state;
      this.persist({ mode, target, heatingThreshold, coolingThreshold, displayUnits, holdUntil });
    } catch (err) {
      this.log.warn(`could not save the zone's settings (${(err as Error).message}); they hold until restart`);
    }
  }

  private changeUserState(change: Partial<ZoneUserState>, what: string): void {
    if (this.settings.control === 'predictive'
      && (change.target !== undefined || change.heatingThreshold !== undefined || change.coolingThreshold !== undefined)) {
      change.holdUntil = this.clock.now() + this.settings.holdHours * 3_600_000;
      what += `, held for ${this.settings.holdHours} h or until the next arrival or departure`;
    }
    this.commit({ ...this.state, ...change, ...(change.holdUntil !== undefined ? { plan: 'hold' as const } : {}) });
    if (change.mode !== undefined || change.target !== undefined || change.heatingThreshold !== undefined) {
      this.history?.append({ t: this.clock.now(), kind: 'setpoint', mode: this.state.mode, v: this.setpoint(this.state) });
    }
    this.log.info(what);
    this.save(this.state);
  }

  private commit(next: ZoneSnapshot): void {
    const prev = this.state;
    this.state = next;
    const keys = Object.keys(next) as (keyof ZoneSnapshot)[];
    if (keys.some((k) => prev[k] !== next[k])) {
      for (const listener of this.listeners) {
        listener(next);
      }
    }
  }
}
