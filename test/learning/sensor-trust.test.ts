import { MAX_SENSORS, SensorTally, SensorTrust, trustsAlone, vouches } from '../../src/learning/sensor-trust';

const MIN = 60000;
const QUIET = 30 * MIN;

describe('trustsAlone', () => {
  const rows: Array<[string, SensorTally | undefined, boolean, boolean]> = [
    ['a sensor never seen', undefined, true, true],
    ['mostly lone, but nothing in the zone ever joins', { joined: 0, lone: 20 }, false, true],
    ['fresh sensor', { joined: 0, lone: 0 }, true, true],
    ['lone 4 times, nothing joined: at the limit (2 pseudo-joined x 2)', { joined: 0, lone: 4 }, true, true],
    ['lone 5 times, nothing joined', { joined: 0, lone: 5 }, true, false],
    ['joined as often as lone', { joined: 5, lone: 5 }, true, true],
    ['lone 14, joined 5: not yet twice as often as joined + 2', { joined: 5, lone: 14 }, true, true],
    ['lone 15, joined 5', { joined: 5, lone: 15 }, true, false],
  ];
  it.each(rows)('%s', (_what, tally, anotherVouches, trusted) => {
    expect(trustsAlone(tally, anotherVouches)).toBe(trusted);
  });
});

describe('vouches', () => {
  const rows: Array<[SensorTally, boolean]> = [
    [{ joined: 0, lone: 0 }, false],
    [{ joined: 0.9, lone: 0 }, false],
    [{ joined: 1, lone: 1 }, true],
    [{ joined: 3, lone: 4 }, false],
  ];
  it.each(rows)('%j -> %s', (tally, expected) => {
    expect(vouches(tally)).toBe(expected);
  });
});

describe('SensorTrust', () => {
  it('a probe is joined when another sensor fires before the zone falls quiet again', () => {
    const s = new SensorTrust(QUIET);
    s.observe('hall', 0, true);
    s.observe('hall', 20 * MIN, true); // same sensor: the chain goes on, the probe stays open
    s.observe('kitchen', 45 * MIN, true); // 25 min after the last trigger: still the same spell
    expect(s.tally('hall')).toEqual({ joined: 1, lone: 0 });
    expect(s.tally('kitchen')).toEqual({ joined: 0, lone: 0 });
  });

  it('a probe is lone when only its own sensor fired before the next quiet spell', () => {
    const s = new SensorTrust(QUIET);
    s.observe('pir', 0, true);
    s.observe('pir', 5 * MIN, true);
    s.observe('hall', 40 * MIN, true); // after 35 min of quiet: too late to join, and a probe itself
    expect(s.tally('pir')).toEqual({ joined: 0, lone: 1 });
    s.observe('kitchen', 41 * MIN, true);
    expect(s.tally('hall')).toEqual({ joined: 1, lone: 0 });
  });

  it('the door joins a probe but never starts one', () => {
    const s = new SensorTrust(QUIET);
    s.observe('front door', 0, false);
    s.observe('pir', 1 * MIN, true); // no quiet before it: not a probe
    expect(s.tally('front door')).toEqual({ joined: 0, lone: 0 });
    s.observe('pir', 60 * MIN, true);
    s.observe('front door', 62 * MIN, false);
    expect(s.tally('pir')).toEqual({ joined: 1, lone: 0 });
  });

  it('distrusts a sensor that keeps firing alone once another sensor vouches, and forgives it later', () => {
    const s = new SensorTrust(QUIET);
    let t = 0;
    const spell = (...sensors: string[]) => {
      t += 2 * QUIET;
      sensors.forEach((x, i) => s.observe(x, t + i * MIN, true));
    };
    spell('hall', 'kitchen'); // the hall's probe is joined: it vouches
    for (let i = 0; i < 6; i++) spell('pir');
    spell('hall', 'kitchen'); // closes the last pir probe as lone
    expect(s.trusted('pir')).toBe(false);
    expect(s.trusted('hall')).toBe(true);
    for (let i = 0; i < 6; i++) spell('pir', 'kitchen');
    expect(s.trusted('pir')).toBe(true);
  });

  it('in a zone where nothing ever joins, a sensor that always fires alone stays trusted', () => {
    const s = new SensorTrust(QUIET);
    for (let i = 1; i <= 20; i++) s.observe('pir', i * 2 * QUIET, true);
    expect(s.tally('pir')!.lone).toBeGreaterThan(10);
    expect(s.trusted('pir')).toBe(true);
  });

  it(`keeps at most ${MAX_SENSORS} tallies; later sensors are always trusted`, () => {
    const s = new SensorTrust(QUIET);
    for (let i = 0; i < MAX_SENSORS + 5; i++) s.observe(`s${i}`, i * MIN, true);
    expect(s.tally(`s${MAX_SENSORS - 1}`)).toBeDefined();
    expect(s.tally(`s${MAX_SENSORS}`)).toBeUndefined();
    expect(s.trusted(`s${MAX_SENSORS}`)).toBe(true);
  });
});
