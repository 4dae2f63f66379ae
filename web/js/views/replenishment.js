// Replenishment (补货建议, #/replenishment): for one location, the products at or below their
// reorder point or whose cover is shorter than the lead time (GET /replenishment/suggestions,
// sales of the last `days`), each with where it should come from — a transfer from a warehouse
// of the region that has it, else a purchase from the preferred supplier — and a suggested
// quantity that can be changed (0 or unticked leaves the line out). "生成单据" (stock.manage)
// makes the documents in one go (POST /replenishment/orders: draft purchase orders per
// supplier, requested transfers per source) and links to each.
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { showError } from '../forms.js';
import { formatMoney } from '../money.js';
import { cmpQty, formatQty, homeLocation, lineErrors, lineErrorText, parseQty, tagType, useLocations } from '../inventory.js';
import LocationSelect from '../components/location-select.js';

export default {
  name: 'ReplenishmentView',
  components: { LocationSelect },
  setup() {
    const locs = useLocations();
    const filters = reactive({ location_id: route.query.location_id || null, days: 28 });
    const rows = ref([]);
    const loading = ref(false);
    const saving = ref(false);
    const errors = ref({});
    const result = ref(null);
    const editable = computed(() => can('stock.manage'));

    async function load() {
      result.value = null;
      errors.value = {};
      if (!filters.location_id) {
        rows.value = [];
        return;
      }
      loading.value = true;
      try {
        const answer = await api.get('/replenishment/suggestions', { location_id: filters.location_id, days: filters.days });
        rows.value = (answer?.data || []).map((s) => ({ ...s, pick: true, qty: formatQty(s.suggested) }));
      } catch (e) {
        showError(e);
        rows.value = [];
      } finally {
        loading.value = false;
      }
    }
    watch(() => [filters.location_id, filters.days], load);

    const sourceLabel = (s) => (s?.kind === 'transfer'
      ? t('replenishment.fromTransfer', { name: s.from_location_name || '', n: formatQty(s.from_available) })
      : s?.kind === 'purchase' ? t('replenishment.fromSupplier', { name: s.supplier_name || '' }) : t('replenishment.noSource'));
    const chosen = computed(() => rows.value.filter((r) => r.pick && r.source && cmpQty(parseQty(r.qty).value ?? '0', '0') > 0));
    const summary = computed(() => ({
      purchases: new Set(chosen.value.filter((r) => r.source.kind === 'purchase').map((r) => r.source.supplier_id)).size,
      transfers: new Set(chosen.value.filter((r) => r.source.kind === 'transfer').map((r) => r.source.from_location_id)).size,
    }));

    async function createOrders() {
      const local = {};
      rows.value.forEach((r) => {
        if (!r.pick) return;
        const q = parseQty(r.qty);
        if (q.error) local[r.product_id] = { quantity: t(`qty.${q.error}`) };
      });
      errors.value = local;
      if (Object.keys(local).length) return;
      const lines = chosen.value.map((r) => ({ product_id: r.product_id, quantity: parseQty(r.qty).value, source: r.source }));
      if (!lines.length) {
        ElMessage({ type: 'warning', message: t('replenishment.nothing') });
        return;
      }
      saving.value = true;
      try {
        const made = await api.create('/replenishment/orders', { location_id: filters.location_id, lines });
        // The answer may name documents by ids only: the names come from the suggestions.
        const supplierNames = new Map(lines.filter((l) => l.source.kind === 'purchase').map((l) => [l.source.supplier_id, l.source.supplier_name]));
        const sourceNames = new Map(lines.filter((l) => l.source.kind === 'transfer').map((l) => [l.source.from_location_id, l.source.from_location_name]));
        result.value = {
          purchase_orders: (made?.purchase_orders || []).map((po) => ({ ...po, supplier_name: po.supplier_name || supplierNames.get(po.supplier_id) || '' })),
          transfers: (made?.transfers || []).map((tr) => ({ ...tr, from_location_name: tr.from_location_name || sourceNames.get(tr.from_location_id) || '' })),
        };
        ElMessage({ type: 'success', message: t('replenishment.created'), customClass: 'sp-saved-toast' });
      } catch (e) {
        const found = lineErrors(e, { index: (i) => lines[i]?.product_id ?? i });
        errors.value = found.lines;
        if (!Object.keys(found.lines).length) showError(e);
      } finally {
        saving.value = false;
      }
    }

    onMounted(async () => {
      await locs.load();
      if (!filters.location_id) filters.location_id = homeLocation(locs.locations.value);
      else load();
    });
    return {
      locs, filters, rows, loading, saving, errors, result, editable, sourceLabel, chosen, summary, load, createOrders,
      lineErrorText, formatQty, formatMoney, tagType,
      openPo: (po) => navigate(`/purchase-orders/${encodeURIComponent(po.id)}`),
      openTransfer: (tr) => navigate(`/transfers/${encodeURIComponent(tr.id)}`),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('replenishment.title') }}</h2>
        <el-button data-test="repl-reload" @click="load"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
      </div>
      <p class="sp-list-note sp-muted">{{ $t('replenishment.help') }}</p>
      <div class="sp-filters">
        <location-select v-model="filters.location_id" :locations="locs.locations.value" :clearable="false" class="sp-filter-wide" data-test="repl-location" />
        <div class="sp-switch-filter">
          <span>{{ $t('replenishment.days') }}</span>
          <el-input-number v-model="filters.days" :min="7" :max="90" :step="7" data-test="repl-days" />
        </div>
      </div>

      <el-alert v-if="result" type="success" :closable="false" show-icon class="sp-gap" data-test="repl-result" :title="$t('replenishment.created')">
        <div class="sp-links">
          <el-button v-for="po in result.purchase_orders || []" :key="po.id" link type="primary" :data-test="'repl-po-' + po.number" @click="openPo(po)">
            {{ po.supplier_name ? $t('replenishment.poLink', { number: po.number, name: po.supplier_name }) : $t('replenishment.poLinkBare', { number: po.number }) }}
          </el-button>
          <el-button v-for="tr in result.transfers || []" :key="tr.id" link type="primary" :data-test="'repl-transfer-' + tr.number" @click="openTransfer(tr)">
            {{ tr.from_location_name ? $t('replenishment.transferLink', { number: tr.number, name: tr.from_location_name }) : $t('replenishment.transferLinkBare', { number: tr.number }) }}
          </el-button>
        </div>
      </el-alert>

      <el-table :data="rows" v-loading="loading" border data-test="repl-table" :empty-text="$t('replenishment.empty')">
        <el-table-column width="50">
          <template #default="{ row }"><el-checkbox v-model="row.pick" :disabled="!row.source" :data-test="'repl-pick-' + row.sku" /></template>
        </el-table-column>
        <el-table-column prop="sku" :label="$t('inventory.sku')" width="120" />
        <el-table-column :label="$t('inventory.product')" min-width="170">
          <template #default="{ row }">
            <div :data-test="'repl-row-' + row.sku">{{ row.name_zh }}</div>
            <div v-if="errors[row.product_id]" class="sp-line-error">{{ lineErrorText(errors[row.product_id]) }}</div>
          </template>
        </el-table-column>
        <el-table-column :label="$t('stock.available')" width="80" align="right">
          <template #default="{ row }">{{ formatQty(row.available) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.inTransit')" width="80" align="right">
          <template #default="{ row }">{{ formatQty(row.in_transit) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.reorderPoint')" width="90" align="right">
          <template #default="{ row }">{{ formatQty(row.reorder_point, { dash: true }) }}</template>
        </el-table-column>
        <el-table-column :label="$t('replenishment.dailySales')" width="90" align="right">
          <template #default="{ row }">{{ formatQty(row.daily_sales, { dash: true }) }}</template>
        </el-table-column>
        <el-table-column :label="$t('suppliers.leadTime')" width="90" align="right">
          <template #default="{ row }">{{ row.lead_time_days ?? '—' }}</template>
        </el-table-column>
        <el-table-column :label="$t('replenishment.source')" min-width="190">
          <template #default="{ row }">
            <el-tag size="small" :type="row.source?.kind === 'transfer' ? 'primary' : 'warning'" :data-test="'repl-source-' + row.sku" :data-kind="row.source?.kind || ''">{{ sourceLabel(row.source) }}</el-tag>
            <div v-if="row.source?.kind === 'purchase' && row.source.unit_cost_minor !== null && row.source.unit_cost_minor !== undefined" class="sp-muted sp-small">
              {{ $t('inventory.unitCost') }} {{ formatMoney(row.source.unit_cost_minor) }}
            </div>
          </template>
        </el-table-column>
        <el-table-column :label="$t('replenishment.suggested')" width="140">
          <template #default="{ row }">
            <el-input v-model="row.qty" inputmode="decimal" :disabled="!editable || !row.pick" :class="['sp-qty-input', { 'is-error': errors[row.product_id] }]"
                      :data-test="'repl-qty-' + row.sku" />
          </template>
        </el-table-column>
      </el-table>
      <div v-if="editable && rows.length" class="sp-import-actions">
        <span class="sp-muted" data-test="repl-summary">{{ $t('replenishment.summary', { lines: chosen.length, purchases: summary.purchases, transfers: summary.transfers }) }}</span>
        <el-button type="primary" size="large" :loading="saving" :disabled="!chosen.length" data-test="repl-create" @click="createOrders">{{ $t('replenishment.create') }}</el-button>
      </div>
    </div>`,
};
