import path from 'node:path';

import type { ZoneSettings } from '../config/types';
import { ComfortFile, ComfortLearner, decodeComfort } from '../learning/comfort';
import { JsonFile } from './json-file';
import { slug } from './learning-store';

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

/** Each zone's learned comfort temperatures, one small file per zone beside its forecaster. */
export class ComfortStore {
  private readonly zones = new Map<string, { file: JsonFile<ComfortFile>; learner: ComfortLearner }>();

  constructor(private readonly dir: string, private readonly log: Log) {}

  /** undefined when the zone does not learn: its configured comfort holds. */
  forZone(zone: ZoneSettings, zoneLog: Log, utcOffsetMinutes: number): ComfortLearner | undefined {
    if (!zone.learning || zone.control !== 'predictive') {
      return undefined;
    }
    const options = { comfort: zone.comfort, limits: zone.limits, utcOffsetMinutes };
    const file = new JsonFile<ComfortFile>(path.join(this.dir, `${slug(zone.name)}.json`));
    const loaded = file.load((raw) => {
      decodeComfort(raw);
      return raw as ComfortFile;
    });
    for (const w of loaded.warnings) {
      zoneLog.warn(`learned comfort: ${w}`);
    }
    const learner = loaded.value ? ComfortLearner.fromFile(options, loaded.value) : new ComfortLearner(options);
    this.zones.set(zone.name, { file, learner });
    return learner;
  }

  checkpointAll(): void {
    for (const [name, z] of this.zones) {
      try {
        z.file.save(z.learner.encode());
      } catch (err) {
        this.log.warn(`[${name}] could not save the learned comfort: ${(err as Error).message}`);
      }
    }
  }
}
