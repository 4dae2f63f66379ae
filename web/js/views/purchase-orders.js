// Purchase orders (采购单): the list of the locations in scope, filtered by location, supplier,
// status and number; a row opens the order (#/purchase-orders/<id>); "新建采购单" (stock.manage)
// opens a blank draft (#/purchase-orders/new).
import { computed, onMounted, reactive, watch } from 'vue';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { formatTime, useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { PO_STATUSES, tagType, useLocations, useSuppliers } from '../inventory.js';
import LoadMore from '../components/load-more.js';
import LocationSelect from '../components/location-select.js';

export default {
  name: 'PurchaseOrdersView',
  components: { LoadMore, LocationSelect },
  setup() {
    const locs = useLocations();
    const sups = useSuppliers();
    const filters = reactive({ location_id: route.query.location_id || null, supplier_id: '', status: route.query.status || '', q: '' });
    const list = useCursorList('/purchase-orders', () => ({
      location_id: filters.location_id || '', supplier_id: filters.supplier_id, status: filters.status, q: filters.q.trim(),
    }));
    watch(() => [filters.location_id, filters.supplier_id, filters.status], () => list.reload());
    const editable = computed(() => can('stock.manage'));
    const openPo = (row) => navigate(`/purchase-orders/${encodeURIComponent(row.id)}`);

    onMounted(() => {
      locs.load();
      sups.load();
      list.reload();
    });
    return {
      ...list, filters, locs, sups, editable, openPo, create: () => navigate('/purchase-orders/new'),
      PO_STATUSES, tagType, formatMoney, formatTime,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('po.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="po-create" @click="create">
          <el-icon><Plus /></el-icon><span>{{ $t('po.create') }}</span>
        </el-button>
      </div>
      <div class="sp-filters">
        <location-select v-model="filters.location_id" :locations="locs.locations.value" class="sp-filter-wide"
                         data-test="po-filter-location" :placeholder="$t('inventory.allLocations')" />
        <el-select v-model="filters.supplier_id" clearable filterable class="sp-filter-wide" data-test="po-filter-supplier" :placeholder="$t('po.allSuppliers')">
          <el-option v-for="s in sups.suppliers.value" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'supplier-option-' + s.code" />
        </el-select>
        <el-select v-model="filters.status" clearable class="sp-filter" data-test="po-filter-status" :placeholder="$t('inventory.allStatuses')">
          <el-option v-for="s in PO_STATUSES" :key="s" :value="s" :label="$tv('poStatus', s)" :data-test="'po-status-option-' + s" />
        </el-select>
        <el-input v-model="filters.q" clearable class="sp-filter-wide" data-test="po-filter-q" :placeholder="$t('po.searchPlaceholder')"
                  @keyup.enter="reload" @clear="reload">
          <template #append><el-button data-test="po-filter-q-button" @click="reload"><el-icon><Search /></el-icon></el-button></template>
        </el-input>
      </div>
      <el-table :data="items" v-loading="loading" data-test="po-table" :empty-text="$t('list.empty')" stripe
                row-class-name="sp-clickable" @row-click="openPo">
        <el-table-column :label="$t('inventory.number')" width="150">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'po-open-' + row.number" @click.stop="openPo(row)">{{ row.number }}</el-button>
          </template>
        </el-table-column>
        <el-table-column :label="$t('po.supplier')" prop="supplier_name" min-width="160" />
        <el-table-column :label="$t('inventory.location')" prop="location_name" min-width="150" />
        <el-table-column :label="$t('field.status')" width="110">
          <template #default="{ row }">
            <el-tag size="small" :type="tagType('po', row.status)" :data-test="'po-status-' + row.number" :data-status="row.status">{{ $tv('poStatus', row.status) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('po.total')" width="120" align="right">
          <template #default="{ row }">{{ formatMoney(row.total_minor, row.currency) }}</template>
        </el-table-column>
        <el-table-column :label="$t('po.expectedDate')" prop="expected_date" width="120" />
        <el-table-column :label="$t('inventory.createdAt')" width="170">
          <template #default="{ row }">{{ formatTime(row.created_at) }}</template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />
    </div>`,
};
