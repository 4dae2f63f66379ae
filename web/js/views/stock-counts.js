// Stock counts (盘点): the counts of the locations in scope by location and status; a row opens
// the counting screen (#/stock-counts/<id>). "新建盘点" (stock.manage): location, scope — the
// whole location, one category (with its subcategories) or a list of products —, blind (the
// counters do not see the book figures) and notes → POST /stock-counts; the expected figures
// are taken at that moment.
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { navigate } from '../router.js';
import { formatTime, showError, useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { useCatalogLookups } from '../catalog.js';
import { COUNT_SCOPES, COUNT_STATUSES, homeLocation, lineErrors, tagType, useLocations } from '../inventory.js';
import CategorySelect from '../components/category-select.js';
import LoadMore from '../components/load-more.js';
import LocationSelect from '../components/location-select.js';
import ProductPicker from '../components/product-picker.js';

export default {
  name: 'StockCountsView',
  components: { CategorySelect, LoadMore, LocationSelect, ProductPicker },
  setup() {
    const locs = useLocations();
    const catalog = useCatalogLookups();
    const filters = reactive({ location_id: null, status: '' });
    const list = useCursorList('/stock-counts', () => ({ location_id: filters.location_id || '', status: filters.status }));
    watch(() => [filters.location_id, filters.status], () => list.reload());
    const editable = computed(() => can('stock.manage'));
    const openCount = (row) => navigate(`/stock-counts/${encodeURIComponent(row.id)}`);

    const create = reactive({
      open: false, saving: false, location_id: null, scope: 'full', category_id: null, products: [], blind: true, notes: '',
      errors: { location_id: '', scope: '', category_id: '', product_ids: '', notes: '' },
    });
    const pick = ref(null);
    function openCreate() {
      Object.assign(create, {
        open: true, location_id: filters.location_id || homeLocation(locs.locations.value), scope: 'full', category_id: null,
        products: [], blind: true, notes: '', errors: { location_id: '', scope: '', category_id: '', product_ids: '', notes: '' },
      });
    }
    function addProduct(p) {
      pick.value = null;
      if (p && !create.products.some((x) => x.id === p.id)) create.products.push({ id: p.id, sku: p.sku, name_zh: p.name_zh });
    }
    const removeProduct = (i) => create.products.splice(i, 1);
    async function save() {
      for (const k of Object.keys(create.errors)) create.errors[k] = '';
      if (!create.location_id) create.errors.location_id = t('fieldError.required');
      if (create.scope === 'category' && !create.category_id) create.errors.category_id = t('fieldError.required');
      if (create.scope === 'list' && !create.products.length) create.errors.product_ids = t('fieldError.required');
      if (Object.values(create.errors).some(Boolean)) return;
      const body = { location_id: create.location_id, scope: create.scope, blind: create.blind, notes: create.notes.trim() };
      if (create.scope === 'category') body.category_id = create.category_id;
      if (create.scope === 'list') body.product_ids = create.products.map((p) => p.id);
      create.saving = true;
      try {
        const count = await api.create('/stock-counts', body);
        create.open = false;
        ElMessage({ type: 'success', message: t('counts.created'), customClass: 'sp-saved-toast' });
        navigate(`/stock-counts/${encodeURIComponent(count.id)}`);
      } catch (e) {
        const found = lineErrors(e);
        let placed = false;
        for (const [k, v] of Object.entries(found.fields)) {
          if (k in create.errors) {
            create.errors[k] = v;
            placed = true;
          }
        }
        if (!placed) showError(e);
      } finally {
        create.saving = false;
      }
    }

    onMounted(() => {
      locs.load();
      catalog.load();
      list.reload();
    });
    return {
      ...list, filters, locs, catalog, editable, openCount, create, pick, openCreate, addProduct, removeProduct, save,
      COUNT_SCOPES, COUNT_STATUSES, tagType, formatTime, formatMoney, canApprove: computed(() => can('stock.approve')),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('counts.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="count-create" @click="openCreate">
          <el-icon><Plus /></el-icon><span>{{ $t('counts.create') }}</span>
        </el-button>
      </div>
      <div class="sp-filters">
        <location-select v-model="filters.location_id" :locations="locs.locations.value" class="sp-filter-wide"
                         data-test="counts-filter-location" :placeholder="$t('inventory.allLocations')" />
        <el-select v-model="filters.status" clearable class="sp-filter" data-test="counts-filter-status" :placeholder="$t('inventory.allStatuses')">
          <el-option v-for="s in COUNT_STATUSES" :key="s" :value="s" :label="$tv('countStatus', s)" :data-test="'count-status-option-' + s" />
        </el-select>
      </div>
      <el-table :data="items" v-loading="loading" data-test="counts-table" :empty-text="$t('list.empty')" stripe
                row-class-name="sp-clickable" @row-click="openCount">
        <el-table-column :label="$t('inventory.number')" width="150">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'count-open-' + row.number" @click.stop="openCount(row)">{{ row.number }}</el-button>
          </template>
        </el-table-column>
        <el-table-column :label="$t('inventory.location')" prop="location_name" min-width="150" />
        <el-table-column :label="$t('counts.scope')" width="110">
          <template #default="{ row }">{{ $tv('countScope', row.scope) }}<el-tag v-if="row.blind" size="small" type="info" class="sp-tag-gap">{{ $t('counts.blind') }}</el-tag></template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="100">
          <template #default="{ row }">
            <el-tag size="small" :type="tagType('count', row.status)" :data-test="'count-status-' + row.number" :data-status="row.status">{{ $tv('countStatus', row.status) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('counts.progress')" width="120" align="right">
          <template #default="{ row }"><span v-if="row.summary">{{ row.summary.counted }} / {{ row.summary.lines }}</span></template>
        </el-table-column>
        <el-table-column v-if="canApprove" :label="$t('counts.varianceValue')" width="130" align="right">
          <template #default="{ row }">
            <span v-if="row.summary && row.summary.variance_value_minor !== null && row.summary.variance_value_minor !== undefined"
                  :class="row.summary.variance_value_minor < 0 ? 'sp-bad' : ''">{{ formatMoney(row.summary.variance_value_minor) }}</span>
          </template>
        </el-table-column>
        <el-table-column :label="$t('counts.snapshotAt')" width="170">
          <template #default="{ row }">{{ formatTime(row.snapshot_at) }}</template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="create.open" :title="$t('counts.create')" width="600px" data-test="count-create-dialog" :close-on-click-modal="false">
        <el-form label-width="110px" @submit.prevent>
          <el-form-item :label="$t('inventory.location')" :error="create.errors.location_id" data-test="count-field-location_id">
            <location-select v-model="create.location_id" :locations="locs.locations.value" :clearable="false" class="sp-wide" data-test="count-location" />
          </el-form-item>
          <el-form-item :label="$t('counts.scope')" :error="create.errors.scope" data-test="count-field-scope">
            <el-radio-group v-model="create.scope" data-test="count-scope">
              <el-radio-button v-for="s in COUNT_SCOPES" :key="s" :value="s" :data-test="'count-scope-' + s">{{ $tv('countScope', s) }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item v-if="create.scope === 'category'" :label="$t('inventory.category')" :error="create.errors.category_id" data-test="count-field-category_id">
            <category-select v-model="create.category_id" :categories="catalog.categories.value" class="sp-wide" data-test="count-category" />
          </el-form-item>
          <el-form-item v-if="create.scope === 'list'" :label="$t('counts.products')" :error="create.errors.product_ids" data-test="count-field-product_ids">
            <div class="sp-rows">
              <product-picker v-model="pick" data-test="count-add-product" :placeholder="$t('po.addProduct')" @picked="addProduct" />
              <div class="sp-tags">
                <el-tag v-for="(p, i) in create.products" :key="p.id" closable :data-test="'count-product-' + p.sku" @close="removeProduct(i)">{{ p.sku }} · {{ p.name_zh }}</el-tag>
              </div>
            </div>
          </el-form-item>
          <el-form-item :label="$t('counts.blind')" data-test="count-field-blind">
            <el-switch v-model="create.blind" data-test="count-blind" />
            <span class="sp-help">{{ $t('counts.blindHelp') }}</span>
          </el-form-item>
          <el-form-item :label="$t('inventory.notes')" :error="create.errors.notes" data-test="count-field-notes">
            <el-input v-model="create.notes" data-test="count-notes" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="create.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="create.saving" data-test="count-create-save" @click="save">{{ $t('counts.start') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
