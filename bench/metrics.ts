/**
 * Scores for P(home) forecasts against 0/1 labels (1 = home). Classification metrics threshold at 0.5
 * (p >= 0.5 means "home"). Undefined ratios (no positives, etc.) are NaN, reported as null in JSON.
 */

export interface Confusion {
  /** true home predicted home */
  tp: number;
  /** true away predicted home */
  fp: number;
  /** true away predicted away */
  tn: number;
  /** true home predicted away */
  fn: number;
}

export interface BinaryMetrics {
  n: number;
  brier: number;
  f1Home: number;
  f1Away: number;
  balancedAccuracy: number;
}

export function f1(tp: number, fp: number, fn: number): number {
  const d = 2 * tp + fp + fn;
  return d === 0 ? NaN : (2 * tp) / d;
}

export function metricsFromConfusion(c: Confusion, brierSum: number): BinaryMetrics {
  const n = c.tp + c.fp + c.tn + c.fn;
  const pos = c.tp + c.fn;
  const neg = c.tn + c.fp;
  // Balanced accuracy needs both classes; with one class present it is undefined.
  const ba = pos > 0 && neg > 0 ? (c.tp / pos + c.tn / neg) / 2 : NaN;
  return {
    n,
    brier: n === 0 ? NaN : brierSum / n,
    f1Home: f1(c.tp, c.fp, c.fn),
    // "away" as the positive class swaps the roles: tn are its true positives.
    f1Away: f1(c.tn, c.fn, c.fp),
    balancedAccuracy: ba,
  };
}

/** Streaming accumulator for BinaryMetrics. */
export class BinaryScore {
  private c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  private brierSum = 0;

  add(p: number, y: number): void {
    this.brierSum += (p - y) * (p - y);
    const predHome = p >= 0.5;
    if (y === 1) predHome ? this.c.tp++ : this.c.fn++;
    else predHome ? this.c.fp++ : this.c.tn++;
  }

  get count(): number {
    return this.c.tp + this.c.fp + this.c.tn + this.c.fn;
  }

  result(): BinaryMetrics {
    return metricsFromConfusion(this.c, this.brierSum);
  }
}

export function scoreAll(p: readonly number[], y: readonly number[]): BinaryMetrics {
  const s = new BinaryScore();
  p.forEach((pi, i) => s.add(pi, y[i]));
  return s.result();
}

export function brier(p: readonly number[], y: readonly number[]): number {
  return scoreAll(p, y).brier;
}

/**
 * Arrival-time error at horizon h, from the ordinary +h forecasts (each issued h minutes before its
 * target, as a pre-heating thermostat would use them). For each true arrival a (away at a-1, home at a)
 * with [a-h, a) all labelled away, the predicted arrival is the first target minute tau in [a-h, a+h]
 * whose +h forecast says home (P >= 0.5); error = tau - a minutes (negative = too early). No such tau:
 * censored at +h. Arrivals whose window is not fully forecast (issue before firstIssue, end of data)
 * are skipped.
 */
export function arrivalErrors(
  labels: ArrayLike<number>,
  /** P(home at target j) as forecast h minutes earlier; NaN/undefined where no forecast exists. */
  forecastFor: (j: number) => number | undefined,
  h: number,
  firstIssue = 0,
): { arrival: number; error: number; censored: boolean }[] {
  const out: { arrival: number; error: number; censored: boolean }[] = [];
  for (const a of arrivalIndices(labels)) {
    if (a - 2 * h < firstIssue || a + h >= labels.length) continue;
    let away = true;
    for (let j = a - h; j < a && away; j++) away = labels[j] === 0;
    if (!away) continue;
    let tau = -1;
    for (let j = a - h; j <= a + h && tau < 0; j++) {
      const p = forecastFor(j);
      if (p !== undefined && p >= 0.5) tau = j;
    }
    out.push(tau < 0 ? { arrival: a, error: h, censored: true } : { arrival: a, error: tau - a, censored: false });
  }
  return out;
}

export interface ArrivalMetrics {
  arrivals: number;
  /** Mean absolute error in minutes (NaN with no arrivals). */
  arrivalErrorMin: number;
  /** Mean signed error (predicted - true) in minutes. */
  arrivalBiasMin: number;
  /** How many had no crossing within 2H. */
  censored: number;
}

export class ArrivalScore {
  private n = 0;
  private abs = 0;
  private signed = 0;
  private cens = 0;

  add(errorMin: number, censored = false): void {
    this.n++;
    this.abs += Math.abs(errorMin);
    this.signed += errorMin;
    if (censored) this.cens++;
  }

  result(): ArrivalMetrics {
    return {
      arrivals: this.n,
      arrivalErrorMin: this.n ? this.abs / this.n : NaN,
      arrivalBiasMin: this.n ? this.signed / this.n : NaN,
      censored: this.cens,
    };
  }
}

/** Arrivals in a label series: indices a with labels[a-1] = 0 and labels[a] = 1. */
export function arrivalIndices(labels: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let a = 1; a < labels.length; a++) if (labels[a - 1] === 0 && labels[a] === 1) out.push(a);
  return out;
}
