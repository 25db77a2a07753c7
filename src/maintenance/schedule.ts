import { createTask, schedule, validateDetailed } from 'node-cron';
import type { Logger as CronLogger, ScheduledTask } from 'node-cron';

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

export type MaintenanceJob = () => void | Promise<void>;

const HINT = '(five fields, e.g. "0 * * * *" for every hour)';

/** What each field accepts, for messages (node-cron's field keys). */
const FIELDS: Record<string, string> = {
  second: 'second (0–59)',
  minute: 'minute (0–59)',
  hour: 'hour (0–23)',
  dayOfMonth: 'day of month (1–31)',
  month: 'month (1–12 or jan–dec)',
  dayOfWeek: 'day of week (0–7 or sun–sat)',
};

/**
 * Undefined when `expr` is a cron expression node-cron will run, else a message naming the field,
 * the expression and what a valid one looks like. Five fields (minute hour day month weekday) or
 * six with seconds first, and node-cron's nicknames (`@hourly`, `@daily`, ...).
 */
export function validateCron(expr: string, field: string): string | undefined {
  if (typeof expr !== 'string') {
    return `${field}: expected a cron expression as text, got ${describe(expr)} ${HINT}`;
  }
  if (expr.trim() === '') {
    return `${field}: is empty; expected a cron expression ${HINT}`;
  }
  const shown = JSON.stringify(expr.length > 80 ? `${expr.slice(0, 80)}…` : expr);
  let result: ReturnType<typeof validateDetailed>;
  try {
    result = validateDetailed(expr);
  } catch (err) {
    return `${field}: ${shown} is not a cron expression (${(err as Error).message}) ${HINT}`;
  }
  if (!result.valid) {
    if (result.errors.some((e) => !(e.field in FIELDS))) {
      return `${field}: ${shown} is not a cron expression ${HINT}`;
    }
    if (result.errors.some((e) => /impossible/.test(e.message))) {
      return `${field}: ${shown} never runs: no month it names has that day ${HINT}`;
    }
    const which = result.errors.map((e) => `${JSON.stringify(e.value ?? '')} is not a valid ${FIELDS[e.field]}`);
    return `${field}: ${shown} is not a valid cron expression: ${which.join('; ')} ${HINT}`;
  }
  // Some expressions parse but match no date (e.g. "0 0 1 * 1#5": the 1st as the 5th Monday);
  // node-cron would throw when starting them, so say so here, while the config is being read.
  let probe: ScheduledTask | undefined;
  try {
    probe = createTask(expr, () => undefined);
    probe.getNextRuns(1);
  } catch {
    return `${field}: ${shown} never runs: no date matches it ${HINT}`;
  } finally {
    try {
      void probe?.destroy();
    } catch {
      // A probe that will not be destroyed was never started: nothing is left running.
    }
  }
  return undefined;
}

interface JobState {
  name: string;
  task?: ScheduledTask;
  job: MaintenanceJob;
  running: boolean;
  startedAt: number;
  /** Runs skipped because the previous one was still going, in the current streak. */
  skipped: number;
  /** Scheduled runs node-cron could not make (process busy or asleep), in the current streak. */
  missed: number;
  lastError?: string;
  failures: number;
}

/**
 * Maintenance jobs (checkpoint, history retention, ...) on cron expressions, in local time. A job
 * that throws or rejects is logged with its name and keeps its schedule; a run that comes while
 * the previous one of the same job is still going is skipped, logged once per streak.
 */
export class MaintenanceSchedule {
  private readonly jobs = new Map<string, JobState>();

  constructor(private readonly log: Log) {}

  /** Schedules `job`; returns undefined when scheduled, else why not (the job is then not scheduled). */
  add(name: string, expr: string, job: MaintenanceJob): string | undefined {
    const field = `maintenance.${name}`;
    if (this.jobs.has(name)) {
      return `${field}: a job of that name is already scheduled`;
    }
    if (typeof job !== 'function') {
      return `${field}: the job is not a function`;
    }
    const problem = validateCron(expr, field);
    if (problem !== undefined) {
      return problem;
    }
    const state: JobState = { name, job, running: false, startedAt: 0, skipped: 0, missed: 0, failures: 0 };
    try {
      state.task = schedule(expr, () => this.run(state), {
        name: `maintenance:${name}`,
        // Like SystemClock's timers: a pending maintenance run must not keep Homebridge from exiting.
        unref: true,
        logger: this.cronLogger(name),
      });
      state.task.on('execution:missed', () => this.missed(state));
    } catch (err) {
      void state.task?.destroy();
      return `${field}: ${JSON.stringify(expr)} could not be scheduled (${(err as Error).message})`;
    }
    this.jobs.set(name, state);
    return undefined;
  }

  /** Stops every job; a run in progress finishes on its own. Jobs can be added again afterwards. */
  stop(): void {
    for (const state of this.jobs.values()) {
      try {
        void state.task?.destroy();
      } catch (err) {
        this.say('warn', `maintenance ${state.name}: could not be stopped (${(err as Error).message})`);
      }
    }
    this.jobs.clear();
  }

  /** The cron callback: starts the job unless it is still running, and never throws. */
  private run(state: JobState): void {
    try {
      if (state.running) {
        state.skipped++;
        if (state.skipped === 1) {
          this.say('warn', `maintenance ${state.name}: still running after ${seconds(Date.now() - state.startedAt)}; `
            + 'skipping its runs until it finishes');
        }
        return;
      }
      state.missed = 0;
      state.running = true;
      state.startedAt = Date.now();
      let result: void | Promise<void>;
      try {
        result = state.job();
      } catch (err) {
        this.finished(state, err);
        return;
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(() => this.finished(state), (err: unknown) => this.finished(state, err));
      } else {
        this.finished(state);
      }
    } catch (err) {
      // Only our own bookkeeping or a throwing logger can land here; the timer must survive it.
      state.running = false;
      this.say('warn', `maintenance ${state.name}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private finished(state: JobState, err?: unknown): void {
    state.running = false;
    if (state.skipped > 0) {
      this.say('info', `maintenance ${state.name}: finished after ${seconds(Date.now() - state.startedAt)}; `
        + `${state.skipped} overlapping run(s) skipped`);
      state.skipped = 0;
    }
    if (err === undefined) {
      if (state.lastError !== undefined) {
        this.say('info', `maintenance ${state.name}: working again`);
        state.lastError = undefined;
        state.failures = 0;
      }
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    state.failures = message === state.lastError ? state.failures + 1 : 1;
    if (state.failures === 1) {
      const detail = err instanceof Error && err.stack ? `\n${err.stack}` : '';
      this.say('warn', `maintenance ${state.name} failed: ${message}${detail}`);
    } else {
      this.say('warn', `maintenance ${state.name} failed again (${state.failures} times in a row): ${message}`);
    }
    state.lastError = message;
  }

  private missed(state: JobState): void {
    state.missed++;
    if (state.missed === 1) {
      this.say('info', `maintenance ${state.name}: a scheduled run was missed (the process was busy or asleep); `
        + 'it runs again at its next time');
    }
  }

  /** node-cron's own messages go to our log, never to the console. */
  private cronLogger(name: string): CronLogger {
    const text = (m: string | Error) => (m instanceof Error ? m.message : m);
    return {
      info: (m) => this.say('info', `maintenance ${name}: ${m}`),
      warn: (m) => this.say('warn', `maintenance ${name}: ${m}`),
      error: (m, e) => this.say('warn', `maintenance ${name}: ${text(m)}${e ? ` (${e.message})` : ''}`),
      debug: () => undefined,
    };
  }

  // Logging must not throw out of a cron callback either.
  private say(level: 'info' | 'warn', message: string): void {
    try {
      this.log[level](message);
    } catch {
      // Nowhere left to report it.
    }
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) {
    return String(v);
  }
  let s: string;
  try {
    s = typeof v === 'object' ? JSON.stringify(v) ?? '' : String(v);
  } catch {
    s = '(unprintable)';
  }
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
