// The frame around every signed-in screen: header (company, user, language, logout) and the
// side menu, which shows only what the user's permissions allow.
import { computed, ref } from 'vue';
import LangToggle from '../components/lang-toggle.js';
import OwnPasswordDialog from '../components/own-password-dialog.js';
import { can, logout, session } from '../session.js';
import { navigate, route } from '../router.js';

/** The side menu: name (route and data-test), path, icon, label key, permission needed. */
export const MENU = [
  { name: 'home', path: '/', icon: 'HomeFilled', label: 'menu.home' },
  { name: 'company', path: '/company', icon: 'OfficeBuilding', label: 'menu.company', perm: 'company.read' },
  { name: 'regions', path: '/regions', icon: 'MapLocation', label: 'menu.regions', perm: 'company.read' },
  { name: 'stores', path: '/stores', icon: 'Shop', label: 'menu.stores', perm: 'org.read' },
  { name: 'users', path: '/users', icon: 'User', label: 'menu.users', perm: 'users.read' },
  { name: 'api-keys', path: '/api-keys', icon: 'Key', label: 'menu.apiKeys', perm: 'api_keys.read' },
  { name: 'audit', path: '/audit', icon: 'Document', label: 'menu.audit', perm: 'audit.read' },
];

export default {
  name: 'AppLayout',
  components: { LangToggle, OwnPasswordDialog },
  setup() {
    const menu = computed(() => MENU.filter((m) => !m.perm || can(m.perm)));
    const active = computed(() => route.def?.menu || route.name);
    const go = (name) => navigate(MENU.find((m) => m.name === name)?.path || '/');
    const passwordDialog = ref(false);
    return { session, menu, active, go, logout, passwordDialog };
  },
  template: `
    <el-container class="sp-shell">
      <el-header class="sp-header">
        <div class="sp-header-left">
          <span class="sp-brand">{{ $t('app.name') }}</span>
          <span class="sp-company" data-test="header-company">{{ session.company?.name }}</span>
        </div>
        <div class="sp-header-right">
          <span class="sp-user" data-test="header-user">
            <el-icon><UserFilled /></el-icon>
            <span data-test="header-user-name">{{ session.user?.display_name || session.user?.username }}</span>
            <el-tag v-if="session.user" size="small" type="info" data-test="header-role">{{ $tv('role', session.user?.role) }}</el-tag>
          </span>
          <lang-toggle />
          <el-button v-if="session.user" text data-test="change-password" @click="passwordDialog = true">
            <el-icon><Lock /></el-icon><span>{{ $t('password.title') }}</span>
          </el-button>
          <el-button text data-test="logout" @click="logout">
            <el-icon><SwitchButton /></el-icon><span>{{ $t('header.logout') }}</span>
          </el-button>
        </div>
      </el-header>
      <el-container class="sp-body">
        <el-aside width="200px" class="sp-aside">
          <el-menu :default-active="active" @select="go" data-test="side-menu" class="sp-menu">
            <el-menu-item v-for="m in menu" :key="m.name" :index="m.name" :data-test="'menu-' + m.name">
              <el-icon><component :is="m.icon" /></el-icon>
              <span>{{ $t(m.label) }}</span>
            </el-menu-item>
          </el-menu>
        </el-aside>
        <el-main class="sp-main"><slot /></el-main>
      </el-container>
      <own-password-dialog v-model="passwordDialog" />
    </el-container>`,
};
