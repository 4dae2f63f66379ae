// Likely duplicate customers (疑似重复客户, #/customers/duplicates): GET /customers/duplicates
// lists pairs with the same name and birthday or the same name and last 4 phone digits (phones
// masked). With customers.admin each pair can be merged either way — POST
// /customers/{id}/merge {into} keeps all history and ledgers on the survivor — after a
// confirmation naming both; the list then reloads (the merged one is no longer a candidate).
import { computed, onMounted, ref } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatTime, showError } from '../forms.js';
import { formatMoney } from '../money.js';
import { can } from '../session.js';
import { navigate } from '../router.js';

/** Pairs asked for at once (the API allows up to 200). */
const LIMIT = 100;

export default {
  name: 'CustomerDuplicatesView',
  setup() {
    const pairs = ref([]);
    const loading = ref(false);
    const busy = ref('');

    async function load() {
      loading.value = true;
      try {
        pairs.value = (await api.get('/customers/duplicates', { limit: LIMIT }))?.data || [];
      } catch (e) {
        showError(e);
        pairs.value = [];
      } finally {
        loading.value = false;
      }
    }

    /** Merges `from` into `into` after a confirmation. */
    async function merge(from, into) {
      try {
        await ElMessageBox.confirm(
          t('duplicates.confirm', { from: `${from.name} (${from.member_no || ''})`, into: `${into.name} (${into.member_no || ''})` }),
          t('customer.merge'),
          { confirmButtonText: t('duplicates.merge'), cancelButtonText: t('common.cancel'), type: 'warning', confirmButtonClass: 'sp-confirm-ok' },
        );
      } catch {
        return;
      }
      busy.value = from.id;
      try {
        await api.post(`/customers/${encodeURIComponent(from.id)}/merge`, { into: into.id });
        ElMessage({ type: 'success', message: t('customer.merged'), customClass: 'sp-saved-toast' });
        await load();
      } catch (e) {
        showError(e);
      } finally {
        busy.value = '';
      }
    }

    onMounted(load);
    return {
      pairs, loading, busy, load, merge, formatMoney, formatTime,
      canAdmin: computed(() => can('customers.admin')),
      open: (c) => navigate(`/customers/${c.id}`),
      back: () => navigate('/customers'),
    };
  },
  template: `
    <div class="sp-page" data-test="duplicates-page">
      <div class="sp-page-head">
        <div>
          <el-button link data-test="duplicates-back" @click="back"><el-icon><Back /></el-icon><span>{{ $t('customers.title') }}</span></el-button>
          <h2>{{ $t('duplicates.title') }}</h2>
        </div>
        <el-button data-test="duplicates-reload" :loading="loading" @click="load">{{ $t('duplicates.reload') }}</el-button>
      </div>
      <p class="sp-muted">{{ $t('duplicates.help') }}</p>
      <div v-loading="loading">
        <el-empty v-if="!loading && !pairs.length" :description="$t('duplicates.none')" data-test="duplicates-empty" />
        <el-card v-for="p in pairs" :key="p.a.id + p.b.id" shadow="never" class="sp-gap" data-test="duplicate-pair"
                 :data-a="p.a.member_no" :data-b="p.b.member_no">
          <div class="sp-small sp-muted" data-test="duplicate-reason" :data-reason="p.reason">{{ $tv('duplicateReason', p.reason) }}</div>
          <el-table :data="[p.a, p.b]" size="small">
            <el-table-column :label="$t('customers.memberNo')" width="130">
              <template #default="{ row }"><span class="sp-code">{{ row.member_no }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('customers.name')" min-width="140">
              <template #default="{ row }"><el-button link type="primary" :data-test="'duplicate-open-' + row.member_no" @click="open(row)">{{ row.name }}</el-button></template>
            </el-table-column>
            <el-table-column :label="$t('customers.phone')" width="140" prop="phone" />
            <el-table-column :label="$t('customers.birthday')" width="120" prop="birthday" />
            <el-table-column :label="$t('customers.points')" width="90" align="right">
              <template #default="{ row }">{{ row.points_balance ?? 0 }}</template>
            </el-table-column>
            <el-table-column :label="$t('customers.storedValue')" width="120" align="right">
              <template #default="{ row }">{{ formatMoney(row.stored_value_minor ?? 0) }}</template>
            </el-table-column>
            <el-table-column :label="$t('customer.since')" width="180">
              <template #default="{ row }">{{ formatTime(row.created_at) }}</template>
            </el-table-column>
            <el-table-column v-if="canAdmin" width="200">
              <template #default="{ row }">
                <el-button size="small" type="danger" plain :loading="busy === row.id" :data-test="'duplicate-merge-' + row.member_no"
                           @click="merge(row, row.id === p.a.id ? p.b : p.a)">{{ $t('duplicates.mergeThis') }}</el-button>
              </template>
            </el-table-column>
          </el-table>
        </el-card>
      </div>
    </div>`,
};
