// The home page: for now a welcome card with the user's store scope (the dashboard comes later).
import { computed } from 'vue';
import { session } from '../session.js';
import { t } from '../i18n.js';

export default {
  name: 'HomeView',
  setup() {
    const scopeText = computed(() => session.scope?.all_stores
      ? t('home.scopeAll')
      : t('home.scopeSome', { n: session.scope?.store_ids?.length ?? 0 }));
    return { session, scopeText };
  },
  template: `
    <div class="sp-page">
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
