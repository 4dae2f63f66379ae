// Starts the Salepoint web UI: Vue + Element Plus, the hash router, the session and the
// language. Plain ES modules resolved through the import map in index.html; no build step.
import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import * as Icons from '@element-plus/icons-vue';
import { elementLocale, t, tv } from './js/i18n.js';
import { defineRoutes, route, setGuard, startRouter } from './js/router.js';
import { can, loadSession, session, signedIn } from './js/session.js';
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
setGuard((target) => {
  if (target.def.public) return signedIn() ? '/' : true;
  if (!signedIn()) return target.path === '/' ? '/login' : `/login?next=${encodeURIComponent(target.path)}`;
  if (target.def.perm && !can(target.def.perm)) return '/';
  return true;
});

async function boot() {
  try {
    await loadSession();
  } catch (e) {
    // Server unreachable: the login page shows and will say so on the next try.
    console.error('salepoint: could not load the session', e);
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

boot();
