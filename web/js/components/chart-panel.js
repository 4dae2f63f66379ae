// A chart that can switch to its table: the ECharts option (a function, redrawn when what it
// reads changes and when the language changes) or the same figures as an el-table.
// Props: title, option (() => ECharts option | null), columns ([{ key, label, align, format,
// test }]), rows, test (data-test prefix: <test>, <test>-chart, <test>-table,
// <test>-show-chart / -show-table), height.
import { computed, nextTick, onBeforeUnmount, onMounted, ref, shallowRef, watch } from 'vue';
import { locale } from '../i18n.js';
import { loadEcharts } from '../analytics.js';

export default {
  name: 'ChartPanel',
  props: {
    title: { type: String, default: '' },
    option: { type: Function, required: true },
    columns: { type: Array, default: () => [] },
    rows: { type: Array, default: () => [] },
    test: { type: String, required: true },
    height: { type: Number, default: 320 },
    loading: { type: Boolean, default: false },
    summary: { type: Function, default: null },
  },
  setup(props) {
    const mode = ref('chart');
    const el = ref(null);
    const chart = shallowRef(null);
    const current = computed(() => (mode.value === 'chart' ? props.option() : null));

    async function draw() {
      await nextTick();
      if (mode.value !== 'chart' || !el.value) return;
      const option = current.value;
      const echarts = await loadEcharts();
      if (!echarts || !el.value) return; // the table still shows the figures
      if (chart.value && chart.value.getDom() !== el.value) {
        chart.value.dispose();
        chart.value = null;
      }
      chart.value ??= echarts.init(el.value);
      chart.value.setOption(option || { series: [] }, true);
      chart.value.resize();
    }
    watch([current, locale, mode], draw);
    const onResize = () => chart.value?.resize();
    onMounted(() => {
      window.addEventListener('resize', onResize);
      draw();
    });
    onBeforeUnmount(() => {
      window.removeEventListener('resize', onResize);
      chart.value?.dispose();
      chart.value = null;
    });
    const cell = (col, row) => (col.format ? col.format(row) : row[col.key]);
    return { mode, el, cell };
  },
  template: `
    <el-card class="sp-chart-panel" shadow="never" :data-test="test" :data-mode="mode">
      <template #header>
        <div class="sp-chart-panel-head">
          <span class="sp-chart-panel-title">{{ title }}</span>
          <span class="sp-chart-panel-tools">
            <slot name="tools" />
            <el-radio-group v-model="mode" size="small">
              <el-radio-button value="chart" :data-test="test + '-show-chart'">{{ $t('charts.chart') }}</el-radio-button>
              <el-radio-button value="table" :data-test="test + '-show-table'">{{ $t('charts.table') }}</el-radio-button>
            </el-radio-group>
          </span>
        </div>
      </template>
      <div v-if="mode === 'chart'" ref="el" class="sp-chart sp-chart-inner" :style="{ height: height + 'px' }" :data-test="test + '-chart'" v-loading="loading"></div>
      <el-table v-else :data="rows" border size="small" :data-test="test + '-table'" :empty-text="$t('list.empty')"
                :max-height="height + 80" :show-summary="!!summary" :summary-method="summary || undefined">
        <el-table-column v-for="col in columns" :key="col.key" :label="col.label" :align="col.align || 'left'" :min-width="col.width || 110">
          <template #default="{ row }"><span :data-test="col.test ? col.test(row) : undefined">{{ cell(col, row) }}</span></template>
        </el-table-column>
      </el-table>
    </el-card>`,
};
