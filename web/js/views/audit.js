// The audit trail: time, actor, action, target, details; and a check of the hash chain.
import { onMounted, reactive, ref } from 'vue';
import { api } from '../api.js';
import { has, t } from '../i18n.js';
import { formatTime, showError, useCursorList } from '../forms.js';
import LoadMore from '../components/load-more.js';

export default {
  name: 'AuditView',
  components: { LoadMore },
  setup() {
    const filters = reactive({ action: '' });
    const list = useCursorList('/audit', () => ({ action: filters.action.trim() }));
    const verifying = ref(false);
    const verdict = ref(null);

    async function verify() {
      verifying.value = true;
      verdict.value = null;
      try {
        verdict.value = await api.get('/audit/verify');
      } catch (e) {
        showError(e);
      } finally {
        verifying.value = false;
      }
    }

    const verdictText = () => verdict.value?.ok
      ? t('audit.chainOk', { n: verdict.value.checked })
      : t('audit.chainBroken', { seq: verdict.value?.first_broken_seq ?? '?', n: verdict.value?.checked ?? 0 });
    const actionText = (a) => (has(`auditAction.${a}`) ? `${t(`auditAction.${a}`)} (${a})` : a);
    const actorKind = (k) => (has(`actorKind.${k}`) ? t(`actorKind.${k}`) : k);
    const targetType = (k) => (has(`targetType.${k}`) ? t(`targetType.${k}`) : k);
    const details = (d) => {
      if (d === null || d === undefined) return '';
      if (typeof d !== 'object') return String(d);
      return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ');
    };

    onMounted(list.reload);
    return { ...list, filters, targetType, verifying, verdict, verify, verdictText, actionText, actorKind, details, formatTime };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('audit.title') }}</h2>
        <div>
          <el-button data-test="audit-reload" @click="reload"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
          <el-button type="primary" :loading="verifying" data-test="audit-verify" @click="verify">
            <el-icon><CircleCheck /></el-icon><span>{{ $t('audit.verify') }}</span>
          </el-button>
        </div>
      </div>
      <el-alert v-if="verdict" :type="verdict.ok ? 'success' : 'error'" :title="verdictText()" show-icon
                :closable="false" data-test="audit-verify-result" :class="['sp-gap', verdict.ok ? 'sp-chain-ok' : 'sp-chain-broken']" />
      <div class="sp-filters">
        <el-input v-model="filters.action" data-test="audit-filter-action" class="sp-search" clearable
                  :placeholder="$t('audit.actionFilter')" @keyup.enter="reload" @clear="reload">
          <template #append>
            <el-button data-test="audit-filter-button" @click="reload"><el-icon><Search /></el-icon></el-button>
          </template>
        </el-input>
      </div>
      <el-table :data="items" v-loading="loading" data-test="audit-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="seq" label="#" width="70" />
        <el-table-column :label="$t('audit.time')" width="170">
          <template #default="{ row }">{{ formatTime(row.at) }}</template>
        </el-table-column>
        <el-table-column :label="$t('audit.actor')" width="170">
          <template #default="{ row }">{{ row.actor_name || row.actor_id || '' }} <span class="sp-muted">({{ actorKind(row.actor_kind) }})</span></template>
        </el-table-column>
        <el-table-column :label="$t('audit.action')" min-width="170">
          <template #default="{ row }">{{ actionText(row.action) }}</template>
        </el-table-column>
        <el-table-column :label="$t('audit.target')" width="200">
          <template #default="{ row }">
            <span v-if="row.target_type">{{ targetType(row.target_type) }} <code class="sp-muted">{{ (row.target_id || '').slice(-8) }}</code></span>
          </template>
        </el-table-column>
        <el-table-column :label="$t('audit.details')" min-width="220">
          <template #default="{ row }"><span class="sp-details">{{ details(row.details) }}</span></template>
        </el-table-column>
        <el-table-column prop="client_ip" :label="$t('audit.clientIp')" width="130" />
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />
    </div>`,
};
