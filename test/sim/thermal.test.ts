import { ThermalParams, equilibrium, stepTemperature, timeToReach } from '../../src/sim/thermal';
import { HOUR_MS, MINUTE_MS } from '../../src/sim/time';

const ROOM: ThermalParams = { tauHours: 10, heaterCPerHour: 2, coolerCPerHour: 1.5 };

describe('stepTemperature', () => {
  it('matches the closed-form solution', () => {
    // Teq = 0 + 10 * 2 = 20; after one time constant 1/e of the gap remains.
    expect(stepTemperature(10, 0, ROOM, true, false, 10 * HOUR_MS)).toBeCloseTo(20 - 10 / Math.E, 12);
    // Heater off: decays toward outdoor.
    expect(stepTemperature(20, 5, ROOM, false, false, 10 * HOUR_MS)).toBeCloseTo(5 + 15 / Math.E, 12);
    // Cooler: Teq = 30 - 15 = 15.
    expect(stepTemperature(25, 30, ROOM, false, true, 5 * HOUR_MS)).toBeCloseTo(15 + 10 * Math.exp(-0.5), 12);
    expect(equilibrium(0, ROOM, true, true)).toBeCloseTo(5, 12);
  });

  it('agrees with a fine Euler integration of the differential equation', () => {
    let T = 12;
    const dt = 1000;
    const tauMs = ROOM.tauHours * HOUR_MS;
    for (let t = 0; t < 3 * HOUR_MS; t += dt) {
      T += ((3 - T) / tauMs + ROOM.heaterCPerHour / HOUR_MS) * dt;
    }
    expect(stepTemperature(12, 3, ROOM, true, false, 3 * HOUR_MS)).toBeCloseTo(T, 3);
  });

  it('with the heater on rises monotonically toward the equilibrium without overshoot', () => {
    const teq = equilibrium(0, ROOM, true, false);
    let T = 5;
    for (let i = 0; i < 200; i++) {
      const next = stepTemperature(T, 0, ROOM, true, false, HOUR_MS);
      expect(next).toBeGreaterThan(T);
      expect(next).toBeLessThanOrEqual(teq);
      T = next;
    }
    expect(T).toBeCloseTo(teq, 6);
  });

  it('is exact: many small steps equal one large step', () => {
    const total = 7 * HOUR_MS + 123_456;
    const one = stepTemperature(8, -2, ROOM, true, false, total);
    let T = 8;
    for (let i = 0; i < 1000; i++) {
      T = stepTemperature(T, -2, ROOM, true, false, total / 1000);
    }
    expect(T).toBeCloseTo(one, 9);
    // Uneven splits too.
    let U = 8;
    let left = total;
    for (const part of [1, 59_999, 3 * HOUR_MS, 17, 2 * HOUR_MS]) {
      U = stepTemperature(U, -2, ROOM, true, false, part);
      left -= part;
    }
    U = stepTemperature(U, -2, ROOM, true, false, left);
    expect(U).toBeCloseTo(one, 9);
  });

  it('leaves the temperature unchanged for a zero or negative step', () => {
    expect(stepTemperature(17.3, 0, ROOM, true, false, 0)).toBe(17.3);
    expect(stepTemperature(17.3, 0, ROOM, true, false, -MINUTE_MS)).toBe(17.3);
  });
});

describe('timeToReach', () => {
  it('returns the time after which stepping reaches the target', () => {
    const ms = timeToReach(15, 20, 5, ROOM, 'heat');
    expect(ms).toBeGreaterThan(0);
    expect(stepTemperature(15, 5, ROOM, true, false, ms)).toBeCloseTo(20, 9);
    expect(stepTemperature(15, 5, ROOM, true, false, ms * 0.99)).toBeLessThan(20);
    // Cross-check by stepping minute by minute.
    let T = 15;
    let t = 0;
    while (T < 20) {
      T = stepTemperature(T, 5, ROOM, true, false, MINUTE_MS);
      t += MINUTE_MS;
    }
    expect(t - ms).toBeGreaterThanOrEqual(0);
    expect(t - ms).toBeLessThan(MINUTE_MS);
  });

  it('handles cooling', () => {
    const ms = timeToReach(28, 24, 30, ROOM, 'cool');
    expect(stepTemperature(28, 30, ROOM, false, true, ms)).toBeCloseTo(24, 9);
  });

  it('is 0 when already there and Infinity when the equilibrium cannot pass the target', () => {
    expect(timeToReach(21, 20, 5, ROOM, 'heat')).toBe(0);
    expect(timeToReach(20, 20, 5, ROOM, 'heat')).toBe(0);
    expect(timeToReach(15, 25, 5, ROOM, 'heat')).toBe(Infinity); // Teq = 25
    expect(timeToReach(22, 24, 30, ROOM, 'cool')).toBe(0);
    expect(timeToReach(28, 15, 30, ROOM, 'cool')).toBe(Infinity); // Teq = 15
  });
});
