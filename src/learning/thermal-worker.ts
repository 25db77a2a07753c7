import fs from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { HistoryLog, HistoryRecord } from '../store/history';
import { fitThermal, ThermalFit, ThermalFitOptions } from './thermal-fit';

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
  /** The worker's heap limit, MB (default 256): a runaway read kills the worker, not Homebridge. */
  maxHeapMb?: number;
}

const MARKER = 'occupancy-thermostat:thermal-fit';
const DAY_MS = 86_400_000;
const SEGMENT = /^(\d{4})-(\d{2})-(\d{2})\.jsonl$/;
const MAX_WARNINGS = 20;

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
 * or is cancelled. Never throws synchronously, and nothing it schedules throws.
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
      if (w && error) {
        try {
          w.terminate().catch(() => undefined);
        } catch {
          // Already gone.
        }
      }
      if (error) {
        reject(error);
      } else {
        resolve(result as FitResult);
      }
    };

    const job: Job = {
      marker: MARKER,
      entry: __filename,
      historyDir,
      sinceMs,
      untilMs: typeof options.untilMs === 'number' && !Number.isNaN(options.untilMs) ? options.untilMs : Infinity,
      fit: options.fit ?? {},
    };
    const heap = options.maxHeapMb !== undefined && options.maxHeapMb >= 16 && Number.isFinite(options.maxHeapMb) ? options.maxHeapMb : 256;
    try {
      const fromSource = __filename.endsWith('.ts');
      worker = new Worker(fromSource ? TS_BOOTSTRAP : __filename, {
        eval: fromSource,
        workerData: job,
        // A small young generation keeps the worker's peak ~12 MB lower at no cost in speed (measured
        // on 30 days of a zone's history: +22 MB peak RSS instead of +34 MB).
        resourceLimits: { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: 4 },
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
  const records = readThermalRecords(job.historyDir, job.sinceMs, job.untilMs, { info: () => undefined, warn: note });
  const read = Date.now();
  const fit = fitThermal(records, job.fit);
  const done = Date.now();
  if (moreWarnings > 0) {
    warnings.push(`… and ${moreWarnings} more`);
  }
  return { type: 'result', result: { ...fit, records: records.length, warnings, readMs: read - started, fitMs: done - read } };
}

/**
 * The indoor, outdoor and equipment records of [since, until), read one day's segment at a time so
 * that only those kinds are ever held together (a year of a zone's full history is far larger).
 */
export function readThermalRecords(
  historyDir: string, sinceMs: number, untilMs: number, log: { info(m: string): void; warn(m: string): void },
): HistoryRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(historyDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warn(`could not list ${historyDir} (${(err as Error).message})`);
    }
    return [];
  }
  const days: number[] = [];
  for (const name of names) {
    const m = SEGMENT.exec(name);
    if (m) {
      const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
      if (Number.isInteger(day) && (day + 1) * DAY_MS > sinceMs && day * DAY_MS < untilMs) {
        days.push(day);
      }
    }
  }
  days.sort((a, b) => a - b);
  const history = new HistoryLog(historyDir, log);
  const out: HistoryRecord[] = [];
  for (let i = 0; i < days.length; i++) {
    if (i > 0 && days[i] === days[i - 1]) {
      continue;
    }
    const from = Math.max(sinceMs, days[i] * DAY_MS);
    const to = Math.min(untilMs, (days[i] + 1) * DAY_MS);
    for (const r of history.read(from, to)) {
      if (r.kind === 'temperature' || r.kind === 'outdoor' || r.kind === 'equipment') {
        out.push(r);
      }
    }
  }
  return out;
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
