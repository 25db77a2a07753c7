import type { Mode } from '../../src/config/types';
import { decideRelay, RelayInput } from '../../src/control/relay';

const MIN = 60000;
const NOW = 1000 * MIN;

function input(over: Partial<RelayInput> & { heating?: boolean; cooling?: boolean; changedAgo?: number } = {}): RelayInput {
  const { heating = false, cooling = false, changedAgo = 60 * MIN, ...rest } = over;
  return {
    now: NOW,
    mode: 'heat',
    target: 21,
    heatingThreshold: 20,
    coolingThreshold: 24,
    temperature: 21,
    frostProtection: 7,
    maximum: 30,
    hysteresis: 0.5,
    minOnMs: 5 * MIN,
    minOffMs: 5 * MIN,
    canHeat: true,
    canCool: true,
    equipment: { heating, cooling, heatingChangedAt: NOW - changedAgo, coolingChangedAt: NOW - changedAgo },
    ...rest,
  };
}

type Row = [string, Partial<Parameters<typeof input>[0]>, boolean, boolean, string];

describe('decideRelay', () => {
  const rows: Row[] = [
    // what, input, heating, cooling, reason contains
    ['heat: cold room turns the heater on', { temperature: 20.5 }, true, false, 'heating: 20.5 °C is below 21.0 °C'],
    ['heat: inside the band stays off', { temperature: 20.8 }, false, false, 'idle'],
    ['heat: inside the band stays on', { temperature: 21.2, heating: true }, true, false, 'heating'],
    ['heat: above the band turns off', { temperature: 21.3, heating: true }, false, false, 'idle'],
    ['heat: never cools', { temperature: 26 }, false, false, 'idle'],
    ['cool: warm room cools', { mode: 'cool', target: 24, temperature: 24.3 }, false, true, 'cooling: 24.3 °C is above 24.0 °C'],
    ['cool: stops below the band', { mode: 'cool', target: 24, temperature: 23.7, cooling: true }, false, false, 'idle'],
    ['auto: below the band heats', { mode: 'auto', temperature: 19.5 }, true, false, 'below 20.0 °C'],
    ['auto: above the band cools', { mode: 'auto', temperature: 24.5 }, false, true, 'above 24.0 °C'],
    ['auto: inside the band idles', { mode: 'auto', temperature: 22 }, false, false, 'within 20.0 °C–24.0 °C'],
    ['auto: heat-only zone never cools', { mode: 'auto', canCool: false, temperature: 26 }, false, false, 'idle'],
    ['off: nothing runs', { mode: 'off', temperature: 15 }, false, false, 'mode off'],
    ['off: turns a running heater off at once', { mode: 'off', temperature: 15, heating: true, changedAgo: MIN }, false, false, 'mode off'],
    ['frost: heats in off mode', { mode: 'off', temperature: 6.5 }, true, false, 'frost protection'],
    ['frost: heats in cool mode', { mode: 'cool', target: 24, temperature: 6.5 }, true, false, 'frost protection'],
    ['frost: ignores minimum off time', { mode: 'off', temperature: 6, changedAgo: MIN }, true, false, 'frost protection'],
    ['frost: keeps heating through its hysteresis', { mode: 'off', temperature: 7.2, heating: true }, true, false, 'frost protection'],
    ['frost: stops above its hysteresis', { mode: 'off', temperature: 7.6, heating: true }, false, false, 'mode off'],
    ['maximum: heater off even if the target is higher', { target: 30, temperature: 30.5, heating: true, changedAgo: MIN }, false, true, 'above maximum'],
    ['maximum: heat-only zone just stops heating', { target: 30, temperature: 30.5, heating: true, canCool: false }, false, false, 'above maximum'],
    ['maximum: cooling continues through its hysteresis', { temperature: 29.9, cooling: true }, false, true, 'cooling down from the maximum'],
    ['target above maximum is clamped', { target: 35, temperature: 29.9, heating: true }, true, false, 'below 30.0 °C'],
    ['minimum on time keeps the heater on', { temperature: 21.5, heating: true, changedAgo: 2 * MIN }, true, false, 'heater kept on: minimum on time (3 min left)'],
    ['minimum off time keeps the heater off', { temperature: 20, changedAgo: 4 * MIN }, false, false, 'heater kept off: minimum off time (1 min left)'],
    ['minimum times elapsed: switches', { temperature: 20, changedAgo: 5 * MIN }, true, false, 'heating'],
    ['no reading: everything off', { temperature: undefined, heating: true }, false, false, 'no temperature reading'],
    ['NaN reading: everything off', { temperature: NaN }, false, false, 'no temperature reading'],
    ['heat mode in a cool-only zone does nothing', { mode: 'heat' as Mode, canHeat: false, temperature: 15 }, false, false, 'mode heat'],
  ];

  it.each(rows)('%s', (_what, over, heating, cooling, reason) => {
    const d = decideRelay(input(over));
    expect({ heating: d.heating, cooling: d.cooling }).toEqual({ heating, cooling });
    expect(d.reason).toContain(reason);
  });

  it('never runs heater and cooler together, whatever the inputs', () => {
    const modes: Mode[] = ['off', 'heat', 'cool', 'auto'];
    for (const mode of modes) {
      for (let t = 0; t <= 40; t += 0.25) {
        for (const [heating, cooling] of [[false, false], [true, false], [false, true]]) {
          for (const changedAgo of [0, 3 * MIN, 60 * MIN]) {
            const d = decideRelay(input({ mode, temperature: t, heating, cooling, changedAgo, heatingThreshold: 21, coolingThreshold: 21.2 }));
            expect(d.heating && d.cooling).toBe(false);
            if (t > 30) {
              expect(d.heating).toBe(false);
            }
            if (t < 7) {
              expect(d.heating).toBe(true);
            }
          }
        }
      }
    }
  });
});
