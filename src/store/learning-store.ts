import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type { ZoneSettings } from '../config/types';
import { cloneModel, emptyModel, ForecasterModel, OccupancyForecaster } from '../learning/forecaster';
import { federatedAverage } from '../learning/federated';
import { decodeModel, encodeModel, ModelFile, Provenance } from '../learning/model-file';
import { JsonFile } from './json-file';

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Where each zone's forecaster comes from and goes to: the zone's own checkpoint under the storage
 * path if it has one (falling back to the previous copy), else the prior shipped with the plugin,
 * else an empty model, each fallback said in the log.
 */
export class LearningStore {
  private prior?: { model: ForecasterModel; provenance: Provenance };
  private readonly zones = new Map<string, {
    file: JsonFile<ModelFile>; forecaster: OccupancyForecaster; provenance: Provenance; log: Log; learns: boolean;
  }>();

  constructor(private readonly dir: string, private readonly priorFile: string, private readonly log: Log) {}

  forZone(zone: ZoneSettings, zoneLog: Log, utcOffsetMinutes: number): OccupancyForecaster {
    const file = new JsonFile<ModelFile>(path.join(this.dir, `${slug(zone.name)}.json`));
    const loaded = file.load((raw) => {
      decodeModel(raw, this.loadPrior().model);
      return raw as ModelFile;
    });
    for (const w of loaded.warnings) {
      zoneLog.warn(`learned model: ${w}`);
    }
    let model: ForecasterModel;
    let provenance: Provenance;
    if (loaded.value) {
      // A checkpoint from a version with fewer horizons takes the missing ones from the prior.
      ({ model, provenance } = decodeModel(loaded.value, this.loadPrior().model));
    } else {
      const prior = this.loadPrior();
      model = prior.model;
      provenance = prior.provenance;
      zoneLog.info(`learning starts from ${prior.provenance.sources.length ? 'the shipped prior' : 'nothing (no prior)'}`);
    }
    const forecaster = new OccupancyForecaster(model, { learn: zone.learning, utcOffsetMinutes });
    this.zones.set(zone.name, { file, forecaster, provenance, log: zoneLog, learns: zone.learning });
    return forecaster;
  }

  /**
   * Makes a zone forget what it learned: its forecaster starts again from the shipped prior, in
   * place, so the zone keeps using the same one, and the checkpoint is saved at once (the model it
   * replaces is the previous copy until the next checkpoint). The name is matched ignoring case. False
   * when no zone of that name was loaded.
   */
  reset(zoneName: string): boolean {
    const key = zoneName.trim().toLowerCase();
    const entry = [...this.zones.entries()].find(([name]) => name.toLowerCase() === key);
    if (!entry) {
      return false;
    }
    const [name, z] = entry;
    const prior = this.loadPrior();
    z.forecaster.resetTo(cloneModel(prior.model));
    z.provenance = prior.provenance;
    try {
      z.file.save(encodeModel(z.forecaster.model, z.provenance));
    } catch (err) {
      this.log.warn(`[${name}] could not save the learned model: ${(err as Error).message}`);
    }
    z.log.info(`learning reset to ${prior.provenance.sources.length ? 'the shipped prior' : 'nothing (no prior)'} `
      + '(requested in the settings)');
    return true;
  }

  /**
   * Federated averaging: zones of this home that learn share the household part of their models
   * (never their history). Returns how many zones took part (0 when fewer than two learn).
   */
  federate(): number {
    const learning = [...this.zones.values()].filter((z) => z.learns).map((z) => z.forecaster.model);
    if (learning.length < 2) {
      return 0;
    }
    federatedAverage(learning);
    return learning.length;
  }

  /** Saves every zone's model; a zone that cannot be saved is logged and the others still are. */
  checkpointAll(): void {
    for (const [name, z] of this.zones) {
      try {
        z.file.save(encodeModel(z.forecaster.model, z.provenance));
      } catch (err) {
        this.log.warn(`[${name}] could not save the learned model: ${(err as Error).message}`);
      }
    }
  }

  private loadPrior(): { model: ForecasterModel; provenance: Provenance } {
    if (!this.prior) {
      try {
        this.prior = decodeModel(JSON.parse(fs.readFileSync(this.priorFile, 'utf8')));
      } catch (err) {
        this.log.warn(`the shipped prior ${this.priorFile} could not be loaded (${(err as Error).message}); zones learn from nothing`);
        this.prior = { model: emptyModel(), provenance: { sources: [], trainedAt: new Date(0).toISOString() } };
      }
    }
    return this.prior;
  }
}

/** A readable file name from a zone name; the hash keeps distinct names (ignoring case) apart. */
export function slug(name: string): string {
  const lower = name.toLowerCase();
  const readable = lower.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'zone';
  return `${readable}-${createHash('sha256').update(lower).digest('hex').slice(0, 8)}`;
}
