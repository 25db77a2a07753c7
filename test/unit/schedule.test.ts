import { getTasks } from 'node-cron';

import { MaintenanceSchedule, validateCron } from '../../src/maintenance/schedule';

const HINT = '(five fields, e.g. "0 * * * *" for every hour)';

describe('validateCron', () => {
  it.each([
    '0 * * * *',
    '*/15 * * * *',
    '0 3 * * *',
    '30 2 1 * *',
    '0 4 * * sun',
    '0 4 * * 0-6',
    '0 4 * * 7',
    '0 0 1 jan *',
    '0 9-17/2 * * mon-fri',
    '5,35 * * * *',
    '0 0 29 2 *', // leap days exist
    '0 0 L * *',
    '@hourly',
    '@daily',
    '  0   *  * * *  ',
    // Six fields: seconds first.
    '* * * * * *',
    '*/10 * * * * *',
    '0 0 3 * * *',
  ])('accepts %j', (expr) => {
    expect(validateCron(expr, 'maintenance.checkpoint')).toBeUndefined();
  });

  it.each([
    ['every hour', 'maintenance.checkpoint: "every hour" is not a cron expression ' + HINT],
    ['* * * *', 'maintenance.checkpoint: "* * * *" is not a cron expression ' + HINT],
    ['0 0 * * * * *', 'maintenance.checkpoint: "0 0 * * * * *" is not a cron expression ' + HINT],
    ['@every 5m', 'maintenance.checkpoint: "@every 5m" is not a cron expression ' + HINT],
    ['0 * * * *;rm', 'maintenance.checkpoint: "0 * * * *;rm" is not a cron expression ' + HINT],
    ['', 'maintenance.checkpoint: is empty; expected a cron expression ' + HINT],
    ['   ', 'maintenance.checkpoint: is empty; expected a cron expression ' + HINT],
    ['61 * * * *', 'maintenance.checkpoint: "61 * * * *" is not a valid cron expression: "61" is not a valid minute (0–59) ' + HINT],
    ['0 24 * * *', 'maintenance.checkpoint: "0 24 * * *" is not a valid cron expression: "24" is not a valid hour (0–23) ' + HINT],
    ['0 0 32 * *', 'maintenance.checkpoint: "0 0 32 * *" is not a valid cron expression: "32" is not a valid day of month (1–31) ' + HINT],
    ['0 0 * 13 *', 'maintenance.checkpoint: "0 0 * 13 *" is not a valid cron expression: "13" is not a valid month (1–12 or jan–dec) ' + HINT],
    ['0 0 * * 8', 'maintenance.checkpoint: "0 0 * * 8" is not a valid cron expression: "8" is not a valid day of week (0–7 or sun–sat) ' + HINT],
    ['*/0 * * * *', 'maintenance.checkpoint: "*/0 * * * *" is not a valid cron expression: "*/0" is not a valid minute (0–59) ' + HINT],
    ['60 * * * * *', 'maintenance.checkpoint: "60 * * * * *" is not a valid cron expression: "60" is not a valid second (0–59) ' + HINT],
    ['hourly at noon x y', 'maintenance.checkpoint: "hourly at noon x y" is not a valid cron expression: "hourly" is not a valid minute (0–59); '
      + '"at" is not a valid hour (0–23); "noon" is not a valid day of month (1–31); "x" is not a valid month (1–12 or jan–dec); '
      + '"y" is not a valid day of week (0–7 or sun–sat) ' + HINT],
    ['0 0 31 2 *', 'maintenance.checkpoint: "0 0 31 2 *" never runs: no month it names has that day ' + HINT],
    ['0 0 1 * 1#5', 'maintenance.checkpoint: "0 0 1 * 1#5" never runs: no date matches it ' + HINT],
  ])('rejects %j', (expr, message) => {
    expect(validateCron(expr, 'maintenance.checkpoint')).toBe(message);
  });

  it.each([
    [42, 'number 42'],
    [null, 'null'],
    [undefined, 'undefined'],
    [true, 'boolean true'],
    [{ every: 'hour' }, 'object {"every":"hour"}'],
    [['0', '*', '*', '*', '*'], 'object ["0","*","*","*","*"]'],
  ])('rejects a %p that is not text', (expr, shown) => {
    expect(validateCron(expr as unknown as string, 'maintenance.retain'))
      .toBe(`maintenance.retain: expected a cron expression as text, got ${shown} ${HINT}`);
  });

  it('leaves no node-cron task behind', () => {
    const before = getTasks().size;
    validateCron('0 * * * *', 'f');
    validateCron('0 0 1 * 1#5', 'f');
    expect(getTasks().size).toBe(before);
  });
});

describe('MaintenanceSchedule', () => {
  let logs: string[];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`) };
  let schedule: MaintenanceSchedule;
  let consoleSpies: jest.SpyInstance[];

  beforeEach(() => {
    logs = [];
    schedule = new MaintenanceSchedule(log);
    consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((k) => jest.spyOn(console, k));
  });
  afterEach(() => {
    schedule.stop();
    // node-cron logs through the schedule's logger, never to the console.
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  describe('on real time', () => {
    it('a job that throws keeps running on its schedule, each failure logged with its name', async () => {
      let calls = 0;
      expect(schedule.add('checkpoint', '* * * * * *', () => {
        calls++;
        throw new Error('disk full');
      })).toBeUndefined();
      await new Promise((r) => setTimeout(r, 2200));
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(logs[0]).toMatch(/^warn maintenance checkpoint failed: disk full\nError: disk full\n\s+at /);
      expect(logs[1]).toBe('warn maintenance checkpoint failed again (2 times in a row): disk full');
      schedule.stop();
      const stoppedAt = calls;
      await new Promise((r) => setTimeout(r, 1200));
      expect(calls).toBe(stoppedAt);
    });
  });

  describe('on jest fake timers', () => {
    const START = new Date(2025, 0, 6, 3, 0, 0, 0).getTime(); // local time, as cron is
    const tick = (ms: number) => jest.advanceTimersByTimeAsync(ms);
    beforeEach(() => {
      jest.useFakeTimers({ now: START });
    });

    it('runs a job at its times', async () => {
      const runs: number[] = [];
      expect(schedule.add('retain', '*/10 * * * * *', () => {
        runs.push(Date.now());
      })).toBeUndefined();
      await tick(35_000);
      expect(runs.map((t) => (t - START) / 1000)).toEqual([10, 20, 30]);
      expect(logs).toEqual([]);
    });

    it('a job that rejects is logged and keeps running; success after failures is said once', async () => {
      let calls = 0;
      schedule.add('prune', '* * * * * *', async () => {
        calls++;
        if (calls <= 2) {
          throw new Error(`try ${calls}`);
        }
        if (calls === 3) {
          return Promise.reject('a plain string');
        }
      });
      await tick(5_500);
      expect(calls).toBe(5);
      expect(logs.map((l) => l.split('\n')[0])).toEqual([
        'warn maintenance prune failed: try 1',
        'warn maintenance prune failed: try 2',
        'warn maintenance prune failed: a plain string',
        'info maintenance prune: working again',
      ]);
    });

    it('a throwing job does not stop other jobs', async () => {
      let good = 0;
      schedule.add('bad', '* * * * * *', () => {
        throw new Error('boom');
      });
      schedule.add('good', '* * * * * *', () => {
        good++;
      });
      await tick(3_000);
      expect(good).toBe(3);
    });

    it('skips a run while the previous one is still going, logging once per streak', async () => {
      let calls = 0;
      let release: () => void = () => undefined;
      schedule.add('checkpoint', '* * * * * *', () => {
        calls++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await tick(4_000);
      expect(calls).toBe(1);
      expect(logs).toEqual(['warn maintenance checkpoint: still running after 1.0 s; skipping its runs until it finishes']);

      release();
      await tick(0);
      expect(logs[1]).toBe('info maintenance checkpoint: finished after 3.0 s; 3 overlapping run(s) skipped');
      await tick(1_000);
      expect(calls).toBe(2);
      await tick(2_000); // a second streak is logged again, once
      expect(logs.filter((l) => l.includes('still running'))).toHaveLength(2);
      release();
      await tick(1_000);
      expect(calls).toBe(3);
    });

    it('stop() stops every job, and jobs can be added again afterwards', async () => {
      let a = 0;
      let b = 0;
      schedule.add('a', '* * * * * *', () => {
        a++;
      });
      schedule.add('b', '*/2 * * * * *', () => {
        b++;
      });
      await tick(4_000);
      expect([a, b]).toEqual([4, 2]);
      schedule.stop();
      schedule.stop(); // twice is harmless
      await tick(10_000);
      expect([a, b]).toEqual([4, 2]);
      expect(jest.getTimerCount()).toBe(0);

      expect(schedule.add('a', '* * * * * *', () => {
        a++;
      })).toBeUndefined();
      await tick(2_000);
      expect(a).toBe(6);
    });

    it('refuses an invalid expression or a duplicate name, and schedules nothing for it', async () => {
      let calls = 0;
      const job = () => {
        calls++;
      };
      expect(schedule.add('checkpoint', 'every hour', job))
        .toBe(`maintenance.checkpoint: "every hour" is not a cron expression ${HINT}`);
      expect(jest.getTimerCount()).toBe(0);
      expect(schedule.add('checkpoint', '* * * * * *', job)).toBeUndefined();
      expect(schedule.add('checkpoint', '0 * * * *', job)).toBe('maintenance.checkpoint: a job of that name is already scheduled');
      expect(schedule.add('other', '* * * * * *', 'not a job' as unknown as () => void))
        .toBe('maintenance.other: the job is not a function');
      await tick(3_000);
      expect(calls).toBe(3);
    });

    it('a missed run (process asleep) is logged once, through the schedule log', async () => {
      let calls = 0;
      schedule.add('retain', '* * * * * *', () => {
        calls++;
      });
      await tick(2_000);
      expect(calls).toBe(2);
      // The machine sleeps: the wall clock jumps 10 s with no timer firing.
      jest.setSystemTime(Date.now() + 10_000);
      await tick(1_000);
      await tick(2_000);
      expect(logs.filter((l) => l.includes('missed'))).toEqual([
        'info maintenance retain: a scheduled run was missed (the process was busy or asleep); it runs again at its next time',
      ]);
      expect(calls).toBeGreaterThanOrEqual(4);
    });

    it('a logger that throws does not break the schedule', async () => {
      const angry = new MaintenanceSchedule({
        info: () => { throw new Error('log down'); },
        warn: () => { throw new Error('log down'); },
      });
      let calls = 0;
      angry.add('x', '* * * * * *', () => {
        calls++;
        throw new Error('boom');
      });
      await tick(3_000);
      angry.stop();
      expect(calls).toBe(3);
    });
  });
});
