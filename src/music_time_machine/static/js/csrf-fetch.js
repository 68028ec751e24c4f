// The one fetch helper of every page: attaches the CSRF token from the <meta> tag to
// state-changing requests, asks for JSON, and turns every failure into an Error whose
// message says in plain words what happened and what to do. Nobody should ever read
// "Failed to fetch" or "The server answered 500": a message the server wrote for people
// (JSON `error`) is kept, anything else is mapped from the kind of failure.
const token = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export const UNREACHABLE = "Couldn't reach the server. Check your connection, then try again.";

/** What a person should read for an HTTP status the server did not explain. */
export function statusMessage(status) {
  if (status === 400) return 'The page is out of date. Reload it, then try again.';
  if (status === 401 || status === 403) return 'Your session has ended. Reload the page and sign in again.';
  if (status === 404) return 'That is no longer here. Reload the page to see what is.';
  if (status === 409) return 'Something else is already running. Wait for it to finish, then try again.';
  if (status === 413) return 'That is too large to send. Try a smaller file.';
  if (status === 429) return 'Too many requests at once. Wait a moment, then try again.';
  if (status >= 500) return 'The server ran into a problem. Try again in a moment; if it keeps happening, the server log says why.';
  return 'Something went wrong. Reload the page, then try again.';
}

/** POST `body` (an object as JSON, or FormData as it is) or the fields of `form`. */
export async function postJson(url, body = null, { form = null } = {}) {
  const headers = { 'X-CSRFToken': token(), Accept: 'application/json' };
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (form) {
    payload = new FormData(form);
  } else if (body !== null) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return request(url, { method: 'POST', headers, body: payload });
}

export async function getJson(url) {
  return request(url, { headers: { Accept: 'application/json' } });
}

async function request(url, init) {
  let response;
  try {
    response = await fetch(url, { ...init, credentials: 'same-origin' });
  } catch {
    const error = new Error(UNREACHABLE);
    error.status = 0;
    error.unreachable = true;
    throw error;
  }
  return readJson(response);
}

async function readJson(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  const written = typeof data?.error === 'string' && data.error ? data.error : null;
  if (!response.ok && !(data && 'outcome' in data)) {
    const error = new Error(written ?? statusMessage(response.status));
    error.status = response.status;
    error.data = data;
    throw error;
  }
  if (data === null) {  // a 2xx that is not JSON (a proxy's page, say)
    const error = new Error(statusMessage(500));
    error.status = response.status;
    throw error;
  }
  return data;
}
