import type { SimulatedHome } from '../sim/home';
import type { EquipmentCommand, InputSnapshot, ZoneInput, ZoneOutput } from './types';

/** A zone's sensors in the simulated home: room temperature, humidity, outdoor temperature and household activity. */
export class SimulatedInput implements ZoneInput {
  private polledUntil?: number;

  constructor(private readonly home: SimulatedHome, private readonly zone: string) {}

  poll(now: number): InputSnapshot {
    this.home.advanceTo(now);
    const from = this.polledUntil ?? now - 1;
    const events = now > from ? this.home.events(this.zone, from, now) : [];
    this.polledUntil = Math.max(from, now);
    const room = this.home.zone(this.zone);
    return {
      temperature: { value: room.temperature, at: now },
      humidity: { value: room.humidity, at: now },
      outdoorTemperature: { value: this.home.outdoorTemperature(now), at: now },
      events,
    };
  }
}

/** A zone's heater and cooler in the simulated home. */
export class SimulatedOutput implements ZoneOutput {
  constructor(private readonly home: SimulatedHome, private readonly zone: string) {}

  apply(command: EquipmentCommand, now: number): void {
    this.home.setEquipment(this.zone, { heating: command.heating, cooling: command.cooling }, now);
  }
}
