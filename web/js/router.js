// A tiny hash router: routes are '#/path?query', so the server needs no fallback for deep links.
// Each route names the permission it needs; the layout hides menu items the same way.
import { shallowReactive } from 'vue';

const routes = [];

/** The current route: { name, path, params, query, def }. */
export const route = shallowReactive({ name: '', path: '/', params: {}, query: {}, def: null });

/** Registers the route table: [{ name, path: '/stores/:id/registers', component, perm?, public?, menu? }]. */
export function defineRoutes(list) {
  routes.splice(0, routes.length, ...list);
}

function parseHash() {
  const raw = decodeURI(location.hash.replace(/^#/, '')) || '/';
  const [path, qs = ''] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(qs)) };
}

function match(path) {
  const segs = path.split('/').filter(Boolean);
  for (const def of routes) {
    const parts = def.path.split('/').filter(Boolean);
    if (parts.length !== segs.length) continue;
    const params = {};
    let ok = true;
    parts.forEach((p, i) => {
      if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(segs[i]);
      else if (p !== segs[i]) ok = false;
    });
    if (ok) return { def, params };
  }
  return null;
}

let guard = () => true;

/** Sets a guard: (target) => true | '/redirect/path'. */
export function setGuard(fn) {
  guard = fn;
}

/** Re-reads location.hash, applies the guard and updates `route`. */
export function resolve() {
  const { path, query } = parseHash();
  const found = match(path) || match('/');
  const target = { name: found.def.name, path, params: found.params, query, def: found.def };
  const verdict = guard(target);
  if (verdict !== true) {
    replace(verdict);
    return;
  }
  Object.assign(route, target);
}

/** Goes to `path` ('/stores', '/login?next=/users'). */
export function navigate(path) {
  if (location.hash === '#' + path) resolve();
  else location.hash = path;
}

/** Goes to `path` without a new history entry. */
export function replace(path) {
  history.replaceState(null, '', '#' + path);
  resolve();
}

/** The hash path of the current location, for "come back here after login". */
export function currentPath() {
  return parseHash().path + (location.hash.includes('?') ? '?' + location.hash.split('?')[1] : '');
}

export function startRouter() {
  window.addEventListener('hashchange', resolve);
  resolve();
}
