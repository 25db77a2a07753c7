/* global homebridge */
'use strict';

// The settings page: the plugin's normal settings form (shown by the Homebridge UI below this page)
// and a "Learning" card with a "Reset learning" button per configured zone. A reset is asked for
// here and carried out by the running plugin (see ../server.js); nothing in the config changes.
(() => {
  const zonesList = document.getElementById('zones');
  const noZones = document.getElementById('no-zones');
  const result = document.getElementById('result');

  function zoneNames(blocks) {
    const block = Array.isArray(blocks) ? blocks[0] : undefined;
    const zones = block && Array.isArray(block.zones) ? block.zones : [];
    const seen = new Set();
    const names = [];
    for (const z of zones) {
      const name = z && typeof z.name === 'string' ? z.name.trim() : '';
      if (name && !seen.has(name.toLowerCase())) {
        seen.add(name.toLowerCase());
        names.push(name);
      }
    }
    return names;
  }

  function say(text, kind) {
    result.textContent = text;
    result.className = `small mt-2 ${kind === 'error' ? 'text-danger' : kind === 'ok' ? 'text-success' : ''}`;
  }

  function button(label, cls, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `btn btn-sm ${cls} ms-2 my-0`;
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  async function reset(name, actions) {
    actions.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const answer = await homebridge.request('/reset-learning', { zone: name });
      say(answer.message, 'ok');
      homebridge.toast.success(`Learning reset requested for "${name}".`, 'Occupancy Thermostat');
    } catch (err) {
      const message = (err && err.message) || String(err);
      say(message, 'error');
      homebridge.toast.error(message, 'Occupancy Thermostat');
    }
    showResetButton(name, actions);
  }

  // The page runs in a sandboxed frame where window.confirm() is blocked, so it confirms in place.
  function askToConfirm(name, actions) {
    actions.replaceChildren(
      Object.assign(document.createElement('span'), { className: 'small me-1', textContent: `Forget what "${name}" learned?` }),
      button('Reset', 'btn-danger', () => reset(name, actions)),
      button('Cancel', 'btn-elegant', () => showResetButton(name, actions)),
    );
  }

  function showResetButton(name, actions) {
    actions.replaceChildren(button('Reset learning', 'btn-outline-danger', () => askToConfirm(name, actions)));
  }

  function render(blocks) {
    const names = zoneNames(blocks);
    noZones.hidden = names.length > 0;
    zonesList.replaceChildren(...names.map((name) => {
      const item = document.createElement('li');
      item.className = 'list-group-item d-flex flex-wrap align-items-center justify-content-between px-0 py-1';
      item.style.background = 'transparent';
      item.appendChild(Object.assign(document.createElement('span'), { textContent: name }));
      const actions = document.createElement('span');
      actions.className = 'd-flex align-items-center';
      showResetButton(name, actions);
      item.appendChild(actions);
      return item;
    }));
  }

  homebridge.addEventListener('ready', async () => {
    // The UI shows its settings form under a custom page only when there is a config block: create one on a fresh install.
    const blocks = await homebridge.getPluginConfig();
    if (!blocks.length) {
      await homebridge.updatePluginConfig([{ platform: 'OccupancyThermostat', name: 'Occupancy Thermostat' }]);
    }
    homebridge.showSchemaForm();
    try {
      const schema = await homebridge.getPluginConfigSchema();
      document.getElementById('header').textContent = (schema && schema.headerDisplay) || '';
    } catch {
      // the header is a nicety
    }
    render(await homebridge.getPluginConfig());
  });
  // Zones added, renamed or removed in the form show up here at once.
  homebridge.addEventListener('configChanged', (event) => render(event.data));
})();
