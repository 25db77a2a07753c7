/** The forecast horizons (minutes) P(home) is known at, ascending, with their probabilities. */
export interface Forecast {
  horizons: readonly number[];
  pHome: ArrayLike<number>;
}

/**
 * P(home at now + minutes), read off the forecast: linear between horizons, the nearest horizon
 * outside them (a lead shorter than the first horizon uses the first).
 */
export function pHomeAt(forecast: Forecast, minutes: number): number {
  const { horizons: h, pHome: p } = forecast;
  if (minutes <= h[0]) {
    return p[0];
  }
  for (let i = 1; i < h.length; i++) {
    if (minutes <= h[i]) {
      const w = (minutes - h[i - 1]) / (h[i] - h[i - 1]);
      return p[i - 1] * (1 - w) + p[i] * w;
    }
  }
  return p[h.length - 1];
}

/**
 * Highest P(home) anywhere in [from, to] minutes ahead. The forecast is linear between horizons, so
 * the ends and the horizons inside are enough.
 */
export function pHomeWithin(forecast: Forecast, from: number, to: number): number {
  let p = Math.max(pHomeAt(forecast, from), pHomeAt(forecast, to));
  for (let k = 0; k < forecast.horizons.length; k++) {
    const h = forecast.horizons[k];
    if (h > from && h < to) {
      p = Math.max(p, forecast.pHome[k]);
    }
  }
  return p;
}
