// The frame around every signed-in screen: header (company, user, language, logout) and the
// side menu, which shows only what the user's permissions allow. Offline (the server could not
// be reached at start, see session.js) a banner says so and the menu holds only the register.
import { computed, ref } from 'vue';
import LangToggle from '../components/lang-toggle.js';
import OwnPasswordDialog from '../components/own-password-dialog.js';
import { can, logout, session } from '../session.js';
import { navigate, route } from '../router.js';

/**
 * The side menu: name (route and data-test), path, icon, label key, permission needed; a group
 * has `children` instead of a path and shows when any child does.
 */
export const MENU = [
  { name: 'home', path: '/', icon: 'HomeFilled', label: 'menu.home' },
  { name: 'register', path: '/register', icon: 'ShoppingCart', label: 'menu.register', perm: 'sales.create' },
  {
    name: 'analytics', icon: 'TrendCharts', label: 'menu.analytics', perm: 'reports.read', children: [
      { name: 'dashboard', path: '/dashboard', icon: 'DataLine', label: 'menu.dashboard', perm: 'reports.read' },
      { name: 'reports', path: '/reports', icon: 'DataAnalysis', label: 'menu.reports', perm: 'reports.read' },
      { name: 'inventory-reports', path: '/inventory-reports', icon: 'Histogram', label: 'menu.inventoryReports', perm: 'reports.read' },
    ],
  },
  {
    name: 'selling', icon: 'Tickets', label: 'menu.selling', perm: 'sales.read', children: [
      { name: 'sales', path: '/sales', icon: 'List', label: 'menu.sales', perm: 'sales.read' },
      { name: 'shifts', path: '/shifts', icon: 'Clock', label: 'menu.shifts', perm: 'sales.read' },
    ],
  },
  {
    name: 'crm', icon: 'UserFilled', label: 'menu.crm', perm: 'customers.read', children: [
      { name: 'customers', path: '/customers', icon: 'Avatar', label: 'menu.customers', perm: 'customers.read' },
      { name: 'customer-tasks', path: '/customer-tasks', icon: 'AlarmClock', label: 'menu.customerTasks', perm: 'customers.read' },
      { name: 'segments', path: '/segments', icon: 'PieChart', label: 'menu.segments', perm: 'customers.read' },
      { name: 'member-tiers', path: '/member-tiers', icon: 'Medal', label: 'menu.memberTiers', perm: 'customers.read' },
      { name: 'customer-reports', path: '/customer-reports', icon: 'DataAnalysis', label: 'menu.customerReports', perm: 'customers.read' },
      { name: 'customer-import', path: '/customers/import', icon: 'Upload', label: 'menu.customerImport', perm: 'customers.manage' },
    ],
  },
  {
    name: 'catalog', icon: 'Goods', label: 'menu.catalog', perm: 'catalog.read', children: [
      { name: 'products', path: '/products', icon: 'ShoppingBag', label: 'menu.products', perm: 'catalog.read' },
      { name: 'categories', path: '/categories', icon: 'FolderOpened', label: 'menu.categories', perm: 'catalog.read' },
      { name: 'tax-classes', path: '/tax-classes', icon: 'Tickets', label: 'menu.taxClasses', perm: 'catalog.read' },
      { name: 'price-lists', path: '/price-lists', icon: 'PriceTag', label: 'menu.priceLists', perm: 'catalog.read' },
      { name: 'scale-formats', path: '/scale-formats', icon: 'Odometer', label: 'menu.scaleFormats', perm: 'catalog.read' },
      { name: 'product-import', path: '/products/import', icon: 'Upload', label: 'menu.productImport', perm: 'catalog.manage' },
    ],
  },
  {
    name: 'inventory', icon: 'Box', label: 'menu.inventory', perm: 'stock.read', children: [
      { name: 'stock', path: '/stock', icon: 'Grid', label: 'menu.stock', perm: 'stock.read' },
      { name: 'stock-alerts', path: '/stock-alerts', icon: 'Bell', label: 'menu.stockAlerts', perm: 'stock.read' },
      { name: 'purchase-orders', path: '/purchase-orders', icon: 'DocumentAdd', label: 'menu.purchaseOrders', perm: 'stock.read' },
      { name: 'transfers', path: '/transfers', icon: 'Van', label: 'menu.transfers', perm: 'stock.read' },
      { name: 'stock-counts', path: '/stock-counts', icon: 'Checked', label: 'menu.stockCounts', perm: 'stock.read' },
      { name: 'replenishment', path: '/replenishment', icon: 'ShoppingCartFull', label: 'menu.replenishment', perm: 'stock.read' },
      { name: 'suppliers', path: '/suppliers', icon: 'Postcard', label: 'menu.suppliers', perm: 'stock.read' },
      { name: 'stock-valuation', path: '/stock-valuation', icon: 'Histogram', label: 'menu.stockValuation', perm: 'stock.read' },
    ],
  },
  { name: 'company', path: '/company', icon: 'OfficeBuilding', label: 'menu.company', perm: 'company.read' },
  { name: 'regions', path: '/regions', icon: 'MapLocation', label: 'menu.regions', perm: 'company.read' },
  { name: 'stores', path: '/stores', icon: 'Shop', label: 'menu.stores', perm: 'org.read' },
  { name: 'tender-types', path: '/tender-types', icon: 'Wallet', label: 'menu.tenderTypes', perm: 'org.read' },
  { name: 'users', path: '/users', icon: 'User', label: 'menu.users', perm: 'users.read' },
  { name: 'api-keys', path: '/api-keys', icon: 'Key', label: 'menu.apiKeys', perm: 'api_keys.read' },
  { name: 'audit', path: '/audit', icon: 'Document', label: 'menu.audit', perm: 'audit.read' },
];

/** What the menu offers while offline: the register sells without the server. */
const OFFLINE_MENU = new Set(['register']);

export default {
  name: 'AppLayout',
  components: { LangToggle, OwnPasswordDialog },
  setup() {
    const allowed = (m) => (!m.perm || can(m.perm)) && (!session.offline || OFFLINE_MENU.has(m.name));
    const menu = computed(() => MENU.filter(allowed)
      .map((m) => (m.children ? { ...m, children: m.children.filter(allowed) } : m))
      .filter((m) => !m.children || m.children.length));
    const active = computed(() => route.def?.menu || route.name);
    // Groups start open: every screen stays one click away.
    const openGroups = MENU.filter((m) => m.children).map((m) => m.name);
    const flat = MENU.flatMap((m) => (m.children ? m.children : [m]));
    const go = (name) => navigate(flat.find((m) => m.name === name)?.path || '/');
    const passwordDialog = ref(false);
    return { session, menu, active, openGroups, go, logout, passwordDialog };
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
          <el-button v-if="session.user && !session.offline" text data-test="change-password" @click="passwordDialog = true">
            <el-icon><Lock /></el-icon><span>{{ $t('password.title') }}</span>
          </el-button>
          <el-button text data-test="logout" @click="logout">
            <el-icon><SwitchButton /></el-icon><span>{{ $t('header.logout') }}</span>
          </el-button>
        </div>
      </el-header>
      <el-container class="sp-body">
        <el-aside width="200px" class="sp-aside">
          <el-menu :default-active="active" :default-openeds="openGroups" @select="go" data-test="side-menu" class="sp-menu">
            <template v-for="m in menu" :key="m.name">
              <el-sub-menu v-if="m.children" :index="m.name" :data-test="'menu-' + m.name">
                <template #title>
                  <el-icon><component :is="m.icon" /></el-icon>
                  <span>{{ $t(m.label) }}</span>
                </template>
                <el-menu-item v-for="c in m.children" :key="c.name" :index="c.name" :data-test="'menu-' + c.name">
                  <el-icon><component :is="c.icon" /></el-icon>
                  <span>{{ $t(c.label) }}</span>
                </el-menu-item>
              </el-sub-menu>
              <el-menu-item v-else :index="m.name" :data-test="'menu-' + m.name">
                <el-icon><component :is="m.icon" /></el-icon>
                <span>{{ $t(m.label) }}</span>
              </el-menu-item>
            </template>
          </el-menu>
        </el-aside>
        <el-main class="sp-main">
          <div v-if="session.offline" class="sp-offline-banner" data-test="offline-banner" role="status">
            <el-icon><Connection /></el-icon>
            <div>
              <strong>{{ $t('offline.title') }}</strong>
              <div class="sp-small">{{ $t('offline.help') }}</div>
            </div>
          </div>
          <slot />
        </el-main>
      </el-container>
      <own-password-dialog v-model="passwordDialog" />
    </el-container>`,
};
