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
  // dT/dt = (Tout - T)/tau + sign*rate: T approaches Teq exponentially.
  const teq = outdoor + sign * room.ratePerHour * room.tauHours;
  const remaining = (comfort - teq) / (temperature - teq);
  if (!(remaining > 0 && remaining < 1)) {
    return 24 * 60;
  }
  return Math.min(24 * 60, -room.tauHours * Math.log(remaining) * 60);
}
