import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ResetRequests } from '../../src/store/reset-requests';

// The settings page's server is plain JavaScript run by the Homebridge UI; it is loaded here with a
// stand-in for @homebridge/plugin-ui-utils (an ES module that needs an IPC parent).
type Handler = (body: unknown) => Promise<{ message: string; zone: string; file: string }>;
interface UiServer { handlers: Record<string, Handler>; readyCalls: number }
const { createServer } = require('../../homebridge-ui/server.js') as {
  createServer(utils: unknown): new () => UiServer;
};
const requests = require('../../homebridge-ui/requests.js') as {
  writeResetRequest(storagePath: string, zone: string, now?: Date): string;
};

class StubRequestError extends Error {
  constructor(message: string, readonly requestError: unknown) {
    super(message);
  }
}

describe('settings page server', () => {
  let storage: string;
  let configPath: string;
  let server: UiServer;
  const requestFile = () => path.join(storage, 'occupancy-thermostat', 'reset-requests.json');
  const reset = (body: unknown) => server.handlers['/reset-learning'](body);

  beforeEach(() => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-server-'));
    configPath = path.join(storage, 'config.json');
    fs.writeFileSync(configPath, JSON.stringify({
      bridge: {},
      platforms: [
        { platform: 'config' },
        { platform: 'OccupancyThermostat', zones: [{ name: 'Living Room' }, { name: ' Kitchen ' }] },
      ],
    }));
    class StubServer {
      handlers: Record<string, Handler> = {};
      readyCalls = 0;
      get homebridgeStoragePath() {
        return storage;
      }
      get homebridgeConfigPath() {
        return configPath;
      }
      onRequest(p: string, fn: Handler) {
        this.handlers[p] = fn;
      }
      ready() {
        this.readyCalls++;
      }
    }
    const Server = createServer({ HomebridgePluginUiServer: StubServer, RequestError: StubRequestError });
    server = new Server();
  });
  afterEach(() => fs.rmSync(storage, { recursive: true, force: true }));

  it('registers /reset-learning and says it is ready', () => {
    expect(Object.keys(server.handlers)).toEqual(['/reset-learning']);
    expect(server.readyCalls).toBe(1);
  });

  it('leaves a request the plugin takes, merged with those already waiting, and touches nothing else', async () => {
    const answer = await reset({ zone: 'Living Room' });
    expect(answer.zone).toBe('Living Room');
    expect(answer.message).toMatch(/^Reset of "Living Room" requested\. .* within a minute .* Your settings are kept\.$/);
    await reset({ zone: 'kitchen' });
    const written = JSON.parse(fs.readFileSync(requestFile(), 'utf8'));
    expect(Object.keys(written)).toEqual(['living room', 'kitchen']);
    expect(Number.isNaN(Date.parse(written.kitchen))).toBe(false);
    expect(fs.readdirSync(path.dirname(requestFile()))).toEqual(['reset-requests.json']); // no temp file left
    expect(JSON.parse(fs.readFileSync(configPath, 'utf8')).platforms[1].zones).toHaveLength(2);

    const warnings: string[] = [];
    expect(new ResetRequests(requestFile(), { warn: (m) => warnings.push(m) }).take()).toEqual(['living room', 'kitchen']);
    expect(warnings).toEqual([]);
  });

  it.each([
    [{}, /zone name of 1 to 64 characters/],
    [{ zone: '   ' }, /zone name of 1 to 64 characters/],
    [{ zone: 42 }, /zone name of 1 to 64 characters/],
    [{ zone: 'x'.repeat(65) }, /zone name of 1 to 64 characters/],
    [{ zone: 'Attic' }, /"Attic" is not in the saved settings/],
  ])('refuses %j with a message for the page and writes nothing', async (body, message) => {
    const err = await reset(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StubRequestError);
    expect((err as StubRequestError).message).toMatch(message);
    expect((err as StubRequestError).requestError).toEqual({ status: 400 });
    expect(fs.existsSync(requestFile())).toBe(false);
  });

  it('goes ahead when the config cannot be read (the plugin then reports a zone it does not know)', async () => {
    fs.rmSync(configPath);
    await reset({ zone: 'Attic' });
    expect(Object.keys(JSON.parse(fs.readFileSync(requestFile(), 'utf8')))).toEqual(['attic']);
  });

  it('replaces a corrupt request file, and reports a storage path it cannot write to', async () => {
    fs.mkdirSync(path.dirname(requestFile()), { recursive: true });
    fs.writeFileSync(requestFile(), '{"liv');
    requests.writeResetRequest(storage, 'Den', new Date(0));
    expect(JSON.parse(fs.readFileSync(requestFile(), 'utf8'))).toEqual({ den: '1970-01-01T00:00:00.000Z' });

    fs.rmSync(path.dirname(requestFile()), { recursive: true });
    fs.writeFileSync(path.dirname(requestFile()), 'a file where the directory should be');
    const err = await reset({ zone: 'Living Room' }).catch((e: unknown) => e);
    expect((err as StubRequestError).message).toMatch(/^Could not leave the request in .*reset-requests\.json: /);
    expect((err as StubRequestError).requestError).toEqual({ status: 500 });
  });
});
