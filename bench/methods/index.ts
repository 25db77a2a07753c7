import { MethodFactory } from './types';
import { AlwaysHome, FixedSchedule, Persistence, Reactive } from './simple';
import { Ppp } from './ppp';
import { PreHeat } from './preheat';
import { Ours } from './ours';

export * from './types';
export { AlwaysHome, FixedSchedule, Persistence, Reactive, Ppp, PreHeat, Ours };

/** Baselines in report order. */
export const BASELINES: Record<string, MethodFactory> = {
  always: () => new AlwaysHome(),
  schedule: () => new FixedSchedule(),
  persistence: () => new Persistence(),
  reactive: () => new Reactive(),
  ppp: () => new Ppp(),
  preheat: () => new PreHeat(),
};

/** Every method the benchmark runs: ours first, then the baselines. */
export const METHODS: Record<string, MethodFactory> = {
  ours: () => new Ours(),
  ...BASELINES,
};
