// The customer 360 page (客户详情, #/customers/<id>): GET /customers/{id}/overview — the profile,
// figures (lifetime value, visits, average basket, favourite categories and stores), every sale
// and return across stores (newest first, 20 at a time with "load more" from
// /customers/{id}/sales, which includes those of customers merged into this one), the points and
// stored-value ledgers (likewise from /customers/{id}/points and /stored-value) and the
// follow-up tasks. Buttons by permission: edit
// and new task (customers.manage), top-up (customers.manage + sales.create, with the register of
// this device and its open shift), reveal the phone (customers.contact), merge, PIPL export and
// erasure (customers.admin).
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { api, apiUrl, ApiError } from '../api.js';
import { locale, t } from '../i18n.js';
import { describeError, fieldMessage, formatTime, propOf, showError, useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { canTopUp, deviceRegister, ledgerAmount, SEGMENT_TAG } from '../customers.js';
import CustomerDialog from '../components/customer-dialog.js';
import TopupDialog from '../components/topup-dialog.js';
import TaskDialog from '../components/task-dialog.js';
import LoadMore from '../components/load-more.js';

export default {
  name: 'CustomerView',
  components: { CustomerDialog, TopupDialog, TaskDialog, LoadMore },
  setup() {
    const id = computed(() => route.params.id);
    const data = ref(null);
    const loading = ref(false);
    const tab = ref('sales');
    const phone = ref('');
    const ledgers = reactive({ points: { rows: [], cursor: null }, stored_value: { rows: [], cursor: null } });
    const sales = useCursorList(() => `/customers/${encodeURIComponent(id.value)}/sales`, () => ({}), { limit: 20 });

    async function load() {
      if (!id.value) return;
      loading.value = true;
      phone.value = '';
      try {
        const base = `/customers/${encodeURIComponent(id.value)}`;
        let o;
        try {
          o = await api.get(`${base}/overview`);
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 404) throw e;
          // Without the overview: the profile and the ledgers on their own.
          o = { customer: await api.get(base), stats: null, tasks: [] };
        }
        const [pts, sv] = await Promise.all([
          api.get(`${base}/points`, { limit: 20 }).catch(() => null),
          api.get(`${base}/stored-value`, { limit: 20 }).catch(() => null),
        ]);
        if (o.stats) sales.reload();
        ledgers.points = { rows: pts?.data || o.points || [], cursor: pts?.next_cursor ?? null };
        ledgers.stored_value = { rows: sv?.data || o.stored_value || [], cursor: sv?.next_cursor ?? null };
        data.value = o;
      } catch (e) {
        showError(e);
        data.value = null;
      } finally {
        loading.value = false;
      }
    }
    async function more(kind) {
      const path = kind === 'points' ? 'points' : 'stored-value';
      try {
        const page = await api.get(`/customers/${encodeURIComponent(id.value)}/${path}`, { limit: 20, cursor: ledgers[kind].cursor });
        ledgers[kind] = { rows: [...ledgers[kind].rows, ...(page?.data || [])], cursor: page?.next_cursor ?? null };
      } catch (e) {
        showError(e);
      }
    }
    watch(id, load);
    onMounted(load);

    const c = computed(() => data.value?.customer || null);
    const stats = computed(() => data.value?.stats || null);

    async function reveal() {
      try {
        const answer = await api.post(`/customers/${encodeURIComponent(id.value)}/reveal`);
        phone.value = answer?.phone || '';
      } catch (e) {
        showError(e);
      }
    }

    // ---- edit, task
    const editOpen = ref(false);
    const taskOpen = ref(false);

    // ---- top-up with this device's register and its open shift
    const topup = reactive({ open: false, register: null, tenderTypes: [] });
    async function openTopup() {
      const reg = await deviceRegister();
      if (!reg?.register_id || !reg.shift_id) {
        ElMessage({ type: 'warning', message: t('topup.noShift'), customClass: 'sp-topup-noshift' });
        return;
      }
      if (!topup.tenderTypes.length) topup.tenderTypes = (await api.get('/tender-types').catch(() => null))?.data || [];
      Object.assign(topup, { open: true, register: reg });
    }

    // ---- merge (into another customer), privacy export, erase
    const merge = reactive({ open: false, q: '', options: [], into: null, error: '', busy: false });
    async function searchInto(q) {
      if (!q) return;
      try {
        const page = await api.get('/customers', { q, limit: 20 });
        merge.options = (page?.data || []).filter((x) => x.id !== id.value && x.status === 'active');
      } catch {
        merge.options = [];
      }
    }
    async function doMerge() {
      merge.error = '';
      if (!merge.into) {
        merge.error = t('fieldError.required');
        return;
      }
      merge.busy = true;
      try {
        await api.post(`/customers/${encodeURIComponent(id.value)}/merge`, { into: merge.into });
        ElMessage({ type: 'success', message: t('customer.merged'), customClass: 'sp-saved-toast' });
        merge.open = false;
        navigate(`/customers/${merge.into}`);
      } catch (e) {
        const fe = e instanceof ApiError ? e.errors.find((x) => propOf(x.field) === 'into') : null;
        merge.error = fe ? fieldMessage(fe) : describeError(e);
      } finally {
        merge.busy = false;
      }
    }
    const privacyUrl = computed(() => apiUrl(`/customers/${encodeURIComponent(id.value || '')}/privacy-export`));
    async function erase() {
      let reason;
      try {
        ({ value: reason } = await ElMessageBox.prompt(t('customer.eraseConfirm'), t('customer.erase'), {
          confirmButtonText: t('customer.erase'), cancelButtonText: t('common.cancel'), type: 'warning',
          inputValidator: (v) => (String(v || '').trim() ? true : t('fieldError.required')), confirmButtonClass: 'sp-confirm-ok',
        }));
      } catch {
        return;
      }
      try {
        await api.post(`/customers/${encodeURIComponent(id.value)}/erase`, { reason: reason.trim() });
        ElMessage({ type: 'success', message: t('customer.erased'), customClass: 'sp-saved-toast' });
        await load();
      } catch (e) {
        showError(e);
      }
    }

    const ledgerSign = (row) => (ledgerAmount(row) > 0 ? `+${ledgerAmount(row)}` : String(ledgerAmount(row)));
    const moneySign = (row) => (ledgerAmount(row) > 0 ? `+${formatMoney(ledgerAmount(row))}` : formatMoney(ledgerAmount(row)));
    const receiptUrl = (s) => apiUrl(`/sales/${encodeURIComponent(s.id)}/receipt`, { format: 'html', lang: locale.value });

    return {
      id, data, c, stats, loading, tab, phone, ledgers, more, sales, reveal, editOpen, taskOpen, topup, openTopup,
      merge, searchInto, doMerge, privacyUrl, erase, load, ledgerSign, moneySign, ledgerAmount, formatMoney, formatTime, receiptUrl,
      SEGMENT_TAG, canManage: computed(() => can('customers.manage')), canAdmin: computed(() => can('customers.admin')),
      canContact: computed(() => can('customers.contact')), canTopUp: computed(() => canTopUp()),
      back: () => navigate('/customers'),
    };
  },
  template: `
    <div class="sp-page" v-loading="loading" data-test="customer-page">
      <div class="sp-page-head">
        <div>
          <el-button link data-test="customer-back" @click="back"><el-icon><Back /></el-icon><span>{{ $t('customers.title') }}</span></el-button>
          <h2 v-if="c" data-test="customer-name">{{ c.name }}
            <el-tag v-if="c.tier_code" type="warning" data-test="customer-tier">{{ c.tier_name || c.tier_code }}</el-tag>
            <el-tag v-if="c.segment" :type="SEGMENT_TAG[c.segment] || 'info'" data-test="customer-segment">{{ $tv('segment', c.segment) }}</el-tag>
            <el-tag v-if="c.status !== 'active'" type="info" data-test="customer-status" :data-status="c.status">{{ $tv('customerStatus', c.status) }}</el-tag>
          </h2>
        </div>
        <div v-if="c && c.status === 'active'">
          <el-button v-if="canManage" data-test="customer-edit" @click="editOpen = true">{{ $t('common.edit') }}</el-button>
          <el-button v-if="canTopUp" type="primary" data-test="customer-topup" @click="openTopup">{{ $t('topup.title') }}</el-button>
          <el-button v-if="canManage" data-test="customer-new-task" @click="taskOpen = true">{{ $t('tasks.create') }}</el-button>
          <template v-if="canAdmin">
            <el-button data-test="customer-merge" @click="merge.open = true">{{ $t('customer.merge') }}</el-button>
            <el-button tag="a" :href="privacyUrl" target="_blank" data-test="customer-privacy-export">{{ $t('customer.privacyExport') }}</el-button>
            <el-button type="danger" plain data-test="customer-erase" @click="erase">{{ $t('customer.erase') }}</el-button>
          </template>
        </div>
      </div>

      <template v-if="c">
        <div class="sp-stats sp-gap">
          <el-card shadow="never" class="sp-stat-card">
            <div class="sp-muted sp-small">{{ $t('customers.points') }}</div>
            <div class="sp-stat-big" data-test="customer-points" :data-points="c.points_balance ?? 0">{{ c.points_balance ?? 0 }}</div>
          </el-card>
          <el-card shadow="never" class="sp-stat-card">
            <div class="sp-muted sp-small">{{ $t('customers.storedValue') }}</div>
            <div class="sp-stat-big" data-test="customer-balance" :data-minor="c.stored_value_minor ?? 0">{{ formatMoney(c.stored_value_minor ?? 0) }}</div>
          </el-card>
          <template v-if="stats">
            <el-card shadow="never" class="sp-stat-card">
              <div class="sp-muted sp-small">{{ $t('customer.lifetimeValue') }}</div>
              <div class="sp-stat-big" data-test="customer-ltv">{{ formatMoney(stats.lifetime_value_minor ?? 0) }}</div>
            </el-card>
            <el-card shadow="never" class="sp-stat-card">
              <div class="sp-muted sp-small">{{ $t('customer.salesCount') }}</div>
              <div class="sp-stat-big" data-test="customer-sales-count">{{ stats.sales_count ?? 0 }}</div>
              <div class="sp-small sp-muted">{{ $t('customer.returnsCount', { n: stats.returns_count ?? 0 }) }}</div>
            </el-card>
            <el-card shadow="never" class="sp-stat-card">
              <div class="sp-muted sp-small">{{ $t('customer.averageBasket') }}</div>
              <div class="sp-stat-big">{{ formatMoney(stats.average_basket_minor ?? 0) }}</div>
            </el-card>
            <el-card shadow="never" class="sp-stat-card">
              <div class="sp-muted sp-small">{{ $t('customer.lastVisit') }}</div>
              <div>{{ formatTime(stats.last_visit_at) || '—' }}</div>
              <div class="sp-small sp-muted">{{ $t('customer.visitsPerMonth', { n: stats.visits_per_month ?? 0 }) }}</div>
            </el-card>
          </template>
        </div>

        <el-descriptions :column="3" border class="sp-gap" data-test="customer-profile">
          <el-descriptions-item :label="$t('customers.memberNo')"><span data-test="customer-member-no">{{ c.member_no }}</span></el-descriptions-item>
          <el-descriptions-item :label="$t('customers.phone')">
            <span data-test="customer-phone">{{ phone || c.phone }}</span>
            <el-button v-if="canContact && c.phone && c.phone_masked && !phone" link size="small" data-test="customer-reveal" @click="reveal">{{ $t('customers.reveal') }}</el-button>
          </el-descriptions-item>
          <el-descriptions-item :label="$t('customers.kind')">{{ $tv('customerKind', c.kind) }}</el-descriptions-item>
          <el-descriptions-item v-if="c.email" :label="$t('customers.email')">{{ c.email }}</el-descriptions-item>
          <el-descriptions-item v-if="c.birthday" :label="$t('customers.birthday')">{{ c.birthday }}</el-descriptions-item>
          <el-descriptions-item v-if="c.gender" :label="$t('customers.gender')">{{ $tv('gender', c.gender) }}</el-descriptions-item>
          <el-descriptions-item v-if="c.company_name" :label="$t('customers.companyName')">{{ c.company_name }}</el-descriptions-item>
          <el-descriptions-item v-if="c.tax_id" :label="$t('customers.taxId')">{{ c.tax_id }}</el-descriptions-item>
          <el-descriptions-item :label="$t('customers.tags')"><el-tag v-for="x in c.tags || []" :key="x" size="small" class="sp-tag-gap">{{ x }}</el-tag></el-descriptions-item>
          <el-descriptions-item :label="$t('customers.consent')">{{ c.marketing_consent ? $t('common.yes') : $t('common.no') }}</el-descriptions-item>
          <el-descriptions-item :label="$t('customer.since')">{{ formatTime(c.created_at) }}</el-descriptions-item>
          <el-descriptions-item v-if="c.notes" :label="$t('customers.notes')">{{ c.notes }}</el-descriptions-item>
        </el-descriptions>

        <div v-if="stats && (stats.favourite_categories?.length || stats.favourite_stores?.length)" class="sp-gap sp-small">
          <span v-if="stats.favourite_categories?.length">{{ $t('customer.favouriteCategories') }}：
            <el-tag v-for="x in stats.favourite_categories" :key="x.category_id" size="small" class="sp-tag-gap">{{ x.name }} {{ formatMoney(x.amount_minor) }}</el-tag></span>
          <span v-if="stats.favourite_stores?.length">{{ $t('customer.favouriteStores') }}：
            <el-tag v-for="x in stats.favourite_stores" :key="x.store_id" size="small" type="info" class="sp-tag-gap">{{ x.name }} × {{ x.visits }}</el-tag></span>
        </div>

        <el-tabs v-model="tab" data-test="customer-tabs">
          <el-tab-pane :label="$t('customer.recentSales')" name="sales">
            <el-table :data="stats ? sales.items.value : []" stripe data-test="customer-sales" :empty-text="$t('list.empty')">
              <el-table-column :label="$t('sales.receiptNo')" width="200">
                <template #default="{ row }"><el-link type="primary" :href="receiptUrl(row)" target="_blank" :data-test="'customer-sale-' + row.receipt_no">{{ row.receipt_no }}</el-link></template>
              </el-table-column>
              <el-table-column :label="$t('sales.kind')" width="90"><template #default="{ row }">{{ $tv('saleKind', row.kind) }}</template></el-table-column>
              <el-table-column :label="$t('customer.amount')" align="right" width="140"><template #default="{ row }">{{ formatMoney(row.total_minor) }}</template></el-table-column>
              <el-table-column :label="$t('customer.at')"><template #default="{ row }">{{ formatTime(row.created_at) }}</template></el-table-column>
            </el-table>
            <load-more v-if="stats" :cursor="sales.nextCursor.value" :loading="sales.loading.value" data-test="customer-sales-more" @more="sales.loadMore" />
          </el-tab-pane>
          <el-tab-pane :label="$t('customer.pointsLedger')" name="points">
            <el-table :data="ledgers.points.rows" stripe data-test="customer-points-ledger" :empty-text="$t('list.empty')">
              <el-table-column :label="$t('customer.at')" width="200"><template #default="{ row }">{{ formatTime(row.at) }}</template></el-table-column>
              <el-table-column :label="$t('customer.entryKind')" width="120">
                <template #default="{ row }"><span :data-test="'points-kind-' + row.kind">{{ $tv('pointsKind', row.kind) }}</span></template>
              </el-table-column>
              <el-table-column :label="$t('customers.points')" align="right" width="120">
                <template #default="{ row }"><span :class="{ 'sp-bad': ledgerAmount(row) < 0 }" :data-amount="ledgerAmount(row)">{{ ledgerSign(row) }}</span></template>
              </el-table-column>
              <el-table-column :label="$t('customer.expires')" width="140"><template #default="{ row }">{{ row.expires_at ? String(row.expires_at).slice(0, 10) : '' }}</template></el-table-column>
              <el-table-column :label="$t('customer.reference')"><template #default="{ row }"><span class="sp-muted sp-small">{{ row.ref_type }}</span></template></el-table-column>
            </el-table>
            <div v-if="ledgers.points.cursor" class="sp-load-more"><el-button data-test="points-more" @click="more('points')">{{ $t('list.loadMore') }}</el-button></div>
          </el-tab-pane>
          <el-tab-pane :label="$t('customer.storedValueLedger')" name="stored_value">
            <el-table :data="ledgers.stored_value.rows" stripe data-test="customer-sv-ledger" :empty-text="$t('list.empty')">
              <el-table-column :label="$t('customer.at')" width="200"><template #default="{ row }">{{ formatTime(row.at) }}</template></el-table-column>
              <el-table-column :label="$t('customer.entryKind')" width="120">
                <template #default="{ row }"><span :data-test="'sv-kind-' + row.kind">{{ $tv('storedValueKind', row.kind) }}</span></template>
              </el-table-column>
              <el-table-column :label="$t('customer.amount')" align="right" width="140">
                <template #default="{ row }"><span :class="{ 'sp-bad': ledgerAmount(row) < 0 }" :data-amount="ledgerAmount(row)">{{ moneySign(row) }}</span></template>
              </el-table-column>
              <el-table-column :label="$t('customer.tender')" width="120"><template #default="{ row }">{{ row.tender_code || '' }}</template></el-table-column>
              <el-table-column :label="$t('customer.reference')"><template #default="{ row }"><span class="sp-muted sp-small">{{ row.ref_type }}</span></template></el-table-column>
            </el-table>
            <div v-if="ledgers.stored_value.cursor" class="sp-load-more"><el-button data-test="sv-more" @click="more('stored_value')">{{ $t('list.loadMore') }}</el-button></div>
          </el-tab-pane>
          <el-tab-pane :label="$t('tasks.title')" name="tasks">
            <el-table :data="data.tasks || []" stripe data-test="customer-tasks" :empty-text="$t('list.empty')">
              <el-table-column :label="$t('tasks.titleField')" min-width="200" prop="title" />
              <el-table-column :label="$t('tasks.due')" width="200"><template #default="{ row }">{{ formatTime(row.due_at) }}</template></el-table-column>
              <el-table-column :label="$t('customers.status')" width="100"><template #default="{ row }">{{ $tv('taskStatus', row.status) }}</template></el-table-column>
            </el-table>
          </el-tab-pane>
        </el-tabs>
      </template>

      <customer-dialog v-model="editOpen" :customer="c" @saved="load" />
      <task-dialog v-model="taskOpen" :customer="c" @saved="load" />
      <topup-dialog v-model="topup.open" :customer="c" :register-id="topup.register?.register_id" :shift-id="topup.register?.shift_id"
                    :tender-types="topup.tenderTypes" @done="load" />

      <el-dialog v-model="merge.open" :title="$t('customer.merge')" width="520px" append-to-body data-test="merge-dialog">
        <p class="sp-muted">{{ $t('customer.mergeHelp') }}</p>
        <el-form label-position="top">
          <el-form-item :label="$t('customer.mergeInto')" :error="merge.error" data-test="merge-field-into">
            <el-select v-model="merge.into" filterable remote :remote-method="searchInto" style="width: 100%" data-test="merge-into">
              <el-option v-for="o in merge.options" :key="o.id" :value="o.id" :label="o.name + ' · ' + (o.member_no || '') + ' · ' + (o.phone || '')"
                         :data-test="'merge-option-' + o.member_no" />
            </el-select>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="merge.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="danger" :loading="merge.busy" data-test="merge-save" @click="doMerge">{{ $t('customer.merge') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
