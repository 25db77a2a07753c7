import type { ActivityEvent, InputSnapshot, Reading, ZoneInput } from './types';
import { SensorKind, SensorUpdate } from './readings';
import { AirRise } from '../learning/air-rise';

/** One source of readings in a zone: a configured MQTT sensor, the webhook, an Apple Home switch. */
export interface SensorSource {
  /** Unique within the zone, for logs and for combining temperatures ("mqtt:Hall thermometer"). */
  id: string;
  /** Weight of its temperature in the zone's mean (default 1). */
  weight?: number;
  /** For an air-quality sensor: the rise in 20 minutes that counts as someone there (default AIR_RISE_DEFAULTS.rise). */
  rise?: number;
}

interface NumericState {
  value: number;
  at: number;
  weight: number;
}

const EVENT_KIND: Record<'motion' | 'contact' | 'presence' | 'occupancy', ActivityEvent['kind']> = {
  motion: 'motion',
  occupancy: 'motion',
  contact: 'door',
  presence: 'presence',
};

/** Keeps at most this many events between two polls; a flood beyond it keeps the newest. */
const MAX_PENDING_EVENTS = 1000;

/**
 * A zone's real sensors, fed by pushes (MQTT messages, webhook requests, Apple Home switches) and
 * read by the zone at each tick. Several temperature sensors are combined by weighted mean, leaving
 * out any that is offline or has been silent for longer than `staleMs`; when all are, the newest
 * reading is returned with its old time, so the zone sees the silence and faults. An occupancy
 * sensor that holds "occupied" (mmWave, say) counts as motion at every poll while it holds. An
 * air-quality sensor counts as motion whenever its level rises like a room with people in it,
 * measured from the last door event on (src/learning/air-rise.ts).
 */
export class ZoneSensors implements ZoneInput {
  private readonly numeric: Record<'temperature' | 'humidity' | 'outdoorTemperature', Map<string, NumericState>> = {
    temperature: new Map(), humidity: new Map(), outdoorTemperature: new Map(),
  };
  private readonly offline = new Set<string>();
  private readonly holding = new Map<string, number>();
  private readonly air = new Map<string, AirRise>();
  private pending: ActivityEvent[] = [];
  private readonly closers: (() => void)[] = [];

  constructor(readonly zone: string, private readonly staleMs: number) {}

  /** Takes one update from a source, measured at `at` (clock ms). */
  push(source: SensorSource, update: SensorUpdate, at: number): void {
    this.offline.delete(source.id);
    // Any message from a source that holds "occupied" shows it is alive: the hold goes on.
    if (this.holding.has(source.id) && update.kind !== 'occupancy') {
      this.holding.set(source.id, Math.max(this.holding.get(source.id)!, at));
    }
    switch (update.kind) {
      case 'temperature':
      case 'humidity':
      case 'outdoorTemperature': {
        // A reading older than the one kept (a retained message replayed on reconnect) changes nothing.
        const kept = this.numeric[update.kind].get(source.id);
        if (!kept || at >= kept.at) {
          this.numeric[update.kind].set(source.id, { value: update.value, at, weight: source.weight ?? 1 });
        }
        return;
      }
      case 'airQuality': {
        let rise = this.air.get(source.id);
        if (!rise) {
          rise = new AirRise(source.rise === undefined ? {} : { rise: source.rise });
          this.air.set(source.id, rise);
        }
        if (rise.add(at, update.value)) {
          this.event({ t: at, kind: 'motion', value: true, sensor: source.id });
        }
        return;
      }
      case 'contact':
        // People who just left by the door leave their air behind: a rise counts again only from
        // readings after the door (else the falling level could read as someone still inside).
        for (const rise of this.air.values()) {
          rise.restart();
        }
        this.event({ t: at, kind: EVENT_KIND.contact, value: update.value, sensor: source.id });
        return;
      case 'occupancy':
        if (update.value) {
          this.holding.set(source.id, at);
        } else {
          this.holding.delete(source.id);
        }
        this.event({ t: at, kind: EVENT_KIND.occupancy, value: update.value, sensor: source.id });
        return;
      default:
        this.event({ t: at, kind: EVENT_KIND[update.kind], value: update.value, sensor: source.id });
    }
  }

  /** An availability message: an offline source's readings are left out until it reports again. */
  setAvailable(source: SensorSource, available: boolean): void {
    if (available) {
      this.offline.delete(source.id);
    } else {
      this.offline.add(source.id);
      this.holding.delete(source.id);
    }
  }

  /** Which kinds have ever reported, for the accessory (humidity is offered only if measured). */
  has(kind: SensorKind): boolean {
    return kind in this.numeric ? this.numeric[kind as keyof ZoneSensors['numeric']].size > 0 : false;
  }

  /** Something to run when the zone closes (unsubscribe, say). */
  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  poll(now: number): InputSnapshot {
    const events = this.pending;
    this.pending = [];
    for (const [id, since] of this.holding) {
      if (this.offline.has(id) || now - since > this.staleMs) {
        this.holding.delete(id);
      } else {
        events.push({ t: now, kind: 'motion', value: true, sensor: id });
      }
    }
    events.sort((a, b) => a.t - b.t);
    return {
      temperature: this.combine('temperature', now),
      humidity: this.combine('humidity', now),
      outdoorTemperature: this.combine('outdoorTemperature', now),
      events,
    };
  }

  close(): void {
    for (const fn of this.closers.splice(0)) {
      try {
        fn();
      } catch {
        // Closing is best effort; the zone is going away.
      }
    }
  }

  private event(e: ActivityEvent): void {
    if (this.pending.length >= MAX_PENDING_EVENTS) {
      this.pending.shift();
    }
    this.pending.push(e);
  }

  private combine(kind: keyof ZoneSensors['numeric'], now: number): Reading | undefined {
    let sum = 0;
    let weights = 0;
    let at = -Infinity;
    let newest: NumericState | undefined;
    for (const [id, s] of this.numeric[kind]) {
      if (!(s.weight > 0)) {
        continue;
      }
      if (!newest || s.at > newest.at) {
        newest = s;
      }
      if (this.offline.has(id) || now - s.at > this.staleMs) {
        continue;
      }
      sum += s.value * s.weight;
      weights += s.weight;
      at = Math.max(at, s.at);
    }
    if (weights > 0) {
      return { value: sum / weights, at };
    }
    return newest ? { value: newest.value, at: Math.min(newest.at, now - this.staleMs - 1) } : undefined;
  }
}
