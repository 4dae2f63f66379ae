// Inventory reports (库存报表, #/inventory-reports, reports.read): GET /reports/inventory
// (docs/analytics.md, "Inventory reports") — stock value, turnover, days of cover,
// sell-through and dead stock of the locations in scope, by location, category, product or
// location × category, filtered by locations and a category; a chart of the kind's main
// figure that switches to the table of every figure (with the totals), and CSV / XLSX export
// of the same query (headers in the UI's language). The server's field errors go under their
// form items.
import { computed, onMounted, reactive, ref } from 'vue';
import { api, apiUrl } from '../api.js';
import { locale, t } from '../i18n.js';
import { describeError, fieldMessage, propOf, showError } from '../forms.js';
import { session } from '../session.js';
import { formatMoney, minorToMajor } from '../money.js';
import { useLocations } from '../inventory.js';
import { useCatalogLookups } from '../catalog.js';
import { chartMoney, formatMilli, formatRate, quickPeriod } from '../analytics.js';
import ChartPanel from '../components/chart-panel.js';
import CategorySelect from '../components/category-select.js';

/** The kinds, in the order of the selector. */
const KINDS = ['value', 'turnover', 'cover', 'sell_through', 'dead_stock'];
const GROUPS = ['location', 'category', 'product', 'location,category'];
const PERIOD_KINDS = new Set(['turnover', 'sell_through']);
const DAYS_KINDS = { cover: 28, dead_stock: 90 };
/** The figure each kind charts. */
const CHART_MEASURE = { value: 'value', turnover: 'turnover', cover: 'cover_days', sell_through: 'sell_through', dead_stock: 'value' };
const MONEY = new Set(['value', 'opening_value', 'closing_value', 'average_value', 'cogs', 'sold_value']);
const MILLI = new Set(['on_hand_milli', 'sold_milli', 'avg_daily_sold_milli', 'opening_milli', 'received_milli']);
const FORM_PROPS = ['kind', 'group', 'period', 'days', 'locations', 'category', 'top'];
// The API's parameters → the form item that shows their errors.
const PARAM_PROP = { kind: 'kind', group: 'group', from: 'period', to: 'period', days: 'days', locations: 'locations', category: 'category', top: 'top', order: 'top' };

export default {
  name: 'InventoryReportsView',
  components: { ChartPanel, CategorySelect },
  setup() {
    const locs = useLocations();
    const catalog = useCatalogLookups();
    const form = reactive({
      kind: 'value', group: 'location', period: quickPeriod('this_month'), days: null, locations: [], category: null, top: null,
    });
    const errors = reactive(Object.fromEntries(FORM_PROPS.map((p) => [p, ''])));
    const answer = ref(null);
    const loading = ref(false);
    const lastQuery = ref(null);

    const hasPeriod = computed(() => PERIOD_KINDS.has(form.kind));
    const hasDays = computed(() => form.kind in DAYS_KINDS);
    const isDead = computed(() => form.kind === 'dead_stock');

    function query() {
      const q = { kind: form.kind, locations: form.locations.join(','), category: form.category || '' };
      if (!isDead.value) q.group = form.group;
      if (hasPeriod.value) [q.from, q.to] = [form.period?.[0] || '', form.period?.[1] || ''];
      if (hasDays.value) q.days = form.days || DAYS_KINDS[form.kind];
      // Dead stock and products can be long lists: the first 200 unless told otherwise.
      const top = form.top || (isDead.value || form.group === 'product' ? 200 : null);
      if (top) q.top = top;
      if (top && !isDead.value) q.order = `-${CHART_MEASURE[form.kind]}`;
      return q;
    }

    function placeErrors(e) {
      let placed = false;
      for (const fe of e?.errors || []) {
        const prop = PARAM_PROP[propOf(fe.field)];
        if (!prop) continue;
        errors[prop] = errors[prop] ? `${errors[prop]}; ${fieldMessage(fe)}` : fieldMessage(fe);
        placed = true;
      }
      if (!placed && e?.status === 404) {
        errors.locations = describeError(e);
        placed = true;
      }
      return placed;
    }

    async function run() {
      FORM_PROPS.forEach((p) => { errors[p] = ''; });
      if (hasPeriod.value && (!form.period?.[0] || !form.period?.[1])) {
        errors.period = t('fieldError.required');
        return;
      }
      const q = query();
      loading.value = true;
      try {
        answer.value = await api.get('/reports/inventory', q);
        lastQuery.value = q;
      } catch (e) {
        answer.value = null;
        if (!placeErrors(e)) showError(e);
      } finally {
        loading.value = false;
      }
    }
    const pickKind = (k) => {
      form.kind = k;
      run();
    };

    const currency = computed(() => answer.value?.currency || session.company?.currency);
    const rows = computed(() => answer.value?.rows || []);
    const measures = computed(() => answer.value?.measures || []);
    const dims = computed(() => answer.value?.group || []);
    const keyLabel = (row, dim) => {
      const label = row.labels?.[dim];
      return label ? String(label) : t('analytics.none');
    };
    /** A figure for people. */
    function show(m, v) {
      if (m === 'last_sale_day') return v || t('invReports.neverSold');
      if (v === null || v === undefined || v === '') return m === 'cover_days' ? '∞' : '—';
      if (MONEY.has(m)) return formatMoney(v, currency.value);
      if (MILLI.has(m)) return formatMilli(v);
      if (m === 'sell_through') return formatRate(v);
      if (m === 'cover_days') return t('invReports.daysValue', { n: v });
      return String(v);
    }
    const chartValue = (m, v) => {
      if (v === null || v === undefined || v === '') return 0;
      if (MONEY.has(m)) return Number(minorToMajor(v, currency.value));
      if (m === 'sell_through') return Number(v) * 100;
      return Number(v);
    };

    const columns = computed(() => [
      ...dims.value.map((d) => ({ key: `dim-${d}`, label: t(`invReports.dim.${d}`), width: 170, format: (r) => keyLabel(r, d) })),
      ...measures.value.map((m) => ({
        key: m, label: t(`invReports.measure.${m}`), align: 'right', format: (r) => show(m, r.values?.[m]),
        test: (r) => `invrep-cell-${m}-${dims.value.map((d) => r.keys?.[d]).join('-')}`,
      })),
    ]);
    const summary = ({ columns: cols }) => cols.map((_c, i) => {
      if (i === 0) return t('analytics.total');
      const col = columns.value[i];
      return col && measures.value.includes(col.key) && col.key !== 'last_sale_day' ? show(col.key, answer.value?.totals?.[col.key]) : '';
    });

    // A bar per row (the first 30) of the kind's main figure, labelled by the row's keys.
    const chartOption = () => {
      const a = answer.value;
      if (!a || !rows.value.length) return null;
      const m = CHART_MEASURE[a.kind];
      const list = rows.value.slice(0, 30);
      const fmt = (v) => (MONEY.has(m) ? chartMoney(v, currency.value) : m === 'sell_through' ? `${Number(v).toFixed(2)}%` : String(v));
      return {
        tooltip: { trigger: 'axis', valueFormatter: fmt },
        grid: { left: 80, right: 20, top: 30, bottom: 110 },
        xAxis: { type: 'category', data: list.map((r) => dims.value.map((d) => keyLabel(r, d)).join(' / ')), axisLabel: { rotate: 35, interval: 0 } },
        yAxis: { type: 'value', name: t(`invReports.measure.${m}`) },
        series: [{ type: 'bar', name: t(`invReports.measure.${m}`), data: list.map((r) => chartValue(m, r.values?.[m])), itemStyle: { color: '#409eff' } }],
      };
    };

    const exportUrl = (format) => (lastQuery.value
      ? apiUrl('/reports/inventory/export', { ...lastQuery.value, format, lang: locale.value })
      : '');

    onMounted(async () => {
      await Promise.all([locs.load(), catalog.load()]);
      run();
    });

    return {
      locs, catalog, form, errors, answer, loading, lastQuery, hasPeriod, hasDays, isDead, pickKind, run,
      rows, measures, columns, summary, chartOption, show, exportUrl, KINDS, GROUPS, DAYS_KINDS,
    };
  },
  template: `
    <div class="sp-page sp-reports" data-test="inventory-reports">
      <div class="sp-page-head">
        <h2>{{ $t('invReports.title') }}</h2>
        <div class="sp-doc-actions">
          <el-button tag="a" :href="exportUrl('csv')" download :disabled="!lastQuery" data-test="invrep-export-csv"><el-icon><Download /></el-icon><span>{{ $t('reports.exportCsv') }}</span></el-button>
          <el-button tag="a" :href="exportUrl('xlsx')" download :disabled="!lastQuery" data-test="invrep-export-xlsx"><el-icon><Download /></el-icon><span>{{ $t('reports.exportXlsx') }}</span></el-button>
        </div>
      </div>
      <el-form label-width="120px" class="sp-report-form" data-test="invrep-form" @submit.prevent>
        <el-form-item :label="$t('invReports.kind')" :error="errors.kind">
          <el-radio-group :model-value="form.kind" data-test="invrep-kind" @update:model-value="pickKind">
            <el-radio-button v-for="k in KINDS" :key="k" :value="k" :data-test="'invrep-kind-' + k">{{ $tv('invReports.kindName', k) }}</el-radio-button>
          </el-radio-group>
          <div class="sp-muted sp-small" data-test="invrep-help">{{ $tv('invReports.help', form.kind) }}</div>
        </el-form-item>
        <el-form-item v-if="!isDead" :label="$t('reports.groupBy')" :error="errors.group">
          <el-select v-model="form.group" class="sp-filter" data-test="invrep-group">
            <el-option v-for="g in GROUPS" :key="g" :value="g" :label="$tv('invReports.group', g)" :data-test="'invrep-group-option-' + g" />
          </el-select>
        </el-form-item>
        <el-form-item v-if="hasPeriod" :label="$t('reports.period')" :error="errors.period">
          <el-date-picker v-model="form.period" type="daterange" value-format="YYYY-MM-DD" :clearable="false" data-test="invrep-period" />
        </el-form-item>
        <el-form-item v-if="hasDays" :label="$t('invReports.days')" :error="errors.days">
          <el-input-number v-model="form.days" :min="1" :max="3650" controls-position="right" :placeholder="String(DAYS_KINDS[form.kind])" data-test="invrep-days" />
        </el-form-item>
        <el-form-item :label="$t('invReports.where')" :error="errors.locations || errors.category">
          <div class="sp-report-row">
            <el-select v-model="form.locations" multiple collapse-tags collapse-tags-tooltip clearable filterable class="sp-filter-wide" data-test="invrep-locations" :placeholder="$t('inventory.allLocations')">
              <el-option v-for="l in locs.locations.value" :key="l.id" :value="l.id" :label="l.code + ' · ' + l.name" :data-test="'invrep-location-option-' + l.code" />
            </el-select>
            <category-select v-model="form.category" :categories="catalog.categories.value" class="sp-filter-wide" data-test="invrep-category" />
          </div>
        </el-form-item>
        <el-form-item :label="$t('invReports.top')" :error="errors.top">
          <el-input-number v-model="form.top" :min="1" :max="10000" :step="10" controls-position="right" :placeholder="$t('reports.allRows')" data-test="invrep-top" />
        </el-form-item>
        <el-form-item>
          <el-button type="primary" :loading="loading" data-test="invrep-run" @click="run"><el-icon><Search /></el-icon><span>{{ $t('reports.run') }}</span></el-button>
          <span v-if="answer" class="sp-muted sp-small sp-report-meta" data-test="invrep-meta" :data-kind="answer.kind" :data-rows="answer.row_count">
            {{ $t('invReports.meta', { n: answer.row_count }) }}<template v-if="answer.from"> · {{ answer.from }} – {{ answer.to }}</template><template v-if="answer.days"> · {{ $t('invReports.lastDays', { n: answer.days }) }}</template><template v-if="answer.truncated"> · {{ $t('reports.truncated') }}</template>
          </span>
        </el-form-item>
      </el-form>

      <div v-if="answer" class="sp-stats sp-report-totals" data-test="invrep-totals">
        <div v-for="m in measures" :key="m" v-show="m !== 'last_sale_day' && m !== 'days_since_sale'" class="sp-figure">
          <span>{{ $tv('invReports.measure', m) }}</span>
          <strong :data-test="'invrep-total-' + m" :data-value="answer.totals[m] ?? ''">{{ show(m, answer.totals[m]) }}</strong>
        </div>
      </div>

      <chart-panel v-if="answer" :title="$tv('invReports.kindName', answer.kind)" test="invrep" :option="chartOption" :columns="columns" :rows="rows" :summary="summary" :height="380" :loading="loading" />
    </div>`,
};
