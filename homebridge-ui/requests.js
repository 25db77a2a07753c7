'use strict';

/**
 * The settings page's side of "reset learning". The page's server runs in the Homebridge UI's
 * process, not in Homebridge's, so it cannot touch the running zones: deleting a zone's model here
 * would only be overwritten by the plugin's next checkpoint. It leaves a request instead, in
 * `occupancy-thermostat/reset-requests.json` under the storage path:
 * `{ "<zone name, lower case>": "<ISO time>", ... }`. The plugin takes the file within a minute and
 * resets those zones to the shipped prior (src/store/reset-requests.ts).
 */

const fs = require('node:fs');
const path = require('node:path');

const PLATFORM = 'OccupancyThermostat';
const STATE_DIR = 'occupancy-thermostat';
const REQUEST_FILE = 'reset-requests.json';
const MAX_NAME_LENGTH = 64;

/** A request the page got wrong: its message is for the user. */
class InvalidRequest extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidRequest';
  }
}

function requestFile(storagePath) {
  return path.join(storagePath, STATE_DIR, REQUEST_FILE);
}

/** The zone name as the plugin's config validation keeps it (trimmed, 1 to 64 characters). */
function checkZoneName(zone) {
  const name = typeof zone === 'string' ? zone.trim() : '';
  if (!name || name.length > MAX_NAME_LENGTH) {
    throw new InvalidRequest(`A zone name of 1 to ${MAX_NAME_LENGTH} characters is needed.`);
  }
  return name;
}

/**
 * The names of the zones in the saved config.json (lower case), or undefined when it cannot be
 * read: then the request goes ahead and the plugin reports a zone it does not know.
 */
function savedZones(configPath) {
  let config;
  try {
    config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  } catch {
    return undefined;
  }
  const names = new Set();
  const platforms = Array.isArray(config && config.platforms) ? config.platforms : [];
  for (const p of platforms) {
    if (!p || typeof p.platform !== 'string' || !(p.platform === PLATFORM || p.platform.endsWith(`.${PLATFORM}`))) {
      continue;
    }
    for (const z of Array.isArray(p.zones) ? p.zones : []) {
      if (z && typeof z.name === 'string' && z.name.trim()) {
        names.add(z.name.trim().toLowerCase());
      }
    }
  }
  return names;
}

/** The requests already waiting; an unreadable file counts as none (it is replaced). */
function pending(file) {
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      return Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string'));
    }
  } catch {
    // missing or corrupt: start a new file
  }
  return {};
}

/** Adds a request for `zone` to the file, written atomically (temp file, fsync, rename). */
function writeResetRequest(storagePath, zone, now = new Date()) {
  const file = requestFile(storagePath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const requests = { ...pending(file), [zone.toLowerCase()]: now.toISOString() };
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify(requests, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return file;
}

/**
 * Handles the page's `/reset-learning` request `{ zone }`: checks the name against the saved
 * settings, leaves the request and says what happens next. Throws InvalidRequest for a request the
 * user can fix; other errors (the storage path not writable, say) carry their own message.
 */
function resetLearning(body, { storagePath, configPath, now }) {
  const zone = checkZoneName(body && body.zone);
  if (!storagePath) {
    throw new Error('The Homebridge UI did not say where Homebridge keeps its data.');
  }
  const saved = configPath ? savedZones(configPath) : undefined;
  if (saved && !saved.has(zone.toLowerCase())) {
    throw new InvalidRequest(`"${zone}" is not in the saved settings, so it has learned nothing yet: `
      + 'a new zone starts from the shipped prior.');
  }
  let file;
  try {
    file = writeResetRequest(storagePath, zone, now);
  } catch (err) {
    throw new Error(`Could not leave the request in ${requestFile(storagePath)}: ${err.message}`);
  }
  return {
    zone,
    file,
    message: `Reset of "${zone}" requested. The running plugin resets its learning to the shipped prior within a minute `
      + '(or a minute after Homebridge next starts) and says so in the Homebridge log. Your settings are kept.',
  };
}

module.exports = { InvalidRequest, checkZoneName, requestFile, resetLearning, savedZones, writeResetRequest };
