// fetch() for state-changing requests: attaches the CSRF token from the <meta> tag in
// one place, asks for JSON, and turns failures into Errors with a readable message.
const token = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export async function postJson(url, body = null, { form = null } = {}) {
  const headers = { 'X-CSRFToken': token(), Accept: 'application/json' };
  let payload;
  if (form) {
    payload = new FormData(form);
  } else if (body !== null) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new Error('The server could not be reached. Check your connection and try again.');
  }
  return readJson(response);
}

export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new Error('The server could not be reached. Check your connection and try again.');
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
  if (!response.ok && !(data && 'outcome' in data)) {
    const error = new Error(data?.error ?? `The server answered ${response.status}.`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}
