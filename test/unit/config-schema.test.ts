import schema from '../../config.schema.json';
import { PLATFORM_NAME } from '../../src/settings';
import { DEFAULT_MAINTENANCE, parseConfig, PLATFORM_NUMBERS, SIMULATION_NUMBERS, ZONE_KEYS, ZONE_NUMBERS } from '../../src/config/validate';

type Node = { type?: string; properties?: Record<string, Node>; items?: Node; default?: unknown; minimum?: number; maximum?: number; required?: boolean; description?: string };

function at(node: Node, path: string): Node | undefined {
  let cur: Node | undefined = node;
  for (const part of path.split('.')) {
    cur = cur?.properties?.[part];
  }
  return cur;
}

const root = schema.schema as unknown as Node;
const zoneNode = root.properties!.zones.items!;

describe('config.schema.json', () => {
  it('is a singular dynamic platform form the Homebridge UI accepts', () => {
    expect(schema.pluginAlias).toBe(PLATFORM_NAME);
    expect(schema.pluginType).toBe('platform');
    expect(schema.singular).toBe(true);
    expect(root.properties!.name).toMatchObject({ type: 'string', required: true });
  });

  it('offers exactly the zone settings the plugin reads', () => {
    expect(new Set(Object.keys(zoneNode.properties!))).toEqual(ZONE_KEYS);
  });

  it.each(Object.entries(ZONE_NUMBERS))('zone %s matches the validator (default, range) and is described', (path, spec) => {
    const node = at(zoneNode, path);
    expect(node).toMatchObject({ default: spec.def, minimum: spec.min, maximum: spec.max });
    expect(node!.description).toBeTruthy();
  });

  it.each(Object.entries(SIMULATION_NUMBERS))('simulation.%s matches the validator', (path, spec) => {
    expect(at(root, `simulation.${path}`)).toMatchObject({ default: spec.def, minimum: spec.min, maximum: spec.max });
  });

  it('platform settings match the validator', () => {
    expect(at(root, 'historyDays')).toMatchObject({
      default: PLATFORM_NUMBERS.historyDays.def, minimum: PLATFORM_NUMBERS.historyDays.min, maximum: PLATFORM_NUMBERS.historyDays.max,
    });
    expect(at(root, 'federated')!.default).toBe(true);
    expect(at(root, 'maintenance.checkpoint')!.default).toBe(DEFAULT_MAINTENANCE.checkpoint);
    expect(at(root, 'maintenance.retention')!.default).toBe(DEFAULT_MAINTENANCE.retention);
    expect(at(root, 'maintenance.thermalFit')!.default).toBe(DEFAULT_MAINTENANCE.thermalFit);
  });

  it('its defaults, filled in as the UI would, parse without a problem', () => {
    const fill = (node: Node): unknown => (node.properties
      ? Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, fill(v)]).filter(([, v]) => v !== undefined))
      : node.default);
    const zone = { ...(fill(zoneNode) as object), name: 'Kitchen' };
    const { problems } = parseConfig({
      name: 'x', zones: [zone], simulation: fill(at(root, 'simulation')!), historyDays: fill(at(root, 'historyDays')!),
      federated: fill(at(root, 'federated')!),
      maintenance: fill(at(root, 'maintenance')!),
    });
    expect(problems).toEqual([]);
  });

  it('every layout key names a schema property', () => {
    const keys: string[] = [];
    const walk = (item: unknown) => {
      if (typeof item === 'string') {
        keys.push(item);
      } else if (item && typeof item === 'object') {
        const o = item as { key?: string; items?: unknown[] };
        if (o.key) {
          keys.push(o.key);
        }
        o.items?.forEach(walk);
      }
    };
    schema.layout.forEach(walk);
    expect(keys.length).toBeGreaterThan(15);
    for (const key of keys) {
      const path = key.replace(/\[\]/g, '').split('.');
      let node: Node | undefined = root;
      for (const part of path) {
        node = node?.properties?.[part] ?? node?.items?.properties?.[part];
      }
      expect([key, node !== undefined]).toEqual([key, true]);
    }
  });
});
