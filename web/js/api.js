// The fetch wrapper every screen uses to talk to /api/v1.
// - cookies go along (credentials: 'same-origin'); state-changing requests carry X-CSRF-Token
//   (the value of the sp_csrf cookie), as docs/api.md asks;
// - a POST that creates something carries a fresh Idempotency-Key;
// - errors come back as ApiError with the problem+json fields (code, detail, errors[]);
// - a 401 that says the session is gone (problem code `unauthenticated`, or no problem body at
//   all) sends the person to the login page; any other 401 (`invalid_credentials` from a wrong
//   manager PIN at POST /approvals, a wrong password) is only an error for the caller.

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

/** Whether a 401's body means "no session": code `unauthenticated`, or no problem code at all. */
function sessionEnded(problem) {
  const code = problem?.code;
  return !code || code === 'unauthenticated';
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
 * Options: query (object), body (JSON-serialisable), creates (true → Idempotency-Key),
 * signal (an AbortSignal; an aborted request rejects with the DOMException 'AbortError', not
 * an ApiError), raw + contentType (a File/Blob sent as the request body as it is, e.g. an
 * import file: not JSON, not multipart), blob (true → a successful answer is returned as a Blob,
 * e.g. a file to save; errors are problem+json as always).
 */
export async function request(method, path, { query, body, creates = false, signal, raw, contentType, blob = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (raw !== undefined) headers['Content-Type'] = contentType || raw.type || 'application/octet-stream';
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
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
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'network', detail: String(e?.message || e) });
  }

  if (res.status === 204) return null;
  if (res.ok && blob) return res.blob();
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  try {
    data = type.includes('json') ? await res.json() : null;
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
  }
  if (res.ok) return data;

  const err = new ApiError(res.status, data, res.headers);
  if (res.status === 401 && path !== '/auth/login' && sessionEnded(data)) onUnauthenticated(err);
  throw err;
}

export const api = {
  /** GET; `opts.signal` lets a newer request cancel this one (search as you type). */
  get: (path, query, opts = {}) => request('GET', path, { query, signal: opts.signal }),
  /** POST that creates something: carries a fresh Idempotency-Key. */
  create: (path, body) => request('POST', path, { body, creates: true }),
  /** POST that does not create anything (login, logout, password reset). */
  post: (path, body) => request('POST', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  delete: (path) => request('DELETE', path),
  /**
   * POSTs a file as the raw request body (CSV or XLSX imports) with its Content-Type; `creates`
   * adds an Idempotency-Key (for the real import, not for a dry run).
   */
  upload: (path, query, file, contentType, { creates = false } = {}) =>
    request('POST', path, { query, raw: file, contentType, creates }),
  /** POSTs a file as the raw request body and returns the answer as a Blob (a file to save). */
  uploadForFile: (path, file, contentType) => request('POST', path, { raw: file, contentType, blob: true }),
};

/** The /api/v1 URL of `path` with `query` (for downloads the browser fetches itself). */
export function apiUrl(path, query) {
  return BASE + withQuery(path, query);
}

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
