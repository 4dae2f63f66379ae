// Who is signed in: the answer of POST /auth/login or GET /auth/me
// ({ user, permissions, scope, company }), and the permission checks the screens use.
import { reactive } from 'vue';
import { api, ApiError, rememberCsrfToken, setUnauthenticatedHandler } from './api.js';
import { currentPath, replace, route } from './router.js';

export const session = reactive({
  user: null,
  permissions: [],
  scope: { all_stores: false, store_ids: [] },
  company: null,
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
  apply(null);
  rememberCsrfToken('');
}

/** Asks the server who we are; false when there is no session. */
export async function loadSession() {
  try {
    apply(await api.get('/auth/me'));
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      clear();
      return false;
    }
    throw e;
  }
}

/** Signs in; throws ApiError (invalid_credentials, too_many_attempts, ...). */
export async function login(username, password) {
  const answer = await api.post('/auth/login', { username, password });
  rememberCsrfToken(answer?.csrf_token);
  // /auth/me is the shape the rest of the UI reads; the login answer has it too.
  apply(answer);
}

/** Signs out (ends the server session) and goes to the login page. */
export async function logout() {
  try {
    await api.post('/auth/logout');
  } catch {
    // The session may already be gone; the person still leaves.
  }
  clear();
  replace('/login');
}

/** Called when a sign-in period ends under our feet (any 401 answer). */
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
