import { ManualClock } from '../../src/clock';
import { ZoneSensors } from '../../src/io/sensor-hub';
import { SwitchInputs } from '../../src/io/switches';

const T0 = Date.UTC(2026, 10, 24, 8);

function setup(motionOffSeconds = 60) {
  const clock = new ManualClock(T0);
  const hub = new ZoneSensors('Hall', 30 * 60_000);
  const sw = new SwitchInputs({ someoneHome: true, motion: ['Hall Motion', 'Stairs'], motionOffSeconds }, hub, clock);
  return { clock, hub, sw };
}

describe('SwitchInputs', () => {
  it('"Someone Home" reports presence home and away', () => {
    const { hub, sw, clock } = setup();
    sw.setSomeoneHome(true);
    expect(sw.someoneHomeOn).toBe(true);
    clock.advance(60_000);
    sw.setSomeoneHome(false);
    expect(hub.poll(clock.now()).events).toEqual([
      { t: T0, kind: 'presence', value: true, sensor: 'homekit:someone-home' },
      { t: T0 + 60_000, kind: 'presence', value: false, sensor: 'homekit:someone-home' },
    ]);
  });

  it('a motion mirror counts as motion and turns itself off after motionOffSeconds of clock time', () => {
    const { hub, sw, clock } = setup(30);
    const offs: string[] = [];
    sw.onAutoOff((name, on) => offs.push(`${name}:${on}`));
    sw.setMotion('Hall Motion', true);
    expect(sw.motionOn('Hall Motion')).toBe(true);
    expect(sw.motionOn('Stairs')).toBe(false);
    expect(hub.poll(clock.now()).events).toEqual([{ t: T0, kind: 'motion', value: true, sensor: 'homekit:motion:Hall Motion' }]);
    clock.advance(29_000);
    expect(sw.motionOn('Hall Motion')).toBe(true);
    clock.advance(1_000);
    expect(sw.motionOn('Hall Motion')).toBe(false);
    expect(offs).toEqual(['Hall Motion:false']);
    clock.advance(120_000);
    expect(offs).toEqual(['Hall Motion:false']); // once, not every 30 s
  });

  it('turning it on again restarts the timer; turning it off by hand cancels it', () => {
    const { sw, clock } = setup(30);
    const offs: string[] = [];
    sw.onAutoOff((name) => offs.push(name));
    sw.setMotion('Stairs', true);
    clock.advance(20_000);
    sw.setMotion('Stairs', true);
    clock.advance(20_000);
    expect(sw.motionOn('Stairs')).toBe(true);
    clock.advance(10_000);
    expect(offs).toEqual(['Stairs']);
    sw.setMotion('Stairs', true);
    sw.setMotion('Stairs', false);
    clock.advance(60_000);
    expect(offs).toEqual(['Stairs']);
  });

  it('an unknown switch name is an error naming it; a failing listener does not stop the others', () => {
    const { sw, clock } = setup(10);
    expect(() => sw.setMotion('Garage', true)).toThrow('no motion switch named "Garage"');
    const heard: string[] = [];
    sw.onAutoOff(() => {
      throw new Error('boom');
    });
    sw.onAutoOff((name) => heard.push(name));
    sw.setMotion('Stairs', true);
    clock.advance(10_000);
    expect(heard).toEqual(['Stairs']);
  });

  it('close cancels pending auto-offs', () => {
    const { sw, clock } = setup(10);
    const offs: string[] = [];
    sw.onAutoOff((name) => offs.push(name));
    sw.setMotion('Stairs', true);
    sw.close();
    clock.advance(60_000);
    expect(offs).toEqual([]);
  });
});
