'use strict';

/**
 * The settings page's server. The Homebridge UI starts it as a child process of its own while the
 * plugin's settings are open; it never runs inside Homebridge. Its one request, `/reset-learning`,
 * leaves a request file for the running plugin (see requests.js) and deletes nothing itself.
 */

const { InvalidRequest, resetLearning } = require('./requests.js');

/** The server class, built on the given `@homebridge/plugin-ui-utils` (an ES module, loaded below). */
function createServer({ HomebridgePluginUiServer, RequestError }) {
  return class OccupancyThermostatUiServer extends HomebridgePluginUiServer {
    constructor() {
      super();
      this.onRequest('/reset-learning', (body) => this.resetLearning(body));
      this.ready();
    }

    async resetLearning(body) {
      try {
        return resetLearning(body, { storagePath: this.homebridgeStoragePath, configPath: this.homebridgeConfigPath });
      } catch (err) {
        // A RequestError reaches the page with its message and stays out of the UI's log.
        throw new RequestError(err.message, { status: err instanceof InvalidRequest ? 400 : 500 });
      }
    }
  };
}

if (require.main === module) {
  import('@homebridge/plugin-ui-utils').then((utils) => {
    const Server = createServer(utils);
    return new Server();
  });
}

module.exports = { createServer };
