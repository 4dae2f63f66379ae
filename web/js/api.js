// The fetch wrapper every screen uses to talk to /api/v1.
// - cookies go along (credentials: 'same-origin'); state-changing requests carry X-CSRF-Token
//   (the value of the sp_csrf cookie), as docs/api.md asks;
// - a POST that creates something carries a fresh Idempotency-Key;
// - errors come back as ApiError with the problem+json fields (code, detail, errors[]);
// - a 401 on anything but the login itself sends the person to the login page.

const BASE = '/api/v1';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let onUnauthenticated = () => {};
let csrfFallback = '';

/** Sets what happens when the server answers 401 (the session module sends to #/login). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

/** Remembers the CSRF token from the login answer, in case the cookie cannot be read. */
export function rememberCsrfToken(token) {
  csrfFallback = token || '';
}

function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'sp_csrf') return decodeURIComponent(rest.join('='));
  }
  return csrfFallback;
}

/** An error answer of the API, shaped after its problem+json body. */
export class ApiError extends Error {
  constructor(status, problem, headers) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem?.code || (status === 0 ? 'network' : `http_${status}`);
    this.title = problem?.title || '';
    this.detail = problem?.detail || '';
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    this.retryAfter = headers?.get('Retry-After') || null;
  }
}

function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Fallback for non-secure contexts (plain http on a LAN address): random v4-shaped id.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Sends one request. `path` is relative to /api/v1 (e.g. '/stores').
 * Options: query (object), body (JSON-serialisable), creates (true → Idempotency-Key).
 */
export async function request(method, path, { query, body, creates = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method)) {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  if (method === 'POST' && creates) headers['Idempotency-Key'] = newIdempotencyKey();

  let res;
  try {
    res = await fetch(BASE + withQuery(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: String(e?.message || e) });
  }

  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (res.ok) return data;

  const err = new ApiError(res.status, data, res.headers);
  if (res.status === 401 && path !== '/auth/login') onUnauthenticated(err);
  throw err;
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  /** POST that creates something: carries a fresh Idempotency-Key. */
  create: (path, body) => request('POST', path, { body, creates: true }),
  /** POST that does not create anything (login, logout, password reset). */
  post: (path, body) => request('POST', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  delete: (path) => request('DELETE', path),
};

/** Reads every page of a list (for selects: stores, regions). */
export async function fetchAll(path, query = {}) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const page = await api.get(path, { ...query, limit: 200, cursor });
    out.push(...(page?.data || []));
    cursor = page?.next_cursor;
    if (!cursor) break;
  }
  return out;
}
