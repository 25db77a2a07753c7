/**
 * A small local HTTP server through which devices (Shelly, ESPHome, iOS Shortcuts) push readings
 * into zones: `POST /api/zones/<zone>/readings` with a JSON body, or `GET` the same path with the
 * readings in the query string for devices that can only call a URL. Every answer is JSON; a bad
 * request is refused whole with a status and a message naming the field, and never reaches a zone.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';

import { slug } from '../store/learning-store';
import { parseReadings, READING_KEYS, ReadingError, SensorUpdate } from './readings';
import type { SensorSource } from './sensor-hub';

export interface WebhookZone {
  name: string;
  /** Where the zone's readings go (a ZoneSensors). */
  sensors: { push(source: SensorSource, update: SensorUpdate, at: number): void };
  /** JSON-able state of the zone for GET (temperature, target, mode, occupied, heating/cooling, plan, reason...). */
  state(): Record<string, unknown>;
}

export interface WebhookOptions {
  /** Address to listen on; anything but loopback needs a token. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Required on every request when set: `Authorization: Bearer <token>` or `?token=<token>`. */
  token?: string;
  zones: WebhookZone[];
  /** Stamps the readings (the plugin's clock, which a demo may speed up). */
  clock: { now(): number };
  log: { info(message: string): void; warn(message: string): void; debug(message: string): void };
  /** Largest request body read (default 4096 bytes). */
  maxBodyBytes?: number;
  /** Requests per client address, as a token bucket on real time (default 10/s, burst 30). */
  rateLimit?: { perSecond: number; burst: number };
  /** Time a client has to send a whole request (default 10 s). */
  requestTimeoutMs?: number;
}

export const WEBHOOK_DEFAULTS = {
  maxBodyBytes: 4096,
  rateLimit: { perSecond: 10, burst: 30 },
  requestTimeoutMs: 10_000,
  /** Connections open at once; more are dropped by the server. */
  maxConnections: 64,
} as const;

/** After a 413 the rest of a body is read and thrown away up to this much, then the socket is cut. */
const DISCARD_LIMIT = 1024 * 1024;
/** Client addresses remembered by the rate limiter; beyond this the oldest are forgotten. */
const MAX_CLIENTS = 10_000;
const WARN_EVERY_MS = 60_000;
const MAX_LOGGED_PATH = 120;

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') {
    return true;
  }
  if (isIP(h) === 4) {
    return h.startsWith('127.');
  }
  if (isIP(h) === 6) {
    // The URL parser writes an IPv6 address in one canonical form (0:0::1 → ::1, ::ffff:127.0.0.1 → ::ffff:7f00:1).
    const canonical = new URL(`http://[${h}]/`).hostname.slice(1, -1);
    return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
  }
  return false;
}

/** A refusal: sent as `{"error": message}` with its status and headers. */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** Token buckets per client address, on real (monotonic) time so a sped-up demo clock cannot refill them. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly now = () => performance.now()) {}

  /** 0 when the request may go ahead (and is counted); else whole seconds until it could. */
  take(client: string): number {
    const t = this.now();
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= MAX_CLIENTS) {
        this.forget(t);
      }
      bucket = { tokens: this.burst, at: t };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((t - bucket.at) * this.perSecond) / 1000);
    bucket.at = t;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  /** Drops full buckets (they are the same as new ones), and the oldest if that is not enough. */
  private forget(t: number): void {
    for (const [client, b] of this.buckets) {
      if (b.tokens + ((t - b.at) * this.perSecond) / 1000 >= this.burst) {
        this.buckets.delete(client);
      }
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < MAX_CLIENTS) {
        break;
      }
      this.buckets.delete(client);
    }
  }
}

interface Context {
  method: string;
  /** The request's path without its query (which may hold the token), for logs. */
  path: string;
  client: string;
}

interface ZoneEntry {
  zone: WebhookZone;
  key: string;
  slug: string;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A user-supplied string short enough to quote in a message. */
function quote(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function isJsonType(contentType: string): boolean {
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media === 'text/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

export class WebhookServer {
  private readonly host: string;
  private readonly port: number;
  private readonly tokenDigest?: Buffer;
  private readonly token?: string;
  private readonly zones: ZoneEntry[];
  private readonly maxBodyBytes: number;
  private readonly discardLimit: number;
  private readonly requestTimeoutMs: number;
  private readonly limiter: RateLimiter;
  private readonly lastWarn = new Map<string, number>();
  private server?: http.Server;

  /** Throws when the settings would be unsafe (a reachable address without a token) or unusable. */
  constructor(private readonly options: WebhookOptions) {
    const { host, port } = options;
    if (typeof host !== 'string' || host.trim() === '') {
      throw new Error('webhook.host must be an address to listen on, such as 127.0.0.1');
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`webhook.port must be a whole number from 1 to 65535 (0: any free port), got ${String(port)}`);
    }
    const token = typeof options.token === 'string' && options.token.trim() !== '' ? options.token.trim() : undefined;
    if (!token && !isLoopbackHost(host)) {
      throw new Error(`webhook.token is required when webhook.host is ${quote(host)}, which other devices can reach; `
        + 'set webhook.token, or set webhook.host to 127.0.0.1');
    }
    const maxBodyBytes = options.maxBodyBytes ?? WEBHOOK_DEFAULTS.maxBodyBytes;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
      throw new Error(`webhook maxBodyBytes must be a whole number of bytes, at least 1, got ${String(maxBodyBytes)}`);
    }
    const rate = options.rateLimit ?? WEBHOOK_DEFAULTS.rateLimit;
    if (!(rate.perSecond > 0) || !Number.isFinite(rate.perSecond) || !(rate.burst >= 1) || !Number.isFinite(rate.burst)) {
      throw new Error(`webhook rateLimit needs perSecond > 0 and burst >= 1, got ${rate.perSecond}/s burst ${rate.burst}`);
    }
    const timeout = options.requestTimeoutMs ?? WEBHOOK_DEFAULTS.requestTimeoutMs;
    if (!(timeout >= 100) || !Number.isFinite(timeout)) {
      throw new Error(`webhook requestTimeoutMs must be at least 100, got ${String(timeout)}`);
    }
    this.host = host;
    this.port = port;
    this.token = token;
    this.tokenDigest = token === undefined ? undefined : sha256(token);
    this.maxBodyBytes = maxBodyBytes;
    this.discardLimit = Math.max(DISCARD_LIMIT, 4 * maxBodyBytes);
    this.requestTimeoutMs = timeout;
    this.limiter = new RateLimiter(rate.perSecond, rate.burst);
    this.zones = options.zones.map((zone) => ({ zone, key: zone.name.trim().toLowerCase(), slug: slug(zone.name) }));
    const seen = new Set<string>();
    for (const z of this.zones) {
      if (seen.has(z.key)) {
        options.log.warn(`webhook: two zones are named ${quote(z.zone.name)} (ignoring case); requests reach the first`);
      }
      seen.add(z.key);
    }
  }

  /** Starts listening; resolves with the address actually bound (the port, when 0 was asked). */
  start(): Promise<{ host: string; port: number }> {
    if (this.server) {
      return Promise.reject(new Error('webhook: already started'));
    }
    const server = http.createServer({
      requestTimeout: this.requestTimeoutMs,
      headersTimeout: this.requestTimeoutMs,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: Math.min(1_000, this.requestTimeoutMs / 2),
    }, (req, res) => this.handle(req, res));
    server.maxConnections = WEBHOOK_DEFAULTS.maxConnections;
    // A socket idle this long (no request at all) is closed: nothing may hold a connection forever.
    server.timeout = 2 * this.requestTimeoutMs;
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.onClientError(err, socket));
    server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.refuse(res, this.context(req), new HttpError(417, `Expect: ${quote(String(req.headers.expect))} is not supported`));
    });
    server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => this.rawReply(socket, 405, 'CONNECT is not supported'));
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server = undefined;
        server.close();
        reject(new Error(this.listenFailure(err)));
      };
      server.once('error', onError);
      server.listen({ host: this.host, port: this.port }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.log('warn', `webhook: server error: ${err.message}`));
        const address = server.address() as AddressInfo;
        this.log('info', `webhook: listening on http://${hostForUrl(address.address)}:${address.port}/api/zones`
          + (this.tokenDigest ? ' (token required)' : ' (this machine only, no token)'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Stops listening and cuts open connections. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private listenFailure(err: NodeJS.ErrnoException): string {
    const where = `${this.host} port ${this.port}`;
    switch (err.code) {
      case 'EADDRINUSE':
        return `webhook: port ${this.port} on ${this.host} is already in use by another program; set webhook.port to a free port`;
      case 'EACCES':
        return `webhook: not allowed to listen on ${where} (ports below 1024 need root); set webhook.port above 1024`;
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
        return `webhook: ${quote(this.host)} is not an address of this machine; check webhook.host (port ${this.port})`;
      default:
        return `webhook: cannot listen on ${where}: ${err.message}`;
    }
  }

  /** Refusals known at once are answered at once (before the parser reads any bytes that follow). */
  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const ctx = this.context(req);
    try {
      this.serve(req, res, ctx)?.catch((err: unknown) => this.refuse(res, ctx, err));
    } catch (err) {
      this.refuse(res, ctx, err);
    }
  }

  private context(req: http.IncomingMessage): Context {
    const raw = (req.url ?? '').split('?')[0];
    return {
      method: req.method ?? '?',
      path: raw.length > MAX_LOGGED_PATH ? `${raw.slice(0, MAX_LOGGED_PATH)}…` : raw,
      client: req.socket.remoteAddress ?? 'unknown',
    };
  }

  /** Answers a request; returns a promise only while a body is being read. */
  private serve(req: http.IncomingMessage, res: http.ServerResponse, ctx: Context): Promise<void> | undefined {
    const wait = this.limiter.take(ctx.client);
    if (wait > 0) {
      throw new HttpError(429, `too many requests from ${ctx.client}; retry in ${wait} s`, { 'Retry-After': String(wait) });
    }
    const { parts, query } = this.splitUrl(req.url ?? '/');
    this.authorize(req, query);
    const segments = this.decode(parts);

    const isRoute = segments.length >= 2 && segments.length <= 4 && segments[0] === 'api' && segments[1] === 'zones'
      && (segments.length < 4 || segments[3] === 'readings');
    if (!isRoute) {
      throw new HttpError(404, `no route ${quote(ctx.path)}; the routes are GET /api/zones, GET /api/zones/<zone> `
        + 'and GET or POST /api/zones/<zone>/readings');
    }
    const allowed = segments.length === 4 ? ['GET', 'POST'] : ['GET'];
    if (!allowed.includes(ctx.method)) {
      throw new HttpError(405, `${ctx.method} is not allowed on ${quote(ctx.path)}; use ${allowed.join(' or ')}`,
        { Allow: allowed.join(', ') });
    }
    if (segments.length === 2) {
      this.send(res, 200, { zones: this.zones.map((z) => z.zone.name) });
      return undefined;
    }
    const entry = this.findZone(segments[2]);
    if (segments.length === 3) {
      this.send(res, 200, entry.zone.state());
      return undefined;
    }
    if (ctx.method === 'GET') {
      const readings = new Map<string, string>();
      for (const [key, value] of query) {
        if (readings.has(key)) {
          throw new HttpError(400, `${key}: given more than once in the query`);
        }
        readings.set(key, value);
      }
      this.apply(entry, Object.fromEntries(readings), 'query', res, ctx);
      return undefined;
    }
    return this.readBody(req, res).then((body) => {
      // Without a body the client went away: nobody to answer.
      if (body !== undefined) {
        this.apply(entry, this.parseBody(body), 'body', res, ctx);
      }
    });
  }

  /** The path's segments (still encoded) and the query; only the path's own form is trusted (no host part). */
  private splitUrl(url: string): { parts: string[]; query: URLSearchParams } {
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const absolute = /^https?:\/\/[^/]*/i.exec(path);
    if (absolute) {
      path = path.slice(absolute[0].length) || '/';
    }
    const parts = path.split('/');
    parts.shift(); // before the leading "/" (or, for "*", the whole: no route has it)
    if (parts.length > 1 && parts[parts.length - 1] === '') {
      parts.pop(); // one trailing slash is harmless
    }
    return { parts, query };
  }

  /** URL-decodes each segment; after authorization, so a stranger learns nothing from the errors. */
  private decode(parts: string[]): string[] {
    return parts.map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        throw new HttpError(400, `path: malformed percent-encoding in ${quote(part)}`);
      }
    });
  }

  /** With a token configured: the Authorization header's bearer token, else the `token` query parameter. */
  private authorize(req: http.IncomingMessage, query: URLSearchParams): void {
    if (!this.tokenDigest) {
      return;
    }
    const header = req.headers.authorization;
    const inQuery = query.getAll('token');
    let given: string | undefined;
    if (header !== undefined) {
      given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] ?? '';
    } else if (inQuery.length > 0) {
      // Several tokens in one request would be several guesses for the price of one.
      given = inQuery.length === 1 ? inQuery[0] : '';
    }
    const challenge = { 'WWW-Authenticate': 'Bearer realm="occupancy-thermostat"' };
    if (given === undefined) {
      throw new HttpError(401, 'missing token: send "Authorization: Bearer <token>" or add ?token=<token> (webhook.token)', challenge);
    }
    if (!timingSafeEqual(sha256(given), this.tokenDigest)) {
      throw new HttpError(401, 'wrong token (webhook.token)', challenge);
    }
  }

  /** A zone by exact name (ignoring case) or by slug. */
  private findZone(key: string): ZoneEntry {
    const k = key.trim().toLowerCase();
    const entry = this.zones.find((z) => z.key === k) ?? this.zones.find((z) => z.slug === k);
    if (!entry) {
      const known = this.zones.length === 0 ? 'none' : this.zones.map((z) => `${quote(z.zone.name)} (${z.slug})`).join(', ');
      throw new HttpError(404, `no zone ${quote(key)}; known zones: ${known}`);
    }
    return entry;
  }

  /**
   * Reads a body up to maxBodyBytes. Past it, 413 is answered at once and the rest is read and thrown
   * away (so the answer reaches the client) up to a limit, past which the connection is cut.
   */
  private readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
    const type = req.headers['content-type'];
    if (type !== undefined && !isJsonType(type)) {
      throw new HttpError(415, `Content-Type: expected application/json, got ${quote(type)} `
        + '(curl: add -H "Content-Type: application/json")');
    }
    const tooLarge = (size?: string) =>
      new HttpError(413, `body: ${size ? `${size} is ` : ''}more than the ${this.maxBodyBytes} bytes read`);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxBodyBytes) {
      if (Number(declared) > this.discardLimit) {
        res.setHeader('Connection', 'close');
      }
      throw tooLarge(`${declared} bytes`);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      let settled = false;
      const settle = (fn: () => void) => {
        if (!settled) {
          settled = true;
          fn();
        }
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (over) {
          if (size > this.discardLimit) {
            req.socket.destroy();
          }
          return;
        }
        if (size > this.maxBodyBytes) {
          over = true;
          chunks.length = 0;
          settle(() => reject(tooLarge()));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => settle(() => resolve(Buffer.concat(chunks, size))));
      req.on('error', () => settle(() => resolve(undefined)));
      req.on('close', () => settle(() => resolve(undefined)));
    });
  }

  private parseBody(body: Buffer): unknown {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new HttpError(400, 'body: not valid UTF-8');
    }
    if (text.trim() === '') {
      throw new HttpError(400, 'body: empty; send a JSON object of readings such as {"temperature": 21.5}');
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, 'body: malformed JSON; send a JSON object of readings such as {"temperature": 21.5}');
    }
  }

  /** Checks every reading, then pushes them all: one bad reading and the zone gets none. */
  private apply(entry: ZoneEntry, readings: unknown, where: 'body' | 'query', res: http.ServerResponse, ctx: Context): void {
    let updates: SensorUpdate[];
    try {
      updates = parseReadings(readings, where === 'query' ? ['token'] : []);
    } catch (err) {
      if (err instanceof ReadingError) {
        const field = err.field === 'body' ? where : err.field;
        throw new HttpError(400, `${field}${err.message.slice(err.field.length)}`);
      }
      throw err;
    }
    // "door" and "contact" (or both spellings of outdoor temperature) would be one reading twice.
    const keyOf = new Map<string, string>();
    for (const key of Object.keys(readings as Record<string, unknown>)) {
      const kind = Object.prototype.hasOwnProperty.call(READING_KEYS, key) ? READING_KEYS[key] : undefined;
      if (kind === undefined) {
        continue;
      }
      const other = keyOf.get(kind);
      if (other !== undefined) {
        throw new HttpError(400, `${key}: the same reading as ${other} (${kind}); send one of them`);
      }
      keyOf.set(kind, key);
    }
    const at = this.options.clock.now();
    for (const update of updates) {
      entry.zone.sensors.push({ id: `webhook:${update.kind}` }, update, at);
    }
    const accepted = updates.map((u) => u.kind);
    this.log('debug', `webhook: ${entry.zone.name} ← ${updates.map((u) => `${u.kind} ${u.value}`).join(', ')} (from ${ctx.client})`);
    this.send(res, 200, { ok: true, zone: entry.zone.name, accepted });
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.writableEnded || res.destroyed) {
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(text);
  }

  /** Answers a refusal (or, for anything unexpected, a 500 without details) and logs one line. */
  private refuse(res: http.ServerResponse, ctx: Context, err: unknown): void {
    try {
      if (err instanceof HttpError) {
        const line = `webhook: ${err.status} ${ctx.method} ${ctx.path} from ${ctx.client}: ${err.message}`;
        if (err.status === 401) {
          this.warnThrottled(err.message, line);
        } else {
          this.log('debug', line);
        }
        this.send(res, err.status, { error: err.message }, err.headers);
        return;
      }
      const detail = err instanceof Error ? err.message : String(err);
      this.warnThrottled('internal', `webhook: ${ctx.method} ${ctx.path} from ${ctx.client} failed: ${detail}`);
      this.send(res, 500, { error: 'internal error; see the Homebridge log' });
    } catch {
      res.destroy();
    }
  }

  /** Malformed HTTP the server cannot route: answered on the raw socket, which is then closed. */
  /** HTTP the server cannot parse, or a request too slow to arrive: answered, then the connection is closed. */
  private onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message]: [number, string] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'the request took too long to arrive']
        : [400, `malformed HTTP request (${err.code ?? 'unknown'})`];
    this.log('debug', `webhook: ${status} from ${(socket as Duplex & { remoteAddress?: string }).remoteAddress ?? 'unknown'}: ${message}`);
    const pending = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (!pending) {
      this.rawReply(socket, status, message);
      return;
    }
    // A request is being answered (its body was cut short, say): answer through it, or let its answer go out.
    if (!pending.headersSent) {
      this.send(pending, status, { error: message }, { Connection: 'close' });
    }
    if (pending.writableFinished) {
      socket.end();
    } else {
      pending.once('finish', () => socket.end());
    }
    this.cutLater(socket);
  }

  private rawReply(socket: Duplex, status: number, message: string): void {
    const body = JSON.stringify({ error: message });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    this.cutLater(socket);
  }

  /** A socket being closed politely is cut if the client does not close its end soon. */
  private cutLater(socket: Duplex): void {
    const cut = setTimeout(() => socket.destroy(), 2_000);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
  }

  /** At most one warning a minute for each reason; the rest go to debug so a flood does not flood the log. */
  private warnThrottled(reason: string, line: string): void {
    const t = performance.now();
    const last = this.lastWarn.get(reason);
    if (last === undefined || t - last >= WARN_EVERY_MS) {
      this.lastWarn.set(reason, t);
      this.log('warn', `${line} (more like this in the next minute are logged at debug)`);
    } else {
      this.log('debug', line);
    }
  }

  /** Every line passes here: the token never reaches the log, whatever carried it. */
  private log(level: 'info' | 'warn' | 'debug', line: string): void {
    let safe = line;
    if (this.token) {
      safe = safe.split(this.token).join('[token]').split(encodeURIComponent(this.token)).join('[token]');
    }
    try {
      this.options.log[level](safe);
    } catch {
      // A failing logger must not take a request down with it.
    }
  }
}
