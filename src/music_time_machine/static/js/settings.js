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
  // The facts (last successful sync, next one) and the history follow the run too.
  const parts = { facts_html: '.js-sync-facts', history_html: '.js-sync-history' };
  Object.entries(parts).forEach(([key, selector]) => {
    const box = document.querySelector(selector);
    if (!box || typeof status[key] !== 'string') return;
    const open = box.querySelector('details')?.open;
    box.innerHTML = status[key];
    const details = box.querySelector('details');
    if (details && open !== undefined) details.open = open;
  });
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.classList.toggle('is-busy', busy);
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
      const last = await follow(first);
      // The result is what the person waits for: move there and bring it into view.
      if (!first.initial) {
        syncBox.tabIndex = -1;
        syncBox.focus({ preventScroll: true });
        syncBox.scrollIntoView({ block: 'nearest' });
      }
      return last;
    } catch (error) {
      if (note) note.textContent = error.message;
      return null;
    } finally {
      if (button) setBusy(button, false);
    }
  };
  if (syncBox.dataset.running === 'true') {
    run({ running: true, initial: true });
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
