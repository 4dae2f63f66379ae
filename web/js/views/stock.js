// Stock (库存查询): the stock levels of the locations in scope, filtered by location, search
// text, category and status (low / out / over), paged by cursor: on hand, reserved, available,
// in transit, reorder point, status and value. A row opens the product across every location
// in scope, nearest first ("哪家门店有货", GET /products/{id}/stock?near=), and the movement
// ledger of the product at a location (GET /stock/movements). With stock.manage a row's reorder
// rule can be edited (PUT /stock/reorder-rules).
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { api, fetchAll } from '../api.js';
import { has, locale, t } from '../i18n.js';
import { can } from '../session.js';
import { route } from '../router.js';
import { formatTime, showError, useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { useCatalogLookups } from '../catalog.js';
import {
  formatQty, MOVEMENT_KINDS, productName, signOf, STOCK_FILTER_STATUSES, tagType, useLocations,
} from '../inventory.js';
import CategorySelect from '../components/category-select.js';
import LoadMore from '../components/load-more.js';
import LocationSelect from '../components/location-select.js';
import ReorderRuleDialog from '../components/reorder-rule-dialog.js';

export default {
  name: 'StockView',
  components: { CategorySelect, LoadMore, LocationSelect, ReorderRuleDialog },
  setup() {
    const locs = useLocations();
    const catalog = useCatalogLookups();
    const filters = reactive({
      location_id: route.query.location_id || null, q: route.query.q || '', category_id: null, status: route.query.status || '',
    });
    const list = useCursorList('/stock', () => ({
      location_id: filters.location_id || '', q: filters.q.trim(), category_id: filters.category_id || '', status: filters.status,
    }));
    watch(() => [filters.location_id, filters.category_id, filters.status], () => list.reload());
    const editable = computed(() => can('stock.manage'));
    const rowKey = (r) => `${r.location_code}-${r.sku}`;

    // ---- the product across locations, and its ledger at one of them
    const drawer = reactive({ open: false, loading: false, level: null, product: null, ledgerLocation: null });
    const movements = useCursorList('/stock/movements', () => ({
      product_id: drawer.level?.product_id, location_id: drawer.ledgerLocation, kind: movementKind.value,
    }), { limit: 30 });
    const movementKind = ref('');
    async function openProduct(level) {
      Object.assign(drawer, { open: true, loading: true, level, product: null, ledgerLocation: level.location_id });
      movementKind.value = '';
      movements.reload();
      try {
        drawer.product = await api.get(`/products/${encodeURIComponent(level.product_id)}/stock`, { near: level.location_id });
      } catch (e) {
        showError(e);
      } finally {
        drawer.loading = false;
      }
    }
    function showLedger(loc) {
      drawer.ledgerLocation = loc.location_id;
      movements.reload();
    }
    watch(movementKind, () => { if (drawer.open) movements.reload(); });
    const nearRegion = computed(() => drawer.product?.locations?.find((l) => l.location_id === drawer.level?.location_id)?.region_id);
    const locationRowClass = ({ row }) => {
      const classes = ['sp-clickable'];
      if (row.location_id === drawer.ledgerLocation) classes.push('sp-selected-row');
      else if (nearRegion.value && row.region_id === nearRegion.value) classes.push('sp-near-row');
      return classes.join(' ');
    };
    const ledgerLabel = computed(() => {
      const l = drawer.product?.locations?.find((x) => x.location_id === drawer.ledgerLocation);
      return l ? `${l.location_code} · ${l.location_name}` : locs.label(drawer.ledgerLocation);
    });

    // Region names, for the locations the answer gives without them.
    const regions = ref([]);
    const regionName = (id) => regions.value.find((r) => r.id === id)?.name || '';

    const reorder = ref(null);
    const editRule = (row) => reorder.value?.open(row);

    onMounted(() => {
      locs.load();
      catalog.load();
      fetchAll('/regions').then((r) => { regions.value = r; }).catch(() => {});
      list.reload();
    });
    return {
      ...list, filters, locs, catalog, editable, rowKey, drawer, movements, movementKind, openProduct, showLedger,
      locationRowClass, ledgerLabel, regionName, reorder, editRule, STOCK_FILTER_STATUSES, MOVEMENT_KINDS,
      formatQty, formatMoney, formatTime, tagType, signOf, name: (r) => productName(r, locale.value),
      refLabel: (r) => (r && has(`refType.${r}`) ? t(`refType.${r}`) : r || ''),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('stock.title') }}</h2>
        <el-button data-test="stock-reload" @click="reload"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
      </div>
      <div class="sp-filters">
        <location-select v-model="filters.location_id" :locations="locs.locations.value" class="sp-filter-wide"
                         data-test="stock-filter-location" :placeholder="$t('inventory.allLocations')" />
        <el-input v-model="filters.q" clearable class="sp-search" data-test="stock-filter-q" :placeholder="$t('stock.searchPlaceholder')"
                  @keyup.enter="reload" @clear="reload">
          <template #append>
            <el-button data-test="stock-filter-q-button" @click="reload"><el-icon><Search /></el-icon></el-button>
          </template>
        </el-input>
        <category-select v-model="filters.category_id" :categories="catalog.categories.value" class="sp-filter-wide" data-test="stock-filter-category" />
        <el-select v-model="filters.status" clearable class="sp-filter" data-test="stock-filter-status" :placeholder="$t('stock.allStatuses')">
          <el-option v-for="s in STOCK_FILTER_STATUSES" :key="s" :value="s" :label="$tv('stockStatus', s)" :data-test="'stock-status-option-' + s" />
        </el-select>
      </div>
      <el-table :data="items" v-loading="loading" data-test="stock-table" :empty-text="$t('list.empty')" stripe
                row-class-name="sp-clickable" @row-click="openProduct">
        <el-table-column :label="$t('inventory.location')" min-width="150">
          <template #default="{ row }">
            <span :data-test="'stock-row-' + rowKey(row)">{{ row.location_code }}</span>
            <span class="sp-muted sp-small"> {{ row.location_name }}</span>
          </template>
        </el-table-column>
        <el-table-column prop="sku" :label="$t('inventory.sku')" width="130" />
        <el-table-column :label="$t('inventory.product')" min-width="180">
          <template #default="{ row }">{{ name(row) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.onHand')" width="90" align="right">
          <template #default="{ row }"><span :data-test="'stock-on-hand-' + rowKey(row)">{{ formatQty(row.on_hand) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('stock.reserved')" width="80" align="right">
          <template #default="{ row }">{{ formatQty(row.reserved) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.available')" width="90" align="right">
          <template #default="{ row }"><strong :data-test="'stock-available-' + rowKey(row)">{{ formatQty(row.available) }}</strong></template>
        </el-table-column>
        <el-table-column :label="$t('stock.inTransit')" width="90" align="right">
          <template #default="{ row }"><span :data-test="'stock-in-transit-' + rowKey(row)">{{ formatQty(row.in_transit) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('stock.reorderPoint')" width="100" align="right">
          <template #default="{ row }">{{ formatQty(row.reorder_point, { dash: true }) }}</template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="90">
          <template #default="{ row }">
            <el-tag size="small" :type="tagType('stock', row.status)" :data-test="'stock-status-' + rowKey(row)" :data-status="row.status">{{ $tv('stockStatus', row.status) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('stock.value')" width="110" align="right">
          <template #default="{ row }">{{ formatMoney(row.value_minor) }}</template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="110">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'stock-rule-' + rowKey(row)" @click.stop="editRule(row)">{{ $t('reorder.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-drawer v-model="drawer.open" size="65%" data-test="stock-product-drawer" :title="drawer.level ? drawer.level.sku + ' · ' + name(drawer.level) : ''">
        <div v-loading="drawer.loading">
          <template v-if="drawer.product">
            <div class="sp-stats">
              <div class="sp-figure"><span>{{ $t('stock.totalOnHand') }}</span><strong data-test="stock-product-total-on-hand">{{ formatQty(drawer.product.total_on_hand) }}</strong></div>
              <div class="sp-figure"><span>{{ $t('stock.totalAvailable') }}</span><strong data-test="stock-product-total-available">{{ formatQty(drawer.product.total_available) }}</strong></div>
            </div>
            <h3 class="sp-drawer-h">{{ $t('stock.whoHasIt') }}</h3>
            <p class="sp-list-note sp-muted">{{ $t('stock.whoHasItHelp') }}</p>
            <el-table :data="drawer.product.locations || []" size="small" border data-test="stock-product-locations"
                      :row-class-name="locationRowClass" @row-click="showLedger">
              <el-table-column :label="$t('inventory.location')" min-width="170">
                <template #default="{ row }">
                  <span :data-test="'stock-loc-' + row.location_code" :data-available="row.available">{{ row.location_code }} · {{ row.location_name }}</span>
                  <el-tag v-if="row.location_kind === 'warehouse'" size="small" type="info" class="sp-tag-gap">{{ $tv('storeKind', 'warehouse') }}</el-tag>
                </template>
              </el-table-column>
              <el-table-column :label="$t('inventory.region')" width="90">
                <template #default="{ row }">{{ row.region_name || regionName(row.region_id) }}</template>
              </el-table-column>
              <el-table-column :label="$t('inventory.address')" min-width="160" show-overflow-tooltip>
                <template #default="{ row }">{{ row.address || locs.byId(row.location_id)?.address || '' }}</template>
              </el-table-column>
              <el-table-column :label="$t('stock.onHand')" width="80" align="right">
                <template #default="{ row }">{{ formatQty(row.on_hand) }}</template>
              </el-table-column>
              <el-table-column :label="$t('stock.available')" width="80" align="right">
                <template #default="{ row }"><strong :data-test="'stock-loc-available-' + row.location_code">{{ formatQty(row.available) }}</strong></template>
              </el-table-column>
              <el-table-column :label="$t('stock.inTransit')" width="80" align="right">
                <template #default="{ row }">{{ formatQty(row.in_transit) }}</template>
              </el-table-column>
              <el-table-column :label="$t('field.status')" width="80">
                <template #default="{ row }"><el-tag size="small" :type="tagType('stock', row.status)">{{ $tv('stockStatus', row.status) }}</el-tag></template>
              </el-table-column>
            </el-table>
          </template>

          <div class="sp-page-head sp-drawer-sub">
            <h3 class="sp-drawer-h">{{ $t('stock.ledger') }} <span class="sp-muted" data-test="stock-ledger-location">{{ ledgerLabel }}</span></h3>
            <el-select v-model="movementKind" clearable class="sp-filter" data-test="stock-ledger-kind" :placeholder="$t('stock.allKinds')">
              <el-option v-for="k in MOVEMENT_KINDS" :key="k" :value="k" :label="$tv('movementKind', k)" :data-test="'movement-kind-option-' + k" />
            </el-select>
          </div>
          <el-table :data="movements.items.value" v-loading="movements.loading.value" size="small" border data-test="stock-movements"
                    :empty-text="$t('list.empty')">
            <el-table-column :label="$t('inventory.time')" width="165">
              <template #default="{ row }">{{ formatTime(row.at) }}</template>
            </el-table-column>
            <el-table-column :label="$t('stock.movementKind')" width="100">
              <template #default="{ row, $index }"><span :data-test="'movement-kind-' + $index" :data-kind="row.kind">{{ $tv('movementKind', row.kind) }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('inventory.quantity')" width="90" align="right">
              <template #default="{ row, $index }">
                <span :class="signOf(row.quantity) < 0 ? 'sp-bad' : 'sp-good'" :data-test="'movement-qty-' + $index">{{ formatQty(row.quantity, { signed: true }) }}</span>
              </template>
            </el-table-column>
            <el-table-column :label="$t('inventory.unitCost')" width="100" align="right">
              <template #default="{ row }">{{ formatMoney(row.unit_cost_minor) }}</template>
            </el-table-column>
            <el-table-column :label="$t('stock.reference')" min-width="120">
              <template #default="{ row }"><span class="sp-small">{{ refLabel(row.ref_type) }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('inventory.user')" prop="user_name" width="100" />
            <el-table-column width="70">
              <template #default="{ row }"><el-tag v-if="row.flagged" size="small" type="danger">{{ $t('stock.flagged') }}</el-tag></template>
            </el-table-column>
          </el-table>
          <load-more :cursor="movements.nextCursor.value" :loading="movements.loading.value" @more="movements.loadMore" />
        </div>
      </el-drawer>

      <reorder-rule-dialog ref="reorder" @saved="reload" />
    </div>`,
};
