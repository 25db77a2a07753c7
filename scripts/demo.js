#!/usr/bin/env node
// Runs the real Homebridge with this plugin on a simulated home (demo/config.json).
// Storage lives in .demo/ (git-ignored), so pairings survive between runs.
// By default the bridge is bound to loopback and advertises nothing on the network;
// --lan binds it to every interface and advertises it so an iPhone on the same network can pair.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lan = process.argv.includes('--lan');
const storage = path.join(root, '.demo');
const config = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'config.json'), 'utf8'));
if (lan) {
  delete config.bridge.bind;
}
fs.mkdirSync(storage, { recursive: true });
fs.writeFileSync(path.join(storage, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);

process.stdout.write(lan
  ? 'Demo bridge advertised on your local network: pair it in Apple Home with code 031-45-154.\n'
  : 'Demo bridge on loopback only (nothing is advertised). Use `npm run demo:lan` to pair it from an iPhone.\n');

const homebridge = require.resolve('homebridge/bin/homebridge', { paths: [root] });
const child = spawn(process.execPath, [homebridge, '-D', '-U', storage, '-P', root, '--strict-plugin-resolution'], {
  stdio: 'inherit',
  cwd: root,
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
