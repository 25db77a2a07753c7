/**
 * MQTT: one client per broker, shared by every zone's sensors and outputs. The `mqtt` package is
 * loaded only when a connection starts, so a plugin without MQTT never pays for it.
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { MqttBrokerSettings, MqttOutputSettings, SensorSettings } from '../config/types';
import { parseDeviceState, renderPayload } from './command';
import { lookup, MAX_PAYLOAD_BYTES, parsePayload, ReadingError } from './readings';
import { redactUrl } from './redact';
import type { SensorSource, ZoneSensors } from './sensor-hub';
import type { DeviceState, EquipmentCommand, ZoneOutput } from './types';

export interface MqttLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** `retained`: the broker's stored copy, delivered on subscribing; it may be old. */
export type MqttHandler = (payload: Buffer, topic: string, retained: boolean) => void;

export interface MqttConnectionOptions {
  /** How long to wait for the broker's CONNACK after the socket opens (default 10 s). */
  connectTimeoutMs?: number;
  /** First reconnect delay; each failed attempt doubles it (default 1 s). */
  backoffBaseMs?: number;
  /** Longest reconnect delay (default 60 s). */
  maxBackoffMs?: number;
  /** How long `publish` waits for a connection and for the broker's acknowledgement (default 10 s). */
  publishTimeoutMs?: number;
}

/** Whether a topic matches a subscription filter with MQTT's + and # wildcards. */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) {
    return true;
  }
  const f = filter.split('/');
  const t = topic.split('/');
  // Wildcards at the first level do not match $SYS-style topics.
  const system = t[0].startsWith('$');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') {
      return !(i === 0 && system);
    }
    if (i >= t.length) {
      return false;
    }
    if (f[i] === '+') {
      if (i === 0 && system) {
        return false;
      }
      continue;
    }
    if (f[i] !== t[i]) {
      return false;
    }
  }
  return f.length === t.length;
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (e && typeof e.code === 'string' && e.code !== '') {
    return e.code;
  }
  if (e && typeof e.message === 'string' && e.message !== '') {
    return e.message;
  }
  return String(err);
}

const MQTT_CLIENT_ID_PREFIX = 'occupancy-thermostat-';

/**
 * One client per broker. Never throws when the broker is down: it retries with a growing delay,
 * logs one warning per outage, and subscribes everything again after each reconnect.
 */
export class MqttConnection {
  private client?: MqttClient;
  private readonly url: string;
  private readonly safeUrl: string;
  private readonly clientId: string;
  private readonly connectTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly publishTimeoutMs: number;
  private readonly handlers = new Map<string, Set<MqttHandler>>();
  private readonly connectListeners = new Set<() => void>();
  /** Aborts for publishes awaiting their acknowledgement. */
  private readonly inFlight = new Set<() => void>();
  private readonly waiters = new Set<{ resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private attempts = 0;
  private everConnected = false;
  /** A warning has been logged for the current outage; further failures go to debug. */
  private outageLogged = false;
  private outageSince?: number;
  /** Connected and not yet known to be lost. */
  private up = false;
  private lastError?: string;
  private closed = false;

  constructor(private readonly settings: MqttBrokerSettings, private readonly log: MqttLog, options: MqttConnectionOptions = {}) {
    this.url = settings.url;
    this.safeUrl = redactUrl(settings.url);
    this.clientId = settings.clientId || `${MQTT_CLIENT_ID_PREFIX}${randomBytes(4).toString('hex')}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.backoffBaseMs = Math.max(1, options.backoffBaseMs ?? 1000);
    this.maxBackoffMs = Math.max(this.backoffBaseMs, options.maxBackoffMs ?? 60_000);
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
  }

  get connected(): boolean {
    return !this.closed && this.client?.connected === true;
  }

  /** Starts connecting (once); failures are logged and retried, never thrown. */
  connect(): void {
    if (this.client || this.closed) {
      return;
    }
    let client: MqttClient;
    try {
      // Loaded here so that a plugin without MQTT never loads the package.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mqtt = require('mqtt') as typeof import('mqtt');
      const opts: IClientOptions = {
        clientId: this.clientId,
        username: this.settings.username,
        password: this.settings.password,
        clean: true,
        connectTimeout: this.connectTimeoutMs,
        reconnectPeriod: this.backoffBaseMs,
        reconnectOnConnackError: true,
        // Subscriptions are ours to restore after a reconnect (see onConnect).
        resubscribe: false,
        queueQoSZero: false,
      };
      client = mqtt.connect(this.url, opts);
    } catch (err) {
      this.log.warn(`MQTT broker ${this.safeUrl} cannot be used (${this.redact(errorText(err))}); MQTT is off`);
      return;
    }
    this.client = client;
    client.on('connect', () => this.guard('connect', () => this.onConnect()));
    client.on('error', (err) => this.guard('error', () => this.onError(err)));
    client.on('close', () => this.guard('close', () => this.onClose()));
    client.on('reconnect', () => this.guard('reconnect', () => this.onReconnect()));
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet?.retain === true));
  }

  /** Calls `handler` for each message on `topic` (wildcards allowed). Returns the unsubscribe. */
  subscribe(topic: string, handler: MqttHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      if (this.connected) {
        this.subscribeAtBroker([topic]);
      }
    }
    // Each call gets its own entry, so one subscriber's unsubscribe never removes another's handler.
    const entry: MqttHandler = (payload, t, retained) => handler(payload, t, retained);
    set.add(entry);
    let done = false;
    return () => {
      if (done) {
        return;
      }
      done = true;
      const s = this.handlers.get(topic);
      if (!s) {
        return;
      }
      s.delete(entry);
      if (s.size === 0) {
        this.handlers.delete(topic);
        if (this.connected && this.client) {
          this.client.unsubscribe(topic, (err) => {
            if (err) {
              this.log.debug(`MQTT unsubscribe from ${topic} failed: ${this.redact(errorText(err))}`);
            }
          });
        }
      }
    };
  }

  /** Called after every (re)connect, once subscriptions are sent again. Returns the removal. */
  onConnected(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /**
   * Publishes with QoS 1 by default and resolves when the broker acknowledges it. Rejects when not
   * connected within the publish timeout, on error, or when no acknowledgement comes in time.
   */
  async publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    if (this.closed) {
      throw new Error('MQTT connection closed');
    }
    if (topic === '' || /[+#\u0000]/.test(topic)) {
      throw new Error(`MQTT topic ${JSON.stringify(topic)} cannot be published to`);
    }
    if (!this.connected) {
      await this.waitForConnection();
    }
    const client = this.client;
    if (!client) {
      throw new Error(`MQTT broker ${this.safeUrl} not connected`);
    }
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(abort);
        if (err) {
          reject(err);
        } else {
          resolve();
        }
      };
      const abort = () => settle(new Error('MQTT connection closed'));
      const timer = setTimeout(() => settle(new Error(`MQTT broker ${this.safeUrl} did not acknowledge within ${this.publishTimeoutMs} ms`)),
        this.publishTimeoutMs);
      this.inFlight.add(abort);
      try {
        client.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err) => {
          settle(err ? new Error(this.redact(errorText(err))) : undefined);
        });
      } catch (err) {
        settle(new Error(this.redact(errorText(err))));
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('MQTT connection closed'));
    }
    this.waiters.clear();
    for (const abort of [...this.inFlight]) {
      abort();
    }
    this.handlers.clear();
    this.connectListeners.clear();
    const client = this.client;
    if (!client) {
      return;
    }
    await new Promise<void>((resolve) => {
      // A graceful DISCONNECT waits for unacknowledged messages; do not let a dead broker hold us.
      const force = !client.connected || Object.keys(client.outgoing ?? {}).length > 0;
      const timer = setTimeout(() => {
        try {
          client.stream?.destroy();
        } catch {
          // Already gone.
        }
        resolve();
      }, 2000);
      try {
        client.end(force, {}, () => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
    client.removeAllListeners();
    // mqtt.js may still emit an error while the socket closes; keep one listener so it is not thrown.
    client.on('error', () => undefined);
  }

  private waitForConnection(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          reject(err);
        },
        timer: setTimeout(() => {
          waiter.reject(new Error(`MQTT broker ${this.safeUrl} not connected within ${this.publishTimeoutMs} ms`));
        }, this.publishTimeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private onConnect(): void {
    const client = this.client;
    if (!client || this.closed) {
      return;
    }
    this.attempts = 0;
    client.options.reconnectPeriod = this.backoffBaseMs;
    if (!this.everConnected) {
      this.log.info(`MQTT connected to ${this.safeUrl} as ${this.clientId}`);
    } else {
      const away = this.outageSince !== undefined ? ` after ${Math.round((Date.now() - this.outageSince) / 1000)} s` : '';
      this.log.info(`MQTT reconnected to ${this.safeUrl}${away}`);
    }
    this.everConnected = true;
    this.up = true;
    this.lastError = undefined;
    this.outageLogged = false;
    this.outageSince = undefined;
    if (this.handlers.size > 0) {
      this.subscribeAtBroker([...this.handlers.keys()]);
    }
    for (const w of [...this.waiters]) {
      w.resolve();
    }
    for (const listener of [...this.connectListeners]) {
      this.guard('connect listener', listener);
    }
  }

  private onError(err: unknown): void {
    if (this.closed) {
      return;
    }
    const reason = this.redact(errorText(err));
    if (this.client?.connected) {
      // A socket error on a live connection; the close that follows reports the loss.
      this.lastError = reason;
      this.log.debug(`MQTT ${this.safeUrl}: ${reason}`);
      return;
    }
    this.outage(reason);
  }

  private onClose(): void {
    if (this.closed) {
      return;
    }
    this.outage(this.lastError);
    this.lastError = undefined;
    this.log.debug(`MQTT ${this.safeUrl}: next attempt in ${this.client?.options.reconnectPeriod ?? this.backoffBaseMs} ms`);
  }

  /** One warning per outage; the rest of its failures go to debug. */
  private outage(reason: string | undefined): void {
    const lost = this.up;
    this.up = false;
    this.outageSince ??= Date.now();
    if (this.outageLogged) {
      if (reason) {
        this.log.debug(`MQTT broker ${this.safeUrl} still unreachable (${reason})`);
      }
      return;
    }
    this.outageLogged = true;
    if (lost) {
      this.log.warn(`MQTT connection to ${this.safeUrl} lost${reason ? ` (${reason})` : ''}; retrying`);
    } else {
      this.log.warn(`MQTT broker ${this.safeUrl} unreachable (${reason ?? 'connection closed'}); retrying`);
    }
  }

  /** Called by mqtt.js before each reconnect attempt: the delay after this one doubles, up to the cap. */
  private onReconnect(): void {
    const client = this.client;
    if (!client || this.closed) {
      return;
    }
    this.attempts++;
    client.options.reconnectPeriod = Math.min(this.maxBackoffMs, this.backoffBaseMs * 2 ** Math.min(this.attempts, 30));
  }

  private subscribeAtBroker(topics: string[]): void {
    const client = this.client;
    if (!client) {
      return;
    }
    for (const topic of topics) {
      client.subscribe(topic, { qos: 1 }, (err, granted) => {
        if (err) {
          this.log.warn(`MQTT subscribe to ${topic} failed: ${this.redact(errorText(err))}`);
        } else if (granted?.some((g) => g.qos === 128)) {
          this.log.warn(`MQTT broker ${this.safeUrl} refused the subscription to ${topic} (not authorized?)`);
        }
      });
    }
  }

  private dispatch(topic: string, payload: Buffer, retained: boolean): void {
    if (this.closed) {
      return;
    }
    try {
      const targets: MqttHandler[] = [];
      for (const [filter, set] of this.handlers) {
        if (filter === topic || ((filter.includes('+') || filter.includes('#')) && topicMatches(filter, topic))) {
          targets.push(...set);
        }
      }
      for (const handler of targets) {
        try {
          handler(payload, topic, retained);
        } catch (err) {
          this.log.warn(`MQTT handler for ${topic} failed: ${this.redact(errorText(err))}`);
        }
      }
    } catch (err) {
      this.log.warn(`MQTT message on ${topic} could not be handled: ${this.redact(errorText(err))}`);
    }
  }

  /** Runs an mqtt.js callback so nothing it throws escapes into the client. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn(`MQTT ${what} handling failed: ${this.redact(errorText(err))}`);
    }
  }

  private redact(text: string): string {
    const p = this.settings.password;
    return p ? text.split(p).join('***') : text;
  }
}

/** Sensors warn about a bad payload at most this often each; the rest go to debug. */
const BAD_PAYLOAD_WARN_MS = 60 * 60_000;

function availabilityOf(payload: Buffer): boolean | undefined {
  if (payload.length > 1024) {
    return undefined;
  }
  let value: unknown = payload.toString('utf8').trim();
  if (typeof value === 'string' && (value.startsWith('{') || value.startsWith('"'))) {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    value = Object.prototype.hasOwnProperty.call(value, 'state') ? (value as Record<string, unknown>).state : undefined;
  }
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const w = value.trim().toLowerCase();
  if (w === 'online' || w === 'true' || w === '1' || w === 'available') {
    return true;
  }
  if (w === 'offline' || w === 'false' || w === '0' || w === 'unavailable') {
    return false;
  }
  return undefined;
}

/**
 * Subscribes a zone's configured sensors; messages → parsePayload → hub.push; availability topic
 * → hub.setAvailable ("online"/"offline" bare or {"state":"online"}). A bad payload gives one log
 * line naming zone, sensor, topic and field (a warning at most hourly per sensor, else debug), and
 * is never learned from. Returns a function that unsubscribes all. The zone's name is for the
 * caller's records; the log given is the zone's own, which names it.
 */
export function attachMqttSensors(_zone: string, sensors: SensorSettings[], hub: ZoneSensors, conn: MqttConnection,
  clock: { now(): number }, log: MqttLog): () => void {
  const unsubscribes: (() => void)[] = [];
  for (const sensor of sensors) {
    const source: SensorSource = { id: `mqtt:${sensor.name}`, weight: sensor.weight, rise: sensor.rise };
    let lastWarn = -Infinity;
    let suppressed = 0;
    /** What the availability topic last said (the hub also counts any live reading as online). */
    let available: boolean | undefined;
    const bad = (topic: string, problem: string) => {
      const t = Date.now();
      const line = `MQTT sensor "${sensor.name}" (topic ${topic}): ${problem}; ignored`;
      if (t - lastWarn >= BAD_PAYLOAD_WARN_MS) {
        lastWarn = t;
        log.warn(suppressed > 0 ? `${line} (${suppressed} more since the last warning, see debug)` : line);
        suppressed = 0;
      } else {
        suppressed++;
        log.debug(line);
      }
    };
    unsubscribes.push(conn.subscribe(sensor.topic, (payload, topic, retained) => {
      let update;
      try {
        update = parsePayload(sensor.kind, payload, { key: sensor.key, invert: sensor.invert, topic });
      } catch (err) {
        bad(topic, err instanceof ReadingError ? err.message : `unreadable payload (${errorText(err)})`);
        return;
      }
      if (update === undefined) {
        return;
      }
      if (retained && (update.kind === 'motion' || update.kind === 'contact' || update.kind === 'airQuality' || available === false)) {
        // A retained message replays the past at every (re)subscribe: a motion or door event from
        // then is not one now, an air-quality level from then is no start for a rise now, nor does
        // an old reading bring an offline sensor back. A retained
        // state (a temperature, presence home or away, a room held occupied) of a sensor not known
        // to be offline is still the latest known, so it is kept.
        log.debug(`MQTT sensor "${sensor.name}" (topic ${topic}): retained ${update.kind} not taken`);
        return;
      }
      if (!retained) {
        available = true;
      }
      try {
        hub.push(source, update, clock.now());
      } catch (err) {
        log.warn(`MQTT sensor "${sensor.name}" (topic ${topic}): reading not taken (${errorText(err)})`);
      }
    }));
    if (sensor.availabilityTopic) {
      unsubscribes.push(conn.subscribe(sensor.availabilityTopic, (payload, topic) => {
        const now = availabilityOf(payload);
        if (now === undefined) {
          bad(topic, 'availability: expected "online" or "offline" (or {"state": "online"})');
          return;
        }
        available = now;
        hub.setAvailable(source, now);
        log.debug(`MQTT sensor "${sensor.name}" is ${now ? 'online' : 'offline'}`);
      }));
    }
  }
  let detached = false;
  return () => {
    if (detached) {
      return;
    }
    detached = true;
    for (const u of unsubscribes) {
      u();
    }
  };
}

/** The state value in a device's state payload: the JSON key, or the bare payload. */
function stateValue(payload: Buffer, key: string): unknown {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    return undefined;
  }
  const text = payload.toString('utf8').trim();
  if (text.startsWith('{') || text.startsWith('"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    return typeof parsed === 'object' && parsed !== null ? lookup(parsed, key) : parsed;
  }
  return text;
}

interface Channel {
  /** Which relay (relay style), or the device itself (setpoint style). */
  role: 'device' | 'heat' | 'cool';
  topic: string;
  template: string;
  /** The newest payload wanted. */
  desired?: string;
  /** The command `desired` was rendered from. */
  command?: EquipmentCommand;
  /** The last payload the broker acknowledged. */
  sent?: string;
  inFlight: boolean;
  failures: number;
  /** A warning was logged for the current run of failures. */
  warned?: boolean;
  timer?: NodeJS.Timeout;
  /** What the device reports on its state topic, when it has one. */
  stateTopic?: string;
  reported?: DeviceState;
  /** What an acknowledged command says, for channels without a state topic. */
  confirmed?: DeviceState;
}

const DEFAULT_STATE_KEY = { setpoint: 'running_state', relay: 'state' } as const;
const DEFAULT_COOL_PAYLOAD = '{"state": "{{COOL}}"}';

/**
 * Sends a zone's commands over MQTT (QoS 1). Setpoint style: the rendered payload goes to `topic`
 * when it changes. Relay style: the heat relay's payload to `topic`, the cool relay's to
 * `coolTopic`. A failed publish is retried with a doubling delay until it succeeds or a newer
 * command replaces it; commands on one topic are sent one at a time, in order. The device's state
 * topic, when set, tells the zone what it does; otherwise an acknowledged command does.
 */
export class MqttOutput implements ZoneOutput {
  private readonly channels: Channel[] = [];
  private readonly listeners: ((state: DeviceState) => void)[] = [];
  private readonly unsubscribes: (() => void)[] = [];
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  private lastState?: DeviceState;
  private closed = false;

  constructor(private readonly zone: string, private readonly settings: MqttOutputSettings, private readonly conn: MqttConnection,
    private readonly log: MqttLog, options: { backoffBaseMs?: number; maxBackoffMs?: number } = {}) {
    this.backoffBaseMs = Math.max(1, options.backoffBaseMs ?? 1000);
    this.maxBackoffMs = Math.max(this.backoffBaseMs, options.maxBackoffMs ?? 60_000);
    const key = settings.stateKey || DEFAULT_STATE_KEY[settings.style];
    if (settings.style === 'setpoint') {
      this.channels.push({ role: 'device', topic: settings.topic, template: settings.payload, inFlight: false, failures: 0,
        stateTopic: settings.stateTopic });
    } else {
      this.channels.push({ role: 'heat', topic: settings.topic, template: settings.payload, inFlight: false, failures: 0,
        stateTopic: settings.stateTopic });
      if (settings.coolTopic) {
        this.channels.push({ role: 'cool', topic: settings.coolTopic, template: settings.coolPayload ?? DEFAULT_COOL_PAYLOAD,
          inFlight: false, failures: 0, stateTopic: settings.coolStateTopic });
      }
    }
    for (const ch of this.channels) {
      if (ch.stateTopic) {
        const stateTopic = ch.stateTopic;
        this.unsubscribes.push(conn.subscribe(stateTopic, (payload) => this.onDeviceState(ch, stateTopic, key, payload)));
      }
    }
    this.unsubscribes.push(conn.onConnected(() => {
      for (const ch of this.channels) {
        if (ch.timer) {
          clearTimeout(ch.timer);
          ch.timer = undefined;
        }
        this.pump(ch);
      }
    }));
  }

  apply(command: EquipmentCommand, _now?: number): void {
    if (this.closed) {
      return;
    }
    for (const ch of this.channels) {
      let payload: string;
      try {
        payload = renderPayload(ch.template, command, this.zone);
      } catch (err) {
        this.log.warn(`MQTT command for ${ch.topic} could not be rendered (${errorText(err)})`);
        continue;
      }
      ch.command = command;
      if (payload === ch.desired) {
        // Same payload: nothing to send, but what it confirms may differ (a setpoint device's heating flag).
        if (ch.sent === payload && !ch.inFlight) {
          this.confirm(ch, command);
        }
        continue;
      }
      ch.desired = payload;
      if (ch.timer) {
        clearTimeout(ch.timer);
        ch.timer = undefined;
      }
      this.pump(ch);
    }
  }

  onState(listener: (state: DeviceState) => void): void {
    this.listeners.push(listener);
    if (this.lastState) {
      this.emitTo(listener, this.lastState);
    }
  }

  close(): void {
    this.closed = true;
    for (const ch of this.channels) {
      if (ch.timer) {
        clearTimeout(ch.timer);
        ch.timer = undefined;
      }
    }
    for (const u of this.unsubscribes.splice(0)) {
      u();
    }
  }

  private pump(ch: Channel): void {
    if (this.closed || ch.inFlight || ch.timer || ch.desired === undefined || ch.desired === ch.sent) {
      return;
    }
    if (!this.conn.connected) {
      // Sent as soon as the broker is back (onConnected), or at the next retry.
      this.failed(ch, ch.desired, 'broker not connected', true);
      return;
    }
    const payload = ch.desired;
    const command = ch.command;
    ch.inFlight = true;
    this.conn.publish(ch.topic, payload, { qos: 1, retain: this.settings.retain }).then(() => {
      ch.inFlight = false;
      ch.sent = payload;
      if (ch.warned) {
        this.safeLog('info', `MQTT command delivered to ${ch.topic} after ${ch.failures} failed attempt(s)`);
      }
      ch.failures = 0;
      ch.warned = false;
      if (!this.closed && payload === ch.desired && command) {
        this.confirm(ch, command);
      }
      this.pump(ch);
    }, (err: unknown) => {
      ch.inFlight = false;
      this.failed(ch, payload, errorText(err));
    }).catch((err: unknown) => {
      // Only a listener or logger that throws gets here.
      this.safeLog('warn', `MQTT output for ${ch.topic} failed: ${errorText(err)}`);
    });
  }

  private failed(ch: Channel, payload: string, reason: string, notConnected = false): void {
    if (this.closed) {
      return;
    }
    ch.failures++;
    const delay = Math.min(this.maxBackoffMs, this.backoffBaseMs * 2 ** Math.min(ch.failures - 1, 30));
    // Not connected yet is normal for a moment at start (the connection reports outages itself): warn
    // only when the second try finds it still down.
    if (!ch.warned && (!notConnected || ch.failures >= 2)) {
      ch.warned = true;
      this.safeLog('warn', `MQTT command ${payload} to ${ch.topic} not delivered (${reason}); retrying`);
    } else {
      this.safeLog('debug', `MQTT command to ${ch.topic} still not delivered (${reason}); next try in ${delay} ms`);
    }
    if (ch.timer) {
      clearTimeout(ch.timer);
    }
    ch.timer = setTimeout(() => {
      ch.timer = undefined;
      this.pump(ch);
    }, delay);
  }

  /** Without a state topic, an acknowledged command is what the device does. */
  private confirm(ch: Channel, command: EquipmentCommand): void {
    if (ch.stateTopic) {
      return;
    }
    ch.confirmed = ch.role === 'heat' ? { heating: command.heating, cooling: false }
      : ch.role === 'cool' ? { heating: false, cooling: command.cooling }
        : { heating: command.heating, cooling: command.cooling };
    this.publishState();
  }

  private onDeviceState(ch: Channel, topic: string, key: string, payload: Buffer): void {
    const raw = stateValue(payload, key);
    const state = ch.role === 'device' ? parseDeviceState(raw) : parseDeviceState(raw, ch.role);
    if (!state) {
      this.safeLog('debug', `MQTT state on ${topic} not understood (key ${key}); ignored`);
      return;
    }
    ch.reported = ch.role === 'heat' ? { heating: state.heating, cooling: false }
      : ch.role === 'cool' ? { heating: false, cooling: state.cooling }
        : state;
    this.publishState();
  }

  private publishState(): void {
    let known = false;
    const state: DeviceState = { heating: false, cooling: false };
    for (const ch of this.channels) {
      const s = ch.stateTopic ? ch.reported : ch.confirmed;
      if (s) {
        known = true;
        state.heating ||= s.heating;
        state.cooling ||= s.cooling;
      }
    }
    if (!known || this.closed) {
      return;
    }
    if (this.lastState && this.lastState.heating === state.heating && this.lastState.cooling === state.cooling) {
      return;
    }
    this.lastState = state;
    for (const listener of this.listeners) {
      this.emitTo(listener, state);
    }
  }

  private emitTo(listener: (state: DeviceState) => void, state: DeviceState): void {
    try {
      listener({ ...state });
    } catch (err) {
      this.safeLog('warn', `MQTT device state listener failed: ${errorText(err)}`);
    }
  }

  private safeLog(level: keyof MqttLog, message: string): void {
    try {
      this.log[level](message);
    } catch {
      // A logger that throws must not stop the output.
    }
  }
}
