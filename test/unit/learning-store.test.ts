import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseConfig } from '../../src/config/validate';
import { decodeModel, encodeModel } from '../../src/learning/model-file';
import { emptyModel } from '../../src/learning/forecaster';
import { LearningStore, slug } from '../../src/store/learning-store';

const PRIOR = path.join(__dirname, '../../models/prior.json');
const zone = (name: string, learning = true) => parseConfig({ zones: [{ name, learning }] }).settings.zones[0];
const MIN = 60_000;

describe('LearningStore', () => {
  let dir: string;
  let logs: string[];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`) };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learning-store-'));
    logs = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts a new zone from the shipped prior, then resumes from its own checkpoint', () => {
    const store = new LearningStore(dir, PRIOR, log);
    const f = store.forZone(zone('Den'), log, 0);
    expect(logs).toEqual(['info learning starts from the shipped prior']);
    const start = Date.UTC(2024, 0, 1);
    for (let t = start; t < start + 2 * 1440 * MIN; t += MIN) f.observe(t, new Date(t).getUTCHours() < 8 ? 1 : 0);
    store.checkpointAll();
    const file = path.join(dir, `${slug('Den')}.json`);
    expect(fs.existsSync(file)).toBe(true);

    logs = [];
    const again = new LearningStore(dir, PRIOR, log).forZone(zone('Den'), log, 0);
    expect(logs).toEqual([]);
    expect(Array.from(again.model.profile).some((v) => v > 0)).toBe(true);
  });

  it('a corrupt checkpoint falls back to the previous copy with a warning', () => {
    const store = new LearningStore(dir, PRIOR, log);
    store.forZone(zone('Den'), log, 0);
    store.checkpointAll();
    store.checkpointAll();
    const file = path.join(dir, `${slug('Den')}.json`);
    fs.writeFileSync(file, '{"format": "occupancy-forecaster", "version": 1');
    logs = [];
    new LearningStore(dir, PRIOR, log).forZone(zone('Den'), log, 0);
    expect(logs.some((l) => l.startsWith('warn learned model:') && l.includes('moved aside'))).toBe(true);
    expect(logs.some((l) => l.includes('using the previous copy'))).toBe(true);
  });

  it('without a usable prior, zones learn from nothing and say so', () => {
    const bad = path.join(dir, 'prior.json');
    fs.writeFileSync(bad, JSON.stringify({ ...encodeModel(emptyModel(), { sources: [], trainedAt: 'x' }), version: 9 }));
    const f = new LearningStore(dir, bad, log).forZone(zone('Den', false), log, 0);
    expect(logs[0]).toMatch(/the shipped prior .* could not be loaded \(model version 9 is not supported/);
    expect(logs[1]).toBe('info learning starts from nothing (no prior)');
    expect(f.predict(60)).toBe(0.5);
  });

  it('resets a zone to the shipped prior in place, saves it, keeps the old model as the previous copy', () => {
    const store = new LearningStore(dir, PRIOR, log);
    const denLog = { info: (m: string) => logs.push(`den ${m}`), warn: (m: string) => logs.push(`den warn ${m}`) };
    const den = store.forZone(zone('Den'), denLog, 0);
    const hall = store.forZone(zone('Hall'), log, 0);
    const start = Date.UTC(2024, 0, 1);
    for (let t = start; t < start + 3 * 1440 * MIN; t += MIN) {
      den.observe(t, new Date(t).getUTCHours() < 8 ? 1 : 0);
      hall.observe(t, 1);
    }
    store.checkpointAll();
    const hallBefore = Array.from(hall.model.profile);
    const file = path.join(dir, `${slug('Den')}.json`);
    const learned = fs.readFileSync(file, 'utf8');
    const prior = decodeModel(JSON.parse(fs.readFileSync(PRIOR, 'utf8'))).model;
    const model = den.model;
    logs = [];

    expect(store.reset('  den ')).toBe(true);
    expect(logs).toEqual(['den learning reset to the shipped prior (requested in the settings)']);
    expect(den.model).toBe(model);
    expect(den.current).toBe(-1);
    expect(Array.from(den.model.profile)).toEqual(Array.from(prior.profile));
    expect(Array.from(den.model.weights)).toEqual(Array.from(prior.weights));
    // Saved at once: a restart now starts from the prior, and the learned model is the previous copy.
    expect(fs.readFileSync(`${file}.prev`, 'utf8')).toBe(learned);
    const again = new LearningStore(dir, PRIOR, log).forZone(zone('Den'), log, 0);
    expect(Array.from(again.model.profile)).toEqual(Array.from(prior.profile));
    expect(Array.from(again.model.duration)).toEqual(Array.from(prior.duration));
    // The other zone and the prior itself are untouched, and the zone goes on learning.
    expect(Array.from(hall.model.profile)).toEqual(hallBefore);
    expect(decodeModel(JSON.parse(fs.readFileSync(PRIOR, 'utf8'))).model.profile).toEqual(prior.profile);
    for (let t = start + 3 * 1440 * MIN; t < start + 4 * 1440 * MIN; t += MIN) den.observe(t, 1);
    expect(Array.from(den.model.profile)).not.toEqual(Array.from(prior.profile));
  });

  it('reset of a zone it does not know changes nothing and says so by returning false', () => {
    const store = new LearningStore(dir, PRIOR, log);
    store.forZone(zone('Den'), log, 0);
    logs = [];
    expect(store.reset('Attic')).toBe(false);
    expect(logs).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps distinct zone names in distinct, readable files', () => {
    expect(slug('Living Room')).toMatch(/^living-room-[0-9a-f]{8}$/);
    expect(slug('Living Room')).toBe(slug('living room'));
    expect(slug('Kid\'s room')).not.toBe(slug('Kid s room'));
    expect(slug('../../etc')).toMatch(/^etc-[0-9a-f]{8}$/);
  });

  it('federates only zones that learn, and only when two or more do', () => {
    const store = new LearningStore(dir, PRIOR, log);
    const a = store.forZone(zone('A'), log, 0);
    const b = store.forZone(zone('B'), log, 0);
    const c = store.forZone(zone('C', false), log, 0);
    a.model.weights.fill(1);
    b.model.weights.fill(3);
    c.model.weights.fill(9);
    expect(store.federate()).toBe(2);
    expect(a.model.weights[5]).toBe(2);
    expect(b.model.weights[5]).toBe(2);
    expect(c.model.weights[5]).toBe(9);
    const alone = new LearningStore(dir, PRIOR, log);
    alone.forZone(zone('A'), log, 0);
    expect(alone.federate()).toBe(0);
  });
});
