import type { Clock } from '../clock';
import type { SwitchSettings } from '../config/types';
import type { ZoneSensors } from './sensor-hub';

/** The state an Apple Home switch should show; `changed` is called when the plugin turns it off itself. */
export interface SwitchState {
  on: boolean;
}

/**
 * Apple Home switches that feed a zone's learner, for sensors only Apple Home can see. Plain
 * TypeScript: the HomeKit layer maps the switches to these calls and shows `on`.
 *
 * - "Someone Home": on is presence home, off is away; for arrive/leave automations.
 * - Motion mirrors: on counts as motion; each turns itself off after `motionOffSeconds` (clock
 *   time), so an automation "when motion is detected, turn on Hall motion" works again next time.
 */
export class SwitchInputs {
  private someoneHome = false;
  private readonly motion = new Map<string, { on: boolean; stop?: () => void }>();
  private readonly listeners = new Set<(name: string, on: boolean) => void>();

  constructor(
    private readonly settings: SwitchSettings,
    private readonly sensors: Pick<ZoneSensors, 'push'>,
    private readonly clock: Clock,
  ) {
    for (const name of settings.motion) {
      this.motion.set(name, { on: false });
    }
  }

  get someoneHomeOn(): boolean {
    return this.someoneHome;
  }

  motionOn(name: string): boolean {
    return this.motion.get(name)?.on ?? false;
  }

  /** Called when a motion mirror turns itself off. */
  onAutoOff(listener: (name: string, on: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSomeoneHome(on: boolean): void {
    this.someoneHome = on;
    this.sensors.push({ id: 'homekit:someone-home' }, { kind: 'presence', value: on }, this.clock.now());
  }

  /** A motion mirror flipped in Apple Home. Unknown names are an error (the accessory only offers configured ones). */
  setMotion(name: string, on: boolean): void {
    const m = this.motion.get(name);
    if (!m) {
      throw new Error(`no motion switch named "${name}"`);
    }
    m.stop?.();
    m.stop = undefined;
    m.on = on;
    if (!on) {
      return;
    }
    this.sensors.push({ id: `homekit:motion:${name}` }, { kind: 'motion', value: true }, this.clock.now());
    const stop = this.clock.every(this.settings.motionOffSeconds * 1000, () => {
      stop();
      m.stop = undefined;
      m.on = false;
      for (const l of this.listeners) {
        try {
          l(name, false);
        } catch {
          // A listener's failure must not keep the others from hearing it.
        }
      }
    });
    m.stop = stop;
  }

  close(): void {
    for (const m of this.motion.values()) {
      m.stop?.();
      m.stop = undefined;
    }
    this.listeners.clear();
  }
}
