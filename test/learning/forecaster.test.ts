import fs from 'node:fs';
import path from 'node:path';

import { emptyModel, FutureLabelError, HORIZONS, OccupancyForecaster } from '../../src/learning/forecaster';
import { decodeModel } from '../../src/learning/model-file';

const MIN = 60_000;
const DAY = 1440 * MIN;
const MONDAY = Date.UTC(2024, 0, 1); // a Monday, 00:00

/** A strict weekly routine: away 08:00–17:00 on weekdays, home otherwise. */
function routine(t: number): number {
  const d = new Date(t);
  const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  const m = d.getUTCHours() * 60 + d.getUTCMinutes();
  return weekday && m >= 8 * 60 && m < 17 * 60 ? 0 : 1;
}

function brier(f: OccupancyForecaster, days: number, from = MONDAY, truth = routine): number[] {
  const sum = new Array(HORIZONS.length).fill(0);
  let n = 0;
  const end = from + days * DAY;
  const preds: Array<[number, number[]]> = [];
  for (let t = from; t < end; t += MIN) {
    f.observe(t, truth(t));
    preds.push([t, Array.from(f.predictions())]);
  }
  for (const [t, p] of preds) {
    if (t + HORIZONS[HORIZONS.length - 1] * MIN >= end) break;
    HORIZONS.forEach((h, i) => { sum[i] += (p[i] - truth(t + h * MIN)) ** 2; });
    n++;
  }
  return sum.map((s) => s / n);
}

describe('OccupancyForecaster', () => {
  it('is undecided before it has seen a state', () => {
    const f = new OccupancyForecaster();
    expect(Array.from(f.predictions())).toEqual(HORIZONS.map(() => 0.5));
    expect(() => f.predict(45)).toThrow('horizon 45 min is not one of 15, 30, 60, 120, 180, 240');
  });

  it('learns a weekly routine: after three weeks it forecasts departures and arrivals', () => {
    const f = new OccupancyForecaster(emptyModel(), { learningRate: 0.05 });
    brier(f, 21);
    const later = brier(f, 7, MONDAY + 21 * DAY);
    // Persistence at +60 min on this routine: 4 transitions a weekday, each wrong for 60 min.
    const persistence60 = (5 * 2 * 60) / (7 * 1440);
    expect(later[2]).toBeLessThan(persistence60 * 0.5);
    // Just before the 08:00 departure on a weekday, +60 says away; just before 17:00, +60 says home.
    const f2 = new OccupancyForecaster(f.model);
    const monday4 = MONDAY + 28 * DAY;
    for (let t = monday4; t <= monday4 + 7 * 60 * MIN + 30 * MIN; t += MIN) f2.observe(t, routine(t));
    expect(f2.predict(60)).toBeLessThan(0.4);
    expect(f2.predict(15)).toBeGreaterThan(0.6);
  });

  it('gives calibrated probabilities for a coin-flip household', () => {
    // Each hour home or away at random: the best forecast at +120 is about the base rate.
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const hours = new Map<number, number>();
    const truth = (t: number) => {
      const hour = Math.floor(t / (60 * MIN));
      if (!hours.has(hour)) hours.set(hour, rnd() < 0.7 ? 1 : 0);
      return hours.get(hour)!;
    };
    const f = new OccupancyForecaster(emptyModel(), { learningRate: 0.02 });
    brier(f, 20, MONDAY, truth);
    let sum = 0;
    let n = 0;
    for (let t = MONDAY + 20 * DAY; t < MONDAY + 27 * DAY; t += MIN) {
      f.observe(t, truth(t));
      sum += f.predict(120);
      n++;
    }
    expect(sum / n).toBeGreaterThan(0.6);
    expect(sum / n).toBeLessThan(0.8);
  });

  it('keeps a share of the weekly profile in every forecast, so a long absence does not hide the usual return', () => {
    // Three weeks of the routine, then a week away: the state says "away for days", the profile
    // says "home at 18:00 on a weekday".
    const f = new OccupancyForecaster(emptyModel(), { learningRate: 0.05, profileShare: 0.05 });
    const pure = new OccupancyForecaster(emptyModel(), { learningRate: 0.05, profileShare: 0 });
    const away = (t: number) => (t < MONDAY + 21 * DAY ? routine(t) : 0);
    const until = MONDAY + 25 * DAY + 16 * 60 * MIN; // Friday of the week away, 16:00
    for (let t = MONDAY; t <= until; t += MIN) {
      f.observe(t, away(t));
      pure.observe(t, away(t));
    }
    // Same weights and tables: the share changes the forecast, not what is learned.
    expect(Array.from(f.model.weights)).toEqual(Array.from(pure.model.weights));
    const i = HORIZONS.indexOf(120);
    const profile = f.usuallyHome(until + 120 * MIN)!;
    expect(profile).toBeGreaterThan(0.5);
    expect(f.predict(120)).toBeCloseTo(0.95 * pure.predict(120) + 0.05 * profile, 6);
    expect(f.predictions()[i]).toBeGreaterThan(0.025);
    expect(pure.predict(120)).toBeLessThan(f.predict(120));
  });

  it('reads the days most like today (PreHeat), which the weekly profile cannot tell apart', () => {
    // Away 08:00–17:00 on Monday, Wednesday and Friday; home all day on Tuesday and Thursday.
    const alternating = (t: number): number => {
      const d = new Date(t);
      const m = d.getUTCHours() * 60 + d.getUTCMinutes();
      return [1, 3, 5].includes(d.getUTCDay()) && m >= 8 * 60 && m < 17 * 60 ? 0 : 1;
    };
    const f = new OccupancyForecaster(emptyModel());
    expect(f.similarDaysAt(MONDAY)).toBeUndefined();
    const at = (day: number, h: number) => MONDAY + day * DAY + h * 60 * MIN;
    let next = MONDAY;
    const feed = (until: number) => {
      for (; next <= until; next += MIN) f.observe(next, alternating(next));
    };
    feed(at(2, 2)); // two days and a bit: too few past days yet
    expect(f.similarDaysAt(at(2, 13))).toBeUndefined();
    // Third week, Tuesday 10:00: home all morning, like the other Tuesdays and Thursdays.
    feed(at(15, 10));
    expect(f.similarDaysAt(at(15, 13))!).toBeGreaterThan(0.8);
    // Wednesday 10:00: out since 08:00, like the other Mondays, Wednesdays and Fridays.
    feed(at(16, 10));
    expect(f.similarDaysAt(at(16, 13))!).toBeLessThan(0.2);
    // The weekly profile pools the weekdays: about 2 in 5 at 13:00.
    const profile = f.usuallyHome(at(16, 13))!;
    expect(profile).toBeGreaterThan(0.3);
    expect(profile).toBeLessThan(0.55);
    // Tomorrow reads the nearest days' next days: after a Wednesday-like day comes a Tuesday/Thursday-like one.
    expect(f.similarDaysAt(at(17, 13))!).toBeGreaterThan(0.8);
    // A reset forgets the days.
    f.resetTo(emptyModel());
    expect(f.similarDaysAt(at(16, 13))).toBeUndefined();
    expect(f.model.dayIndex.every((d) => d === -1)).toBe(true);
  });

  it('refuses to learn a label before its horizon has passed', () => {
    const f = new OccupancyForecaster();
    const x = new Float32Array(16);
    for (let t = MONDAY; t < MONDAY + 30 * MIN; t += MIN) f.observe(t, 1);
    const now = Math.floor((MONDAY + 29 * MIN) / MIN);
    const formed = now - 20;
    // +15 formed 20 min ago: due, fine.
    expect(() => f.learn(0, formed, now, x, 0, 1, 1)).not.toThrow();
    // +30 formed 20 min ago: not due for another 10 minutes.
    expect(() => f.learn(1, formed, now, x, 0, 1, 1)).toThrow(FutureLabelError);
    // A label from a minute not yet observed.
    expect(() => f.learn(0, formed, now + 1, x, 0, 1, 1)).toThrow(/not due|offered for/);
  });

  it('learns each sample exactly h minutes after it was formed, the +240 ones included', () => {
    const seen: Array<[number, number, number]> = [];
    class Spy extends OccupancyForecaster {
      override learn(hi: number, formed: number, label: number, x: Float32Array, o: number, s: number, y: number): void {
        seen.push([hi, formed, label]);
        super.learn(hi, formed, label, x, o, s, y);
      }
    }
    const f = new Spy();
    const first = Math.floor(MONDAY / MIN);
    for (let t = MONDAY; t < MONDAY + 600 * MIN; t += MIN) f.observe(t, routine(t));
    for (const [hi, formed, label] of seen) expect(label - formed).toBe(HORIZONS[hi]);
    const last = HORIZONS.length - 1;
    const longest = seen.filter(([hi]) => hi === last);
    expect(longest[0][2]).toBe(first + HORIZONS[last]);
    expect(longest).toHaveLength(600 - HORIZONS[last]);
  });

  it('sees an arrival four hours ahead once it knows the routine', () => {
    const f = new OccupancyForecaster(emptyModel(), { learningRate: 0.05 });
    brier(f, 21);
    const g = new OccupancyForecaster(f.model);
    const thursday = MONDAY + 24 * DAY;
    // 13:30, away since 08:00: home by 17:30 (+240), still away at 14:30 (+60).
    for (let t = thursday; t <= thursday + 13 * 60 * MIN + 30 * MIN; t += MIN) g.observe(t, routine(t));
    expect(g.predict(240)).toBeGreaterThan(0.6);
    expect(g.predict(60)).toBeLessThan(0.4);
  });

  it('skips learning across gaps and repeated minutes without error', () => {
    const f = new OccupancyForecaster();
    f.observe(MONDAY, 1);
    f.observe(MONDAY + 10_000, 0); // same minute: ignored
    f.observe(MONDAY + 300 * MIN, 0);
    f.observe(MONDAY + 301 * MIN, -1);
    expect(f.current).toBe(0);
    expect(f.predict(15)).toBeLessThan(0.6);
  });

  it('resetTo(prior) forgets what it learned: it then predicts exactly as a new forecaster from the prior', () => {
    const prior = decodeModel(JSON.parse(fs.readFileSync(path.join(__dirname, '../../models/prior.json'), 'utf8'))).model;
    // As a zone resumed from its own checkpoint: built from another model, then learning (with some
    // activity seen), leaving samples pending and a slot of the profile open.
    const f = new OccupancyForecaster(emptyModel(), { learningRate: 0.05 });
    const model = f.model;
    for (let t = MONDAY; t < MONDAY + 10 * DAY - 7 * MIN; t += MIN) f.observe(t, routine(t), t % (5 * MIN) === 0);
    expect(Array.from(f.model.weights)).not.toEqual(Array.from(prior.weights));

    f.resetTo(prior);
    expect(f.model).toBe(model); // in place: whoever holds the model still sees the live one
    expect(f.current).toBe(-1);
    expect(Array.from(f.predictions())).toEqual(HORIZONS.map(() => 0.5));
    expect(Array.from(f.model.weights)).toEqual(Array.from(prior.weights));
    expect(Array.from(f.model.duration)).toEqual(Array.from(prior.duration));
    expect(Array.from(f.model.profile)).toEqual(Array.from(prior.profile));

    // The same days fed to both, from the minute after the reset on, give the same forecasts throughout.
    const fresh = new OccupancyForecaster(prior, { learningRate: 0.05 });
    const from = MONDAY + 10 * DAY - 7 * MIN;
    for (let t = from; t < from + 3 * DAY; t += MIN) {
      const activity = (t - from) % (7 * MIN) === 3 * MIN;
      f.observe(t, routine(t), activity);
      fresh.observe(t, routine(t), activity);
      expect(Array.from(f.predictions())).toEqual(Array.from(fresh.predictions()));
    }
    expect(Array.from(f.model.weights)).toEqual(Array.from(fresh.model.weights));
    expect(Array.from(f.model.duration)).toEqual(Array.from(fresh.model.duration));
    expect(Array.from(f.model.profile)).toEqual(Array.from(fresh.model.profile));
  });

  it('resetTo refuses a model of another shape', () => {
    const f = new OccupancyForecaster();
    const m = emptyModel();
    expect(() => f.resetTo({ ...m, weights: m.weights.subarray(1) })).toThrow(RangeError);
  });
});
