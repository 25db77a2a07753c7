import * as http from 'node:http';
import * as https from 'node:https';
import type { HttpOutputSettings } from '../config/types';
import { parseDeviceState, render, renderPayload } from './command';
import { lookup } from './readings';
import { decodeSafe, redactUrl } from './redact';
import type { DeviceState, EquipmentCommand, ZoneOutput } from './types';

export interface HttpOutputLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface HttpOutputOptions {
  /** First retry delay; each further retry doubles it (default 1000 ms). */
  backoffBaseMs?: number;
  /** Longest retry delay (default 60000 ms). */
  maxBackoffMs?: number;
}

/** Largest response body read for the state key; the rest is discarded. */
const MAX_RESPONSE_BYTES = 64 * 1024;

interface Request {
  /** What makes two requests the same: the rendered request (setpoint) or the relay's on/off (relay). */
  key: string;
  method: string;
  url: string;
  body?: string;
  /** relay: whether this request turns the relay on. */
  on?: boolean;
  command: EquipmentCommand;
}

type Result = { ok: true; status: number; text: string } | { ok: false; reason: string };

type ChannelName = 'setpoint' | 'heat relay' | 'cool relay';

/** What a channel needs from its output. */
interface ChannelHost {
  readonly zone: string;
  readonly retries: number;
  readonly log: HttpOutputLogger;
  isClosed(): boolean;
  backoff(attempt: number): number;
  request(req: Request, abort: AbortController): Promise<Result>;
  confirmed(channel: ChannelName, text: string, command: EquipmentCommand): void;
  fault(where: string, err: unknown): void;
}

/** One device endpoint: the setpoint call, or one relay. Sends only the newest wanted request, in order, with retries. */
class Channel {
  desired?: Request;
  /** Key of the last request that succeeded; cleared by a failure, after which the device's state is unknown. */
  lastOk?: string;
  inFlight?: { req: Request; abort: AbortController };
  retry?: { timer: NodeJS.Timeout };
  /** Retries made for the current request. */
  attempt = 0;
  /** In a failure episode (warned, not yet working again). */
  failing = false;
  other?: Channel;

  constructor(readonly name: ChannelName, private readonly owner: ChannelHost) {}

  get busy(): boolean {
    return this.inFlight !== undefined || this.retry !== undefined;
  }

  want(req: Request): void {
    const previous = this.desired;
    this.desired = req;
    if (this.retry && previous && previous.key !== req.key) {
      // A newer command supersedes the pending retry: only the latest is ever sent.
      clearTimeout(this.retry.timer);
      this.retry = undefined;
      this.attempt = 0;
    }
    this.pump();
  }

  /** Sends the wanted request if nothing is under way, it is not already done, and no interlock holds it. */
  pump(): void {
    const req = this.desired;
    if (this.owner.isClosed() || this.busy || !req || req.key === this.lastOk) {
      return;
    }
    // A relay turning on waits for the other relay's "off" to settle, so heater and cooler never run together on our account.
    if (req.on && this.other && this.other.desired?.on === false && this.other.busy) {
      return;
    }
    this.send(req);
  }

  cancel(): void {
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry = undefined;
    }
    this.inFlight?.abort.abort();
    this.inFlight = undefined;
  }

  private send(req: Request): void {
    const abort = new AbortController();
    this.inFlight = { req, abort };
    this.owner.request(req, abort)
      .then((result) => this.settle(req, abort, result))
      .catch((err: unknown) => this.owner.fault(this.name, err));
  }

  private settle(req: Request, abort: AbortController, result: Result): void {
    if (this.inFlight?.abort !== abort || this.owner.isClosed()) {
      return;
    }
    this.inFlight = undefined;
    const what = `HTTP ${this.name}: ${req.method} ${redactUrl(req.url)}`;
    if (result.ok) {
      this.lastOk = req.key;
      this.attempt = 0;
      if (this.failing) {
        this.failing = false;
        this.owner.log.info(`${what} works again`);
      }
      this.owner.log.debug(`${what} → ${result.status}`);
      const command = this.desired?.key === req.key ? this.desired.command : req.command;
      this.owner.confirmed(this.name, result.text, command);
      this.pump();
      this.other?.pump();
      return;
    }
    this.lastOk = undefined;
    const retries = this.owner.retries;
    if (!this.failing) {
      this.failing = true;
      this.owner.log.warn(`${what} failed: ${result.reason}`
        + (retries > 0 ? ` (retrying up to ${retries} time${retries === 1 ? '' : 's'})` : ''));
    } else {
      this.owner.log.debug(`${what} failed again: ${result.reason}`);
    }
    if (this.desired && this.desired.key !== req.key) {
      this.attempt = 0;
      this.pump();
    } else if (this.attempt < retries) {
      this.attempt += 1;
      const delay = this.owner.backoff(this.attempt);
      const timer = setTimeout(() => {
        this.retry = undefined;
        this.pump();
      }, delay);
      timer.unref();
      this.retry = { timer };
    } else {
      this.attempt = 0;
      this.owner.log.debug(`${what}: gave up after ${retries} retr${retries === 1 ? 'y' : 'ies'}; the last confirmed state stands`);
      this.other?.pump();
    }
  }
}

/** Sends a zone's commands to a device over HTTP (Shelly, ESPHome, a thermostat's local API). */
export class HttpOutput implements ZoneOutput {
  private closed = false;
  private readonly channels: Channel[];
  private readonly listeners: ((state: DeviceState) => void)[] = [];
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  /** Each relay's confirmed on/off (relay style), or the device's confirmed state (setpoint style). */
  private heat?: boolean;
  private cool?: boolean;
  private state?: DeviceState;
  private emitted?: DeviceState;

  constructor(
    private readonly zone: string,
    private readonly settings: HttpOutputSettings,
    private readonly log: HttpOutputLogger,
    options: HttpOutputOptions = {},
  ) {
    this.backoffBaseMs = Math.max(0, options.backoffBaseMs ?? 1000);
    this.maxBackoffMs = Math.max(this.backoffBaseMs, options.maxBackoffMs ?? 60000);
    const host: ChannelHost = {
      zone,
      retries: Math.max(0, Math.floor(settings.retries)),
      log,
      isClosed: () => this.closed,
      backoff: (attempt) => Math.min(this.backoffBaseMs * 2 ** (attempt - 1), this.maxBackoffMs),
      request: (req, abort) => this.request(req, abort),
      confirmed: (channel, text, command) => this.confirmed(channel, text, command),
      fault: (where, err) => this.fault(where, err),
    };
    if (settings.style === 'setpoint') {
      this.channels = [new Channel('setpoint', host)];
    } else {
      const heat = new Channel('heat relay', host);
      this.channels = [heat];
      if (settings.coolUrl) {
        const cool = new Channel('cool relay', host);
        heat.other = cool;
        cool.other = heat;
        this.channels.push(cool);
      }
    }
  }

  apply(command: EquipmentCommand, _now: number): void {
    if (this.closed) {
      return;
    }
    try {
      const s = this.settings;
      if (s.style === 'setpoint') {
        const req = this.build(s.url, s.body, command);
        const ch = this.channels[0];
        ch.want(req);
        if (!ch.busy && ch.lastOk === req.key && !s.stateKey) {
          // The device already has this request; the command's heating/cooling are what it does.
          this.confirmed('setpoint', '', command);
        }
        return;
      }
      const [heat, cool] = this.channels;
      const wanted: [Channel, Request][] = [[heat, this.relay(s.url, s.body, command, command.heating)]];
      if (cool && s.coolUrl) {
        wanted.push([cool, this.relay(s.coolUrl, s.coolBody, command, command.cooling)]);
      }
      // Off before on, so a relay turning on finds the other one's "off" under way and waits for it.
      wanted.sort((a, b) => Number(a[1].on) - Number(b[1].on));
      for (const [ch, req] of wanted) {
        ch.want(req);
      }
    } catch (err) {
      this.fault('apply', err);
    }
  }

  onState(listener: (state: DeviceState) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    for (const ch of this.channels) {
      ch.cancel();
    }
  }

  private build(urlTemplate: string, bodyTemplate: string | undefined, command: EquipmentCommand): Request {
    const method = this.settings.method;
    const url = render(urlTemplate, command, this.zone, encodeURIComponent);
    const body = method !== 'GET' && bodyTemplate !== undefined ? renderPayload(bodyTemplate, command, this.zone) : undefined;
    return { key: `${method} ${url}\n${body ?? ''}`, method, url, body, command };
  }

  private relay(urlTemplate: string, bodyTemplate: string | undefined, command: EquipmentCommand, on: boolean): Request {
    // A relay call is about on/off: a changed setpoint in its template is no reason to call it again.
    return { ...this.build(urlTemplate, bodyTemplate, command), key: on ? 'on' : 'off', on };
  }

  /** A success: the device's own word if the response has the state key, else the command. */
  private confirmed(channel: ChannelName, text: string, command: EquipmentCommand): void {
    const relay = channel === 'heat relay' ? 'heat' : channel === 'cool relay' ? 'cool' : undefined;
    const reported = this.reported(text, relay);
    if (channel === 'setpoint') {
      this.state = reported ?? { heating: command.heating, cooling: command.cooling };
    } else if (channel === 'heat relay') {
      this.heat = reported ? reported.heating : command.heating;
    } else {
      this.cool = reported ? reported.cooling : command.cooling;
    }
    const next = this.state ?? { heating: this.heat ?? false, cooling: this.cool ?? false };
    if (this.emitted && this.emitted.heating === next.heating && this.emitted.cooling === next.cooling) {
      return;
    }
    this.emitted = { ...next };
    for (const listener of this.listeners) {
      try {
        listener({ ...next });
      } catch (err) {
        this.fault('a state listener', err);
      }
    }
  }

  /** Something that should not happen: logged, never thrown. */
  private fault(where: string, err: unknown): void {
    this.log.warn(`HTTP output: ${where} failed: ${this.scrub(err instanceof Error ? err.message : String(err))}`);
  }

  private reported(text: string, relay: 'heat' | 'cool' | undefined): DeviceState | undefined {
    const key = this.settings.stateKey;
    if (!key || text.trim() === '') {
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const value = lookup(parsed, key);
    return value === undefined ? undefined : parseDeviceState(value, relay);
  }

  /** One attempt: resolves with the outcome, never rejects. */
  private request(req: Request, abort: AbortController): Promise<Result> {
    let target: URL;
    try {
      target = new URL(req.url);
    } catch {
      return Promise.resolve({ ok: false, reason: 'invalid URL' });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return Promise.resolve({ ok: false, reason: `unsupported protocol ${target.protocol}` });
    }
    const headers: Record<string, string> = { ...this.settings.headers };
    if (req.body !== undefined) {
      const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
      const trimmed = req.body.trim();
      if (!hasType && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
        headers['Content-Type'] = 'application/json';
      }
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const timeoutMs = Math.max(1, this.settings.timeoutSeconds * 1000);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    timer.unref();
    return new Promise<Result>((resolve) => {
      const done = (r: Result) => {
        clearTimeout(timer);
        resolve(r);
      };
      const failed = (err: unknown) => done(timedOut
        ? { ok: false, reason: `no answer within ${this.settings.timeoutSeconds} s` }
        : { ok: false, reason: this.scrub(describeError(err)) });
      try {
        // node:http takes a password in the URL as Basic auth (fetch refuses such URLs and some ports).
        const client = target.protocol === 'https:' ? https : http;
        const r = client.request(target, { method: req.method, headers, signal: abort.signal }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) {
              chunks.push(chunk);
            }
          });
          res.on('error', failed);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            done(status >= 200 && status < 300
              ? { ok: true, status, text: Buffer.concat(chunks).toString('utf8') }
              : { ok: false, reason: `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}` });
          });
          res.on('close', () => {
            if (!res.complete) {
              failed(new Error('connection closed before the answer ended'));
            }
          });
        });
        r.on('error', failed);
        r.end(req.body);
      } catch (err) {
        failed(err);
      }
    });
  }

  /** Removes secrets (a password in the URL, header values) from an error text. */
  private scrub(text: string): string {
    const secrets: string[] = Object.values(this.settings.headers ?? {});
    for (const template of [this.settings.url, this.settings.coolUrl]) {
      try {
        const u = template ? new URL(template) : undefined;
        if (u?.password) {
          secrets.push(u.password, decodeSafe(u.password));
        }
      } catch {
        // An invalid URL fails on its own when called.
      }
    }
    let out = text;
    for (const secret of secrets) {
      if (secret.length >= 4) {
        out = out.split(secret).join('***');
      }
    }
    return out;
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}
