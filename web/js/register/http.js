// Raw requests for the sales queue, where the shared wrapper (api.js) would do the wrong thing:
// the queue must read every status itself (network failure, 5xx, 401/403, 4xx) without side
// effects — a sale waiting while the session is gone must not send the register to the login
// page, it waits until someone signs in again.

function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'sp_csrf') return decodeURIComponent(rest.join('='));
  }
  return '';
}

/**
 * POSTs JSON to /api/v1<path> with the CSRF header (and an Idempotency-Key when given).
 * Resolves { status, data, headers } — status 0 when the network failed; never throws.
 */
export async function postJson(path, body, { idempotencyKey } = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken() };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) });
  } catch {
    return { status: 0, data: null, headers: null };
  }
  let data = null;
  try {
    data = (res.headers.get('Content-Type') || '').includes('json') ? await res.json() : null;
  } catch {
    data = null;
  }
  return { status: res.status, data, headers: res.headers };
}

/** GETs /api/v1<path>: { status, data } — status 0 when the network failed; never throws. */
export async function getJson(path) {
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    return { status: 0, data: null };
  }
  const data = await res.json().catch(() => null);
  return { status: res.status, data };
}
