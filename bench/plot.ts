import { CurvePoint } from './control';

/**
 * Savings-vs-MissTime plot as a hand-written SVG (no libraries): one panel per house, MissTime
 * (min/day occupied and cold) on x, savings vs always-comfort on y; one polyline per method over its
 * θ sweep (solid: forecast track, dashed: sensor-only track); the oracle and always-comfort are markers.
 */

export interface PlotHouse {
  name: string;
  forecast: Record<string, CurvePoint[]>;
  sensorOnly: Record<string, CurvePoint[]>;
}

const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const MARKERS = new Set(['always', 'oracle']);
/** MissTime beyond this is drawn clipped at the panel edge, so one hopeless method does not squash the rest. */
export const X_CAP_MIN_PER_DAY = 480;
const PW = 380;
const PH = 290;
const M = { left: 52, right: 14, top: 30, bottom: 40 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick steps (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let x = Math.floor(lo / step) * step; x <= hi + step * 1e-9; x += step) out.push(Number(x.toPrecision(12)));
  if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

const fmt = (x: number): string => (Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toFixed(1));
const num = (x: number): string => x.toFixed(1);

function points(list: CurvePoint[] | undefined): { x: number; y: number; theta: number | null }[] {
  return (list ?? [])
    .filter((p) => p.missMinPerDay !== null && p.savingsPct !== null)
    .map((p) => ({ x: p.missMinPerDay as number, y: p.savingsPct as number, theta: p.theta }));
}

export function renderParetoSvg(houses: PlotHouse[], title: string): string {
  const methods: string[] = [];
  for (const h of houses) {
    for (const m of [...Object.keys(h.forecast), ...Object.keys(h.sensorOnly)]) if (!methods.includes(m)) methods.push(m);
  }
  const dial = methods.filter((m) => !MARKERS.has(m));
  const color = new Map(dial.map((m, i) => [m, PALETTE[i % PALETTE.length]]));
  const cols = Math.max(1, Math.min(3, houses.length));
  const rows = Math.max(1, Math.ceil(houses.length / cols));
  const legendW = 190;
  const W = cols * PW + legendW;
  const H = Math.max(rows * PH, 60 + 18 * (dial.length + 5)) + 36;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  o.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  o.push(`<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);

  houses.forEach((h, idx) => {
    const ox = (idx % cols) * PW;
    const oy = 30 + Math.floor(idx / cols) * PH;
    const all = [...Object.values(h.forecast), ...Object.values(h.sensorOnly)].flatMap((l) => points(l));
    const off = all.filter((p) => p.x > X_CAP_MIN_PER_DAY).length;
    const xt = niceTicks(0, Math.min(X_CAP_MIN_PER_DAY, Math.max(1, ...all.map((p) => p.x))));
    const yHi = Math.max(1, ...all.map((p) => p.y));
    // A sliver below zero (noise-level negative savings) is drawn on the axis rather than adding a whole tick.
    const yLo = Math.min(0, ...all.map((p) => p.y));
    const yt = niceTicks(yLo > -0.03 * yHi ? 0 : yLo, yHi);
    const [x0, x1, y0, y1] = [xt[0], xt[xt.length - 1], yt[0], yt[yt.length - 1]];
    const iw = PW - M.left - M.right;
    const ih = PH - M.top - M.bottom;
    const sx = (x: number): number => ox + M.left + ((Math.min(x, x1) - x0) / (x1 - x0)) * iw;
    const sy = (y: number): number => oy + M.top + ih - ((Math.max(y, y0) - y0) / (y1 - y0)) * ih;
    o.push(`<g>`);
    const offNote = off > 0 ? ` (${off} point${off > 1 ? 's' : ''} beyond ${X_CAP_MIN_PER_DAY} min/day drawn at the edge)` : '';
    o.push(`<text x="${num(ox + M.left)}" y="${num(oy + 18)}"><tspan font-weight="bold">${escapeXml(h.name)}</tspan>${offNote}</text>`);
    o.push(`<rect x="${num(sx(x0))}" y="${num(sy(y1))}" width="${num(iw)}" height="${num(ih)}" fill="none" stroke="#444"/>`);
    for (const x of xt) {
      o.push(`<line x1="${num(sx(x))}" y1="${num(sy(y0))}" x2="${num(sx(x))}" y2="${num(sy(y1))}" stroke="#eee"/>`);
      o.push(`<text x="${num(sx(x))}" y="${num(sy(y0) + 14)}" text-anchor="middle">${fmt(x)}</text>`);
    }
    for (const y of yt) {
      o.push(`<line x1="${num(sx(x0))}" y1="${num(sy(y))}" x2="${num(sx(x1))}" y2="${num(sy(y))}" stroke="${y === 0 ? '#999' : '#eee'}"/>`);
      o.push(`<text x="${num(sx(x0) - 4)}" y="${num(sy(y) + 4)}" text-anchor="end">${fmt(y)}</text>`);
    }
    o.push(`<text x="${num(sx((x0 + x1) / 2))}" y="${num(oy + PH - 8)}" text-anchor="middle">MissTime, min/day</text>`);
    o.push(`<text transform="translate(${num(ox + 14)},${num(sy((y0 + y1) / 2))}) rotate(-90)" text-anchor="middle">savings vs always-comfort, %</text>`);
    for (const [track, dash] of [['forecast', ''], ['sensorOnly', ' stroke-dasharray="5,3"']] as const) {
      // Reverse order so the first method (ours) is drawn on top of near-identical variants.
      for (const m of [...dial].reverse()) {
        const pts = points(h[track][m]);
        if (pts.length === 0) continue;
        const c = color.get(m)!;
        o.push(`<polyline data-method="${escapeXml(m)}" data-track="${track}" fill="none" stroke="${c}" stroke-width="1.6"${dash} points="${pts.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' ')}"/>`);
        for (const p of pts) {
          const fill = track === 'forecast' ? c : 'white';
          o.push(`<circle cx="${num(sx(p.x))}" cy="${num(sy(p.y))}" r="2.3" fill="${fill}" stroke="${c}"><title>${escapeXml(`${m} ${track} θ=${p.theta}: ${p.y.toFixed(1)} %, ${p.x.toFixed(0)} min/day`)}</title></circle>`);
        }
      }
    }
    // Fixed policies are the same on both tracks: one marker each.
    const oracle = points(h.forecast.oracle)[0];
    if (oracle) {
      const [x, y] = [sx(oracle.x), sy(oracle.y)];
      o.push(`<path data-method="oracle" d="M${num(x)},${num(y - 6)} L${num(x + 6)},${num(y)} L${num(x)},${num(y + 6)} L${num(x - 6)},${num(y)} Z" fill="black"><title>oracle: ${oracle.y.toFixed(1)} %, ${oracle.x.toFixed(0)} min/day</title></path>`);
    }
    const always = points(h.forecast.always)[0];
    if (always) {
      o.push(`<rect data-method="always" x="${num(sx(always.x) - 4)}" y="${num(sy(always.y) - 4)}" width="8" height="8" fill="#777"><title>always comfort</title></rect>`);
    }
    o.push(`</g>`);
  });

  const lx = cols * PW + 10;
  let ly = 50;
  o.push(`<g>`);
  o.push(`<text x="${lx}" y="${ly}" font-weight="bold">methods (θ swept)</text>`);
  for (const m of dial) {
    ly += 18;
    o.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 26}" y2="${ly - 4}" stroke="${color.get(m)}" stroke-width="2"/>`);
    o.push(`<text x="${lx + 32}" y="${ly}">${escapeXml(m)}</text>`);
  }
  ly += 24;
  o.push(`<path d="M${lx + 13},${ly - 10} L${lx + 19},${ly - 4} L${lx + 13},${ly + 2} L${lx + 7},${ly - 4} Z" fill="black"/><text x="${lx + 32}" y="${ly}">oracle</text>`);
  ly += 18;
  o.push(`<rect x="${lx + 9}" y="${ly - 8}" width="8" height="8" fill="#777"/><text x="${lx + 32}" y="${ly}">always comfort</text>`);
  ly += 24;
  o.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 26}" y2="${ly - 4}" stroke="#333" stroke-width="1.6"/><text x="${lx + 32}" y="${ly}">forecast track</text>`);
  ly += 18;
  o.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 26}" y2="${ly - 4}" stroke="#333" stroke-width="1.6" stroke-dasharray="5,3"/><text x="${lx + 32}" y="${ly}">sensor-only track</text>`);
  o.push(`</g>`);
  o.push(`</svg>`);
  return o.join('\n') + '\n';
}
