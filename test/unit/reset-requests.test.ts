import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { applyResetRequests, ResetRequests } from '../../src/store/reset-requests';

describe('ResetRequests', () => {
  let dir: string;
  let file: string;
  let warnings: string[];
  const log = { warn: (m: string) => warnings.push(m) };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reset-requests-'));
    file = path.join(dir, 'reset-requests.json');
    warnings = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes nothing, quietly, when there is no request file', () => {
    expect(new ResetRequests(file, log).take()).toEqual([]);
    expect(warnings).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes the requested zones (lower case) once and removes the request file', () => {
    fs.writeFileSync(file, JSON.stringify({ 'living room': '2026-11-24T22:00:00.000Z', Kitchen: '2026-11-24T22:01:00.000Z' }));
    const requests = new ResetRequests(file, log);
    expect(requests.take()).toEqual(['living room', 'kitchen']);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(requests.done)).toBe(true);
    expect(requests.take()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['not JSON', '{"living room": '],
    ['an array', '["living room"]'],
    ['null', 'null'],
  ])('warns, naming the file, and takes nothing when the file is %s', (_, text) => {
    fs.writeFileSync(file, text);
    const requests = new ResetRequests(file, log);
    expect(requests.take()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(fs.existsSync(file)).toBe(false); // not taken again every minute
    expect(requests.take()).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('does not throw when the file cannot be taken', () => {
    fs.mkdirSync(file); // a directory where the file should be: renaming it over the .done file fails
    fs.writeFileSync(path.join(file, 'x'), '');
    fs.mkdirSync(`${file}.done`);
    fs.writeFileSync(path.join(`${file}.done`, 'y'), '');
    expect(new ResetRequests(file, log).take()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
  });

  it('resets the zones it knows, and reports and ignores names no zone has', () => {
    fs.writeFileSync(file, JSON.stringify({ 'living room': 't', attic: 't', '': 't' }));
    const resetCalls: string[] = [];
    const done = applyResetRequests(new ResetRequests(file, log), (zone) => {
      resetCalls.push(zone);
      return zone === 'living room';
    }, log);
    expect(done).toEqual(['living room']);
    expect(resetCalls).toEqual(['living room', 'attic']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('names no zone with ""');
    expect(warnings[1]).toBe('Reset requests: no configured zone is named "attic"; the request to reset its learning is ignored');
  });
});
