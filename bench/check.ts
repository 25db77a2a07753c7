import { HouseResult, Track } from './evaluate';

/**
 * The forecasting issue's check, as the bench measures it: in every cell (home × track × horizon)
 * the method's Brier must be below the best of the baselines, and the aim is a margin of at least
 * `aim` (10 %) below it.
 */
export interface CheckCell {
  home: string;
  track: Track;
  horizon: number;
  brier: number;
  best: { method: string; brier: number };
  /** 1 − brier / best.brier: how far below the best baseline (negative: above it). */
  margin: number;
}

export interface ForecastCheck {
  method: string;
  baselines: string[];
  horizons: number[];
  aim: number;
  cells: CheckCell[];
  /** Cells where a score is missing (a disqualified or absent method): they count as failures. */
  missing: string[];
  beaten: number;
  aimMet: number;
}

export const CHECK_BASELINES = ['persistence', 'preheat', 'ppp'];
export const CHECK_HORIZONS = [30, 60, 120];

export function forecastCheck(
  results: readonly HouseResult[],
  opts: { method?: string; baselines?: string[]; horizons?: number[]; aim?: number } = {},
): ForecastCheck {
  const method = opts.method ?? 'ours';
  const baselines = opts.baselines ?? CHECK_BASELINES;
  const horizons = opts.horizons ?? CHECK_HORIZONS;
  const aim = opts.aim ?? 0.1;
  const check: ForecastCheck = { method, baselines, horizons, aim, cells: [], missing: [], beaten: 0, aimMet: 0 };
  for (const r of results) {
    for (const track of ['forecast', 'sensorOnly'] as const) {
      const table = track === 'forecast' ? r.forecast : r.sensorOnly.forecast;
      for (const h of horizons) {
        const where = `${r.name} ${track} +${h}`;
        const ours = table[method]?.[String(h)]?.brier;
        let best: { method: string; brier: number } | undefined;
        for (const b of baselines) {
          const x = table[b]?.[String(h)]?.brier;
          if (x === null || x === undefined) {
            check.missing.push(`${where}: no score for ${b}`);
          } else if (!best || x < best.brier) {
            best = { method: b, brier: x };
          }
        }
        if (ours === null || ours === undefined || !best) {
          if (ours === null || ours === undefined) check.missing.push(`${where}: no score for ${method}`);
          continue;
        }
        const margin = best.brier > 0 ? 1 - ours / best.brier : ours === 0 ? 0 : -Infinity;
        check.cells.push({ home: r.name, track, horizon: h, brier: ours, best, margin });
        if (ours < best.brier) check.beaten++;
        if (margin >= aim) check.aimMet++;
      }
    }
  }
  return check;
}

/** Two lines for the bench's output: the count, and every cell that fails the check or misses the aim. */
export function forecastCheckText(c: ForecastCheck): string {
  const total = c.cells.length + c.missing.length;
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `forecast check: ${c.method} below the best of ${c.baselines.join(', ')} in ${c.beaten} of ${total} cells `
      + `(${c.horizons.map((h) => `+${h}`).join('/')}, both tracks); at least ${pct(c.aim)} below in ${c.aimMet}`,
  ];
  const failed = c.cells.filter((x) => !(x.brier < x.best.brier));
  const short = c.cells.filter((x) => x.brier < x.best.brier && x.margin < c.aim);
  if (failed.length > 0) {
    lines.push(`  not below: ${failed.map((x) => `${x.home} ${x.track} +${x.horizon} (${x.brier.toFixed(3)} vs ${x.best.method} ${x.best.brier.toFixed(3)})`).join('; ')}`);
  }
  if (short.length > 0) {
    lines.push(`  below by less than ${pct(c.aim)}: ${short.map((x) => `${x.home} ${x.track} +${x.horizon} ${pct(x.margin)}`).join('; ')}`);
  }
  for (const m of c.missing) lines.push(`  missing: ${m}`);
  return lines.join('\n');
}
