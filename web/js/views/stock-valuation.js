// Stock valuation (库存金额, #/stock-valuation): on hand × moving-average cost, grouped by
// location or by category (optionally of one location) — GET /stock/valuation — as a bar chart
// (ECharts, loaded when the screen opens) and a table, with the total.
import { computed, nextTick, onBeforeUnmount, onMounted, reactive, ref, shallowRef, watch } from 'vue';
import { api } from '../api.js';
import { locale, t } from '../i18n.js';
import { showError } from '../forms.js';
import { formatMoney, minorToMajor, parseMajor } from '../money.js';
import { formatQty, useLocations, VALUATION_GROUPS } from '../inventory.js';
import LocationSelect from '../components/location-select.js';

export default {
  name: 'StockValuationView',
  components: { LocationSelect },
  setup() {
    const locs = useLocations();
    const filters = reactive({ group: 'location', location_id: null });
    const answer = ref(null);
    const loading = ref(false);
    const chartEl = ref(null);
    const chart = shallowRef(null);
    let echarts = null;

    async function load() {
      loading.value = true;
      try {
        answer.value = await api.get('/stock/valuation', {
          group: filters.group, location_id: filters.group === 'category' ? filters.location_id || '' : '',
        });
      } catch (e) {
        showError(e);
        answer.value = null;
      } finally {
        loading.value = false;
      }
      await draw();
    }
    watch(() => [filters.group, filters.location_id], load);

    const rows = computed(() => [...(answer.value?.data || [])].sort((a, b) => (b.value_minor || 0) - (a.value_minor || 0)));
    const currency = computed(() => answer.value?.currency);

    async function draw() {
      await nextTick();
      if (!chartEl.value) return;
      try {
        echarts ??= await import('echarts');
      } catch {
        return; // the table still shows the figures
      }
      chart.value ??= echarts.init(chartEl.value);
      const data = rows.value.slice(0, 30);
      chart.value.setOption({
        grid: { left: 80, right: 20, top: 30, bottom: 90 },
        tooltip: { trigger: 'axis', valueFormatter: (v) => formatMoney(parseMajor(String(v), currency.value).minor ?? 0, currency.value) },
        xAxis: { type: 'category', data: data.map((r) => r.name || r.key), axisLabel: { rotate: 35, interval: 0 } },
        yAxis: { type: 'value', name: t('valuation.valueAxis', { currency: currency.value || '' }) },
        series: [{ type: 'bar', name: t('stock.value'), data: data.map((r) => Number(minorToMajor(r.value_minor ?? 0, currency.value))), itemStyle: { color: '#409eff' } }],
      }, true);
      chart.value.resize();
    }
    watch(locale, draw);
    const onResize = () => chart.value?.resize();
    onMounted(() => {
      window.addEventListener('resize', onResize);
      locs.load();
      load();
    });
    onBeforeUnmount(() => {
      window.removeEventListener('resize', onResize);
      chart.value?.dispose();
    });

    return { locs, filters, answer, loading, chartEl, rows, currency, VALUATION_GROUPS, formatMoney, formatQty, load };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('valuation.title') }}</h2>
        <el-button data-test="valuation-reload" @click="load"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
      </div>
      <p class="sp-list-note sp-muted">{{ $t('valuation.help') }}</p>
      <div class="sp-filters">
        <el-radio-group v-model="filters.group" data-test="valuation-group">
          <el-radio-button v-for="g in VALUATION_GROUPS" :key="g" :value="g" :data-test="'valuation-group-' + g">{{ $tv('valuationGroup', g) }}</el-radio-button>
        </el-radio-group>
        <location-select v-if="filters.group === 'category'" v-model="filters.location_id" :locations="locs.locations.value" class="sp-filter-wide"
                         data-test="valuation-location" :placeholder="$t('inventory.allLocations')" />
      </div>
      <div class="sp-stats">
        <div class="sp-figure"><span>{{ $t('valuation.total') }}</span><strong data-test="valuation-total" :data-minor="answer?.total_minor">{{ answer ? formatMoney(answer.total_minor, currency) : '—' }}</strong></div>
        <div class="sp-figure"><span>{{ $t('valuation.groups') }}</span><strong>{{ rows.length }}</strong></div>
      </div>
      <div ref="chartEl" class="sp-chart" data-test="valuation-chart" v-loading="loading"></div>
      <el-table :data="rows" border size="small" data-test="valuation-table" :empty-text="$t('list.empty')">
        <el-table-column :label="filters.group === 'location' ? $t('inventory.location') : $t('inventory.category')" min-width="200">
          <template #default="{ row }"><span :data-test="'valuation-row-' + row.key">{{ row.name || row.key }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('inventory.quantity')" width="140" align="right">
          <template #default="{ row }">{{ formatQty(row.quantity) }}</template>
        </el-table-column>
        <el-table-column :label="$t('stock.value')" width="160" align="right">
          <template #default="{ row }"><span :data-test="'valuation-value-' + row.key">{{ formatMoney(row.value_minor, currency) }}</span></template>
        </el-table-column>
      </el-table>
    </div>`,
};
