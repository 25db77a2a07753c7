import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { JsonFile } from '../../src/store/json-file';

const check = (raw: unknown) => {
  if (typeof raw !== 'object' || raw === null) {
    throw new Error('expected an object');
  }
  return raw as Record<string, number>;
};

describe('JsonFile', () => {
  let dir: string;
  let file: JsonFile<Record<string, number>>;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-file-'));
    file = new JsonFile(path.join(dir, 'sub', 'state.json'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads nothing, quietly, when no file exists yet', () => {
    expect(file.load(check)).toEqual({ value: undefined, warnings: [] });
  });

  it('saves and loads, keeping the previous copy', () => {
    file.save({ a: 1 });
    file.save({ a: 2 });
    expect(file.load(check)).toEqual({ value: { a: 2 }, warnings: [] });
    expect(JSON.parse(fs.readFileSync(file.previous, 'utf8'))).toEqual({ a: 1 });
    expect(fs.existsSync(`${file.file}.tmp`)).toBe(false);
  });

  it('a crash between write and rename leaves the last good file in place', () => {
    file.save({ a: 1 });
    fs.writeFileSync(`${file.file}.tmp`, '{"a": 2');
    expect(file.load(check).value).toEqual({ a: 1 });
  });

  it('a corrupt file falls back to the previous copy and is moved aside, not overwritten', () => {
    file.save({ a: 1 });
    file.save({ a: 2 });
    fs.writeFileSync(file.file, '{ not json');
    const { value, warnings } = file.load(check);
    expect(value).toEqual({ a: 1 });
    expect(warnings[0]).toMatch(/state\.json is unreadable \(.*\); moved aside to state\.json\.corrupt-\d+/);
    expect(warnings[1]).toContain('using the previous copy');
    const aside = fs.readdirSync(path.dirname(file.file)).filter((f) => f.includes('.corrupt-'));
    expect(fs.readFileSync(path.join(path.dirname(file.file), aside[0]), 'utf8')).toBe('{ not json');
  });

  it('a file that fails the check counts as corrupt', () => {
    fs.mkdirSync(path.dirname(file.file), { recursive: true });
    fs.writeFileSync(file.file, '42');
    const { value, warnings } = file.load(check);
    expect(value).toBeUndefined();
    expect(warnings[0]).toContain('expected an object');
  });
});
