// Stock alerts (库存预警): the stock levels in scope whose status is low, out or over
// (GET /stock/alerts), by location and kind; live: a `stock.low` event of GET /events (a
// movement took a product to or below its reorder point) brings a notice and reloads the list.
// With stock.manage a row's reorder rule is edited here too, and "补货建议" opens the
// replenishment suggestions of the row's location.
import { computed, onBeforeUnmount, onMounted, reactive, ref, watch } from 'vue';
import { ElNotification } from 'element-plus';
import { locale, t } from '../i18n.js';
import { can } from '../session.js';
import { navigate } from '../router.js';
import { useCursorList } from '../forms.js';
import { formatMoney } from '../money.js';
import { ALERT_KINDS, formatQty, productName, tagType, useLiveEvents, useLocations } from '../inventory.js';
import LoadMore from '../components/load-more.js';
import LocationSelect from '../components/location-select.js';
import ReorderRuleDialog from '../components/reorder-rule-dialog.js';

export default {
  name: 'StockAlertsView',
  components: { LoadMore, LocationSelect, ReorderRuleDialog },
  setup() {
    const locs = useLocations();
    const filters = reactive({ location_id: null, kind: '' });
    const list = useCursorList('/stock/alerts', () => ({ location_id: filters.location_id || '', kind: filters.kind }));
    watch(() => [filters.location_id, filters.kind], () => list.reload());
    const editable = computed(() => can('stock.manage'));
    const rowKey = (r) => `${r.location_code}-${r.sku}`;

    // Live: every stock.low of a location being looked at → a notice and a (coalesced) reload.
    const lastEvent = ref(null);
    const received = ref(0);
    let timer = null;
    const { connected } = useLiveEvents({
      'stock.low': (data) => {
        if (!data || (filters.location_id && data.location_id !== filters.location_id)) return;
        received.value += 1;
        lastEvent.value = data;
        const where = locs.label(data.location_id);
        ElNotification({
          type: 'warning', title: t('alerts.liveTitle'), customClass: 'sp-stock-low-notice', duration: 6000,
          message: t('alerts.liveMessage', { where, available: formatQty(data.available), point: formatQty(data.reorder_point) }),
        });
        clearTimeout(timer);
        timer = setTimeout(() => list.reload(), 300);
      },
    });
    onBeforeUnmount(() => clearTimeout(timer));

    const reorder = ref(null);
    const editRule = (row) => reorder.value?.open(row);
    const replenish = (row) => navigate(`/replenishment?location_id=${encodeURIComponent(row.location_id)}`);

    onMounted(() => {
      locs.load();
      list.reload();
    });
    return {
      ...list, filters, locs, editable, rowKey, connected, received, lastEvent, reorder, editRule, replenish, ALERT_KINDS,
      formatQty, formatMoney, tagType, canReplenish: computed(() => can('stock.read')),
      name: (r) => productName(r, locale.value),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('alerts.title') }}</h2>
        <div class="sp-doc-actions">
          <span class="sp-live" data-test="alerts-live" :data-connected="connected" :data-received="received">
            <span :class="['sp-live-dot', { 'is-on': connected }]"></span>{{ connected ? $t('alerts.liveOn') : $t('alerts.liveOff') }}
          </span>
          <el-button data-test="alerts-reload" @click="reload"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
        </div>
      </div>
      <p class="sp-list-note sp-muted">{{ $t('alerts.help') }}</p>
      <div class="sp-filters">
        <location-select v-model="filters.location_id" :locations="locs.locations.value" class="sp-filter-wide"
                         data-test="alerts-filter-location" :placeholder="$t('inventory.allLocations')" />
        <el-select v-model="filters.kind" clearable class="sp-filter" data-test="alerts-filter-kind" :placeholder="$t('alerts.allKinds')">
          <el-option v-for="k in ALERT_KINDS" :key="k" :value="k" :label="$tv('alertKind', k)" :data-test="'alert-kind-option-' + k" />
        </el-select>
      </div>
      <el-table :data="items" v-loading="loading" data-test="alerts-table" :empty-text="$t('alerts.empty')" stripe>
        <el-table-column :label="$t('inventory.location')" min-width="150">
          <template #default="{ row }">
            <span :data-test="'alert-row-' + rowKey(row)">{{ row.location_code }}</span>
            <span class="sp-muted sp-small"> {{ row.location_name }}</span>
          </template>
        </el-table-column>
        <el-table-column prop="sku" :label="$t('inventory.sku')" width="130" />
        <el-table-column :label="$t('inventory.product')" min-width="180">
          <template #default="{ row }">{{ name(row) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.onHand')" width="90" align="right">
          <template #default="{ row }">{{ formatQty(row.on_hand) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.available')" width="90" align="right">
          <template #default="{ row }"><strong :data-test="'alert-available-' + rowKey(row)">{{ formatQty(row.available) }}</strong></template>
        </el-table-column>
        <el-table-column :label="$t('stock.inTransit')" width="90" align="right">
          <template #default="{ row }">{{ formatQty(row.in_transit) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.reorderPoint')" width="100" align="right">
          <template #default="{ row }">{{ formatQty(row.reorder_point, { dash: true }) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.max')" width="90" align="right">
          <template #default="{ row }">{{ formatQty(row.max, { dash: true }) }}</template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="90">
          <template #default="{ row }">
            <el-tag size="small" :type="tagType('stock', row.status)" :data-test="'alert-status-' + rowKey(row)" :data-status="row.status">{{ $tv('stockStatus', row.status) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('common.actions')" width="180">
          <template #default="{ row }">
            <el-button v-if="editable" link type="primary" :data-test="'alert-rule-' + rowKey(row)" @click="editRule(row)">{{ $t('reorder.edit') }}</el-button>
            <el-button link type="primary" :data-test="'alert-replenish-' + rowKey(row)" @click="replenish(row)">{{ $t('menu.replenishment') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />
      <reorder-rule-dialog ref="reorder" @saved="reload" />
    </div>`,
};
