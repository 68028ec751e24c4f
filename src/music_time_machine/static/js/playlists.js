// Playlist Manager, upgraded: preview and create with fetch() without leaving the page.
// The server renders every piece it sends back (the same templates as the no-JS pages), so
// this module only swaps pieces in, shows the loading state and handles the clipboard.
import { postJson } from './csrf-fetch.js';

const form = document.querySelector('.js-playlist-form');
const errorBox = document.getElementById('playlist-error');
const resultBox = document.getElementById('playlist-result');
const previewBox = document.getElementById('playlist-preview');
const savedBox = document.getElementById('saved-playlists');

// Fields that do not change which tracks are chosen: editing them keeps the preview.
const KEEPS_PREVIEW = new Set(['name', 'description', 'visibility', 'csrf_token']);

function showError(message, kind = 'error') {
  if (!errorBox) return;
  errorBox.replaceChildren();
  if (message) {
    const p = document.createElement('p');
    p.className = `flash flash-${kind}`;
    p.textContent = message;
    errorBox.append(p);
  }
  errorBox.hidden = !message;
}

function setHtml(box, html) {
  if (box && typeof html === 'string') {
    box.innerHTML = html;
    enhance(box);
  }
}

function busy(button, note, text) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.classList.add('is-busy');
  button.textContent = text;
  if (note) note.textContent = text;
  return () => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.classList.remove('is-busy');
    button.textContent = label;
    if (note) note.textContent = '';
  };
}

function rememberPreview(data) {
  form.querySelector('.js-selection-key').value = data.selection_key ?? '';
  form.querySelector('.js-track-ids').value = (data.track_ids ?? []).join(',');
  const name = form.querySelector('#name');
  if (name && data.name) name.placeholder = data.name;
}

function forgetPreview() {
  form.querySelector('.js-selection-key').value = '';
  form.querySelector('.js-track-ids').value = '';
}

async function submitPlaylistForm(event) {
  event.preventDefault();
  const creating = event.submitter?.value === 'create';
  const button = event.submitter ?? form.querySelector('.js-preview-button');
  const buttons = form.querySelectorAll('button[type="submit"]');
  const done = busy(button, form.querySelector('.busy-note'), creating ? 'Creating…' : 'Previewing…');
  buttons.forEach((b) => { b.disabled = true; });
  showError('');
  try {
    const url = creating ? form.dataset.createUrl : form.dataset.previewUrl;
    const data = await postJson(url, null, { form });
    if (creating) {
      resultBox.innerHTML = '';
      setHtml(resultBox, data.playlist.html);
      setHtml(savedBox, data.list_html);
      resultBox.querySelector('h2')?.setAttribute('tabindex', '-1');
      resultBox.querySelector('h2')?.focus();
    } else {
      rememberPreview(data);
      resultBox.replaceChildren();
      setHtml(previewBox, data.html);
    }
  } catch (error) {
    const data = error.data ?? {};
    if (data.playlist) {  // created, but adding stopped: show the card with "Finish adding"
      setHtml(resultBox, data.playlist.html);
      setHtml(savedBox, data.list_html);
    } else {
      showError(error.message, error.status === 422 ? 'warning' : 'error');
      if (!creating) previewBox.replaceChildren();
    }
  } finally {
    done();
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function submitFinishForm(event) {
  event.preventDefault();
  const finishForm = event.target;
  const button = finishForm.querySelector('button');
  const done = busy(button, finishForm.querySelector('.busy-note'), 'Adding…');
  const box = finishForm.closest('#playlist-result') ?? resultBox;
  try {
    const data = await postJson(finishForm.dataset.apiUrl, null, { form: finishForm });
    setHtml(box, data.playlist.html);
    setHtml(savedBox, data.list_html);
  } catch (error) {
    if (error.data?.playlist) {
      setHtml(box, error.data.playlist.html);
    } else {
      done();
      const status = finishForm.querySelector('.busy-note');
      if (status) status.textContent = error.message;
    }
  }
}

async function copyUris(event) {
  const section = event.target.closest('.take-along');
  const box = section.querySelector('.js-uris');
  const status = section.querySelector('.copy-status');
  const text = box.value;
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = `Copied ${text.split('\n').filter(Boolean).length} Spotify URIs.`;
  } catch {
    section.querySelector('details').open = true;
    box.select();
    status.textContent = 'Select all and copy the URIs below (your browser blocked the clipboard).';
  }
}

function enhance(root) {
  root.querySelectorAll('.js-copy-uris').forEach((button) => {
    button.hidden = false;
    button.addEventListener('click', copyUris);
  });
  root.querySelectorAll('.js-finish-form').forEach((f) => f.addEventListener('submit', submitFinishForm));
}

if (form) {
  form.addEventListener('submit', submitPlaylistForm);
  form.addEventListener('change', (event) => {
    if (!KEEPS_PREVIEW.has(event.target.name)) forgetPreview();
  });
}
enhance(document);
