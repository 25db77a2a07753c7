import { timeToReach } from '../sim/thermal';

const DAY_MINUTES = 24 * 60;

/**
 * Until the zone has learned how its room heats and cools, a conservative room: slow equipment
 * (1 °C per hour with indoor = outdoor) and a moderate heat loss, so pre-heating starts early
 * rather than late.
 */
export const CONSERVATIVE_ROOM = { tauHours: 30, ratePerHour: 1 };

/**
 * Minutes the equipment needs to take the room from `temperature` to `comfort`: first-order room,
 * constant outdoor temperature. Unknown outdoor: the rate alone, with no loss. 0 when already
 * there or unknown; capped at a day when the equipment cannot get there.
 */
export function leadMinutes(
  temperature: number | undefined, comfort: number, outdoor: number | undefined, action: 'heat' | 'cool',
  room = CONSERVATIVE_ROOM,
): number {
  if (temperature === undefined || !Number.isFinite(temperature)) {
    return 0;
  }
  const sign = action === 'heat' ? 1 : -1;
  const gap = sign * (comfort - temperature);
  if (gap <= 0) {
    return 0;
  }
  if (outdoor === undefined || !Number.isFinite(outdoor)) {
    return (gap / room.ratePerHour) * 60;
  }
  // The same first-order room the simulator runs (dT/dt = (Tout - T)/tau ± rate), capped at a day.
  const rate = room.ratePerHour;
  const ms = timeToReach(temperature, comfort, outdoor, { tauHours: room.tauHours, heaterCPerHour: rate, coolerCPerHour: rate }, action);
  return Math.min(DAY_MINUTES, ms / 60_000);
}
