// Starts the Salepoint web UI: Vue + Element Plus, the hash router, the session and the
// language. Plain ES modules resolved through the import map in index.html; no build step.
// The service worker (/sw.js) keeps the app shell for a start without the server; when the
// server cannot be reached at start, the last signed-in user works offline at the register
// (session.js `startOffline`).
import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import * as Icons from '@element-plus/icons-vue';
import { elementLocale, t, tv } from './js/i18n.js';
import { defineRoutes, route, setGuard, startRouter } from './js/router.js';
import { can, loadSession, session, signedIn, startOffline, unreachable } from './js/session.js';
import { ROUTES } from './js/routes.js';
import AppLayout from './js/views/layout.js';

const Root = {
  name: 'SalepointApp',
  components: { AppLayout },
  setup() {
    return { route, session, elementLocale };
  },
  template: `
    <el-config-provider :locale="elementLocale">
      <component v-if="route.def?.public" :is="route.def.component" />
      <app-layout v-else-if="session.user && route.def">
        <component :is="route.def.component" :key="route.path" />
      </app-layout>
    </el-config-provider>`,
};

defineRoutes(ROUTES);
// Offline (server unreachable at start) only the register works: it sells from its own copy of
// the catalog and queues the sales.
const OFFLINE_ROUTES = new Set(['register']);

setGuard((target) => {
  if (target.def.public) return signedIn() ? '/' : true;
  if (session.offline && !OFFLINE_ROUTES.has(target.def.name)) return '/register';
  if (!signedIn()) return target.path === '/' ? '/login' : `/login?next=${encodeURIComponent(target.path)}`;
  if (target.def.perm && !can(target.def.perm)) return '/';
  return true;
});

async function boot() {
  try {
    await loadSession();
  } catch (e) {
    // Server unreachable: the last signed-in user sells offline at the register; without one
    // (or one who may not sell), the login page shows and will say so on the next try.
    if (!(unreachable(e) && startOffline())) console.warn('salepoint: could not load the session', e);
  }
  const app = createApp(Root);
  app.use(ElementPlus);
  for (const [name, component] of Object.entries(Icons)) app.component(name, component);
  app.config.globalProperties.$t = t;
  app.config.globalProperties.$tv = tv;
  app.config.errorHandler = (err, _instance, info) => console.error('salepoint:', info, err);
  startRouter();
  app.mount('#app');
  document.body.dataset.ready = 'true';
}

/** Registers the service worker that keeps the app shell (index.html, scripts, styles, vendor). */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => {
    // Not fatal: the app works online without it (plain http on a LAN address has no workers).
    console.warn('service worker not registered', e);
  });
}

boot().finally(registerServiceWorker);
