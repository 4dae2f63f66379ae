// Customers (客户, #/customers): the list with search (name, pinyin, member number, the last 4
// digits of the phone, company) and tier / tag / segment / kind filters, "load more". Phones show
// as the API sends them (masked without customers.contact); "显示号码" asks
// POST /customers/{id}/reveal (customers.contact, audited) and shows the full number in that row.
// Create with customers.manage; import and export (the current filters) too. "疑似重复" opens the
// likely duplicates (#/customers/duplicates).
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { api, apiUrl } from '../api.js';
import { locale } from '../i18n.js';
import { showError, useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { can } from '../session.js';
import { navigate } from '../router.js';
import { CUSTOMER_KINDS, SEGMENTS, SEGMENT_TAG, customerLookups, loadTiers } from '../customers.js';
import LoadMore from '../components/load-more.js';
import CustomerDialog from '../components/customer-dialog.js';

export default {
  name: 'CustomersView',
  components: { LoadMore, CustomerDialog },
  setup() {
    const filters = reactive({ q: '', tier: '', tag: '', segment: '', kind: '' });
    const query = () => ({ q: filters.q.trim(), tier: filters.tier, tag: filters.tag.trim(), segment: filters.segment, kind: filters.kind });
    const list = useCursorList('/customers', query);
    const revealed = reactive({}); // id → full phone
    const revealing = reactive({});
    const dialog = ref(false);

    let timer = null;
    watch(() => filters.q, () => {
      clearTimeout(timer);
      timer = setTimeout(list.reload, 250);
    });
    watch(() => [filters.tier, filters.segment, filters.kind], list.reload);

    async function reveal(row) {
      revealing[row.id] = true;
      try {
        const answer = await api.post(`/customers/${encodeURIComponent(row.id)}/reveal`);
        revealed[row.id] = answer?.phone || '';
      } catch (e) {
        showError(e);
      } finally {
        revealing[row.id] = false;
      }
    }
    const exportUrl = (format) => apiUrl('/customers/export', { format, ...query(), lang: locale.value });
    const open = (row) => navigate(`/customers/${row.id}`);
    const goImport = () => navigate('/customers/import');
    const goDuplicates = () => navigate('/customers/duplicates');
    function onSaved(c) {
      if (c?.id) navigate(`/customers/${c.id}`);
      else list.reload();
    }

    onMounted(() => {
      loadTiers();
      list.reload();
    });
    return {
      ...list, filters, revealed, revealing, reveal, exportUrl, open, goImport, goDuplicates, dialog, onSaved, formatMoney,
      tiers: computed(() => customerLookups.tiers), SEGMENTS, SEGMENT_TAG, CUSTOMER_KINDS,
      canContact: computed(() => can('customers.contact')), canManage: computed(() => can('customers.manage')),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('customers.title') }}</h2>
        <div>
          <el-button v-if="canManage" type="primary" data-test="customers-create" @click="dialog = true">
            <el-icon><Plus /></el-icon><span>{{ $t('customers.create') }}</span>
          </el-button>
          <el-button v-if="canManage" data-test="customers-import" @click="goImport">
            <el-icon><Upload /></el-icon><span>{{ $t('customers.import') }}</span>
          </el-button>
          <el-button data-test="customers-duplicates" @click="goDuplicates">{{ $t('customers.duplicates') }}</el-button>
          <el-button tag="a" :href="exportUrl('csv')" data-test="customers-export-csv"><el-icon><Download /></el-icon><span>CSV</span></el-button>
          <el-button tag="a" :href="exportUrl('xlsx')" data-test="customers-export-xlsx"><el-icon><Download /></el-icon><span>XLSX</span></el-button>
        </div>
      </div>
      <div class="sp-filters">
        <el-input v-model="filters.q" clearable :placeholder="$t('customers.searchHint')" style="width: 280px" data-test="customers-search">
          <template #prefix><el-icon><Search /></el-icon></template>
        </el-input>
        <el-select v-model="filters.tier" clearable :placeholder="$t('customers.tier')" style="width: 140px" data-test="customers-filter-tier">
          <el-option v-for="x in tiers" :key="x.code" :value="x.code" :label="x.name" :data-test="'customers-tier-option-' + x.code" />
        </el-select>
        <el-input v-model="filters.tag" clearable :placeholder="$t('customers.tag')" style="width: 140px" data-test="customers-filter-tag" @keydown.enter="reload" @clear="reload" />
        <el-select v-model="filters.segment" clearable :placeholder="$t('customers.segment')" style="width: 150px" data-test="customers-filter-segment">
          <el-option v-for="s in SEGMENTS" :key="s" :value="s" :label="$tv('segment', s)" :data-test="'customers-segment-option-' + s" />
        </el-select>
        <el-select v-model="filters.kind" clearable :placeholder="$t('customers.kind')" style="width: 120px" data-test="customers-filter-kind">
          <el-option v-for="k in CUSTOMER_KINDS" :key="k" :value="k" :label="$tv('customerKind', k)" />
        </el-select>
      </div>
      <el-table :data="items" v-loading="loading" stripe data-test="customers-table" :empty-text="$t('list.empty')">
        <el-table-column :label="$t('customers.memberNo')" width="130">
          <template #default="{ row }"><span class="sp-code" :data-test="'customer-row-' + row.member_no">{{ row.member_no }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('customers.name')" min-width="160">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'customer-open-' + row.member_no" @click="open(row)">{{ row.name }}</el-button>
            <div v-if="row.kind === 'business' && row.company_name" class="sp-muted sp-small">{{ row.company_name }}</div>
          </template>
        </el-table-column>
        <el-table-column :label="$t('customers.phone')" width="220">
          <template #default="{ row }">
            <span :data-test="'customer-phone-' + row.member_no" :data-revealed="String(!!revealed[row.id])">{{ revealed[row.id] || row.phone }}</span>
            <el-button v-if="canContact && row.phone && row.phone_masked && !revealed[row.id]" link size="small" :loading="revealing[row.id]"
                       :data-test="'customer-reveal-' + row.member_no" @click="reveal(row)">{{ $t('customers.reveal') }}</el-button>
          </template>
        </el-table-column>
        <el-table-column :label="$t('customers.tier')" width="100">
          <template #default="{ row }"><el-tag v-if="row.tier_code" size="small" type="warning">{{ row.tier_name || row.tier_code }}</el-tag></template>
        </el-table-column>
        <el-table-column :label="$t('customers.points')" width="100" align="right">
          <template #default="{ row }"><span :data-test="'customer-points-' + row.member_no">{{ row.points_balance ?? 0 }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('customers.storedValue')" width="120" align="right">
          <template #default="{ row }">{{ formatMoney(row.stored_value_minor ?? 0) }}</template>
        </el-table-column>
        <el-table-column :label="$t('customers.segment')" width="110">
          <template #default="{ row }"><el-tag v-if="row.segment" size="small" :type="SEGMENT_TAG[row.segment] || 'info'">{{ $tv('segment', row.segment) }}</el-tag></template>
        </el-table-column>
        <el-table-column :label="$t('customers.tags')" min-width="120">
          <template #default="{ row }"><el-tag v-for="x in row.tags || []" :key="x" size="small" class="sp-tag-gap">{{ x }}</el-tag></template>
        </el-table-column>
        <el-table-column :label="$t('customers.status')" width="90">
          <template #default="{ row }"><el-tag size="small" :type="row.status === 'active' ? 'success' : 'info'">{{ $tv('customerStatus', row.status) }}</el-tag></template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />
      <customer-dialog v-model="dialog" @saved="onSaved" />
    </div>`,
};
