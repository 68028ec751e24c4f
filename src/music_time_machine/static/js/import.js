// Import and restore: upload with a progress bar (XMLHttpRequest reports upload progress,
// fetch does not), then follow the background job until its report is ready, all in place.
// Every form.js-import-form on the page works this way; its report goes in the
// .import-summary of its own section. data-stage names the second stage ("Importing…").
// A running job can be cancelled: the button posts to its cancel URL and the poll then ends
// with the job's "cancelled" report.
import { UNREACHABLE, getJson, postJson, statusMessage } from './csrf-fetch.js';

const token = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function upload(form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-CSRFToken', token());
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data) resolve(data);
      else reject(new Error(data?.error ?? statusMessage(xhr.status)));
    });
    xhr.addEventListener('error', () => reject(new Error(`The upload stopped. ${UNREACHABLE}`)));
    xhr.send(new FormData(form));
  });
}

/** Poll a job until it ends; returns its final JSON (with the report as HTML). */
export async function followJob(statusUrl, bar, detail) {
  for (;;) {
    const job = await getJson(statusUrl);
    bar.value = Math.round(job.progress * 100);
    detail.textContent = job.message;
    if (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled') return job;
    await sleep(500);
  }
}

function showReport(container, html) {
  container.innerHTML = html;
  container.querySelector('h2')?.setAttribute('tabindex', '-1');
  const heading = container.querySelector('h2');
  heading?.focus({ preventScroll: true });
  container.scrollIntoView({ block: 'start' });
}

function enhance(form) {
  const box = form.querySelector('.import-progress');
  const bar = box.querySelector('progress');
  const stage = box.querySelector('.import-stage');
  const detail = box.querySelector('.import-detail');
  const errorBox = form.querySelector('.form-error');
  const button = form.querySelector('button[type="submit"]');
  const summary = form.closest('section')?.querySelector('.import-summary')
    ?? document.querySelector('.import-summary');
  const workStage = form.dataset.stage ?? 'Importing…';
  const cancel = box.querySelector('.import-cancel');
  let cancelUrl = null;
  cancel?.addEventListener('click', () => {
    if (!cancelUrl) return;
    cancel.disabled = true;
    postJson(cancelUrl).then((answer) => { detail.textContent = answer.message; })
      .catch((error) => { detail.textContent = error.message; });
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = form.querySelector('input[type="file"]');
    const files = [...input.files];
    if (files.length === 0) {
      errorBox.textContent = 'Choose a file first.';
      errorBox.hidden = false;
      input.focus();
      return;
    }
    const size = files.reduce((sum, f) => sum + f.size, 0);
    errorBox.hidden = true;
    if (size > Number(form.dataset.maxBytes)) {
      errorBox.textContent = `These files are ${(size / 1048576).toFixed(0)} MB; this server accepts ${(Number(form.dataset.maxBytes) / 1048576).toFixed(0)} MB per upload.`;
      errorBox.hidden = false;
      return;
    }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    box.hidden = false;
    summary.innerHTML = '';
    try {
      stage.textContent = 'Uploading…';
      const started = await upload(form, (fraction) => { bar.value = Math.round(fraction * 100); });
      stage.textContent = workStage;
      bar.value = 0;
      cancelUrl = started.cancel_url;
      if (cancel) { cancel.hidden = false; cancel.disabled = false; }
      const job = await followJob(started.status_url, bar, detail);
      if (cancel) cancel.hidden = true;
      box.hidden = true;
      showReport(summary, job.html);
      form.reset();
    } catch (error) {
      if (cancel) cancel.hidden = true;
      box.hidden = true;
      errorBox.textContent = error.message;
      errorBox.hidden = false;
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
}

document.querySelectorAll('.js-import-form').forEach(enhance);

const running = document.querySelector('.js-import-job');
if (running) {
  const bar = running.querySelector('progress');
  const detail = running.querySelector('.import-detail');
  const cancelForm = running.querySelector('.js-cancel-job');
  cancelForm?.addEventListener('submit', (event) => {
    event.preventDefault();
    cancelForm.querySelector('button').disabled = true;
    postJson(cancelForm.action).then((answer) => { detail.textContent = answer.message; })
      .catch((error) => { detail.textContent = error.message; });
  });
  followJob(running.dataset.statusUrl, bar, detail)
    .then((job) => {
      running.remove();
      showReport(document.querySelector('.import-summary'), job.html);
    })
    .catch((error) => { detail.textContent = error.message; });
}
