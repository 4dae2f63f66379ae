// Shifts (交班记录): the shifts of the stores in scope, newest first, filtered by store,
// register and status; per tender what the drawer should hold (expected), what was counted and
// the difference (variance); the X report of an open shift or the Z report of a closed one.
import { computed, onMounted, reactive, watch } from 'vue';
import { formatTime, useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { reportUrl, SHIFT_STATUSES, useSalesLookups } from '../sales.js';
import LoadMore from '../components/load-more.js';
import RegisterDocument from './register-receipt.js';

export default {
  name: 'ShiftsView',
  components: { LoadMore, RegisterDocument },
  setup() {
    const lookups = useSalesLookups();
    const filters = reactive({ store_id: '', register_id: '', status: '' });
    const list = useCursorList('/shifts', () => ({
      store_id: filters.store_id, register_id: filters.store_id ? filters.register_id : '', status: filters.status,
    }));
    const storeRegisters = computed(() => lookups.registers.value[filters.store_id] || []);
    watch(() => filters.store_id, (id) => {
      filters.register_id = '';
      if (id) lookups.loadRegisters([id]);
    });
    watch(() => [filters.store_id, filters.register_id, filters.status], () => list.reload());
    watch(list.items, (rows) => lookups.loadRegisters(rows.map((r) => r.store_id)));

    const storeCode = (id) => lookups.stores.value.find((s) => s.id === id)?.code || '';
    const varianceClass = (v) => (v === null || v === undefined || v === 0 ? '' : v < 0 ? 'sp-bad' : 'sp-good');
    const signed = (v) => (v > 0 ? `+${formatMoney(v)}` : formatMoney(v));

    const doc = reactive({ open: false, src: '', title: '', test: 'shift-report' });
    function openReport(row) {
      Object.assign(doc, {
        open: true, src: reportUrl(row.id, 'html'), title: row.status === 'closed' ? 'shifts.zReport' : 'shifts.xReport',
      });
    }

    onMounted(() => {
      lookups.load();
      list.reload();
    });
    return {
      ...list, filters, lookups, stores: lookups.stores, storeRegisters, SHIFT_STATUSES, storeCode, varianceClass, signed,
      doc, openReport, reportUrl, formatMoney, formatTime,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('shifts.title') }}</h2>
        <el-button data-test="shifts-reload" @click="reload"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
      </div>
      <div class="sp-filters">
        <el-select v-model="filters.store_id" clearable filterable class="sp-filter-wide" data-test="shifts-filter-store"
                   :placeholder="$t('sales.allStores')">
          <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'shifts-store-option-' + s.code" />
        </el-select>
        <el-select v-model="filters.register_id" clearable class="sp-filter" data-test="shifts-filter-register" :disabled="!filters.store_id"
                   :placeholder="$t('sales.allRegisters')">
          <el-option v-for="r in storeRegisters" :key="r.id" :value="r.id" :label="r.code + ' ' + r.name" :data-test="'shifts-register-option-' + r.code" />
        </el-select>
        <el-select v-model="filters.status" clearable class="sp-filter" data-test="shifts-filter-status" :placeholder="$t('shifts.allStatuses')">
          <el-option v-for="s in SHIFT_STATUSES" :key="s" :value="s" :label="$tv('shiftStatus', s)" :data-test="'shifts-status-option-' + s" />
        </el-select>
      </div>
      <el-table :data="items" v-loading="loading" data-test="shifts-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column :label="$t('sales.register')" min-width="140">
          <template #default="{ row }">
            <span :data-test="'shift-row-' + row.id">{{ storeCode(row.store_id) }} · {{ lookups.registerLabel(row.store_id, row.register_id) }}</span>
          </template>
        </el-table-column>
        <el-table-column :label="$t('sales.cashier')" prop="cashier_name" min-width="100" />
        <el-table-column :label="$t('field.status')" width="110">
          <template #default="{ row }">
            <el-tag size="small" :type="row.status === 'open' ? 'success' : 'info'" :data-test="'shift-status-' + row.id">{{ $tv('shiftStatus', row.status) }}</el-tag>
            <span v-if="row.z_number" class="sp-muted sp-small"> Z{{ row.z_number }}</span>
          </template>
        </el-table-column>
        <el-table-column :label="$t('shifts.openedClosed')" width="170">
          <template #default="{ row }">
            <div>{{ formatTime(row.opened_at) }}</div>
            <div class="sp-muted">{{ row.closed_at ? formatTime(row.closed_at) : '—' }}</div>
          </template>
        </el-table-column>
        <el-table-column :label="$t('shifts.counts')" width="100" align="right">
          <template #default="{ row }"><span :data-test="'shift-sales-' + row.id">{{ row.sales_count }}</span><span class="sp-muted"> / {{ row.returns_count ?? 0 }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('shifts.tenders')" min-width="320">
          <template #default="{ row }">
            <table class="sp-mini-table" :data-test="'shift-totals-' + row.id">
              <thead><tr><th></th><th>{{ $t('shifts.expected') }}</th><th>{{ $t('shifts.counted') }}</th><th>{{ $t('shifts.variance') }}</th></tr></thead>
              <tbody>
                <tr v-for="x in row.totals || []" :key="x.code" :data-test="'shift-total-' + row.id + '-' + x.code">
                  <td>{{ lookups.tenderName(x.code) }}</td>
                  <td :data-test="'shift-expected-' + row.id + '-' + x.code">{{ formatMoney(x.expected_minor) }}</td>
                  <td>{{ x.counted_minor === null || x.counted_minor === undefined ? '—' : formatMoney(x.counted_minor) }}</td>
                  <td :class="varianceClass(x.variance_minor)">{{ x.variance_minor === null || x.variance_minor === undefined ? '—' : signed(x.variance_minor) }}</td>
                </tr>
              </tbody>
            </table>
          </template>
        </el-table-column>
        <el-table-column :label="$t('common.actions')" width="140">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'shift-report-' + row.id" @click="openReport(row)">
              {{ row.status === 'closed' ? $t('shifts.zReport') : $t('shifts.xReport') }}
            </el-button>
            <el-button link tag="a" :href="reportUrl(row.id, 'pdf')" download :data-test="'shift-report-pdf-' + row.id">{{ $t('shifts.pdf') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <register-document v-model="doc.open" :title="doc.title ? $t(doc.title) : ''" :src="doc.src" data-test="shift-report" />
    </div>`,
};
