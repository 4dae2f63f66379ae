// The API from node, as a program uses it: POST /auth/login gives a bearer token (no cookie,
// so no CSRF header); creating POSTs carry an Idempotency-Key. For setting up what a browser
// test needs (a member with points and a balance …) without SQL.
import { randomUUID } from 'node:crypto';

/** Signs in as `username`; resolves { get, post, put, user } bound to the server at `baseUrl`. */
export async function apiAs(baseUrl, username, password) {
  const root = new URL('api/v1', baseUrl).href;
  async function call(method, path, body, { key = false } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = typeof key === 'string' ? key : randomUUID();
    const res = await fetch(root + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    return { status: res.status, body: data };
  }
  let token = null;
  const login = await call('POST', '/auth/login', { username, password });
  if (login.status !== 200 || !login.body?.token) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  token = login.body.token;

  /** The answer's body; throws with the status and body unless it is 2xx. */
  async function ok(method, path, body, opts) {
    const res = await call(method, path, body, opts);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  return {
    user: login.body,
    call,
    get: (path) => ok('GET', path),
    post: (path, body, opts) => ok('POST', path, body, opts),
    put: (path, body) => ok('PUT', path, body),
  };
}
