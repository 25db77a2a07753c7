import fs from 'node:fs';
import path from 'node:path';

export interface LoadResult<T> {
  value: T | undefined;
  /** Problems met on the way, each naming the file: for the log. */
  warnings: string[];
}

/**
 * A JSON file written atomically (temp file, fsync, rename) with the previous copy kept beside it
 * as `<file>.prev`. A file that cannot be read falls back to the previous copy; a corrupt file is
 * moved aside, never silently overwritten.
 */
export class JsonFile<T> {
  constructor(readonly file: string) {}

  get previous(): string {
    return `${this.file}.prev`;
  }

  load(check: (raw: unknown) => T): LoadResult<T> {
    const warnings: string[] = [];
    for (const candidate of [this.file, this.previous]) {
      let text: string;
      try {
        text = fs.readFileSync(candidate, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          warnings.push(`${candidate} could not be read (${(err as Error).message})`);
        }
        continue;
      }
      try {
        const value = check(JSON.parse(text));
        if (candidate !== this.file) {
          warnings.push(`using the previous copy ${candidate}`);
        }
        return { value, warnings };
      } catch (err) {
        const aside = `${candidate}.corrupt-${Date.now()}`;
        try {
          fs.renameSync(candidate, aside);
          warnings.push(`${candidate} is unreadable (${(err as Error).message}); moved aside to ${path.basename(aside)}`);
        } catch {
          warnings.push(`${candidate} is unreadable (${(err as Error).message})`);
        }
      }
    }
    return { value: undefined, warnings };
  }

  save(value: T): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (fs.existsSync(this.file)) {
      fs.copyFileSync(this.file, this.previous);
    }
    fs.renameSync(tmp, this.file);
  }
}
