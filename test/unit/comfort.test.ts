import {
  COMFORT_LAYOUT, ComfortAction, ComfortChange, ComfortFile, ComfortLearner, ComfortLearnerOptions, comfortBytes,
  decodeComfort, DEFAULT_COMFORT_TUNING, SLOT_COUNT,
} from '../../src/learning/comfort';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Local time is UTC+1 here, so slot arithmetic is checked against local, not UTC, hours.
const OFFSET = 60;
/** Monday 2024-01-01 00:00 local. */
const MONDAY = Date.UTC(2024, 0, 1) - OFFSET * MIN;
/** Clock ms of local day `day` (0 = that Monday) at hh:mm. */
const at = (day: number, hh: number, mm = 0) => MONDAY + day * DAY + hh * HOUR + mm * MIN;
const isWeekday = (day: number) => day % 7 < 5;

const OPTIONS: ComfortLearnerOptions = {
  comfort: { heat: 21, cool: 24 },
  limits: { frostProtection: 7, maximum: 30 },
  utcOffsetMinutes: OFFSET,
};
const learner = (over: Partial<ComfortLearnerOptions> = {}) => new ComfortLearner({ ...OPTIONS, ...over });
const change = (t: number, setpoint: number, over: Partial<ComfortChange> = {}): ComfortChange =>
  ({ t, action: 'heat', setpoint, occupied: true, previous: 21, ...over });

/** Every slot of a week for an action: [day, hour, setpoint]. */
function week(l: ComfortLearner, t0: number, action: ComfortAction): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      out.push([d, h, l.comfortAt(t0 + d * DAY + h * HOUR + 30 * MIN, action).setpoint]);
    }
  }
  return out;
}

describe('ComfortLearner: before anything is learned', () => {
  it.each<[string, Partial<ComfortLearnerOptions>, ComfortAction, number, string]>([
    ['heat', {}, 'heat', 21, 'configured 21.0 °C'],
    ['cool', {}, 'cool', 24, 'configured 24.0 °C'],
    ['a comfort below frost protection is raised', { comfort: { heat: 5, cool: 24 } }, 'heat', 7,
      'configured 5.0 °C (limited to frost protection 7.0 °C)'],
    ['a comfort above the maximum is lowered', { comfort: { heat: 21, cool: 32 } }, 'cool', 30,
      'configured 32.0 °C (limited to the maximum 30.0 °C)'],
  ])('%s', (_what, over, action, setpoint, reason) => {
    const l = learner(over);
    for (const t of [at(0, 7), at(5, 23, 59), at(6, 0)]) {
      expect(l.comfortAt(t, action)).toEqual({ setpoint, learned: false, reason });
      expect(l.setpointAt(t, action)).toBe(setpoint);
    }
  });
});

describe('ComfortLearner.record', () => {
  it.each<[string, Partial<ComfortChange>, boolean, string]>([
    ['a change at home teaches', {}, true,
      'learned: heat comfort for weekday 07:00 now 21.9 °C (was 21.0 °C, weight 1.0 of recent changes)'],
    ['a change while away is a one-off', { occupied: false }, false, 'nobody home'],
    ['no change', { previous: 22.5 }, false, 'not learned: 22.5 °C is no change'],
    ['not a number', { setpoint: NaN }, false, 'is not a finite number'],
    ['not a time', { t: Infinity }, false, 'is not a finite number'],
    ['an absurd setpoint is counted at the bound', { setpoint: 35 }, true,
      '35.0 °C counted as 25.0 °C (the learning bound)'],
    ['cooling is its own slot', { action: 'cool', previous: 24, setpoint: 23 }, true,
      'learned: cool comfort for weekday 07:00 now 23.4 °C (was 24.0 °C'],
  ])('%s', (_what, over, learned, reason) => {
    const r = learner().record(change(at(0, 7, 5), 22.5, over));
    expect(r.learned).toBe(learned);
    expect(r.reason).toContain(reason);
  });

  it('uses local time: UTC 06:05 is 07:05 at UTC+1, and Saturday/Sunday are the weekend', () => {
    const rows: Array<[number, string]> = [
      [at(0, 7, 5), 'weekday 07:00'], [at(4, 23, 59), 'weekday 23:00'], [at(5, 0), 'weekend 00:00'],
      [at(6, 12, 30), 'weekend 12:00'], [at(7, 0), 'weekday 00:00'],
    ];
    for (const [t, label] of rows) {
      expect(learner().record(change(t, 22.5)).reason).toContain(`for ${label} now`);
    }
    expect(learner({ utcOffsetMinutes: 0 }).record(change(at(0, 7, 5), 22.5)).reason).toContain('weekday 06:00');
  });
});

describe('ComfortLearner: learning a routine', () => {
  it('someone setting 22.5 °C every weekday at 07:00 for two weeks: that slot converges, weekends do not move', () => {
    const l = learner();
    let previous = 21;
    for (let d = 0; d < 14; d++) {
      if (isWeekday(d)) {
        const t = at(d, 7);
        previous = l.comfortAt(t, 'heat').setpoint;
        expect(l.record(change(t, 22.5, { previous })).learned).toBe(true);
      }
    }
    // Right after the last change, and on the Monday morning after, before anyone touches it.
    for (const t of [at(11, 7, 30), at(14, 7)]) {
      const c = l.comfortAt(t, 'heat');
      expect(Math.abs(c.setpoint - 22.5)).toBeLessThanOrEqual(0.2);
      expect(c.learned).toBe(true);
      expect(c.reason).toMatch(/^learned 22\.\d °C for weekday 07:00 \(weight \d\.\d of recent changes\)$/);
    }
    expect(previous).toBeGreaterThan(22); // the schedule had already learned it on the last day
    for (const [d, h, sp] of week(l, at(14, 0), 'heat')) {
      if (!isWeekday(d)) {
        expect([d, h, sp]).toEqual([d, h, 21]); // weekend: untouched
      } else if (h < 5 || h > 9) {
        expect([d, h, sp]).toEqual([d, h, 21]); // beyond the ±2 h kernel
      }
    }
    for (const [, , sp] of week(l, at(14, 0), 'cool')) {
      expect(sp).toBe(24); // heat changes teach nothing about cooling
    }
  });

  it('changes while away teach nothing', () => {
    const l = learner();
    const before = l.encode();
    for (let d = 0; d < 28; d++) {
      expect(l.record(change(at(d, 7), 25, { occupied: false })).learned).toBe(false);
    }
    expect(l.encode()).toEqual(before);
    expect(week(l, at(28, 0), 'heat').every(([, , sp]) => sp === 21)).toBe(true);
  });

  it('neighbouring hours move less than the slot, and less the further they are', () => {
    const l = learner();
    l.record(change(at(2, 7, 15), 23));
    const move = (h: number) => l.comfortAt(at(2, h, 30), 'heat').setpoint - 21;
    expect(move(7)).toBeCloseTo(2 / (1 + DEFAULT_COMFORT_TUNING.priorWeight), 1);
    expect(move(6)).toBeGreaterThan(0);
    expect(move(6)).toBeLessThan(move(7));
    expect(move(8)).toBe(move(6));
    expect(move(5)).toBeGreaterThan(0);
    expect(move(5)).toBeLessThan(move(6));
    expect(move(9)).toBe(move(5));
    expect(move(4)).toBe(0);
    expect(move(10)).toBe(0);
    expect(l.comfortAt(at(2, 8, 30), 'heat').reason).toBe('learned 21.8 °C for weekday 08:00 (weight 0.5 of recent changes)');
  });

  it('the kernel crosses midnight into the next day type: Friday 23:30 teaches Saturday 00:00 and 01:00', () => {
    const l = learner();
    l.record(change(at(4, 23, 30), 23));
    expect(l.comfortAt(at(5, 0, 30), 'heat').setpoint).toBeGreaterThan(21);
    expect(l.comfortAt(at(5, 1, 30), 'heat').setpoint).toBeGreaterThan(21);
    expect(l.comfortAt(at(5, 2, 30), 'heat').setpoint).toBe(21);
    expect(l.comfortAt(at(0, 0, 30), 'heat').setpoint).toBe(21); // weekday 00:00 is not Friday night
  });

  it('a one-off far from the learned value moves the slot by at most maxStep of the way', () => {
    const l = learner();
    l.record(change(at(0, 7), 30));
    const moved = l.comfortAt(at(0, 7, 30), 'heat').setpoint - 21;
    expect(moved).toBeCloseTo(DEFAULT_COMFORT_TUNING.maxStep / (1 + DEFAULT_COMFORT_TUNING.priorWeight), 1);
  });

  it('taps in quick succession are one decision; going back withdraws it', () => {
    const single = learner();
    single.record(change(at(0, 7, 3), 22.5));
    const taps = learner();
    [21.5, 22, 22.5].forEach((v, i) => taps.record(change(at(0, 7, i), v, { previous: v - 0.5 })));
    const last = taps.record(change(at(0, 7, 3), 22.5, { previous: 22.5 - 0.5 }));
    expect(last.reason).toContain('replaces the change at 07:02');
    expect(taps.encode()).toEqual(single.encode());

    const undone = learner();
    undone.record(change(at(0, 7), 23));
    const back = undone.record(change(at(0, 7, 4), 21, { previous: 23 }));
    expect(back).toEqual({ learned: false, reason: 'not learned: back to 21.0 °C, which withdraws the change at 07:00' });
    expect(week(undone, at(7, 0), 'heat').every(([, , sp]) => sp === 21)).toBe(true);

    // Outside the window, and for the other action, changes count separately.
    const apart = learner();
    apart.record(change(at(0, 7), 22.5));
    expect(apart.record(change(at(0, 7, 11), 22.5, { previous: 22.4 })).reason).not.toContain('replaces');
    expect(apart.record(change(at(0, 7, 12), 23, { action: 'cool', previous: 24 })).reason).not.toContain('replaces');
  });

  it('comfortAt does not change the learner', () => {
    const l = learner();
    l.record(change(at(0, 7), 23));
    const before = JSON.stringify(l.encode());
    for (let d = 0; d < 400; d += 3) {
      l.comfortAt(at(d, 7), 'heat');
      l.setpointAt(at(d, 7), 'cool');
    }
    expect(JSON.stringify(l.encode())).toBe(before);
  });
});

describe('ComfortLearner: bounds', () => {
  // [what, options, action, the absurd setpoints, the lowest and highest a slot may ever hold]
  const rows: Array<[string, Partial<ComfortLearnerOptions>, ComfortAction, number[], number, number]> = [
    ['heat, very high', {}, 'heat', [99, 1e9, 40], 21, 25],
    ['heat, very low', {}, 'heat', [-40, 0, -1e9], 17, 21],
    ['cool, both ways', {}, 'cool', [60, -60], 20, 28],
    ['maximum closer than 4 °C', { limits: { frostProtection: 7, maximum: 23 } }, 'heat', [30, 99], 21, 23],
    ['frost protection closer than 4 °C', { comfort: { heat: 9, cool: 24 } }, 'heat', [0, -5], 7, 9],
    ['a tighter maxOffset', { maxOffset: 1.5 }, 'heat', [30, 10], 19.5, 22.5],
  ];
  it.each(rows)('%s', (_what, over, action, absurd, lo, hi) => {
    const l = learner(over);
    let i = 0;
    for (let d = 0; d < 60; d++) {
      for (let h = 0; h < 24; h += 3) {
        const v = absurd[i++ % absurd.length];
        l.record(change(at(d, h, 20), v, { action, previous: v + 1 }));
        l.record(change(at(d, h, 40), NaN, { action }));
        l.record(change(at(d, h, 41), Infinity, { action }));
      }
    }
    for (const t0 of [at(60, 0), at(90, 0)]) {
      for (const [, , sp] of week(l, t0, action)) {
        expect(sp).toBeGreaterThanOrEqual(lo);
        expect(sp).toBeLessThanOrEqual(hi);
      }
    }
    // Saved and loaded, the bounds still hold, and the file stays small.
    const file = l.encode();
    expect(comfortBytes(file)).toBeLessThanOrEqual(1024);
    const back = ComfortLearner.fromFile({ ...OPTIONS, ...over }, JSON.parse(JSON.stringify(file)));
    for (const [, , sp] of week(back, at(60, 0), action)) {
      expect(sp).toBeGreaterThanOrEqual(lo);
      expect(sp).toBeLessThanOrEqual(hi);
    }
  });

  it('one-directional absurd changes reach the bound, not beyond', () => {
    const l = learner();
    for (let d = 0; d < 30; d++) {
      l.record(change(at(d, 18), 35, { previous: 21 }));
    }
    expect(l.comfortAt(at(30, 18, 30), 'heat').setpoint).toBeGreaterThan(24.5);
    expect(l.comfortAt(at(30, 18, 30), 'heat').setpoint).toBeLessThanOrEqual(25);
  });
});

describe('ComfortLearner: forgetting', () => {
  it('weeks without changes bring a learned slot back to the configured comfort', () => {
    const l = learner();
    for (let d = 0; d < 14; d++) {
      if (isWeekday(d)) l.record(change(at(d, 7), 23.5));
    }
    const offsetAfter = (weeks: number) => l.comfortAt(at(11 + weeks * 7, 7, 30), 'heat').setpoint - 21;
    const start = offsetAfter(0);
    expect(start).toBeGreaterThanOrEqual(2.1);
    let last = start;
    for (let w = 1; w <= 30; w++) {
      const o = offsetAfter(w);
      expect(o).toBeLessThanOrEqual(last);
      expect(o).toBeGreaterThanOrEqual(0);
      last = o;
    }
    expect(offsetAfter(4)).toBeLessThan(start);
    expect(offsetAfter(8)).toBeLessThan(start * 0.6);
    expect(offsetAfter(16)).toBeLessThan(start * 0.2);
    const late = l.comfortAt(at(11 + 30 * 7, 7, 30), 'heat');
    expect(late).toEqual({ setpoint: 21, learned: false, reason: 'configured 21.0 °C' });
  });

  it('a new preference takes over from a well-learned old one within two weeks', () => {
    const l = learner();
    const evening = (d: number) => at(d, 19, 30);
    for (let d = 0; d < 28; d++) {
      if (isWeekday(d)) l.record(change(at(d, 19), 23, { previous: 21 }));
    }
    expect(l.setpointAt(evening(28), 'heat')).toBeGreaterThanOrEqual(22.8);
    const seen: number[] = [];
    for (let d = 28; d < 42; d++) {
      if (isWeekday(d)) {
        l.record(change(at(d, 19), 20, { previous: l.setpointAt(at(d, 19), 'heat') }));
        seen.push(l.setpointAt(evening(d), 'heat'));
      }
    }
    expect(seen).toEqual([...seen].sort((a, b) => b - a)); // steadily down
    expect(seen[4]).toBeLessThan(21.5); // more than half-way after a week
    expect(seen[9]).toBeLessThanOrEqual(20.5); // most of the way after two
  });
});

describe('serialization', () => {
  function trained(): ComfortLearner {
    const l = learner();
    for (let d = 0; d < 21; d++) {
      l.record(change(at(d, 7), isWeekday(d) ? 22.5 : 21.5));
      l.record(change(at(d, 18, 45), 19.5 + (d % 3), { previous: 21 }));
      l.record(change(at(d, 14), 23, { action: 'cool', previous: 24 }));
      l.record(change(at(d, 2), 18, { occupied: false }));
    }
    return l;
  }

  it('round-trips through JSON in under 1 KB, and says the same afterwards', () => {
    const l = trained();
    const file = l.encode();
    const text = JSON.stringify(file);
    expect(comfortBytes(file)).toBe(Buffer.byteLength(text));
    expect(comfortBytes(file)).toBeLessThanOrEqual(1024);
    expect(file).toMatchObject({ format: 'comfort-learner', version: 1, slots: COMFORT_LAYOUT, at: at(20, 18, 45) });

    const back = ComfortLearner.fromFile(OPTIONS, JSON.parse(text));
    expect(back.encode()).toEqual(file);
    let same = 0;
    for (const action of ['heat', 'cool'] as const) {
      for (const t0 of [at(21, 0), at(35, 0)]) {
        const a = week(l, t0, action);
        const b = week(back, t0, action);
        a.forEach(([, , sp], i) => {
          expect(Math.abs(sp - b[i][2])).toBeLessThanOrEqual(0.1 + 1e-9); // quantized to 0.1 °C
          same += sp === b[i][2] ? 1 : 0;
        });
      }
    }
    expect(same / (4 * 7 * 24)).toBeGreaterThan(0.9);
    // Learning continues the same way after the reload.
    l.record(change(at(21, 7), 22.5));
    back.record(change(at(21, 7), 22.5));
    expect(Math.abs(l.setpointAt(at(21, 7, 30), 'heat') - back.setpointAt(at(21, 7, 30), 'heat'))).toBeLessThanOrEqual(0.1);
  });

  it('a fresh learner encodes all zeros', () => {
    const d = decodeComfort(learner().encode());
    expect(d.at).toBe(0);
    expect(d.offsets).toHaveLength(SLOT_COUNT);
    expect([...d.offsets, ...d.weights].every((v) => v === 0)).toBe(true);
  });

  const good = (): Record<string, unknown> => ({ ...trained().encode() });
  const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
  const rows: Array<[string, (f: Record<string, unknown>) => unknown, string]> = [
    ['null', () => null, 'expected an object, got null'],
    ['an array', () => [], 'got an array'],
    ['a string', () => 'comfort', 'got string'],
    ['another format', (f) => ({ ...f, format: 'occupancy-forecaster' }), 'field "format"'],
    ['no format', ({ format: _f, ...f }) => f, 'field "format" is missing'],
    ['a future version', (f) => ({ ...f, version: 2 }), 'field "version"'],
    ['another layout', (f) => ({ ...f, slots: 'heat x 48 half-hours' }), 'field "slots"'],
    ['a negative time', (f) => ({ ...f, at: -1 }), 'field "at"'],
    ['a time as text', (f) => ({ ...f, at: '2024-01-01' }), 'field "at"'],
    ['offsets cut short', (f) => ({ ...f, offsets: (f.offsets as string).slice(0, 100) }), 'field "offsets" must be base64 of 96 bytes, got 75'],
    ['offsets not base64', (f) => ({ ...f, offsets: `${(f.offsets as string).slice(0, 126)}!!` }), 'field "offsets" must be a base64 string'],
    ['offsets missing', ({ offsets: _o, ...f }) => f, 'field "offsets" must be a base64 string of 96 bytes, got undefined'],
    ['offsets as numbers', (f) => ({ ...f, offsets: [1, 2, 3] }), 'field "offsets"'],
    ['an offset of -128', (f) => ({ ...f, offsets: b64(new Array(96).fill(0).map((_, i) => (i === 5 ? 128 : 0))) }), 'field "offsets" holds -128 at slot 5'],
    ['weights too long', (f) => ({ ...f, weights: b64(new Array(97).fill(1)) }), 'field "weights" must be base64 of 96 bytes, got 97'],
    ['weights with a bad padding', (f) => ({ ...f, weights: `${f.weights as string}=` }), 'field "weights"'],
  ];
  it.each(rows)('refuses %s, naming the field', (_what, damage, message) => {
    expect(() => decodeComfort(damage(good()))).toThrow(message);
    expect(() => ComfortLearner.fromFile(OPTIONS, damage(good()))).toThrow(message);
  });

  it('clamps what a file holds to the learner it is loaded into', () => {
    const file: ComfortFile = { ...learner().encode(), at: at(0, 0), offsets: b64(new Array(96).fill(120)), weights: b64(new Array(96).fill(255)) };
    const l = ComfortLearner.fromFile(OPTIONS, file);
    expect(l.comfortAt(at(0, 7), 'heat').setpoint).toBe(25);
    expect(l.comfortAt(at(0, 7), 'cool').setpoint).toBe(28);
    expect(decodeComfort(l.encode()).weights[0]).toBeCloseTo(DEFAULT_COMFORT_TUNING.maxWeight, 5);
  });
});

describe('options', () => {
  it.each<[string, Partial<ComfortLearnerOptions>, string]>([
    ['halfLifeDays', { halfLifeDays: 0 }, 'halfLifeDays must be a number above 0'],
    ['priorWeight', { priorWeight: -1 }, 'priorWeight'],
    ['maxOffset beyond int8 tenths', { maxOffset: 13 }, 'maxOffset must be a number above 0 to 12.7'],
    ['maxWeight beyond uint8 tenths', { maxWeight: 30 }, 'maxWeight'],
    ['kernel not starting at 1', { kernel: [0.5, 0.2] }, 'kernel'],
    ['kernel too wide', { kernel: [1, ...new Array(12).fill(0.1)] }, 'kernel'],
    ['comfort', { comfort: { heat: NaN, cool: 24 } }, 'comfort.heat must be a finite number'],
    ['limits', { limits: { frostProtection: 10, maximum: 8 } }, 'limits.maximum (8) must be above'],
    ['utcOffsetMinutes', { utcOffsetMinutes: Infinity }, 'utcOffsetMinutes'],
  ])('refuses a bad %s', (_what, over, message) => {
    expect(() => learner(over)).toThrow(message);
  });

  it('takes tuning, and undefined leaves the default', () => {
    const l = learner({ halfLifeDays: 3, kernel: [1], priorWeight: undefined });
    expect(l.tuning).toMatchObject({ halfLifeDays: 3, kernel: [1], priorWeight: DEFAULT_COMFORT_TUNING.priorWeight });
    l.record(change(at(0, 7), 23));
    expect(l.comfortAt(at(0, 6, 30), 'heat').setpoint).toBe(21);
  });
});
