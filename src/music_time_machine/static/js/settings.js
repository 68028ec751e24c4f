// Settings: "Sync now" in place with a loading state, and the browser's time zone offered
// when the account still has the server's default.
import { postJson } from './csrf-fetch.js';

const syncForm = document.querySelector('.js-sync-form');
if (syncForm) {
  const button = syncForm.querySelector('button');
  const status = syncForm.querySelector('.sync-result');
  syncForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    const label = button.textContent;
    button.textContent = 'Syncing…';
    status.textContent = '';
    try {
      const result = await postJson(syncForm.action, null, { form: syncForm });
      status.textContent = result.message;
      status.className = `sync-result ${['ok', 'partial'].includes(result.outcome) ? 'ok' : 'bad'}`;
    } catch (error) {
      status.textContent = error.message;
      status.className = 'sync-result bad';
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.textContent = label;
    }
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
