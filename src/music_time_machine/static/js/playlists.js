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

/** Bring the result of an action into view and move focus to it (its heading). */
function focusResult(box) {
  const target = box?.querySelector('h2') ?? box;
  if (!target) return;
  target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
  (box ?? target).scrollIntoView({ block: 'start' });
}

/** The same "Please check the form" box as the page without JavaScript, each bad field
 * marked, and focus on the first of them. */
function showFieldErrors(fields) {
  clearFieldErrors();
  const box = document.createElement('div');
  box.className = 'flash flash-error js-form-errors';
  box.setAttribute('role', 'alert');
  const title = document.createElement('p');
  const strong = document.createElement('strong');
  strong.textContent = 'Please check the form.';
  title.append(strong);
  const list = document.createElement('ul');
  list.className = 'plain';
  // In the order of the form (the JSON's keys are sorted), as the page without JS lists them.
  const names = [...new Set([...form.elements].map((el) => el.name).filter((n) => n in fields))];
  const ordered = [...names, ...Object.keys(fields).filter((n) => !names.includes(n))];
  ordered.forEach((name) => {
    const message = fields[name];
    const li = document.createElement('li');
    li.textContent = message;
    list.append(li);
  });
  box.append(title, list);
  const csrf = form.querySelector('input[name="csrf_token"]');
  if (csrf) csrf.after(box);
  else form.prepend(box);
  const bad = [...form.elements].filter((el) => el.name in fields);
  bad.forEach((el) => el.setAttribute('aria-invalid', 'true'));
  const first = bad[0];
  if (first) {
    const more = first.closest('details');
    if (more) more.open = true;
    first.focus();
  }
}

function clearFieldErrors() {
  form.querySelectorAll('.js-form-errors, .playlist-form > .flash-error').forEach((el) => el.remove());
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

/** The server's question before a second copy of the playlist just made, with the same
 * "Create a second copy" button (a submit button of the form) as the page without JS. */
function askBeforeCreatingAgain(question) {
  showError('');
  const p = document.createElement('p');
  p.className = 'flash flash-warning';
  p.textContent = `${question} `;
  const again = document.createElement('button');
  again.type = 'submit';
  again.setAttribute('form', form.id);
  again.name = 'action';
  again.value = 'create_again';
  again.className = 'button button-secondary';
  again.textContent = 'Create a second copy';
  p.append(again);
  errorBox.append(p);
  errorBox.hidden = false;
  again.focus();
}

/** After creating, the preview says so instead of "nothing is written yet". */
function markPreviewCreated(playlist) {
  const notice = previewBox.querySelector('.js-preview-notice');
  if (notice) {
    notice.textContent = `Created on Spotify as “${playlist.name}” (see above). Pressing “Create on Spotify” again asks before making a second copy.`;
  }
}

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
  let creating = ['create', 'create_again'].includes(event.submitter?.value);
  const previewFirst = creating && !form.querySelector('.js-selection-key').value;
  if (previewFirst) creating = false;  // nothing is created before its preview was seen
  // The fields with the button pressed (its action=...), as sent without JavaScript; read
  // now, while that button (perhaps in the question below) is still on the page.
  const fields = creating ? new FormData(form, event.submitter) : new FormData(form);
  // The busy state shows on the form's own button (the question's button is about to go).
  const pressed = form.contains(event.submitter) ? event.submitter : null;
  const button = previewFirst || !event.submitter
    ? form.querySelector('.js-preview-button')
    : pressed ?? form.querySelector('.js-create-button');
  const buttons = form.querySelectorAll('button[type="submit"]');
  const done = busy(button, form.querySelector('.busy-note'), creating ? 'Creating…' : 'Previewing…');
  buttons.forEach((b) => { b.disabled = true; });
  showError('');
  try {
    const url = creating ? form.dataset.createUrl : form.dataset.previewUrl;
    const data = await postJson(url, fields);
    clearFieldErrors();
    if (data.ask_again) {
      askBeforeCreatingAgain(data.ask_again);
    } else if (creating) {
      resultBox.innerHTML = '';
      setHtml(resultBox, data.playlist.html);
      setHtml(savedBox, data.list_html);
      markPreviewCreated(data.playlist);
      focusResult(resultBox);
    } else {
      rememberPreview(data);
      resultBox.replaceChildren();
      setHtml(previewBox, data.html);
      if (previewFirst) {
        showError('Here is the playlist first: check it, then press “Create on Spotify” to make it.', 'info');
      }
      focusResult(previewBox);
    }
  } catch (error) {
    const data = error.data ?? {};
    if (data.playlist) {  // created, but adding stopped: show the card with "Finish adding"
      setHtml(resultBox, data.playlist.html);
      setHtml(savedBox, data.list_html);
    } else if (error.data?.fields && Object.keys(error.data.fields).length) {
      showError('');
      showFieldErrors(error.data.fields);
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
