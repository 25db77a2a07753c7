import { OutdoorCurve, TEMPERATE_CURVE, outdoorTemperature } from '../../src/sim/outdoor';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/sim/time';

const JAN_2024 = Date.UTC(2024, 0, 1);

function dailyMean(dayStart: number, curve: OutdoorCurve = TEMPERATE_CURVE): number {
  let s = 0;
  for (let m = 0; m < 1440; m++) {
    s += outdoorTemperature(dayStart + m * MINUTE_MS, curve);
  }
  return s / 1440;
}

describe('outdoorTemperature', () => {
  it('averages the annual mean and is coldest around the configured day', () => {
    let s = 0;
    let n = 0;
    for (let t = JAN_2024; t < JAN_2024 + 365 * DAY_MS; t += HOUR_MS) {
      s += outdoorTemperature(t);
      n++;
    }
    expect(s / n).toBeCloseTo(10, 1);
    const jan20 = dailyMean(JAN_2024 + 20 * DAY_MS);
    const jul21 = dailyMean(Date.UTC(2024, 6, 21));
    expect(jan20).toBeCloseTo(10 - 8, 0);
    expect(jul21).toBeCloseTo(10 + 8, 0);
    expect(dailyMean(JAN_2024 + 60 * DAY_MS)).toBeGreaterThan(jan20);
    expect(dailyMean(Date.UTC(2023, 11, 1))).toBeGreaterThan(jan20);
  });

  it('has its daily minimum near 05:00 and maximum near 15:00, swinging twice the daily amplitude', () => {
    for (const day of [Date.UTC(2024, 0, 20), Date.UTC(2024, 3, 10), Date.UTC(2024, 6, 21)]) {
      let min = Infinity;
      let max = -Infinity;
      let minAt = 0;
      let maxAt = 0;
      for (let m = 0; m < 1440; m++) {
        const v = outdoorTemperature(day + m * MINUTE_MS);
        if (v < min) {
          min = v;
          minAt = m / 60;
        }
        if (v > max) {
          max = v;
          maxAt = m / 60;
        }
      }
      expect(Math.abs(minAt - 5)).toBeLessThan(0.6);
      expect(Math.abs(maxAt - 15)).toBeLessThan(0.6);
      expect(max - min).toBeCloseTo(2 * TEMPERATE_CURVE.dailyAmplitude, 0);
    }
  });

  it('is continuous, including across midnight and the turning points', () => {
    // Steepest slope is the 10 h morning rise: 4 * pi / 10 °C/h, about 0.021 °C per minute.
    let prev = outdoorTemperature(JAN_2024);
    let maxJump = 0;
    for (let t = JAN_2024 + MINUTE_MS; t < JAN_2024 + 365 * DAY_MS; t += MINUTE_MS) {
      const v = outdoorTemperature(t);
      maxJump = Math.max(maxJump, Math.abs(v - prev));
      prev = v;
    }
    expect(maxJump).toBeGreaterThan(0.015);
    expect(maxJump).toBeLessThan(0.022);
  });

  it('reads wall-clock time through utcOffsetMinutes', () => {
    const shifted = { ...TEMPERATE_CURVE, utcOffsetMinutes: 120 };
    const t = Date.UTC(2024, 4, 3, 3, 0);
    // 03:00 UTC is 05:00 local at UTC+2: the local minimum.
    expect(outdoorTemperature(t, shifted)).toBeCloseTo(outdoorTemperature(t + 2 * HOUR_MS), 10);
    expect(outdoorTemperature(t, shifted)).toBeLessThan(outdoorTemperature(t - HOUR_MS, shifted));
    expect(outdoorTemperature(t, shifted)).toBeLessThan(outdoorTemperature(t + HOUR_MS, shifted));
  });

  it('follows a custom curve', () => {
    const flat: OutdoorCurve = { annualMean: -3, annualAmplitude: 0, dailyAmplitude: 0, coldestDayOfYear: 0 };
    expect(outdoorTemperature(JAN_2024 + 12345, flat)).toBe(-3);
  });
});
