// The live dashboard (经营看板, #/dashboard, and the home screen for users with reports.read):
// GET /reports/dashboard (docs/analytics.md) for today's business day of the stores in scope —
// or of one region or one store picked here — revenue, orders, average basket, items per
// basket, gross margin, returns, the payment mix (pie), the hourly curve against the same
// weekday last week (lines), the top products and categories, the stores ranked (bars), the
// regions ranked (bars, when the stores span several regions: head office) and the registers
// of a single store (a table: a store manager, or one store picked), and the count of
// low-stock alerts (a link to #/stock-alerts). While it is open it listens to
// GET /events: an `analytics.updated` of a store being looked at refreshes it (coalesced), and
// while the API says sales still wait for the rollup it asks again every second.
import { computed, onBeforeUnmount, onMounted, ref, watch } from 'vue';
import { api, fetchAll } from '../api.js';
import { locale, t } from '../i18n.js';
import { showError, formatTime } from '../forms.js';
import { formatMoney } from '../money.js';
import { can, session } from '../session.js';
import { navigate } from '../router.js';
import { useLiveEvents } from '../inventory.js';
import { chartMoney, chartNumber, formatMilli, formatRate, useScopePicker } from '../analytics.js';
import ChartPanel from '../components/chart-panel.js';

const PICK_KEY = 'salepoint.dashboard.scope';

export default {
  name: 'DashboardView',
  components: { ChartPanel },
  setup() {
    const picker = useScopePicker();
    // '' = everything in scope, 'region:<id>', 'store:<id>'; remembered per browser.
    let saved = '';
    try {
      saved = localStorage.getItem(PICK_KEY) || '';
    } catch {
      saved = '';
    }
    const pick = ref(saved);
    const data = ref(null);
    const loading = ref(false);
    const loadedAt = ref(null);
    const refreshes = ref(0);
    let generation = 0;

    const query = () => {
      const [kind, id] = pick.value.split(':');
      return { store_id: kind === 'store' ? id : '', region_id: kind === 'region' ? id : '' };
    };

    async function load({ quiet = false } = {}) {
      const mine = ++generation;
      if (!quiet) loading.value = true;
      try {
        const answer = await api.get('/reports/dashboard', query());
        if (mine !== generation) return;
        data.value = answer;
        loadedAt.value = new Date();
        refreshes.value += 1;
        schedulePendingCheck();
      } catch (e) {
        if (mine !== generation) return;
        // A store or region no longer in scope: back to everything.
        if (e?.status === 404 && pick.value) {
          pick.value = '';
          return;
        }
        if (!quiet) showError(e);
      } finally {
        if (mine === generation) loading.value = false;
      }
    }
    watch(pick, (v) => {
      try {
        localStorage.setItem(PICK_KEY, v);
      } catch {
        // not remembered
      }
      data.value = null;
      load();
    });

    // Sales not rolled up yet: ask again shortly, the figures are about to move.
    let pendingTimer = null;
    function schedulePendingCheck() {
      clearTimeout(pendingTimer);
      if ((data.value?.pending_sales ?? 0) > 0) pendingTimer = setTimeout(() => load({ quiet: true }), 1000);
    }

    // Live: an analytics.updated of a store in view → one refresh (several events coalesce).
    let liveTimer = null;
    const inView = (storeId) => {
      const [kind, id] = pick.value.split(':');
      if (!kind || !storeId) return true;
      if (kind === 'store') return storeId === id;
      const region = picker.regionOf(storeId);
      return region === null || region === id; // an unknown store: refresh anyway
    };
    const { connected } = useLiveEvents({
      'analytics.updated': (event) => {
        if (!inView(event?.store_id)) return;
        clearTimeout(liveTimer);
        liveTimer = setTimeout(() => load({ quiet: true }), 100);
      },
    });
    // The business day rolls over: refresh once a minute even without sales.
    const minuteTimer = setInterval(() => load({ quiet: true }), 60_000);
    onBeforeUnmount(() => {
      clearTimeout(liveTimer);
      clearTimeout(pendingTimer);
      clearInterval(minuteTimer);
    });

    const currency = computed(() => session.company?.currency);
    const money = (v) => formatMoney(v ?? 0, currency.value);
    const scopeText = computed(() => session.scope?.all_stores
      ? t('home.scopeAll')
      : t('home.scopeSome', { n: session.scope?.store_ids?.length ?? 0 }));
    const lagText = computed(() => {
      const d = data.value;
      if (!d) return '';
      if (!d.rollup_lag_ms && !d.pending_sales) return t('dashboard.lagNone');
      return t('dashboard.lag', { seconds: ((d.rollup_lag_ms || 0) / 1000).toFixed(1), n: d.pending_sales || 0 });
    });

    // The charts.
    const hourLabel = (h) => `${String(h).padStart(2, '0')}:00`;
    const hourly = computed(() => [...(data.value?.hourly || [])].sort((a, b) => a.hour - b.hour));
    const hourlyOption = () => {
      const rows = hourly.value;
      return {
        tooltip: { trigger: 'axis', valueFormatter: (v) => chartMoney(v, currency.value) },
        legend: { top: 0 },
        grid: { left: 60, right: 20, top: 36, bottom: 30 },
        xAxis: { type: 'category', data: rows.map((r) => hourLabel(r.hour)), boundaryGap: false },
        yAxis: { type: 'value' },
        series: [
          { type: 'line', name: t('dashboard.today'), smooth: true, areaStyle: { opacity: 0.12 },
            data: rows.map((r) => chartNumber('revenue', r.revenue, currency.value)) },
          { type: 'line', name: t('dashboard.lastWeek'), smooth: true, lineStyle: { type: 'dashed' },
            data: rows.map((r) => chartNumber('revenue', r.last_week_revenue, currency.value)) },
        ],
      };
    };
    const hourlyColumns = computed(() => [
      { key: 'hour', label: t('analytics.dim.hour'), format: (r) => hourLabel(r.hour) },
      { key: 'revenue', label: t('dashboard.today'), align: 'right', format: (r) => money(r.revenue) },
      { key: 'orders', label: t('analytics.measure.orders'), align: 'right' },
      { key: 'last_week_revenue', label: t('dashboard.lastWeek'), align: 'right', format: (r) => money(r.last_week_revenue) },
      { key: 'last_week_orders', label: t('dashboard.lastWeekOrders'), align: 'right' },
    ]);

    const tenderNames = ref({});
    const mix = computed(() => (data.value?.payment_mix || []).map((m) => ({ ...m, name: tenderNames.value[m.code] || m.code })));
    const mixOption = () => ({
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${chartMoney(p.value, currency.value)} (${p.percent}%)` },
      legend: { bottom: 0 },
      series: [{
        type: 'pie', radius: ['35%', '65%'], name: t('dashboard.paymentMix'),
        data: mix.value.map((m) => ({ name: m.name || m.code, value: chartNumber('revenue', m.amount_minor, currency.value) })),
      }],
    });
    const mixColumns = computed(() => [
      { key: 'code', label: t('analytics.dim.tender'), format: (r) => r.name || r.code },
      { key: 'amount_minor', label: t('analytics.measure.revenue'), align: 'right', format: (r) => money(r.amount_minor) },
      { key: 'count', label: t('dashboard.tenderCount'), align: 'right' },
    ]);

    const stores = computed(() => data.value?.stores || []);
    const storesOption = () => {
      const rows = stores.value.slice(0, 20).reverse(); // best at the top
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => chartMoney(v, currency.value) },
        grid: { left: 140, right: 30, top: 10, bottom: 30 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: rows.map((s) => `${s.code} ${s.name}`) },
        series: [{ type: 'bar', name: t('analytics.measure.revenue'), data: rows.map((s) => chartNumber('revenue', s.revenue, currency.value)), itemStyle: { color: '#409eff' } }],
      };
    };
    const storeColumns = computed(() => [
      { key: 'rank', label: t('dashboard.rank'), format: (r) => stores.value.indexOf(r) + 1, width: 60 },
      { key: 'code', label: t('analytics.dim.store'), format: (r) => `${r.code} · ${r.name}`, width: 160, test: (r) => `dashboard-store-${r.code}` },
      { key: 'business_day', label: t('analytics.dim.business_day') },
      { key: 'revenue', label: t('analytics.measure.revenue'), align: 'right', format: (r) => money(r.revenue), test: (r) => `dashboard-store-revenue-${r.code}` },
      { key: 'orders', label: t('analytics.measure.orders'), align: 'right' },
      { key: 'avg_basket', label: t('analytics.measure.avg_basket'), align: 'right', format: (r) => money(r.avg_basket) },
    ]);

    const regions = computed(() => data.value?.regions || []);
    const regionName = (r) => r.name || t('dashboard.noRegion');
    const regionsOption = () => {
      const rows = [...regions.value].reverse(); // best at the top
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => chartMoney(v, currency.value) },
        grid: { left: 120, right: 30, top: 10, bottom: 30 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: rows.map(regionName) },
        series: [{ type: 'bar', name: t('analytics.measure.revenue'), data: rows.map((r) => chartNumber('revenue', r.revenue, currency.value)), itemStyle: { color: '#67c23a' } }],
      };
    };
    const regionColumns = computed(() => [
      { key: 'rank', label: t('dashboard.rank'), format: (r) => regions.value.indexOf(r) + 1, width: 60 },
      { key: 'name', label: t('analytics.dim.region'), format: regionName, width: 160, test: (r) => `dashboard-region-${r.region_id || 'none'}` },
      { key: 'revenue', label: t('analytics.measure.revenue'), align: 'right', format: (r) => money(r.revenue), test: (r) => `dashboard-region-revenue-${r.region_id || 'none'}` },
      { key: 'orders', label: t('analytics.measure.orders'), align: 'right' },
      { key: 'avg_basket', label: t('analytics.measure.avg_basket'), align: 'right', format: (r) => money(r.avg_basket) },
    ]);
    const registers = computed(() => data.value?.registers || []);

    const topProducts = computed(() => data.value?.top_products || []);
    const topCategories = computed(() => data.value?.top_categories || []);
    const goAlerts = () => navigate('/stock-alerts');

    onMounted(async () => {
      if (can('org.read')) {
        fetchAll('/tender-types').then((list) => {
          tenderNames.value = Object.fromEntries(list.map((x) => [x.code, x.name]));
        }).catch(() => {});
      }
      await picker.load();
      load();
    });

    return {
      session, picker, pick, data, loading, loadedAt, refreshes, connected, lagText, scopeText, currency, money,
      hourly, hourlyOption, hourlyColumns, mix, mixOption, mixColumns, stores, storesOption, storeColumns,
      regions, regionsOption, regionColumns, registers,
      topProducts, topCategories, goAlerts, formatMilli, formatRate, formatTime, load,
      canAlerts: computed(() => can('stock.read')), locale,
    };
  },
  template: `
    <div class="sp-page sp-dashboard" data-test="dashboard">
      <div class="sp-page-head">
        <div>
          <h2 data-test="dashboard-title">{{ $t('dashboard.title') }}</h2>
          <div class="sp-muted sp-small">
            {{ $t('home.scope') }}：<span data-test="home-scope">{{ scopeText }}</span>
            <span v-if="loadedAt"> · {{ $t('dashboard.updatedAt', { time: formatTime(loadedAt.toISOString()) }) }}</span>
          </div>
        </div>
        <div class="sp-doc-actions">
          <el-select v-model="pick" class="sp-filter-wide" data-test="dashboard-scope" :placeholder="$t('dashboard.allStores')">
            <el-option value="" :label="$t('dashboard.allStores')" data-test="dashboard-scope-option-all" />
            <el-option-group v-if="picker.regions.value.length" :label="$t('analytics.dim.region')">
              <el-option v-for="r in picker.regions.value" :key="r.id" :value="'region:' + r.id" :label="r.name" :data-test="'dashboard-scope-option-region-' + r.code" />
            </el-option-group>
            <el-option-group :label="$t('analytics.dim.store')">
              <el-option v-for="s in picker.stores.value" :key="s.id" :value="'store:' + s.id" :label="s.code + ' · ' + s.name" :data-test="'dashboard-scope-option-store-' + s.code" />
            </el-option-group>
          </el-select>
          <span class="sp-live" data-test="dashboard-live" :data-connected="connected" :data-refreshes="refreshes">
            <span :class="['sp-live-dot', { 'is-on': connected }]"></span>{{ connected ? $t('alerts.liveOn') : $t('alerts.liveOff') }}
          </span>
          <el-tag size="small" :type="data && (data.pending_sales || data.rollup_lag_ms) ? 'warning' : 'success'" data-test="dashboard-lag"
                  :data-lag-ms="data?.rollup_lag_ms ?? ''" :data-pending="data?.pending_sales ?? ''">{{ lagText || '—' }}</el-tag>
          <el-button data-test="dashboard-reload" @click="load()"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
        </div>
      </div>

      <div class="sp-kpis" v-loading="loading && !data">
        <div class="sp-kpi"><span>{{ $t('dashboard.revenue') }}</span>
          <strong data-test="dashboard-revenue" :data-minor="data?.revenue ?? ''">{{ data ? money(data.revenue) : '—' }}</strong>
          <em v-if="data">{{ $t('dashboard.netOf', { net: money(data.net) }) }}</em></div>
        <div class="sp-kpi"><span>{{ $t('dashboard.orders') }}</span>
          <strong data-test="dashboard-orders" :data-value="data?.orders ?? ''">{{ data ? data.orders : '—' }}</strong></div>
        <div class="sp-kpi"><span>{{ $t('dashboard.avgBasket') }}</span>
          <strong data-test="dashboard-avg-basket" :data-minor="data?.avg_basket ?? ''">{{ data ? money(data.avg_basket) : '—' }}</strong></div>
        <div class="sp-kpi"><span>{{ $t('dashboard.itemsPerBasket') }}</span>
          <strong data-test="dashboard-items-per-basket">{{ data ? data.items_per_basket : '—' }}</strong></div>
        <div class="sp-kpi"><span>{{ $t('dashboard.margin') }}</span>
          <strong data-test="dashboard-margin" :data-minor="data?.margin ?? ''">{{ data ? money(data.margin) : '—' }}</strong>
          <em v-if="data">{{ $t('dashboard.marginRate', { rate: formatRate(data.margin_rate, 1) }) }}</em></div>
        <div class="sp-kpi"><span>{{ $t('dashboard.returns') }}</span>
          <strong data-test="dashboard-returns" :data-minor="data?.returns ?? ''">{{ data ? money(data.returns) : '—' }}</strong>
          <em v-if="data">{{ $t('dashboard.returnsCount', { n: data.returns_count ?? 0 }) }}</em></div>
        <div class="sp-kpi" :class="{ 'is-alert': data?.low_stock > 0 }"><span>{{ $t('dashboard.lowStock') }}</span>
          <strong>
            <el-link v-if="canAlerts" type="danger" :underline="false" data-test="dashboard-low-stock" :data-value="data?.low_stock ?? ''" @click="goAlerts">{{ data ? data.low_stock : '—' }}</el-link>
            <span v-else data-test="dashboard-low-stock" :data-value="data?.low_stock ?? ''">{{ data ? data.low_stock : '—' }}</span>
          </strong>
          <em>{{ $t('dashboard.lowStockHelp') }}</em></div>
      </div>

      <div class="sp-dash-grid">
        <chart-panel class="sp-dash-wide" :title="$t('dashboard.hourly')" test="dashboard-hourly" :option="hourlyOption" :columns="hourlyColumns" :rows="hourly" :height="300" />
        <chart-panel :title="$t('dashboard.paymentMix')" test="dashboard-payment" :option="mixOption" :columns="mixColumns" :rows="mix" :height="300" />
        <chart-panel :title="$t('dashboard.storesRanked')" test="dashboard-stores" :option="storesOption" :columns="storeColumns" :rows="stores" :height="300" />
        <chart-panel v-if="regions.length" :title="$t('dashboard.regionsRanked')" test="dashboard-regions" :option="regionsOption" :columns="regionColumns" :rows="regions" :height="300" />
        <el-card v-if="registers.length" shadow="never" data-test="dashboard-registers">
          <template #header>{{ $t('dashboard.registersRanked') }}</template>
          <el-table :data="registers" size="small" :empty-text="$t('list.empty')" max-height="320">
            <el-table-column type="index" width="44" />
            <el-table-column :label="$t('analytics.dim.register')" min-width="160">
              <template #default="{ row }"><span class="sp-code sp-small">{{ row.code }}</span> {{ row.name }}</template>
            </el-table-column>
            <el-table-column :label="$t('analytics.measure.revenue')" width="120" align="right">
              <template #default="{ row }"><span :data-test="'dashboard-register-revenue-' + row.code" :data-minor="row.revenue">{{ money(row.revenue) }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('analytics.measure.orders')" width="80" align="right" prop="orders" />
            <el-table-column :label="$t('analytics.measure.avg_basket')" width="110" align="right">
              <template #default="{ row }">{{ money(row.avg_basket) }}</template>
            </el-table-column>
          </el-table>
        </el-card>
        <el-card shadow="never" data-test="dashboard-top-products">
          <template #header>{{ $t('dashboard.topProducts') }}</template>
          <el-table :data="topProducts" size="small" :empty-text="$t('list.empty')" max-height="320">
            <el-table-column type="index" width="44" />
            <el-table-column :label="$t('analytics.dim.product')" min-width="180">
              <template #default="{ row }"><span class="sp-code sp-small">{{ row.sku }}</span> {{ row.name }}</template>
            </el-table-column>
            <el-table-column :label="$t('analytics.measure.quantity')" width="90" align="right">
              <template #default="{ row }">{{ formatMilli(row.quantity_milli) }}</template>
            </el-table-column>
            <el-table-column :label="$t('analytics.measure.revenue')" width="120" align="right">
              <template #default="{ row }"><span :data-test="'dashboard-product-' + row.sku">{{ money(row.revenue) }}</span></template>
            </el-table-column>
          </el-table>
        </el-card>
        <el-card shadow="never" data-test="dashboard-top-categories">
          <template #header>{{ $t('dashboard.topCategories') }}</template>
          <el-table :data="topCategories" size="small" :empty-text="$t('list.empty')" max-height="320">
            <el-table-column type="index" width="44" />
            <el-table-column :label="$t('analytics.dim.category')" min-width="160">
              <template #default="{ row }">{{ row.name || $t('dashboard.noCategory') }}</template>
            </el-table-column>
            <el-table-column :label="$t('analytics.measure.quantity')" width="90" align="right">
              <template #default="{ row }">{{ formatMilli(row.quantity_milli) }}</template>
            </el-table-column>
            <el-table-column :label="$t('analytics.measure.revenue')" width="120" align="right">
              <template #default="{ row }">{{ money(row.revenue) }}</template>
            </el-table-column>
          </el-table>
        </el-card>
      </div>
    </div>`,
};
