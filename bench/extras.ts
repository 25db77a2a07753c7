import * as fs from 'fs';
import * as path from 'path';
import {
  CONTROL_DEFAULTS, CONTROL_HEATERS, CONTROL_TAUS, BiasPoint, ControlScore, CurvePoint, DEFAULT_THETA, DominanceGap, HomeControlResult, MethodForecasts, PLUGIN_METHODS, SAVINGS_BIASES,
  controlForHome,
} from './control';
import { EvalOptions, HouseResult, Track } from './evaluate';
import { coldMinuteCost, DEFAULT_SAVINGS_BIAS } from '../src/control/setpoint';
import { OutdoorStretch, WINTER_CURVE, coldestStretch, findOutdoorFile, outdoorForHouse } from './fraunhofer';
import { forEachFlag } from './args';
import { House } from './loaders/types';
import { renderParetoSvg } from './plot';
import { HomebridgeResult, homebridgeTable, runHomebridgeChild } from './homebridge';
import { RuntimeFigures, runRuntimeChild, runtimeTable } from './runtime';
import { ThermalCheck, thermalCheck, thermalTable } from './thermal-check';

/**
 * The benchmark beyond forecasting: the control track per house (from the forecasts the evaluation
 * already made), the savings-vs-MissTime plot, the thermal check on the Fraunhofer flat and runtime
 * figures. Kept apart from cli.ts so the CLI only wires it in.
 */

/** The runtime figures, with the real-Homebridge ones in a full run. */
export type RuntimeJson = RuntimeFigures & { homebridge?: HomebridgeResult };

export interface ExtraArgs {
  control: boolean;
  plot: string;
  outdoor: 'auto' | 'synthetic';
  runtime: boolean;
  /** The real-Homebridge figures of the runtime section (full run only). */
  homebridge: boolean;
  thermal: boolean;
  /** Arguments left for the forecast CLI. */
  rest: string[];
}

export const EXTRA_USAGE = `  --plot FILE         savings-vs-MissTime SVG (default: <repo>/bench-results/pareto.svg)
  --outdoor synthetic control track on a synthetic winter day instead of the measured outdoor series
  --no-control        skip the control track (and the plot)
  --no-thermal        skip the thermal check on the Fraunhofer flat
  --no-runtime        skip the runtime figures
  --no-homebridge     skip the runtime figures measured in a real Homebridge (memory, HomeKit read latency
                      during the thermal fit; ~100 s; never run with --quick)`;

export function parseExtraArgs(argv: string[], repoRoot: string): ExtraArgs {
  const a: ExtraArgs = { control: true, plot: path.join(repoRoot, 'bench-results', 'pareto.svg'), outdoor: 'auto', runtime: true, homebridge: true, thermal: true, rest: [] };
  forEachFlag(argv, (k, val) => {
    if (k === '--plot') a.plot = path.resolve(val());
    else if (k === '--outdoor') {
      const v = val();
      if (v !== 'synthetic' && v !== 'auto') throw new Error(`--outdoor takes "synthetic" or "auto", got ${v}`);
      a.outdoor = v;
    } else if (k === '--no-control') a.control = false;
    else if (k === '--no-thermal') a.thermal = false;
    else if (k === '--no-runtime') a.runtime = false;
    else if (k === '--no-homebridge') a.homebridge = false;
    else a.rest.push(k);
  });
  return a;
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toFixed(1));
const min0 = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toFixed(0));
const share = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toFixed(2));

/** One line: which methods' θ points the plugin's dial does not match, where, and by how much. */
export function dominanceSummary(method: string, gaps: readonly DominanceGap[]): string {
  if (gaps.length === 0) {
    return `for every other method's θ point up to 60 min/day, the ${method} dial has a setting as warm that saves as much`;
  }
  const by = new Map<string, DominanceGap[]>();
  for (const g of gaps) by.set(g.method, [...(by.get(g.method) ?? []), g]);
  const parts = [...by].map(([m, gs]) => {
    const miss = gs.map((g) => g.missMinPerDay);
    const worst = Math.max(...gs.map((g) => g.savingsPct - (g.oursSavingsPct ?? 0)));
    const none = gs.some((g) => g.oursSavingsPct === null) ? ', some warmer than any setting' : '';
    return `${m} ×${gs.length} (${Math.min(...miss).toFixed(1)}–${Math.max(...miss).toFixed(1)} min/d, up to ${worst.toFixed(1)} points more${none})`;
  });
  return `the ${method} dial has no setting as warm that saves as much as ${parts.join(', ')}`;
}

export function controlTable(c: HomeControlResult): string {
  const p = c.params;
  const methods = Object.keys(c.forecast).concat(Object.keys(c.sensorOnly).filter((m) => !(m in c.forecast)));
  const cells = (s: ControlScore | undefined): string =>
    `${pct(s?.savingsPct).padStart(7)}${min0(s?.missMinPerDay).padStart(8)}${share(s?.oracleShare).padStart(7)}${share(s?.discomfortDegreeHoursPerDay).padStart(7)}`;
  const head = `${'save%'.padStart(7)}${'miss/d'.padStart(8)}${'share'.padStart(7)}${'K·h/d'.padStart(7)}`;
  const horizons = [...new Set(Object.values(p.maxHorizon))].sort((a, b) => a - b).map((h) => `+${h}`).join('/');
  const lines = [
    `control, ${p.pluginMethods.join('/')}: the plugin's decision at savingsBias ${p.savingsBias} (a cold minute worth ${p.pluginColdMinuteCost} min of heating); ` +
      `others θ ${p.theta}; forecasts up to ${horizons} min; tau ${p.tauHours} h, heater ${p.heaterCPerHour} °C/h, comfort ${p.comfort} / eco ${p.eco} °C` +
      ` (save%: heater time vs always-comfort; miss/d: occupied min/day > ${p.missTolerance} °C below comfort; share: of the oracle's savings)`,
    `            ${'forecast track'.padEnd(29)}   sensor-only track`,
    `method      ${head}   ${head}`,
  ];
  for (const m of methods) lines.push(`${m.padEnd(12)}${cells(c.forecast[m])}   ${cells(c.sensorOnly[m])}`);
  const d = c.dominance;
  for (const track of ['forecast', 'sensorOnly'] as const) {
    const gaps = d[track];
    const name = track === 'forecast' ? 'forecast track' : 'sensor-only track';
    lines.push(`dominance, ${name}: ${dominanceSummary(d.method, gaps)}`);
  }
  const v = Object.values(c.variants);
  lines.push(
    'oracle savings % by room (forecast track): ' +
      v.map((x) => `tau${x.tauHours}/${x.heaterCPerHour}°C/h ${pct(x.forecast.oracle?.savingsPct)}${x.alwaysMissMinPerDay ? ` (cannot hold comfort: ${min0(x.alwaysMissMinPerDay)} min/d)` : ''}`).join(', '),
  );
  return lines.join('\n');
}

export class BenchExtras {
  private readonly collected: Record<Track, MethodForecasts> = { forecast: {}, sensorOnly: {} };
  private readonly controls = new Map<string, HomeControlResult>();
  readonly stretch?: OutdoorStretch;
  readonly outdoorNote: string;

  constructor(readonly args: ExtraArgs, readonly dataDir: string, readonly quick: boolean) {
    if (args.control) {
      const file = args.outdoor === 'auto' ? findOutdoorFile(dataDir) : undefined;
      this.stretch = file ? coldestStretch(file) : undefined;
      const s = this.stretch;
      this.outdoorNote = s
        ? `control outdoor: coldest ${s.days} days of ${path.relative(dataDir, s.source)} from ${s.firstDay} (mean ${s.meanC.toFixed(1)} °C, ` +
          `${s.minC.toFixed(1)}…${s.maxC.toFixed(1)}), repeated by local time of day`
        : `control outdoor: synthetic winter day (mean ${WINTER_CURVE.annualMean} °C, ±${WINTER_CURVE.dailyAmplitude} °C)` +
          (args.outdoor === 'auto' ? ' — no measured OutdoorTemperature file found' : '');
    } else {
      this.outdoorNote = 'control track off';
    }
  }

  /** The dial's sweep; the low end matters for calibrated forecasters, whose P(arrival within 2 h) is rarely high. */
  get thetas(): number[] {
    return this.quick ? [0.05, 0.1, 0.3, 0.5, 0.7, 0.9] : [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  }

  get savingsBiases(): number[] {
    return this.quick ? [0, 0.25, 0.5, 0.75, 1] : SAVINGS_BIASES;
  }

  /** Options to pass to evaluateHouse so the forecasts are kept for the control track. */
  evalOptions(): Pick<EvalOptions, 'onForecasts'> {
    if (!this.args.control) return {};
    return { onForecasts: (track, method, byIssue, horizons) => (this.collected[track][method] = { horizons, byIssue }) };
  }

  /** Runs the control track of a house just evaluated; returns its table. */
  afterHouse(house: House, r: HouseResult): string {
    if (!this.args.control) return '';
    const t0 = Date.now();
    const n = Math.round(r.days * 1440);
    const result = controlForHome(
      {
        labels: house.labels,
        outdoor: outdoorForHouse(house.start, n, this.stretch),
        n,
        forecasts: { forecast: this.collected.forecast, sensorOnly: this.collected.sensorOnly },
      },
      {
        thetas: this.thetas, theta: DEFAULT_THETA, base: CONTROL_DEFAULTS, taus: CONTROL_TAUS, heaters: CONTROL_HEATERS,
        pluginMethods: PLUGIN_METHODS, savingsBias: DEFAULT_SAVINGS_BIAS, savingsBiases: this.savingsBiases,
      },
    );
    this.collected.forecast = {};
    this.collected.sensorOnly = {};
    this.controls.set(r.name, result);
    return `${controlTable(result)}\n(control track: ${Date.now() - t0} ms)`;
  }

  /** The house's JSON with the control results added. */
  houseJson(r: HouseResult): object {
    const c = this.controls.get(r.name);
    if (!c) return r;
    return {
      ...r,
      control: c.forecast,
      sensorOnly: { ...r.sensorOnly, control: c.sensorOnly },
      controlParams: c.params,
      controlCurve: c.curve,
      controlDominance: c.dominance,
      controlVariants: c.variants,
    };
  }

  /** Plot, thermal check and runtime; returns text to print and top-level JSON fields. */
  finish(): { text: string; json: { controlSetup?: object; thermalCheck?: ThermalCheck | null; runtime?: RuntimeJson } } {
    const text: string[] = [];
    const json: { controlSetup?: object; thermalCheck?: ThermalCheck | null; runtime?: RuntimeJson } = {};
    if (this.args.control && this.controls.size > 0) {
      const s = this.stretch;
      json.controlSetup = {
        ...CONTROL_DEFAULTS,
        theta: DEFAULT_THETA,
        thetas: this.thetas,
        pluginMethods: PLUGIN_METHODS,
        savingsBias: DEFAULT_SAVINGS_BIAS,
        pluginColdMinuteCost: coldMinuteCost(DEFAULT_SAVINGS_BIAS),
        savingsBiases: this.savingsBiases,
        taus: CONTROL_TAUS,
        heaters: CONTROL_HEATERS,
        outdoor: s ? { source: s.source, firstDay: s.firstDay, days: s.days, meanC: s.meanC, minC: s.minC, maxC: s.maxC } : { synthetic: WINTER_CURVE },
      };
      // The plugin's own dial as one more line ("<method> dial", each point labelled with its savingsBias).
      const withDial = (curve: Record<string, CurvePoint[]>, bias: Record<string, BiasPoint[]>): Record<string, CurvePoint[]> => ({
        ...curve,
        ...Object.fromEntries(Object.entries(bias).map(([m, pts]) => [`${m} dial`, pts.map((b) => ({ ...b, theta: b.savingsBias }))])),
      });
      const houses = [...this.controls].map(([name, c]) => ({
        name, forecast: withDial(c.curve.forecast, c.curve.bias.forecast), sensorOnly: withDial(c.curve.sensorOnly, c.curve.bias.sensorOnly),
      }));
      const p = CONTROL_DEFAULTS;
      fs.mkdirSync(path.dirname(this.args.plot), { recursive: true });
      fs.writeFileSync(
        this.args.plot,
        renderParetoSvg(houses, `Savings vs MissTime, θ swept ${this.thetas[0]}…${this.thetas[this.thetas.length - 1]} (the dial: savingsBias 0…1); tau ${p.thermal.tauHours} h, ` +
          `heater ${p.thermal.heaterCPerHour} °C/h, ${p.comfort}/${p.eco} °C${this.quick ? ' (quick)' : ''}`),
      );
      text.push(`wrote ${this.args.plot}`);
    }
    if (this.args.thermal) {
      const t0 = Date.now();
      const tc = thermalCheck(this.dataDir);
      json.thermalCheck = tc ?? null;
      text.push(tc ? `${thermalTable(tc)}\n  (${Date.now() - t0} ms)` : 'thermal check: no Fraunhofer-style room files (X_Temperature + X_SetpointHistory) under --data');
    }
    if (this.args.runtime) {
      const rt = runRuntimeChild(this.quick ? { ticks: 10_000, days: 60 } : { ticks: 50_000, days: 365 });
      const table = [runtimeTable(rt)];
      let homebridge: HomebridgeResult | undefined;
      if (this.args.homebridge && !this.quick) {
        console.log('\nruntime in a real Homebridge (about 100 s; --no-homebridge skips it):');
        homebridge = runHomebridgeChild();
        table.push(homebridgeTable(homebridge));
      }
      json.runtime = homebridge ? { ...rt, homebridge } : rt;
      text.push(table.join('\n'));
    }
    return { text: text.join('\n\n'), json };
  }
}
