import { between, hashSeed, mulberry32, normal } from '../../src/sim/random';

describe('mulberry32', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const c = mulberry32(124);
    const sa = Array.from({ length: 20 }, a);
    expect(Array.from({ length: 20 }, b)).toEqual(sa);
    expect(Array.from({ length: 20 }, c)).not.toEqual(sa);
  });

  it('is uniform on [0, 1)', () => {
    const rng = mulberry32(9);
    let sum = 0;
    const bins = new Array(10).fill(0);
    let inRange = true;
    for (let i = 0; i < 100_000; i++) {
      const x = rng();
      inRange &&= x >= 0 && x < 1;
      sum += x;
      bins[Math.floor(x * 10)]++;
    }
    expect(inRange).toBe(true);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const n of bins) {
      expect(Math.abs(n - 10_000)).toBeLessThan(500);
    }
  });
});

describe('hashSeed', () => {
  it('is a deterministic unsigned 32-bit value sensitive to order and every part', () => {
    const h = hashSeed(1, 2, 3);
    expect(hashSeed(1, 2, 3)).toBe(h);
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    expect(hashSeed(3, 2, 1)).not.toBe(h);
    expect(hashSeed(1, 2)).not.toBe(hashSeed(1, 2, 0));
    expect(hashSeed(-1)).not.toBe(hashSeed(1));
  });

  it('mixes both halves of epoch-millisecond sized numbers', () => {
    const t = 1_700_000_000_000;
    expect(hashSeed(t)).not.toBe(hashSeed(t + 2 ** 32));
    expect(hashSeed(t)).not.toBe(hashSeed(t + 1));
  });

  it('gives nearby inputs unrelated streams', () => {
    const seeds = new Set<number>();
    for (let day = 0; day < 1000; day++) {
      seeds.add(hashSeed(42, 0, day));
    }
    expect(seeds.size).toBe(1000);
    // First draws of adjacent days should not be correlated.
    let sum = 0;
    for (let day = 0; day < 2000; day++) {
      sum += mulberry32(hashSeed(42, 0, day))();
    }
    expect(sum / 2000).toBeCloseTo(0.5, 1);
  });
});

describe('helpers', () => {
  it('normal has mean 0 and standard deviation 1', () => {
    const rng = mulberry32(5);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = normal(rng);
      s += x;
      s2 += x * x;
    }
    expect(s / n).toBeCloseTo(0, 1);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(1, 1);
  });

  it('between stays within its bounds', () => {
    const rng = mulberry32(6);
    for (let i = 0; i < 1000; i++) {
      const x = between(rng, -3, 7);
      expect(x).toBeGreaterThanOrEqual(-3);
      expect(x).toBeLessThan(7);
    }
  });
});
