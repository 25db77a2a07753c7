import { CONSERVATIVE_ROOM } from '../control/lead';

const MIN = 60_000;

/**
 * Learns how fast the zone's heater and cooler move the room, online, from consecutive readings
 * taken while the equipment ran: rate = dT/dt + (T - Tout)/tau, with tau fixed. The estimate is
 * shrunk toward the conservative default, so it takes about an hour of running to move away from it.
 */
export class RateEstimator {
  private prev?: { t: number; temperature: number; heating: boolean; cooling: boolean };
  private readonly sum = { heat: 0, cool: 0 };
  private readonly minutes = { heat: 0, cool: 0 };

  constructor(
    private readonly tauHours = CONSERVATIVE_ROOM.tauHours,
    private readonly prior = CONSERVATIVE_ROOM.ratePerHour,
    /** Minutes of running the prior counts for. */
    private readonly priorWeight = 60,
  ) {}

  /** Feeds one reading with the equipment state that held since the previous one. */
  observe(t: number, temperature: number | undefined, outdoor: number | undefined, heating: boolean, cooling: boolean): void {
    const prev = this.prev;
    if (temperature === undefined || !Number.isFinite(temperature)) {
      this.prev = undefined;
      return;
    }
    this.prev = { t, temperature, heating, cooling };
    if (!prev || outdoor === undefined || !Number.isFinite(outdoor)) {
      return;
    }
    const dtMin = (t - prev.t) / MIN;
    if (dtMin < 0.5 || dtMin > 15 || prev.heating === prev.cooling) {
      return; // a gap, or nothing (or both) running: nothing to learn
    }
    const loss = (prev.temperature - outdoor) / this.tauHours;
    const slope = ((temperature - prev.temperature) / dtMin) * 60;
    const key = prev.heating ? 'heat' : 'cool';
    const rate = prev.heating ? slope + loss : -(slope + loss);
    if (!(rate > 0 && rate < 50)) {
      return; // sensor noise or a door left open: not a rate
    }
    this.sum[key] += rate * dtMin;
    this.minutes[key] += dtMin;
  }

  /** °C per hour the equipment adds (heat) or removes (cool), with how many minutes it is based on. */
  rate(action: 'heat' | 'cool'): { perHour: number; minutes: number } {
    const m = this.minutes[action];
    return { perHour: (this.prior * this.priorWeight + this.sum[action]) / (this.priorWeight + m), minutes: m };
  }

  room(action: 'heat' | 'cool'): { tauHours: number; ratePerHour: number } {
    return { tauHours: this.tauHours, ratePerHour: this.rate(action).perHour };
  }
}
