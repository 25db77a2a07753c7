import { Characteristic } from 'hap-nodejs';

import {
  CurrentState, currentState, hapToUnits, modeToTargetState, roundTenth, setpointProps, TargetState, targetStateToMode,
  Units, unitsToHap, validTargetStates,
} from '../../src/homekit/mapping';

describe('HomeKit mapping', () => {
  it('uses the values HAP defines', () => {
    expect(TargetState).toEqual({
      OFF: Characteristic.TargetHeatingCoolingState.OFF,
      HEAT: Characteristic.TargetHeatingCoolingState.HEAT,
      COOL: Characteristic.TargetHeatingCoolingState.COOL,
      AUTO: Characteristic.TargetHeatingCoolingState.AUTO,
    });
    expect(CurrentState).toEqual({
      OFF: Characteristic.CurrentHeatingCoolingState.OFF,
      HEAT: Characteristic.CurrentHeatingCoolingState.HEAT,
      COOL: Characteristic.CurrentHeatingCoolingState.COOL,
    });
    expect(Units).toEqual({
      CELSIUS: Characteristic.TemperatureDisplayUnits.CELSIUS,
      FAHRENHEIT: Characteristic.TemperatureDisplayUnits.FAHRENHEIT,
    });
  });

  it.each([
    ['off', 0], ['heat', 1], ['cool', 2], ['auto', 3],
  ] as const)('mode %s <-> %i', (mode, value) => {
    expect(modeToTargetState(mode)).toBe(value);
    expect(targetStateToMode(value)).toBe(mode);
  });

  it.each([4, -1, '1', null, 1.5])('rejects target state %p', (v) => {
    expect(targetStateToMode(v)).toBeUndefined();
  });

  it.each([
    [{ heating: false, cooling: false }, 0],
    [{ heating: true, cooling: false }, 1],
    [{ heating: false, cooling: true }, 2],
  ])('current state reports the equipment: %p -> %i', (eq, value) => {
    expect(currentState(eq)).toBe(value);
  });

  it.each([
    [['off', 'heat'], [0, 1]],
    [['off', 'cool'], [0, 2]],
    [['off', 'heat', 'cool', 'auto'], [0, 1, 2, 3]],
  ] as const)('valid target states for %p', (modes, values) => {
    expect(validTargetStates(modes)).toEqual(values);
  });

  it('display units round-trip and reject others', () => {
    expect(hapToUnits(unitsToHap('fahrenheit'))).toBe('fahrenheit');
    expect(hapToUnits(unitsToHap('celsius'))).toBe('celsius');
    expect(hapToUnits(2)).toBeUndefined();
  });

  it('setpoint props follow the limits at 0.1 °C so whole Fahrenheit degrees round-trip', () => {
    const props = setpointProps({ frostProtection: 7, maximum: 30 });
    expect(props).toEqual({ minValue: 7, maxValue: 30, minStep: 0.1 });
    for (let f = 45; f <= 86; f++) {
      const celsius = (f - 32) / 1.8;
      // HAP rounds to minStep from minValue, as hap-nodejs does.
      const stored = props.minStep * Math.round((celsius - props.minValue) / props.minStep) + props.minValue;
      expect(Math.round(stored * 1.8 + 32)).toBe(f);
    }
    expect(roundTenth(22.26)).toBe(22.3);
  });
});
