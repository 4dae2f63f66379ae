// The home page: the live dashboard (views/dashboard.js) for users with reports.read; for the
// others a welcome card with their store scope.
import { computed } from 'vue';
import { can, session } from '../session.js';
import { t } from '../i18n.js';
import DashboardView from './dashboard.js';

export default {
  name: 'HomeView',
  components: { DashboardView },
  setup() {
    const scopeText = computed(() => session.scope?.all_stores
      ? t('home.scopeAll')
      : t('home.scopeSome', { n: session.scope?.store_ids?.length ?? 0 }));
    const dashboard = computed(() => can('reports.read') && !session.offline);
    return { session, scopeText, dashboard };
  },
  template: `
    <dashboard-view v-if="dashboard" />
    <div v-else class="sp-page">
      <el-card data-test="home-welcome" class="sp-welcome">
        <h2 data-test="home-title">{{ $t('home.welcome', { name: session.user?.display_name || session.user?.username }) }}</h2>
        <el-descriptions :column="1" border>
          <el-descriptions-item :label="$t('home.company')">{{ session.company?.name }}</el-descriptions-item>
          <el-descriptions-item :label="$t('home.role')">{{ $tv('role', session.user?.role) }}</el-descriptions-item>
          <el-descriptions-item :label="$t('home.scope')"><span data-test="home-scope">{{ scopeText }}</span></el-descriptions-item>
        </el-descriptions>
        <p class="sp-muted">{{ $t('home.comingSoon') }}</p>
      </el-card>
    </div>`,
};
