/**
 * Small seedable PRNG toolkit. Every random draw in the simulation comes from a stream seeded by
 * `hashSeed` of its position (seed, who, day, ...), so any part can be regenerated on demand.
 */

// Module-level aliases: global lookups are slow inside Jest's vm sandbox, where tests run simulated years.
const { PI, cos, floor, imul, log, sqrt, trunc } = Math;

/** Mulberry32: fast 32-bit generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = imul(a ^ (a >>> 15), 1 | a);
    t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(h: number, k: number): number {
  k = imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Mixes integers into a 32-bit unsigned seed (MurmurHash3 rounds). Parts may be negative or as large
 * as epoch milliseconds: both 32-bit halves are mixed. Fractions are truncated.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9 ^ parts.length;
  for (const p of parts) {
    const v = Number.isFinite(p) ? trunc(p) : 0;
    h = mix(h, v >>> 0);
    h = mix(h, floor(v / 4294967296) | 0);
  }
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [a, b). */
export function between(rng: () => number, a: number, b: number): number {
  return a + (b - a) * rng();
}

/** Standard normal (Box–Muller); consumes two draws. */
export function normal(rng: () => number): number {
  const u = 1 - rng(); // (0, 1], keeps log finite
  const v = rng();
  return sqrt(-2 * log(u)) * cos(2 * PI * v);
}

/** Exponential waiting time with the given rate (events per unit); Infinity when rate is 0. */
export function exponential(rng: () => number, rate: number): number {
  return -log(1 - rng()) / rate;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
