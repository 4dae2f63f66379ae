// Customer reports (会员报表, #/customer-reports): GET /customer-reports for a period (days in the
// browser's time zone → RFC 3339) and a store — new and returning customers, repeat rate, the
// members' share of sales, the points and stored-value liabilities — and the members per tier
// as an ECharts pie (the library is imported when the screen opens).
import { computed, nextTick, onBeforeUnmount, onMounted, reactive, ref, shallowRef, watch } from 'vue';
import { api, fetchAll } from '../api.js';
import { locale, t } from '../i18n.js';
import { showError } from '../forms.js';
import { formatMoney } from '../money.js';
import { can } from '../session.js';
import { periodQuery } from '../sales.js';

function lastDays(n) {
  const to = new Date();
  const from = new Date();
  from.setDate(from.getDate() - (n - 1));
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return [day(from), day(to)];
}
const percent = (v) => {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return `${(n <= 1 ? n * 100 : n).toFixed(1)}%`;
};

export default {
  name: 'CustomerReportsView',
  setup() {
    const filters = reactive({ period: lastDays(30), store_id: '' });
    const stores = ref([]);
    const answer = ref(null);
    const loading = ref(false);
    const chartEl = ref(null);
    const chart = shallowRef(null);
    let echarts = null;

    async function load() {
      loading.value = true;
      try {
        answer.value = await api.get('/customer-reports', { ...periodQuery(filters.period), store_id: filters.store_id });
      } catch (e) {
        showError(e);
        answer.value = null;
      } finally {
        loading.value = false;
      }
      await draw();
    }
    watch(() => [filters.period, filters.store_id], load, { deep: true });

    const tiers = computed(() => answer.value?.tiers || []);
    async function draw() {
      await nextTick();
      if (!chartEl.value) return;
      try {
        echarts ??= await import('echarts');
      } catch {
        return;
      }
      chart.value ??= echarts.init(chartEl.value);
      chart.value.setOption({
        title: { text: t('customerReports.tiers'), left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        legend: { bottom: 0 },
        series: [{
          type: 'pie', radius: ['35%', '65%'], name: t('customerReports.tiers'),
          data: tiers.value.map((x) => ({ name: x.name || x.tier_code || t('customerReports.noTier'), value: x.customers ?? 0 })),
        }],
      }, true);
      chart.value.resize();
    }
    watch(locale, draw);
    const onResize = () => chart.value?.resize();
    onMounted(() => {
      window.addEventListener('resize', onResize);
      if (can('org.read')) fetchAll('/stores').then((s) => { stores.value = s.filter((x) => x.kind !== 'warehouse'); }).catch(() => {});
      load();
    });
    onBeforeUnmount(() => {
      window.removeEventListener('resize', onResize);
      chart.value?.dispose();
    });
    return { filters, stores, answer, loading, chartEl, tiers, load, formatMoney, percent };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('customerReports.title') }}</h2>
        <el-button data-test="customer-reports-reload" @click="load"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
      </div>
      <div class="sp-filters">
        <el-date-picker v-model="filters.period" type="daterange" value-format="YYYY-MM-DD" :clearable="false" data-test="customer-reports-period" />
        <el-select v-model="filters.store_id" clearable :placeholder="$t('customerReports.allStores')" style="width: 200px" data-test="customer-reports-store">
          <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" />
        </el-select>
      </div>
      <div class="sp-stats" v-loading="loading">
        <div class="sp-figure"><span>{{ $t('customerReports.newCustomers') }}</span><strong data-test="report-new">{{ answer?.new_customers ?? '—' }}</strong></div>
        <div class="sp-figure"><span>{{ $t('customerReports.returning') }}</span><strong data-test="report-returning">{{ answer?.returning_customers ?? '—' }}</strong></div>
        <div class="sp-figure"><span>{{ $t('customerReports.repeatRate') }}</span><strong data-test="report-repeat">{{ percent(answer?.repeat_rate) }}</strong></div>
        <div class="sp-figure"><span>{{ $t('customerReports.memberShare') }}</span><strong data-test="report-member-share">{{ percent(answer?.member_sales_share) }}</strong></div>
        <div class="sp-figure"><span>{{ $t('customerReports.pointsLiability') }}</span>
          <strong data-test="report-points-liability" :data-points="answer?.points_liability_points">{{ answer ? $t('customerReports.pointsWorth', { points: answer.points_liability_points ?? 0, value: formatMoney(answer.points_liability_minor ?? 0) }) : '—' }}</strong></div>
        <div class="sp-figure"><span>{{ $t('customerReports.storedValueLiability') }}</span>
          <strong data-test="report-sv-liability" :data-minor="answer?.stored_value_liability_minor">{{ answer ? formatMoney(answer.stored_value_liability_minor ?? 0) : '—' }}</strong></div>
      </div>
      <div ref="chartEl" class="sp-chart" data-test="customer-reports-chart"></div>
      <el-table :data="tiers" border size="small" data-test="customer-reports-tiers" :empty-text="$t('list.empty')">
        <el-table-column :label="$t('customers.tier')"><template #default="{ row }">{{ row.name || row.tier_code || $t('customerReports.noTier') }}</template></el-table-column>
        <el-table-column :label="$t('customerReports.customers')" width="160" align="right"><template #default="{ row }">{{ row.customers ?? 0 }}</template></el-table-column>
      </el-table>
    </div>`,
};
