import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { HistoryLog, HistoryRecord } from '../store/history';
import { fitThermalSeries, ThermalFit, ThermalFitOptions, ThermalSeries } from './thermal-fit';

/**
 * Fits a zone's thermal model (thermal-fit.ts) off Homebridge's main thread: `runThermalFit` starts
 * a worker thread that reads the zone's history, fits, posts the result and exits. Reading a year
 * of JSON lines takes a second or more, which must not stall HomeKit.
 *
 * The worker runs this very module (`__filename`), so the main-thread API and the worker entry can
 * never be out of step, and the path is right wherever the module is loaded from:
 * - from dist/ (the plugin as installed), `__filename` is dist/learning/thermal-worker.js;
 * - from the TypeScript source (ts-jest, ts-node), Node cannot run a .ts file in a worker, so the
 *   worker starts from a small inline bootstrap that registers a require hook transpiling .ts with
 *   the project's own `typescript` (a devDependency, present wherever the source is), then loads
 *   this file. The installed plugin never takes this path.
 * The module does its work only when loaded as a worker with its own marker in `workerData`.
 */

export interface FitResult extends ThermalFit {
  /** Indoor, outdoor and equipment records the fit read. */
  records: number;
  /** Problems met reading the history (corrupt lines are skipped), at most 20, then a count of the rest. */
  warnings: string[];
  /** Milliseconds the worker spent reading the history, and fitting. */
  readMs: number;
  fitMs: number;
}

export interface RunThermalFitOptions {
  /** Read records before this time only (default: all of them). */
  untilMs?: number;
  /** Passed to fitThermal. */
  fit?: ThermalFitOptions;
  /** Cancels the fit (e.g. at shutdown): the worker is stopped and the promise rejects. */
  signal?: AbortSignal;
  /**
   * The worker's heap limit, MB (default 64; 256 from the TypeScript source): a runaway read kills
   * the worker, not Homebridge. The streamed read keeps its readings outside the heap, which stays
   * under 10 MB.
   */
  maxHeapMb?: number;
}

const MARKER = 'occupancy-thermostat:thermal-fit';
const MAX_WARNINGS = 20;
/** Longest wait for a stopped worker's thread to end before answering anyway, ms. */
const STOP_WAIT_MS = 2_000;

interface Job {
  marker: typeof MARKER;
  /** This module's file, for the TypeScript bootstrap. */
  entry: string;
  historyDir: string;
  sinceMs: number;
  untilMs: number;
  fit: ThermalFitOptions;
}

type Reply = { type: 'result'; result: FitResult } | { type: 'error'; message: string };

/**
 * Reads the history in `historyDir` from `sinceMs` in a worker thread and fits the room to it.
 * Resolves with the fit, `ok: false` with a reason included (too little data is an answer, not an
 * error). Rejects, with a message saying what happened, when the worker cannot start, fails,
 * runs out of memory, exits without an answer, takes longer than `timeoutMs` (it is then stopped)
 * or is cancelled. Settles once the worker's thread has ended (at most 2 s after its answer), so
 * fits awaited one after another never hold two workers at once. Never throws synchronously, and
 * nothing it schedules throws.
 */
export function runThermalFit(
  historyDir: string, sinceMs: number, timeoutMs: number, options: RunThermalFitOptions = {},
): Promise<FitResult> {
  return new Promise<FitResult>((resolve, reject) => {
    if (typeof historyDir !== 'string' || historyDir === '') {
      reject(new TypeError(`thermal fit: historyDir must be a directory path, got ${String(historyDir)}`));
      return;
    }
    if (typeof sinceMs !== 'number' || Number.isNaN(sinceMs)) {
      reject(new TypeError(`thermal fit: sinceMs must be a time in milliseconds, got ${String(sinceMs)}`));
      return;
    }
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      reject(new RangeError(`thermal fit: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`));
      return;
    }
    const { signal } = options;
    if (signal?.aborted) {
      reject(new Error('thermal fit cancelled before it started'));
      return;
    }
    let worker: Worker | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const onAbort = () => finish(new Error('thermal fit cancelled; the worker was stopped'));
    const finish = (error: Error | undefined, result?: FitResult): void => {
      if (settled) {
        return;
      }
      settled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
      }
      signal?.removeEventListener('abort', onAbort);
      const w = worker;
      worker = undefined;
      const settle = () => (error ? reject(error) : resolve(result as FitResult));
      if (!w) {
        settle();
        return;
      }
      // Stopped at once, result or not, and answered once the thread is gone (or after STOP_WAIT_MS):
      // its isolate is most of what a fit costs in memory, so the next zone's fit must not overlap it.
      let stopped: Promise<unknown>;
      try {
        stopped = w.terminate();
      } catch {
        stopped = Promise.resolve();
      }
      const limit = setTimeout(settle, STOP_WAIT_MS);
      const done = () => {
        clearTimeout(limit);
        settle();
      };
      stopped.then(done, done);
    };

    const job: Job = {
      marker: MARKER,
      entry: __filename,
      historyDir,
      sinceMs,
      untilMs: typeof options.untilMs === 'number' && !Number.isNaN(options.untilMs) ? options.untilMs : Infinity,
      fit: options.fit ?? {},
    };
    const fromSource = __filename.endsWith('.ts');
    // From the source the worker also loads the TypeScript compiler, which needs far more heap.
    const heap = options.maxHeapMb !== undefined && options.maxHeapMb >= 16 && Number.isFinite(options.maxHeapMb)
      ? options.maxHeapMb
      : fromSource ? 256 : 64;
    try {
      worker = new Worker(fromSource ? TS_BOOTSTRAP : __filename, {
        eval: fromSource,
        workerData: job,
        // A small young generation keeps the worker's peak lower at no cost in speed: the read makes
        // only short-lived garbage (measured on 30 days of history: 2 MB instead of 4 saves 1–2 MB).
        resourceLimits: { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: 2 },
      });
    } catch (err) {
      finish(new Error(`thermal fit: could not start the worker (${(err as Error).message})`));
      return;
    }
    worker.on('message', (reply: Reply) => {
      if (reply?.type === 'result' && typeof reply.result === 'object' && reply.result !== null) {
        finish(undefined, reply.result);
      } else if (reply?.type === 'error') {
        finish(new Error(`thermal fit failed in the worker: ${reply.message}`));
      } else {
        finish(new Error('thermal fit: the worker sent something that is not a result'));
      }
    });
    worker.on('messageerror', (err) => finish(new Error(`thermal fit: the worker's answer could not be read (${err.message})`)));
    worker.on('error', (err) => finish(new Error(`thermal fit worker crashed: ${err.message}`)));
    worker.on('exit', (code) => finish(new Error(`thermal fit worker exited (code ${code}) without a result`)));
    timer = setTimeout(() => finish(new Error(`thermal fit timed out after ${timeoutMs} ms; the worker was stopped`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Worker bootstrap when running from the TypeScript source: transpile-only require hook for .ts,
 * using the typescript package that sits next to the source, then load this module.
 */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const fs = require('node:fs');
const load = Module.createRequire(workerData.entry);
const ts = load('typescript');
Module._extensions['.ts'] = function (module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};
load(workerData.entry);
`;

/** In the worker: read, fit, answer. Every failure becomes an error reply. */
function work(job: Job): Reply {
  const warnings: string[] = [];
  let moreWarnings = 0;
  const note = (message: string) => {
    if (warnings.length < MAX_WARNINGS) {
      warnings.push(message);
    } else {
      moreWarnings++;
    }
  };
  const started = Date.now();
  const series = readThermalSeries(job.historyDir, job.sinceMs, job.untilMs, { info: () => undefined, warn: note });
  const read = Date.now();
  const fit = fitThermalSeries(series, job.fit);
  const done = Date.now();
  if (moreWarnings > 0) {
    warnings.push(`… and ${moreWarnings} more`);
  }
  return { type: 'result', result: { ...fit, records: series.records, warnings, readMs: read - started, fitMs: done - read } };
}

/**
 * The readings and equipment states of [since, until), streamed from the segments line by line into
 * typed arrays: a record is parsed, checked, and its time and value kept, nothing more. Measured on
 * 30 days at a reading a minute, one fit's peak fell from +24 MB to +16 MB (a bare worker: +9 MB).
 */
export function readThermalSeries(
  historyDir: string, sinceMs: number, untilMs: number, log: { info(m: string): void; warn(m: string): void },
): ThermalSeries {
  const series = new ThermalSeries();
  new HistoryLog(historyDir, log).scan(sinceMs, untilMs, (r) => series.add(r));
  return series;
}

/** The indoor, outdoor and equipment records of [since, until), in time order: what the worker fits, as records. */
export function readThermalRecords(
  historyDir: string, sinceMs: number, untilMs: number, log: { info(m: string): void; warn(m: string): void },
): HistoryRecord[] {
  return new HistoryLog(historyDir, log).read(sinceMs, untilMs)
    .filter((r) => r.kind === 'temperature' || r.kind === 'outdoor' || r.kind === 'equipment');
}

function isJob(data: unknown): data is Job {
  return typeof data === 'object' && data !== null && (data as { marker?: unknown }).marker === MARKER;
}

if (!isMainThread && parentPort && isJob(workerData)) {
  let reply: Reply;
  try {
    reply = work(workerData);
  } catch (err) {
    reply = { type: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  parentPort.postMessage(reply);
}
