// Who is signed in: the answer of POST /auth/login or GET /auth/me
// ({ user, permissions, scope, company }), and the permission checks the screens use.
//
// Offline start: the last signed-in user is remembered in localStorage (`salepoint.lastUser`:
// username, display name, role, permissions, store scope, locale, the company's name and
// currency — nothing secret, no token). When GET /auth/me cannot reach the server, that user
// starts in offline mode, which opens only the register (it sells from its IndexedDB catalog
// and queues the sales); the server is asked again every few seconds, and its answer ends the
// offline mode: the session goes on, or (cookie gone: 401) the login page shows while the
// queued sales wait in IndexedDB for the next sign-in on that register.
import { reactive } from 'vue';
import { api, ApiError, rememberCsrfToken, setUnauthenticatedHandler } from './api.js';
import { currentPath, replace, resolve, route } from './router.js';

const LAST_USER_KEY = 'salepoint.lastUser';
const PROBE_MS = 5000;

export const session = reactive({
  user: null,
  permissions: [],
  scope: { all_stores: false, store_ids: [] },
  company: null,
  /** True while the server cannot be reached and the remembered user works offline. */
  offline: false,
});

export function signedIn() {
  return session.user !== null;
}

/** Whether the signed-in user holds `permission` (e.g. 'users.manage'). */
export function can(permission) {
  return session.permissions.includes(permission);
}

function apply(answer) {
  session.user = answer?.user || null;
  session.permissions = answer?.permissions || [];
  session.scope = answer?.scope || { all_stores: false, store_ids: [] };
  session.company = answer?.company || null;
}

function clear() {
  stopProbe();
  session.offline = false;
  apply(null);
  rememberCsrfToken('');
}

/** What an offline start needs of a session answer: no token, no secret. */
function remembered(answer) {
  const u = answer?.user;
  if (!u?.username) return null;
  return {
    user: {
      id: u.id, username: u.username, display_name: u.display_name || '', role: u.role, locale: u.locale || null,
      store_ids: Array.isArray(u.store_ids) ? u.store_ids : [],
    },
    permissions: Array.isArray(answer.permissions) ? answer.permissions : [],
    scope: answer.scope || { all_stores: false, store_ids: [] },
    company: answer.company
      ? { name: answer.company.name, currency: answer.company.currency, default_locale: answer.company.default_locale }
      : null,
  };
}

function rememberUser(answer) {
  const r = remembered(answer);
  try {
    if (r) localStorage.setItem(LAST_USER_KEY, JSON.stringify({ ...r, saved_at: new Date().toISOString() }));
  } catch {
    // not remembered: no offline start on this device
  }
}

function forgetUser() {
  try {
    localStorage.removeItem(LAST_USER_KEY);
  } catch {
    // nothing to forget
  }
}

/** The remembered last user (for an offline start), or null. */
export function lastUser() {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_USER_KEY) || 'null');
    return v?.user?.username ? v : null;
  } catch {
    return null;
  }
}

/** Whether an error means "the server cannot be reached" (not "you are not signed in"). */
export function unreachable(e) {
  return e instanceof ApiError ? e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504 : true;
}

/** Asks the server who we are; false when there is no session. */
export async function loadSession() {
  try {
    const answer = await api.get('/auth/me');
    apply(answer);
    rememberUser(answer);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      clear();
      return false;
    }
    throw e;
  }
}

// ---- offline mode
let probeTimer = null;
let probing = false;

function stopProbe() {
  clearInterval(probeTimer);
  probeTimer = null;
  window.removeEventListener('online', probe);
}

/** Asks /auth/me again while offline; an answer ends the offline mode. */
async function probe() {
  if (!session.offline || probing) return;
  probing = true;
  try {
    const answer = await api.get('/auth/me');
    stopProbe();
    session.offline = false;
    apply(answer);
    rememberUser(answer);
    resolve(); // the route guard again, now with the server's permissions
  } catch (e) {
    // Still unreachable: keep selling offline. A 401 went to the handler below (login page).
    if (!unreachable(e) && !(e instanceof ApiError && e.status === 401)) {
      console.warn('salepoint: the server answered the session check with', e);
    }
  } finally {
    probing = false;
  }
}

/**
 * Starts the offline mode with the remembered user, if there is one who may sell; true when
 * it started. The server is asked again every few seconds and when the browser says it is
 * online.
 */
export function startOffline() {
  const last = lastUser();
  if (!last || !(last.permissions || []).includes('sales.create')) return false;
  apply(last);
  session.offline = true;
  stopProbe();
  probeTimer = setInterval(probe, PROBE_MS);
  window.addEventListener('online', probe);
  return true;
}

/** Signs in; throws ApiError (invalid_credentials, too_many_attempts, ...). */
export async function login(username, password) {
  const answer = await api.post('/auth/login', { username, password });
  rememberCsrfToken(answer?.csrf_token);
  // /auth/me is the shape the rest of the UI reads; the login answer has it too.
  stopProbe();
  session.offline = false;
  apply(answer);
  rememberUser(answer);
}

/** Signs out (ends the server session) and goes to the login page. */
export async function logout() {
  try {
    await api.post('/auth/logout');
  } catch {
    // The session may already be gone; the person still leaves.
  }
  // Signed out on purpose: nobody sells offline in this person's name on this device.
  forgetUser();
  clear();
  replace('/login');
}

/** Called when a sign-in period ends under our feet (a 401 `unauthenticated` answer). */
setUnauthenticatedHandler(() => {
  const wasSignedIn = signedIn();
  clear();
  if (route.name !== 'login') {
    const here = currentPath();
    replace(wasSignedIn || here !== '/' ? `/login?next=${encodeURIComponent(here)}` : '/login');
  }
});

/** Updates the company shown in the header after the company form saved it. */
export function setCompany(company) {
  session.company = { ...(session.company || {}), ...company };
}
