import type { Clock } from '../clock';
import type { PlatformSettings, ZoneSettings } from '../config/types';
import type { SimulatedHome } from '../sim/home';
import { HttpOutput } from './http-output';
import { attachMqttSensors, MqttConnection, MqttOutput } from './mqtt';
import { ZoneSensors } from './sensor-hub';
import { SimulatedInput, SimulatedOutput } from './simulated';
import { SwitchInputs } from './switches';
import type { ZoneInput, ZoneOutput } from './types';

export interface IoLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** What a zone reads from and drives, built from its settings. */
export interface ZoneIoParts {
  input: ZoneInput;
  output: ZoneOutput;
  /** The zone's real sensors (for the webhook), when its source is "sensors". */
  sensors?: ZoneSensors;
  /** Apple Home input switches, when configured. */
  switches?: SwitchInputs;
  /** Whether the zone can report humidity (CurrentRelativeHumidity is offered only then). */
  humidity: boolean;
  /** One line for the log: where readings come from and where commands go. */
  describe: string;
}

/** An actuator of "none": decisions go only to the Apple Home demand accessories. */
export class NoOutput implements ZoneOutput {
  apply(): void {
    // Nothing to drive: the demand accessories show the zone's decisions.
  }
}

/**
 * Shared connections of the platform: one MQTT client for every zone (made only when a zone
 * uses MQTT, so a home without it never loads the library), the simulated home for the demo.
 */
export class IoContext {
  private mqtt?: MqttConnection;

  constructor(
    private readonly settings: PlatformSettings,
    private readonly clock: Clock,
    private readonly log: IoLogger,
    private readonly home?: SimulatedHome,
  ) {}

  /** The broker connection, made and connected on first use. */
  connection(): MqttConnection {
    if (!this.mqtt) {
      if (!this.settings.mqtt) {
        throw new Error('no MQTT broker is configured (the mqtt settings)');
      }
      this.mqtt = new MqttConnection(this.settings.mqtt, this.log);
      this.mqtt.connect();
    }
    return this.mqtt;
  }

  /** Builds one zone's inputs and outputs. Throws with a message naming the zone on what cannot be built. */
  forZone(zs: ZoneSettings, log: IoLogger): ZoneIoParts {
    const parts: Partial<ZoneIoParts> & { humidity: boolean } = { humidity: false };
    const from: string[] = [];
    if (zs.source === 'simulated') {
      parts.input = new SimulatedInput(this.simulated(zs), zs.name);
      parts.humidity = true;
      from.push('the simulated home');
    } else {
      const sensors = new ZoneSensors(zs.name, zs.staleSensorMinutes * 60_000);
      parts.input = sensors;
      parts.sensors = sensors;
      if (zs.sensors.length > 0 && this.settings.mqtt) {
        const detach = attachMqttSensors(zs.name, zs.sensors, sensors, this.connection(), this.clock, log);
        sensors.onClose(detach);
        from.push(`${zs.sensors.length} MQTT sensor(s)`);
      }
      if (this.settings.webhook.enabled) {
        from.push('the webhook');
      }
      const sw = zs.switches;
      if (sw.someoneHome || sw.motion.length > 0) {
        parts.switches = new SwitchInputs(sw, sensors, this.clock);
        const switches = parts.switches;
        sensors.onClose(() => switches.close());
        from.push('Apple Home switches');
      }
      parts.humidity = zs.sensors.some((s) => s.kind === 'humidity') || this.settings.webhook.enabled;
    }
    let to: string;
    switch (zs.actuator) {
      case 'simulated':
        parts.output = new SimulatedOutput(this.simulated(zs), zs.name);
        to = 'the simulated home';
        break;
      case 'mqtt':
        parts.output = new MqttOutput(zs.name, zs.mqttOutput!, this.connection(), log);
        to = `MQTT ${zs.mqttOutput!.style} on ${zs.mqttOutput!.topic}`;
        break;
      case 'http':
        parts.output = new HttpOutput(zs.name, zs.httpOutput!, log);
        to = `HTTP ${zs.httpOutput!.style} (${zs.httpOutput!.method})`;
        break;
      default:
        parts.output = new NoOutput();
        to = 'no device';
    }
    if (zs.demand !== 'none') {
      to += ` and Apple Home demand ${zs.demand === 'switch' ? 'switches' : 'contact sensors'}`;
    }
    return {
      input: parts.input,
      output: parts.output,
      sensors: parts.sensors,
      switches: parts.switches,
      humidity: parts.humidity,
      describe: `readings from ${from.length > 0 ? from.join(', ') : 'nothing yet (no sensor configured)'}; commands to ${to}`,
    };
  }

  async close(): Promise<void> {
    await this.mqtt?.close();
    this.mqtt = undefined;
  }

  private simulated(zs: ZoneSettings): SimulatedHome {
    if (!this.home) {
      throw new Error(`zone "${zs.name}": the simulated home is not running`);
    }
    return this.home;
  }
}
