import { ManualClock, ScaledClock } from '../../src/clock';

describe('ManualClock', () => {
  it('fires timers at their due times, in order, as time advances', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.every(10, () => fired.push(`a@${clock.now()}`));
    const stop = clock.every(25, () => fired.push(`b@${clock.now()}`));
    clock.advance(50);
    expect(fired).toEqual(['a@10', 'a@20', 'b@25', 'a@30', 'a@40', 'a@50', 'b@50']);
    stop();
    fired.length = 0;
    clock.advance(25);
    expect(fired).toEqual(['a@60', 'a@70']);
    expect(clock.now()).toBe(75);
  });
});

describe('ScaledClock', () => {
  it('runs scale times faster than real time from its start', () => {
    let real = 1000;
    const clock = new ScaledClock(60, 5_000_000, () => real);
    expect(clock.now()).toBe(5_000_000);
    real += 1000;
    expect(clock.now()).toBe(5_060_000);
  });

  it.each([0, -1, NaN, Infinity])('refuses scale %p', (scale) => {
    expect(() => new ScaledClock(scale)).toThrow('time scale must be a positive number');
  });
});
