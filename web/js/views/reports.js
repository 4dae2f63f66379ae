// Sales reports (销售报表, #/reports, reports.read): GET /reports/sales (docs/analytics.md) for a
// period of business days (quick periods: today … this year), stores and regions in scope and
// channels,
// grouped by one or two dimensions, the chosen measures, compared with the previous period or
// the same period last year (the differences in value and per cent), top / bottom N by a
// measure; a chart that switches to its table; CSV / XLSX export of the same query
// (GET /reports/sales/export, headers in the UI's language); and a heat map of hour × weekday
// (group=weekday,hour) for the same period and stores (not with a channel filter: the hourly
// rollup does not know channels). The server's field errors (`/from`,
// `/group` …) go under their form items.
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { api, apiUrl } from '../api.js';
import { locale, t } from '../i18n.js';
import { describeError, fieldMessage, propOf, showError } from '../forms.js';
import { session } from '../session.js';
import { navigate } from '../router.js';
import {
  channelFilterable, chartMoney, chartNumber, combinable, COMPARE_MODES, DIMENSIONS, formatDiff, formatMeasure, formatPct, isMoney, MEASURES,
  QUICK_PERIODS, quickPeriod, businessToday, TENDER_MEASURES, TIME_DIMENSIONS, useScopePicker,
} from '../analytics.js';
import ChartPanel from '../components/chart-panel.js';

const HEAT_MEASURES = ['revenue', 'orders', 'quantity'];
const FORM_PROPS = ['period', 'group', 'stores', 'regions', 'measures', 'compare', 'top', 'order'];
// The API's parameters → the form item that shows their errors.
const PARAM_PROP = { from: 'period', to: 'period', group: 'group', stores: 'stores', regions: 'regions', channels: 'stores', measures: 'measures', compare: 'compare', top: 'top', order: 'order' };

export default {
  name: 'ReportsView',
  components: { ChartPanel },
  setup() {
    const picker = useScopePicker();
    const form = reactive({
      quick: 'this_month',
      period: quickPeriod('this_month'),
      dim1: 'store',
      dim2: '',
      stores: [],
      regions: [],
      channels: [],
      measures: ['revenue', 'orders', 'avg_basket', 'margin'],
      compare: '',
      top: null,
      orderMeasure: '',
      orderDir: 'desc',
    });
    const errors = reactive(Object.fromEntries(FORM_PROPS.map((p) => [p, ''])));
    const clearErrors = () => FORM_PROPS.forEach((p) => { errors[p] = ''; });
    const answer = ref(null);
    const loading = ref(false);
    const lastQuery = ref(null);
    const chartMeasure = ref('revenue');

    const tenderGroup = computed(() => form.dim1 === 'tender' || form.dim2 === 'tender');
    const allowedMeasures = computed(() => (tenderGroup.value ? TENDER_MEASURES : MEASURES));
    watch(allowedMeasures, (list) => {
      form.measures = form.measures.filter((m) => list.includes(m));
      if (!form.measures.length) form.measures = [list[0]];
    });
    watch(() => form.dim1, (d) => {
      if (form.dim2 && !combinable(d, form.dim2)) form.dim2 = '';
    });
    // With a channel filter only store, region, time and channel groupings (the channel rollup).
    const dimAllowed = (d) => !form.channels.length || channelFilterable(d);
    const dim2Allowed = (d) => combinable(form.dim1, d) && dimAllowed(d);
    watch(() => form.channels.length, () => {
      if (!dimAllowed(form.dim1)) form.dim1 = 'store';
      if (form.dim2 && !dim2Allowed(form.dim2)) form.dim2 = '';
    });

    // Quick periods count from the business day of the first store in view (the first chosen,
    // else the first of the caller's stores), as the server files sales.
    function pickQuick(name) {
      form.quick = name;
      const id = form.stores[0];
      const store = picker.stores.value.find((s) => s.id === id) || picker.stores.value[0];
      form.period = quickPeriod(name, businessToday(store));
      run();
    }
    // Picking days by hand leaves the quick choice.
    const onPeriod = () => { form.quick = ''; };

    function query() {
      const group = [form.dim1, form.dim2].filter(Boolean).join(',');
      const measures = form.measures.filter((m) => allowedMeasures.value.includes(m));
      let order = '';
      if (form.orderMeasure) order = (form.orderDir === 'desc' ? '-' : '') + form.orderMeasure;
      else if (form.top) order = (form.orderDir === 'desc' ? '-' : '') + (measures[0] || 'revenue');
      return {
        from: form.period?.[0] || '',
        to: form.period?.[1] || '',
        group,
        stores: form.stores.join(','),
        regions: form.regions.join(','),
        channels: form.channels.join(','),
        measures: measures.join(','),
        compare: form.compare,
        top: form.top || '',
        order,
      };
    }

    function placeErrors(e) {
      let placed = false;
      for (const fe of e?.errors || []) {
        const prop = PARAM_PROP[propOf(fe.field)];
        if (!prop) continue;
        errors[prop] = errors[prop] ? `${errors[prop]}; ${fieldMessage(fe)}` : fieldMessage(fe);
        placed = true;
      }
      // A grouping the server will not run (too many rows, an unsupported pair): at the group.
      if (!placed && ['too_many_rows', 'unsupported_grouping'].includes(e?.code)) {
        errors.group = describeError(e);
        placed = true;
      }
      return placed;
    }

    async function run() {
      clearErrors();
      if (!form.period?.[0] || !form.period?.[1]) {
        errors.period = t('fieldError.required');
        return;
      }
      if (!form.measures.length) {
        errors.measures = t('fieldError.required');
        return;
      }
      const q = query();
      loading.value = true;
      try {
        const res = await api.get('/reports/sales', q);
        answer.value = res;
        lastQuery.value = q;
        const ms = res?.measures || [];
        if (!ms.includes(chartMeasure.value)) chartMeasure.value = ms[0] || 'revenue';
        loadHeat();
      } catch (e) {
        if (!placeErrors(e)) showError(e);
      } finally {
        loading.value = false;
      }
    }

    // What the answer holds.
    const currency = computed(() => session.company?.currency);
    const dims = computed(() => answer.value?.group || []);
    const measures = computed(() => answer.value?.measures || []);
    const compared = computed(() => !!answer.value?.compare);
    const rows = computed(() => answer.value?.rows || []);
    const weekdayName = (v) => (v ? t(`weekday.${v}`) : '');
    const keyLabel = (row, dim) => {
      const key = row.keys?.[dim];
      if (dim === 'weekday') return weekdayName(key);
      if (dim === 'hour') return key === null || key === undefined ? '' : `${String(key).padStart(2, '0')}:00`;
      if (dim === 'tier' && key === '') return t('analytics.nonMember');
      const label = row.labels?.[dim];
      if (label !== undefined && label !== null && label !== '') return String(label);
      return key === null || key === undefined || key === '' ? t('analytics.none') : String(key);
    };
    const value = (m, v) => formatMeasure(m, v, currency.value);
    const diffClass = (v) => {
      const n = Number(v);
      return !Number.isFinite(n) || n === 0 ? '' : n > 0 ? 'sp-up' : 'sp-down';
    };

    const columns = computed(() => {
      const cols = dims.value.map((d) => ({
        key: `dim-${d}`, label: t(`analytics.dim.${d}`), width: 150, format: (r) => keyLabel(r, d),
      }));
      for (const m of measures.value) {
        cols.push({ key: m, label: t(`analytics.measure.${m}`), align: 'right', format: (r) => value(m, r.values?.[m]) });
        if (compared.value) {
          cols.push({ key: `${m}-cmp`, label: `${t(`analytics.measure.${m}`)} · ${t(`analytics.compareShort.${answer.value.compare.mode}`)}`, align: 'right', format: (r) => value(m, r.compare?.[m]) });
          cols.push({ key: `${m}-diff`, label: `${t(`analytics.measure.${m}`)} · ${t('analytics.diff')}`, align: 'right', format: (r) => formatDiff(m, r.diff?.[m], currency.value) });
          cols.push({ key: `${m}-pct`, label: `${t(`analytics.measure.${m}`)} · ${t('analytics.diffPct')}`, align: 'right', format: (r) => formatPct(r.diff_pct?.[m]) });
        }
      }
      return cols;
    });
    const summary = ({ columns: cols }) => cols.map((_c, i) => {
      if (i === 0) return t('analytics.total');
      const col = columns.value[i];
      if (!col) return '';
      const sums = answer.value?.totals || {};
      const cmp = answer.value?.compare_totals || {};
      if (measures.value.includes(col.key)) return value(col.key, sums[col.key]);
      const m = col.key.replace(/-(cmp|diff|pct)$/, '');
      if (col.key.endsWith('-cmp')) return value(m, cmp[m]);
      const x = totals.value.find((y) => y.m === m);
      if (col.key.endsWith('-diff')) return x ? formatDiff(m, x.diff, currency.value) : '';
      if (col.key.endsWith('-pct')) return x && m !== 'return_rate' ? formatPct(x.pct) : '';
      return '';
    });

    // The totals strip (with the comparison, its difference and per cent, worked out here from the two totals).
    const totals = computed(() => measures.value.map((m) => {
      const cur = answer.value?.totals?.[m];
      const prev = answer.value?.compare_totals?.[m];
      let diff = null;
      let pct = null;
      if (compared.value && cur !== undefined && prev !== undefined && m !== 'return_rate') {
        diff = Number(cur) - Number(prev);
        pct = Number(prev) ? ((diff / Math.abs(Number(prev))) * 100).toFixed(2) : null;
      } else if (compared.value && m === 'return_rate' && cur !== undefined && prev !== undefined) {
        diff = (Number(cur) - Number(prev)).toFixed(4);
      }
      return { m, cur, prev, diff, pct };
    }));

    // The chart: a heat map for weekday × hour, a line over time, bars otherwise; with two
    // dimensions one series per value of the second (the ten largest).
    const chartOption = () => {
      const a = answer.value;
      if (!a || !rows.value.length) return null;
      const m = chartMeasure.value;
      const num = (v) => chartNumber(m, v, currency.value);
      const fmt = (v) => (isMoney(m) ? chartMoney(v, currency.value) : String(v));
      const [d1, d2] = dims.value;
      if (d2 && new Set([d1, d2]).has('weekday') && new Set([d1, d2]).has('hour')) return heatOption(rows.value, m);
      if (!d2) {
        const list = rows.value;
        const line = TIME_DIMENSIONS.has(d1);
        const series = [{ type: line ? 'line' : 'bar', name: t('analytics.current'), data: list.map((r) => num(r.values?.[m])), smooth: line, itemStyle: { color: '#409eff' } }];
        if (compared.value) {
          series.push({ type: line ? 'line' : 'bar', name: t(`analytics.compareShort.${a.compare.mode}`), data: list.map((r) => num(r.compare?.[m])), smooth: line, lineStyle: { type: 'dashed' }, itemStyle: { color: '#c0c4cc' } });
        }
        return {
          tooltip: { trigger: 'axis', valueFormatter: fmt },
          legend: { top: 0 },
          grid: { left: 70, right: 20, top: 36, bottom: 90 },
          xAxis: { type: 'category', data: list.map((r) => keyLabel(r, d1)), axisLabel: { rotate: list.length > 8 ? 35 : 0, interval: 'auto' } },
          yAxis: { type: 'value', name: t(`analytics.measure.${m}`) },
          series,
        };
      }
      // Two dimensions: the time one (if any) on the axis.
      const [axisDim, seriesDim] = TIME_DIMENSIONS.has(d2) && !TIME_DIMENSIONS.has(d1) ? [d2, d1] : [d1, d2];
      const axis = [];
      const axisKey = new Map();
      const bySeries = new Map();
      for (const r of rows.value) {
        const ak = String(r.keys?.[axisDim]);
        if (!axisKey.has(ak)) {
          axisKey.set(ak, axis.length);
          axis.push(keyLabel(r, axisDim));
        }
        const sk = String(r.keys?.[seriesDim]);
        if (!bySeries.has(sk)) bySeries.set(sk, { name: keyLabel(r, seriesDim), values: new Map(), total: 0 });
        const s = bySeries.get(sk);
        s.values.set(ak, num(r.values?.[m]));
        s.total += Math.abs(num(r.values?.[m]));
      }
      const line = TIME_DIMENSIONS.has(axisDim);
      const keys = [...axisKey.keys()];
      const series = [...bySeries.values()].sort((x, y) => y.total - x.total).slice(0, 10).map((s) => ({
        type: line ? 'line' : 'bar', name: s.name, smooth: line, data: keys.map((k) => s.values.get(k) ?? 0),
      }));
      return {
        tooltip: { trigger: 'axis', valueFormatter: fmt },
        legend: { top: 0, type: 'scroll' },
        grid: { left: 70, right: 20, top: 40, bottom: 90 },
        xAxis: { type: 'category', data: axis, axisLabel: { rotate: axis.length > 8 ? 35 : 0 } },
        yAxis: { type: 'value', name: t(`analytics.measure.${m}`) },
        series,
      };
    };

    function heatOption(list, m) {
      const hours = Array.from({ length: 24 }, (_v, h) => `${String(h).padStart(2, '0')}:00`);
      const days = [1, 2, 3, 4, 5, 6, 7].map(weekdayName);
      const data = list.map((r) => [Number(r.keys?.hour), Number(r.keys?.weekday) - 1, chartNumber(m, r.values?.[m], currency.value)]);
      const max = Math.max(1, ...data.map((d) => d[2]));
      return {
        tooltip: { position: 'top', formatter: (p) => `${days[p.value[1]]} ${hours[p.value[0]]}: ${isMoney(m) ? chartMoney(p.value[2], currency.value) : p.value[2]}` },
        grid: { left: 70, right: 20, top: 10, bottom: 80 },
        xAxis: { type: 'category', data: hours, splitArea: { show: true } },
        yAxis: { type: 'category', data: days, splitArea: { show: true }, inverse: true },
        visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f2f6fc', '#79bbff', '#337ecc'] } },
        series: [{ type: 'heatmap', name: t(`analytics.measure.${m}`), data, label: { show: false } }],
      };
    }

    // The heat map of hour × weekday for the same period and stores.
    const heat = reactive({ measure: 'revenue', rows: [], loading: false });
    async function loadHeat() {
      const q = lastQuery.value;
      heat.rows = [];
      if (!q || q.channels) return;
      heat.loading = true;
      try {
        const res = await api.get('/reports/sales', {
          from: q.from, to: q.to, stores: q.stores, regions: q.regions, group: 'weekday,hour', measures: HEAT_MEASURES.join(','),
        });
        heat.rows = res?.rows || [];
      } catch (e) {
        heat.rows = [];
        showError(e);
      } finally {
        heat.loading = false;
      }
    }
    const heatChart = () => (heat.rows.length ? heatOption(heat.rows, heat.measure) : null);
    const heatTable = computed(() => [1, 2, 3, 4, 5, 6, 7].map((wd) => {
      const row = { weekday: wd };
      for (const r of heat.rows) if (Number(r.keys?.weekday) === wd) row[`h${Number(r.keys?.hour)}`] = r.values?.[heat.measure];
      return row;
    }));
    const heatColumns = computed(() => [
      { key: 'weekday', label: t('analytics.dim.weekday'), width: 80, format: (r) => weekdayName(r.weekday) },
      ...Array.from({ length: 24 }, (_v, h) => ({
        key: `h${h}`, label: String(h).padStart(2, '0'), align: 'right', width: 80,
        format: (r) => (r[`h${h}`] === undefined ? '' : value(heat.measure, r[`h${h}`])),
      })),
    ]);

    const exportUrl = (format) => (lastQuery.value
      ? apiUrl('/reports/sales/export', { ...lastQuery.value, format, lang: locale.value })
      : '');
    const goInventory = () => navigate('/inventory-reports');

    onMounted(async () => {
      await picker.load();
      run();
    });

    return {
      picker, form, errors, answer, loading, chartMeasure, tenderGroup, allowedMeasures, dimAllowed, dim2Allowed, pickQuick, onPeriod, run,
      currency, dims, measures, compared, rows, columns, summary, totals, chartOption, value, formatDiff, formatPct, diffClass,
      heat, heatChart, heatTable, heatColumns, exportUrl, goInventory, lastQuery,
      DIMENSIONS, MEASURES, COMPARE_MODES, QUICK_PERIODS, HEAT_MEASURES,
    };
  },
  template: `
    <div class="sp-page sp-reports" data-test="reports">
      <div class="sp-page-head">
        <h2>{{ $t('reports.title') }}</h2>
        <div class="sp-doc-actions">
          <el-button data-test="report-inventory" @click="goInventory"><el-icon><Histogram /></el-icon><span>{{ $t('reports.inventory') }}</span></el-button>
          <el-button tag="a" :href="exportUrl('csv')" download :disabled="!lastQuery" data-test="report-export-csv"><el-icon><Download /></el-icon><span>{{ $t('reports.exportCsv') }}</span></el-button>
          <el-button tag="a" :href="exportUrl('xlsx')" download :disabled="!lastQuery" data-test="report-export-xlsx"><el-icon><Download /></el-icon><span>{{ $t('reports.exportXlsx') }}</span></el-button>
        </div>
      </div>
      <el-form label-width="120px" class="sp-report-form" data-test="report-form" @submit.prevent>
        <el-form-item :label="$t('reports.period')" :error="errors.period" data-test="report-field-period">
          <div class="sp-report-period">
            <el-date-picker v-model="form.period" type="daterange" value-format="YYYY-MM-DD" :clearable="false" data-test="report-period" @change="onPeriod" />
            <el-button-group>
              <el-button v-for="q in QUICK_PERIODS" :key="q" size="small" :type="form.quick === q ? 'primary' : ''" :data-test="'report-quick-' + q"
                         :data-active="form.quick === q" @click="pickQuick(q)">{{ $tv('quickPeriod', q) }}</el-button>
            </el-button-group>
          </div>
        </el-form-item>
        <el-form-item :label="$t('reports.where')" :error="errors.stores || errors.regions" data-test="report-field-stores">
          <div class="sp-report-row">
            <el-select v-model="form.regions" multiple collapse-tags collapse-tags-tooltip clearable filterable class="sp-filter-wide" data-test="report-regions" :placeholder="$t('reports.allRegions')">
              <el-option v-for="r in picker.regions.value" :key="r.id" :value="r.id" :label="r.name" :data-test="'report-region-option-' + r.code" />
            </el-select>
            <el-select v-model="form.stores" multiple collapse-tags collapse-tags-tooltip clearable filterable class="sp-filter-wide" data-test="report-stores" :placeholder="$t('reports.allStores')">
              <el-option v-for="s in picker.stores.value" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'report-store-option-' + s.code" />
            </el-select>
            <el-select v-model="form.channels" multiple collapse-tags collapse-tags-tooltip clearable class="sp-filter-wide" data-test="report-channels" :placeholder="$t('reports.allChannels')">
              <el-option v-for="c in picker.channels.value" :key="c.id" :value="c.id" :label="c.name" :data-test="'report-channel-option-' + c.code" />
            </el-select>
          </div>
        </el-form-item>
        <el-form-item :label="$t('reports.groupBy')" :error="errors.group" data-test="report-field-group">
          <div class="sp-report-row">
            <el-select v-model="form.dim1" class="sp-filter" data-test="report-group-1">
              <el-option v-for="d in DIMENSIONS" :key="d" :value="d" :label="$tv('analytics.dim', d)" :disabled="!dimAllowed(d)" :data-test="'report-dim1-option-' + d" />
            </el-select>
            <span class="sp-muted">×</span>
            <el-select v-model="form.dim2" clearable class="sp-filter" data-test="report-group-2" :placeholder="$t('reports.secondDim')">
              <el-option v-for="d in DIMENSIONS" :key="d" :value="d" :label="$tv('analytics.dim', d)" :disabled="!dim2Allowed(d)" :data-test="'report-dim2-option-' + d" />
            </el-select>
          </div>
        </el-form-item>
        <el-form-item :label="$t('reports.measures')" :error="errors.measures" data-test="report-field-measures">
          <el-checkbox-group v-model="form.measures" data-test="report-measures">
            <el-checkbox v-for="m in MEASURES" :key="m" :value="m" :disabled="!allowedMeasures.includes(m)" :data-test="'report-measure-' + m">{{ $tv('analytics.measure', m) }}</el-checkbox>
          </el-checkbox-group>
        </el-form-item>
        <el-form-item :label="$t('reports.compare')" :error="errors.compare" data-test="report-field-compare">
          <el-radio-group v-model="form.compare">
            <el-radio value="" data-test="report-compare-none">{{ $t('reports.compareNone') }}</el-radio>
            <el-radio v-for="c in COMPARE_MODES" :key="c" :value="c" :data-test="'report-compare-' + c">{{ $tv('analytics.compare', c) }}</el-radio>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="$t('reports.rank')" :error="errors.top || errors.order" data-test="report-field-top">
          <div class="sp-report-row">
            <el-select v-model="form.orderMeasure" clearable class="sp-filter" data-test="report-order" :placeholder="$t('reports.orderByKeys')">
              <el-option v-for="m in allowedMeasures" :key="m" :value="m" :label="$tv('analytics.measure', m)" :data-test="'report-order-option-' + m" />
            </el-select>
            <el-radio-group v-model="form.orderDir" size="small">
              <el-radio-button value="desc" data-test="report-order-desc">{{ $t('reports.topN') }}</el-radio-button>
              <el-radio-button value="asc" data-test="report-order-asc">{{ $t('reports.bottomN') }}</el-radio-button>
            </el-radio-group>
            <el-input-number v-model="form.top" :min="1" :max="10000" :step="10" controls-position="right" :placeholder="$t('reports.allRows')" data-test="report-top" />
          </div>
        </el-form-item>
        <el-form-item>
          <el-button type="primary" :loading="loading" data-test="report-run" @click="run"><el-icon><Search /></el-icon><span>{{ $t('reports.run') }}</span></el-button>
          <span v-if="answer" class="sp-muted sp-small sp-report-meta" data-test="report-meta" :data-rows="answer.row_count">
            {{ $t('reports.meta', { from: answer.from, to: answer.to, n: answer.row_count }) }}
            <template v-if="answer.compare"> · {{ $t('reports.compareMeta', { from: answer.compare.from, to: answer.compare.to }) }}</template>
            <template v-if="answer.truncated"> · {{ $t('reports.truncated') }}</template>
          </span>
        </el-form-item>
      </el-form>

      <div v-if="answer" class="sp-stats sp-report-totals" data-test="report-totals">
        <div v-for="x in totals" :key="x.m" class="sp-figure">
          <span>{{ $tv('analytics.measure', x.m) }}</span>
          <strong :data-test="'report-total-' + x.m" :data-value="x.cur ?? ''">{{ value(x.m, x.cur) }}</strong>
          <small v-if="compared" :class="diffClass(x.diff)" :data-test="'report-total-diff-' + x.m" :data-value="x.diff ?? ''">
            {{ $t('reports.versus', { value: value(x.m, x.prev) }) }} · {{ formatDiff(x.m, x.diff, currency) }} ({{ formatPct(x.pct) }})
          </small>
        </div>
      </div>

      <chart-panel v-if="answer" :title="$t('reports.chart')" test="report" :option="chartOption" :columns="columns" :rows="rows" :summary="summary" :height="380" :loading="loading">
        <template #tools>
          <el-select v-model="chartMeasure" size="small" class="sp-filter" data-test="report-chart-measure">
            <el-option v-for="m in measures" :key="m" :value="m" :label="$tv('analytics.measure', m)" :data-test="'report-chart-measure-option-' + m" />
          </el-select>
        </template>
      </chart-panel>

      <chart-panel v-if="answer && !lastQuery?.channels" :title="$t('reports.heatmap')" test="report-heatmap" :option="heatChart" :columns="heatColumns" :rows="heatTable" :height="320" :loading="heat.loading">
        <template #tools>
          <el-select v-model="heat.measure" size="small" class="sp-filter" data-test="report-heatmap-measure">
            <el-option v-for="m in HEAT_MEASURES" :key="m" :value="m" :label="$tv('analytics.measure', m)" />
          </el-select>
        </template>
      </chart-panel>
    </div>`,
};
