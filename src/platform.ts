import path from 'node:path';

import type { API, DynamicPlatformPlugin, Logging, PlatformAccessory, PlatformConfig } from 'homebridge';

import { Clock, ScaledClock, SystemClock } from './clock';
import { PlatformSettings, ZoneSettings } from './config/types';
import { parseConfig } from './config/validate';
import { ZoneAccessory } from './homekit/zone-accessory';
import { IoContext, ZoneIoParts } from './io/zone-io';
import type { ActivityEvent } from './io/types';
import { WebhookServer, WebhookZone } from './io/webhook';
import { PLATFORM_NAME, PLUGIN_NAME } from './settings';
import { SimulatedHome } from './sim/home';
import { JsonFile } from './store/json-file';
import { ComfortStore } from './store/comfort-store';
import { HistoryLog } from './store/history';
import { runThermalFit } from './learning/thermal-worker';
import { LearningStore, slug } from './store/learning-store';
import { applyResetRequests, ResetRequests } from './store/reset-requests';
import { MaintenanceSchedule } from './maintenance/schedule';
import { ZoneRunner } from './zone/runner';
import { Zone, ZoneDeps, ZoneLogger, ZoneUserState } from './zone/zone';

const TICK_MS = 60_000;
/** Real time: the thermal fit reads up to this much history, may take this long, and first runs this soon after start. */
const FIT_HISTORY_MS = 30 * 86_400_000;
const FIT_TIMEOUT_MS = 120_000;
const FIRST_FIT_DELAY_MS = 60_000;
const PRIOR_FILE = path.join(__dirname, '..', 'models', 'prior.json');
const STATE_DIR = 'occupancy-thermostat';

type SavedZones = Record<string, Partial<ZoneUserState>>;

function checkSavedZones(raw: unknown): SavedZones {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('expected an object of zones');
  }
  return raw as SavedZones;
}

/** Log lines carry the zone's name, and the simulated time when the clock runs fast. */
export function zoneLogger(log: Logging, zone: string, clock: Clock, utcOffsetMinutes: number, fast: boolean): ZoneLogger {
  const prefix = () => {
    if (!fast) {
      return `[${zone}]`;
    }
    const d = new Date(clock.now() + utcOffsetMinutes * 60000);
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
    const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    return `[${zone}] (sim ${day} ${hm})`;
  };
  return {
    info: (m) => log.info(`${prefix()} ${m}`),
    warn: (m) => log.warn(`${prefix()} ${m}`),
    debug: (m) => log.debug(`${prefix()} ${m}`),
  };
}

export class OccupancyThermostatPlatform implements DynamicPlatformPlugin {
  private readonly cached = new Map<string, PlatformAccessory>();
  private readonly settings: PlatformSettings;
  private runner?: ZoneRunner;
  private readonly learning: LearningStore;
  private readonly schedule: MaintenanceSchedule;
  private readonly comfort: ComfortStore;
  private readonly histories = new Map<string, HistoryLog>();
  private zones: Zone[] = [];
  private resetPoll?: NodeJS.Timeout;
  private io?: IoContext;
  private webhook?: WebhookServer;
  private firstFit?: NodeJS.Timeout;

  constructor(
    private readonly log: Logging,
    config: PlatformConfig,
    private readonly api: API,
  ) {
    const { settings, problems } = parseConfig(config);
    this.settings = settings;
    this.learning = new LearningStore(path.join(api.user.storagePath(), STATE_DIR, 'models'), PRIOR_FILE, log);
    this.schedule = new MaintenanceSchedule(log);
    this.comfort = new ComfortStore(path.join(api.user.storagePath(), STATE_DIR, 'comfort'), log);
    for (const p of problems) {
      (p.level === 'error' ? log.error : log.warn).call(log, `Config: ${p.message}`);
    }
    if (settings.zones.length === 0) {
      log.warn('No zones are configured: add a zone in the plugin settings. The plugin stays idle.');
    }
    api.on('didFinishLaunching', () => this.guard('start', () => this.start()));
    api.on('shutdown', () => this.guard('stop', () => this.stop()));
  }

  /** Homebridge hands back accessories restored from its cache. */
  configureAccessory(accessory: PlatformAccessory): void {
    this.cached.set(accessory.UUID, accessory);
  }

  private start(): void {
    const settings = this.settings;
    const stale = new Map(this.cached);
    if (settings.zones.length === 0) {
      this.unregister([...stale.values()]);
      return;
    }
    const fast = settings.simulation.timeScale > 1;
    const clock: Clock = fast ? new ScaledClock(settings.simulation.timeScale) : new SystemClock();
    const utcOffsetMinutes = -new Date().getTimezoneOffset();
    const home = this.simulatedHome(settings.zones.filter((z) => z.source === 'simulated' || z.actuator === 'simulated'),
      clock.now(), utcOffsetMinutes);

    const store = new JsonFile<SavedZones>(path.join(this.api.user.storagePath(), STATE_DIR, 'zones.json'));
    const loaded = store.load(checkSavedZones);
    for (const w of loaded.warnings) {
      this.log.warn(`Saved state: ${w}`);
    }
    const saved: SavedZones = { ...loaded.value };
    const persist = (name: string) => (state: ZoneUserState) => {
      saved[name] = state;
      store.save(saved);
    };

    const io = new IoContext(settings, clock, this.log, home);
    this.io = io;
    const entries: { zone: Zone; log: ZoneLogger }[] = [];
    const webhookZones: WebhookZone[] = [];
    for (const zs of settings.zones) {
      const log = zoneLogger(this.log, zs.name, clock, utcOffsetMinutes, fast);
      stale.delete(this.uuidOf(zs));
      let parts: ZoneIoParts | undefined;
      try {
        parts = io.forZone(zs, log);
        const history = this.historyOf(zs, log);
        const zone = new Zone(zs, {
          input: parts.input,
          output: parts.output,
          clock,
          log,
          saved: saved[zs.name],
          persist: persist(zs.name),
          forecaster: this.learning.forZone(zs, log, utcOffsetMinutes),
          history,
          lastReadings: lastReadings(history, clock.now(), zs.staleSensorMinutes * 60_000),
          comfort: this.comfort.forZone(zs, log, utcOffsetMinutes),
        });
        const recalled = zone.recall(recentEvents(history, clock.now(), Math.min(RECALL_DAYS, settings.historyDays)));
        if (recalled > 0) {
          log.debug(`recalled ${recalled} sensor event(s) from the last ${Math.min(RECALL_DAYS, settings.historyDays)} days of history`);
        }
        this.publish(zone, log, parts);
        entries.push({ zone, log });
        if (parts.sensors) {
          webhookZones.push({ name: zs.name, sensors: parts.sensors, state: () => zoneState(zone) });
        }
        log.info(describeZone(zs, fast ? settings.simulation.timeScale : 1));
        log.info(parts.describe);
      } catch (err) {
        // One zone that cannot start (unreadable storage, say) must not keep the others from running.
        log.warn(`could not start this zone: ${(err as Error)?.message ?? String(err)}`);
        this.guard('close the inputs of a zone that did not start', () => {
          parts?.input.close?.();
          parts?.output.close?.();
        });
      }
    }
    this.startWebhook(webhookZones, clock);
    this.unregister([...stale.values()]);
    this.zones = entries.map((e) => e.zone);
    this.runner = new ZoneRunner(entries, clock, TICK_MS);
    this.runner.start();
    // "Reset learning" in the settings page leaves a request file; real minutes, whatever the sim clock.
    const resets = new ResetRequests(path.join(this.api.user.storagePath(), STATE_DIR, 'reset-requests.json'), this.log);
    this.resetPoll = setInterval(() => this.guard('apply reset requests',
      () => applyResetRequests(resets, (zone) => this.learning.reset(zone), this.log)), 60_000);
    this.resetPoll.unref();
    const m = settings.maintenance;
    this.schedule.add('checkpoint', m.checkpoint, () => this.checkpoint());
    this.schedule.add('thermalFit', m.thermalFit, () => this.fitRooms(clock));
    // Once soon after start too, so a restart does not fall back to the cautious default for a day.
    this.firstFit = setTimeout(() => void this.fitRooms(clock), FIRST_FIT_DELAY_MS);
    this.firstFit.unref();
    this.schedule.add('retention', m.retention, () => {
      for (const [name, h] of this.histories) {
        const { deleted } = h.retain(settings.historyDays, clock.now());
        if (deleted.length > 0) {
          this.log.info(`[${name}] history: removed ${deleted.length} day(s) older than ${settings.historyDays} days`);
        }
      }
    });
  }

  private uuidOf(zs: ZoneSettings): string {
    return this.api.hap.uuid.generate(`${PLUGIN_NAME}:zone:${zs.name.toLowerCase()}`);
  }

  private historyOf(zs: ZoneSettings, log: ZoneLogger): HistoryLog {
    const history = new HistoryLog(path.join(this.api.user.storagePath(), STATE_DIR, 'history', slug(zs.name)), log);
    this.histories.set(zs.name, history);
    return history;
  }

  /** Starts the webhook, if enabled; a failure (port in use, say) is logged and the zones run on without it. */
  private startWebhook(zones: WebhookZone[], clock: Clock): void {
    const w = this.settings.webhook;
    if (!w.enabled) {
      return;
    }
    if (zones.length === 0) {
      this.log.warn('Webhook: enabled, but no zone has source "sensors"; not started');
      return;
    }
    try {
      const server = new WebhookServer({ host: w.host, port: w.port, token: w.token, zones, clock, log: this.log });
      this.webhook = server;
      // The server logs where it listens; a start that fails (port in use, say) leaves the zones running.
      server.start().catch((err) => this.log.error(`Webhook: could not start: ${(err as Error)?.message ?? String(err)}`));
    } catch (err) {
      this.log.error(`Webhook: could not start: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** Maps the zone to its accessory: the cached one if Homebridge restored it, else a new one. */
  private publish(zone: Zone, log: ZoneLogger, parts: ZoneIoParts): void {
    const zs = zone.settings;
    const uuid = this.uuidOf(zs);
    const cached = this.cached.get(uuid);
    const accessory = cached ?? new this.api.platformAccessory(zs.name, uuid);
    // Keep what an earlier run left in the context (the Someone Home switch's state).
    accessory.context = { ...(cached?.context ?? {}), zone: zs.name };
    new ZoneAccessory(this.api, accessory, zone, log, {
      manufacturer: 'Occupancy Thermostat',
      model: zs.source === 'simulated' ? 'Simulated zone' : 'Zone',
      humidity: parts.humidity,
      switches: parts.switches,
      demand: zs.demand,
      onUserChange: () => setImmediate(() => this.runner?.tickZone(zone)),
    });
    if (cached) {
      this.api.updatePlatformAccessories([accessory]);
    } else {
      this.api.registerPlatformAccessories(PLUGIN_NAME, PLATFORM_NAME, [accessory]);
    }
  }

  /**
   * Fits each zone's room (heat loss, heating and cooling rates) from its history in a worker
   * thread, one zone at a time; a zone with too little history keeps the cautious default.
   */
  private async fitRooms(clock: Clock): Promise<void> {
    for (const zone of this.zones) {
      const history = this.histories.get(zone.name);
      if (!history) {
        continue;
      }
      const log = `[${zone.name}] thermal model`;
      try {
        history.flush();
        const fit = await runThermalFit(history.dir, clock.now() - FIT_HISTORY_MS, FIT_TIMEOUT_MS);
        if (fit.ok) {
          zone.setRoomModel(fit);
          const rate = (v: number | undefined) => (v === undefined ? 'not yet known' : `${v.toFixed(2)} °C/h`);
          this.log.info(`${log}: heat-loss time constant ${fit.tauHours.toFixed(1)} h, heating ${rate(fit.heatPerHour)}, `
            + `cooling ${rate(fit.coolPerHour)} (fit error ${fit.rmseC.toFixed(2)} °C)`);
        } else {
          this.log.info(`${log}: ${fit.reason}`);
        }
      } catch (err) {
        this.log.warn(`${log}: the fit failed (${(err as Error)?.message ?? String(err)}); the current model stays`);
      }
    }
  }

  /** Saves what was learned and the history buffered so far; each part fails alone. */
  private checkpoint(): void {
    if (this.settings.federated) {
      const zones = this.learning.federate();
      if (zones > 0) {
        this.log.debug(`Federated averaging: ${zones} zones share what they learned about the household`);
      }
    }
    this.learning.checkpointAll();
    this.comfort.checkpointAll();
    for (const h of this.histories.values()) {
      h.flush();
    }
  }

  private simulatedHome(zones: ZoneSettings[], start: number, utcOffsetMinutes: number): SimulatedHome | undefined {
    if (zones.length === 0) {
      return undefined;
    }
    const sim = this.settings.simulation;
    return new SimulatedHome({
      start,
      household: { seed: sim.seed, occupants: sim.occupants, utcOffsetMinutes },
      zones: zones.map((z) => ({
        name: z.name,
        initialTemperature: z.simulated.initialTemperature,
        thermal: { tauHours: z.simulated.tauHours, heaterCPerHour: z.simulated.heaterPower, coolerCPerHour: z.simulated.coolerPower },
      })),
    });
  }

  private unregister(accessories: PlatformAccessory[]): void {
    if (accessories.length > 0) {
      this.log.info(`Removing ${accessories.length} accessory(ies) of zones no longer configured: `
        + accessories.map((a) => a.displayName).join(', '));
      this.api.unregisterPlatformAccessories(PLUGIN_NAME, PLATFORM_NAME, accessories);
    }
  }

  private stop(): void {
    clearInterval(this.resetPoll);
    clearTimeout(this.firstFit);
    this.runner?.close();
    this.schedule.stop();
    this.checkpoint();
    for (const zone of this.zones) {
      zone.close();
    }
    this.webhook?.close().catch((err) => this.log.warn(`Webhook: could not close: ${(err as Error)?.message ?? String(err)}`));
    this.io?.close().catch((err) => this.log.warn(`MQTT: could not close: ${(err as Error)?.message ?? String(err)}`));
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(`Could not ${what}: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
}

/**
 * The newest indoor temperature and humidity in the zone's history within `withinMs` of now. A
 * record stamped after now (the clock went back, or a sped-up demo clock restarted) counts as now.
 */
/** How far back a zone's events are replayed at start: enough for its sensor tallies (sensor-trust.ts). */
export const RECALL_DAYS = 14;

/**
 * The zone's events of the last `days` days from its history, oldest first, as the inputs gave them
 * (sensor names included), for Zone.recall after a restart. Events stamped after now (the history's
 * clock ran ahead of this one: a simulation's fast clock, or a clock set back) keep their spacing and
 * are moved back to end just before now. Unreadable history gives none.
 */
export function recentEvents(history: Pick<HistoryLog, 'scan'>, now: number, days: number): ActivityEvent[] {
  const out: ActivityEvent[] = [];
  const span = days * 86_400_000;
  try {
    history.scan(now - span, now + span, (r) => {
      if (r.kind === 'event') {
        out.push(r.s === undefined ? { t: r.t, kind: r.e, value: r.v } : { t: r.t, kind: r.e, value: r.v, sensor: r.s });
      }
    });
  } catch {
    return [];
  }
  // Segments are read in order, but a clock that stepped back can leave a day's lines out of order.
  out.sort((a, b) => a.t - b.t);
  const ahead = out.length > 0 ? out[out.length - 1].t - now + 1 : 0;
  if (ahead > 0) {
    for (const e of out) {
      e.t -= ahead;
    }
  }
  return out.filter((e) => e.t >= now - span);
}

export function lastReadings(history: Pick<HistoryLog, 'scan'>, now: number, withinMs: number): ZoneDeps['lastReadings'] {
  const out: NonNullable<ZoneDeps['lastReadings']> = {};
  const newest: Record<string, number> = {};
  try {
    history.scan(now - withinMs, now + withinMs, (r) => {
      if ((r.kind === 'temperature' || r.kind === 'humidity') && !(r.t < (newest[r.kind] ?? -Infinity))) {
        newest[r.kind] = r.t;
        out[r.kind] = { value: r.v, at: Math.min(r.t, now) };
      }
    });
  } catch {
    // Unreadable history: the zone waits for its sensors, as on a first start.
  }
  return out;
}

/** The zone as the webhook's GET shows it: what it reads, decides and why. */
export function zoneState(zone: Zone): Record<string, unknown> {
  const s = zone.snapshot;
  return {
    name: zone.name,
    temperature: s.temperature ?? null,
    humidity: s.humidity ?? null,
    mode: s.mode,
    target: s.target,
    ...(s.mode === 'auto' ? { heatingThreshold: s.heatingThreshold, coolingThreshold: s.coolingThreshold } : {}),
    occupied: s.occupied,
    occupancyReason: s.occupancyReason,
    heating: s.heating,
    cooling: s.cooling,
    heatDemand: s.heatDemand,
    coolDemand: s.coolDemand,
    plan: s.plan,
    planReason: s.planReason,
    reason: s.reason,
    fault: s.fault,
    holdUntil: s.holdUntil !== undefined ? new Date(s.holdUntil).toISOString() : null,
    forecast: zone.forecast() ?? null,
  };
}

function describeZone(z: ZoneSettings, timeScale: number): string {
  const speed = timeScale > 1 ? `, simulated home at ${timeScale}× speed` : '';
  return `ready: modes ${z.modes.join('/')}, comfort ${z.comfort.heat}/${z.comfort.cool} °C, `
    + `limits ${z.limits.frostProtection}–${z.limits.maximum} °C, source ${z.source}, actuator ${z.actuator}${speed}`;
}
