import { emptyModel, ForecasterModel, ForecasterOptions, HORIZONS, OccupancyForecaster } from '../../src/learning/forecaster';
import { isActivity, OccupancyEstimator } from '../../src/learning/occupancy-now';
import { PastView } from '../view';
import { ForecastMethod } from './types';

const OCCUPANCY_TIMEOUT_MS = 30 * 60_000;

/**
 * The plugin's own forecaster, through the plugin's code: on the sensor-only track the plugin's
 * occupancy estimator turns sensor events into the state the forecaster learns from, exactly as a
 * zone does at each tick.
 */
export class Ours implements ForecastMethod {
  private readonly forecaster: OccupancyForecaster;
  private readonly estimator = new OccupancyEstimator(OCCUPANCY_TIMEOUT_MS);
  private lastT?: number;
  /** Every horizon of the plugin's forecaster; the evaluator asks only for those it does not score. */
  readonly extraHorizons: readonly number[] = HORIZONS;

  constructor(readonly name = 'ours', model: ForecasterModel = emptyModel(), options: Partial<ForecasterOptions> = {}) {
    this.forecaster = new OccupancyForecaster(model, options);
  }

  observe(t: number, view: PastView): void {
    const events = view.events(this.lastT ?? t - view.stepMs, t);
    this.lastT = t;
    let activity = false;
    for (const e of events) {
      this.estimator.add(e);
      activity ||= isActivity(e);
    }
    const state = view.hasLabels
      ? view.labelAt(t)
      : (this.estimator.belief(t, this.forecaster.usuallyHome(t)).occupied ? 1 : 0);
    this.forecaster.observe(t, state, activity);
  }

  predict(_t: number, horizonMinutes: number): number {
    return this.forecaster.predict(horizonMinutes);
  }
}
