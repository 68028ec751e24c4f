// Settings: "Sync now" in place (the server answers at once and syncs on a thread; the
// status box follows the run until it ends), and the browser's time zone offered when the
// account still has the server's default.
import { getJson, postJson } from './csrf-fetch.js';

const POLL_MS = 1000;
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

const syncForm = document.querySelector('.js-sync-form');
const syncBox = document.querySelector('.js-sync-status');

/** Show one status (the JSON of GET /api/sync) in the box, coloured by its level. */
function showStatus(status) {
  syncBox.hidden = false;
  syncBox.className = `sync-status sync-status-${status.level} js-sync-status`;
  syncBox.dataset.running = status.running ? 'true' : 'false';
  syncBox.querySelector('.sync-status-title strong').textContent = status.title;
  syncBox.querySelector('.sync-status-message').textContent = status.message;
  syncBox.querySelector('noscript')?.remove();
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.textContent = busy ? 'Syncing…' : 'Sync now';
  if (busy) button.setAttribute('aria-busy', 'true');
  else button.removeAttribute('aria-busy');
}

/** Poll until the run ends; returns its final status. */
async function follow(status) {
  let current = status;
  while (current.running) {
    await sleep(POLL_MS);
    current = await getJson(syncBox.dataset.statusUrl);
    showStatus(current);
  }
  return current;
}

if (syncBox) {
  const button = syncForm?.querySelector('button');
  const note = syncForm?.querySelector('.sync-result');
  const run = async (first) => {
    if (button) setBusy(button, true);
    try {
      await follow(first);
    } catch (error) {
      if (note) note.textContent = error.message;
    } finally {
      if (button) setBusy(button, false);
    }
  };
  if (syncBox.dataset.running === 'true') {
    run({ running: true });
  }
  syncForm?.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (note) note.textContent = '';
    setBusy(button, true);
    let started;
    try {
      started = await postJson(syncForm.action, null, { form: syncForm });
    } catch (error) {
      if (note) note.textContent = error.message;
      setBusy(button, false);
      return;
    }
    showStatus(started);
    await run(started);
  });
}

const zoneSelect = document.getElementById('timezone');
const zoneHint = document.querySelector('.js-browser-zone');
if (zoneSelect && zoneHint) {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const unchanged = zoneSelect.value === zoneSelect.dataset.serverDefault;
  const known = [...zoneSelect.options].some((o) => o.value === browserZone);
  if (unchanged && known && browserZone !== zoneSelect.value) {
    zoneSelect.value = browserZone;
    zoneHint.textContent = `Your browser is in ${browserZone}; it is selected above. Save to use it.`;
    zoneHint.hidden = false;
  }
}
