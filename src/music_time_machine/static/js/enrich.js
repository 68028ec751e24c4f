// Settings › Genres and artwork: start the run in place and follow it (the server answers at
// once and looks the artists up on a thread), with a progress bar and Cancel.
import { getJson, postJson } from './csrf-fetch.js';

const POLL_MS = 1000;
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

const form = document.querySelector('.js-enrich-form');
const box = document.querySelector('.js-enrich-progress');
const cancelForm = document.querySelector('.js-enrich-cancel');

function show(status) {
  const button = form.querySelector('.js-enrich-start');
  button.disabled = status.running || Boolean(status.disabled_reason);
  box.hidden = !status.running;
  box.querySelector('progress').value = Math.round(status.progress * 100);
  box.querySelector('.js-enrich-message').textContent = status.running ? status.message : '';
  for (const [key, value] of Object.entries(status.counts)) {
    const cell = document.querySelector(`.js-enrich-counts [data-count="${key}"]`);
    if (cell) cell.textContent = value.toLocaleString();
  }
  for (const [key, value] of Object.entries(status.artwork || {})) {
    const cell = document.querySelector(`.js-enrich-counts [data-artwork="${key}"]`);
    if (cell) cell.textContent = value.toLocaleString();
  }
  const last = document.querySelector('.js-enrich-last');
  if (!status.running && status.last_status) {
    last.hidden = false;
    last.textContent = `Last run (${status.last_status}): ${status.message}`;
  }
}

async function follow() {
  let status = await getJson(form.dataset.statusUrl);
  show(status);
  while (status.running) {
    await sleep(POLL_MS);
    status = await getJson(form.dataset.statusUrl);
    show(status);
  }
}

if (form && box) {
  const note = (message) => { box.querySelector('.js-enrich-message').textContent = message; };
  if (form.dataset.running === 'true') follow().catch((error) => note(error.message));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      show(await postJson(form.action, null, { form }));
      await follow();
    } catch (error) {
      box.hidden = false;
      note(error.message);
    }
  });
  cancelForm?.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      show(await postJson(cancelForm.action, null, { form: cancelForm }));
    } catch (error) {
      note(error.message);
    }
  });
}
