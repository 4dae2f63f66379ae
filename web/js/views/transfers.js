// Transfers (调拨单): the transfers touching the locations in scope, by location, direction
// (in: to the location, out: from it) and status; a row opens #/transfers/<id>. "要货" (stock.manage)
// asks goods of another location — a store of its warehouse, usually: from, to (by default the
// user's own store), notes and lines (products found as one types, quantities) → POST /transfers,
// which starts in `requested`.
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { formatTime, showError, useCursorList } from '../forms.js';
import {
  addQty, homeLocation, lineErrors, lineErrorText, parseQty, tagType, TRANSFER_DIRECTIONS, TRANSFER_STATUSES, useLocations,
} from '../inventory.js';
import LoadMore from '../components/load-more.js';
import LocationSelect from '../components/location-select.js';
import ProductPicker from '../components/product-picker.js';

let lineKey = 0;

export default {
  name: 'TransfersView',
  components: { LoadMore, LocationSelect, ProductPicker },
  setup() {
    const locs = useLocations();
    const filters = reactive({ location_id: route.query.location_id || null, direction: '', status: route.query.status || '' });
    const list = useCursorList('/transfers', () => ({
      location_id: filters.location_id || '', direction: filters.location_id ? filters.direction : '', status: filters.status,
    }));
    watch(() => [filters.location_id, filters.direction, filters.status], () => list.reload());
    const editable = computed(() => can('stock.manage'));
    const openTransfer = (row) => navigate(`/transfers/${encodeURIComponent(row.id)}`);

    // ---- request goods
    const req = reactive({
      open: false, saving: false, from_location_id: null, to_location_id: null, notes: '', lines: [],
      errors: { from_location_id: '', to_location_id: '', notes: '', lines: '' }, lineErrs: {},
    });
    const pick = ref(null);
    function openRequest() {
      const to = homeLocation(locs.locations.value);
      const toLoc = locs.byId(to);
      const warehouses = locs.locations.value.filter((l) => l.kind === 'warehouse' && l.id !== to);
      const from = (warehouses.find((w) => toLoc && w.region_id === toLoc.region_id) || warehouses[0])?.id || null;
      Object.assign(req, {
        open: true, from_location_id: from, to_location_id: to, notes: '', lines: [], lineErrs: {},
        errors: { from_location_id: '', to_location_id: '', notes: '', lines: '' },
      });
    }
    function addLine(p) {
      pick.value = null;
      if (!p) return;
      const existing = req.lines.find((l) => l.product_id === p.id);
      if (existing) existing.quantity = addQty(existing.quantity, '1');
      else req.lines.push({ key: ++lineKey, product_id: p.id, sku: p.sku, name_zh: p.name_zh, quantity: '1' });
    }
    const removeLine = (i) => {
      req.lines.splice(i, 1);
      req.lineErrs = {};
    };
    async function sendRequest() {
      for (const k of Object.keys(req.errors)) req.errors[k] = '';
      const local = {};
      if (!req.from_location_id) req.errors.from_location_id = t('fieldError.required');
      if (!req.to_location_id) req.errors.to_location_id = t('fieldError.required');
      if (!req.lines.length) req.errors.lines = t('po.noLines');
      req.lines.forEach((l, i) => {
        const q = parseQty(l.quantity, { allowZero: false });
        if (q.error) local[i] = { quantity: t(`qty.${q.error}`) };
      });
      req.lineErrs = local;
      if (Object.values(req.errors).some(Boolean) || Object.keys(local).length) return;
      req.saving = true;
      try {
        const created = await api.create('/transfers', {
          from_location_id: req.from_location_id, to_location_id: req.to_location_id, notes: req.notes.trim(),
          lines: req.lines.map((l) => ({ product_id: l.product_id, quantity: parseQty(l.quantity).value })),
        });
        req.open = false;
        ElMessage({ type: 'success', message: t('transfers.requested'), customClass: 'sp-saved-toast' });
        navigate(`/transfers/${encodeURIComponent(created.id)}`);
      } catch (e) {
        const found = lineErrors(e);
        req.lineErrs = found.lines;
        let placed = Object.keys(found.lines).length > 0;
        for (const [k, v] of Object.entries(found.fields)) {
          if (k in req.errors) {
            req.errors[k] = v;
            placed = true;
          }
        }
        if (!placed) showError(e);
      } finally {
        req.saving = false;
      }
    }

    onMounted(async () => {
      list.reload();
      await locs.load();
      if (route.query.request === '1' && editable.value) openRequest();
    });
    return {
      ...list, filters, locs, editable, openTransfer, req, pick, openRequest, addLine, removeLine, sendRequest, lineErrorText,
      TRANSFER_DIRECTIONS, TRANSFER_STATUSES, tagType, formatTime,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('transfers.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="transfer-create" @click="openRequest">
          <el-icon><Plus /></el-icon><span>{{ $t('transfers.request') }}</span>
        </el-button>
      </div>
      <div class="sp-filters">
        <location-select v-model="filters.location_id" :locations="locs.locations.value" class="sp-filter-wide"
                         data-test="transfers-filter-location" :placeholder="$t('inventory.allLocations')" />
        <el-select v-model="filters.direction" clearable class="sp-filter" data-test="transfers-filter-direction" :disabled="!filters.location_id"
                   :placeholder="$t('transfers.bothDirections')">
          <el-option v-for="d in TRANSFER_DIRECTIONS" :key="d" :value="d" :label="$tv('transferDirection', d)" :data-test="'transfer-direction-option-' + d" />
        </el-select>
        <el-select v-model="filters.status" clearable class="sp-filter" data-test="transfers-filter-status" :placeholder="$t('inventory.allStatuses')">
          <el-option v-for="s in TRANSFER_STATUSES" :key="s" :value="s" :label="$tv('transferStatus', s)" :data-test="'transfer-status-option-' + s" />
        </el-select>
      </div>
      <el-table :data="items" v-loading="loading" data-test="transfers-table" :empty-text="$t('list.empty')" stripe
                row-class-name="sp-clickable" @row-click="openTransfer">
        <el-table-column :label="$t('inventory.number')" width="150">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'transfer-open-' + row.number" @click.stop="openTransfer(row)">{{ row.number }}</el-button>
          </template>
        </el-table-column>
        <el-table-column :label="$t('transfers.from')" prop="from_location_name" min-width="150" />
        <el-table-column :label="$t('transfers.to')" prop="to_location_name" min-width="150" />
        <el-table-column :label="$t('field.status')" width="150">
          <template #default="{ row }">
            <el-tag size="small" :type="tagType('transfer', row.status)" :data-test="'transfer-status-' + row.number" :data-status="row.status">{{ $tv('transferStatus', row.status) }}</el-tag>
            <el-tag v-if="row.has_differences" size="small" type="danger" effect="plain" class="sp-tag-gap" :data-test="'transfer-diff-' + row.number">{{ $t('transfers.hasDifferences') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('transfers.requestedAt')" width="170">
          <template #default="{ row }">{{ formatTime(row.requested_at) }}</template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="req.open" :title="$t('transfers.request')" width="760px" data-test="transfer-request-dialog" :close-on-click-modal="false">
        <el-form label-width="110px" @submit.prevent>
          <el-form-item :label="$t('transfers.from')" :error="req.errors.from_location_id" data-test="transfer-field-from_location_id">
            <location-select v-model="req.from_location_id" :locations="locs.locations.value" :clearable="false" class="sp-wide" data-test="transfer-from" option-test="from-option-" />
            <div class="sp-help sp-help-block">{{ $t('transfers.fromHelp') }}</div>
          </el-form-item>
          <el-form-item :label="$t('transfers.to')" :error="req.errors.to_location_id" data-test="transfer-field-to_location_id">
            <location-select v-model="req.to_location_id" :locations="locs.locations.value" :clearable="false" class="sp-wide" data-test="transfer-to" option-test="to-option-" />
          </el-form-item>
          <el-form-item :label="$t('inventory.notes')" :error="req.errors.notes" data-test="transfer-field-notes">
            <el-input v-model="req.notes" data-test="transfer-notes" />
          </el-form-item>
          <el-form-item :label="$t('inventory.lines')" :error="req.errors.lines" data-test="transfer-field-lines">
            <product-picker v-model="pick" class="sp-wide" data-test="transfer-add-product" :placeholder="$t('po.addProduct')" @picked="addLine" />
          </el-form-item>
        </el-form>
        <el-table :data="req.lines" row-key="key" size="small" border data-test="transfer-request-lines" :empty-text="$t('po.noLines')">
          <el-table-column type="index" label="#" width="44" />
          <el-table-column :label="$t('inventory.product')" min-width="200">
            <template #default="{ row, $index }">
              <div :data-test="'transfer-request-line-' + $index" :data-sku="row.sku">{{ row.sku }} · {{ row.name_zh }}</div>
              <div v-if="req.lineErrs[$index]" class="sp-line-error" :data-test="'transfer-request-error-' + $index">{{ lineErrorText(req.lineErrs[$index]) }}</div>
            </template>
          </el-table-column>
          <el-table-column :label="$t('inventory.quantity')" width="150">
            <template #default="{ row, $index }">
              <el-input v-model="row.quantity" size="small" inputmode="decimal" :class="['sp-qty-input', { 'is-error': req.lineErrs[$index] }]"
                        :data-test="'transfer-request-qty-' + $index" />
            </template>
          </el-table-column>
          <el-table-column width="60">
            <template #default="{ $index }">
              <el-button link type="danger" @click="removeLine($index)"><el-icon><Delete /></el-icon></el-button>
            </template>
          </el-table-column>
        </el-table>
        <template #footer>
          <el-button @click="req.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="req.saving" data-test="transfer-request-save" @click="sendRequest">{{ $t('transfers.sendRequest') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
