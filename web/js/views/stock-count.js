// One stock count (盘点, #/stock-counts/<id>): the counting screen, made for a tablet with a
// scanner, and the variance report.
// - Counting (open, stock.manage): a big scan box that always has the focus (it takes it back
//   whenever it is lost to something that is not another input). A scanned code (Enter) adds 1
//   to its line (`mode: "add"`, sent as `barcode`, or as `product_id` when it is a SKU of the
//   count); `5*code` adds 5. "输入数量" on a line opens a big number field for a figure that
//   replaces what was counted (`mode: "set"`). The scans go to the server one after the other,
//   in the order they were made. A product not in the count (422 `not_in_count`) says so in red.
// - The lines: searchable, filterable (uncounted, counted, with a variance) and paged on the
//   device; the book figure and the variance only where the server gives them (a blind count
//   hides them from counters).
// - Submit (stock.manage), approve (stock.approve: posts counted − book as `count` movements) and
//   cancel (stock.approve), each with the `version` read. Approvers see the variance report:
//   the value of the variances, the lines that differ (largest value first) and the lines
//   nobody counted (left unchanged).
import { computed, nextTick, onBeforeUnmount, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { api, ApiError } from '../api.js';
import { has, t } from '../i18n.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { describeError, fieldMessage, formatTime, handleVersionConflict, showError } from '../forms.js';
import { formatMoney } from '../money.js';
import { confirmAction, formatQty, parseQty, signOf, tagType } from '../inventory.js';

const PAGE = 50;
const LINE_FILTERS = ['all', 'uncounted', 'counted', 'variance'];

export default {
  name: 'StockCountView',
  setup() {
    const id = route.params.id;
    const count = ref(null);
    const loading = ref(false);
    const acting = ref('');
    const scanText = ref('');
    const scanRef = ref(null);
    const last = reactive({ ok: true, text: '', sku: '' });
    const pending = ref(0);
    const view = reactive({ q: '', filter: 'all', page: 1 });

    const status = computed(() => count.value?.status || '');
    const counting = computed(() => status.value === 'open' && can('stock.manage'));
    const approver = computed(() => can('stock.approve'));
    const showBook = computed(() => (count.value?.lines || []).some((l) => l.expected !== null && l.expected !== undefined));
    const summary = computed(() => count.value?.summary || {});

    /**
     * Takes an answer of the server: the whole count, or (entries, actions) its id, status,
     * version, summary and the lines it touched, merged by product.
     */
    function take(answer) {
      if (!answer || !count.value) {
        if (answer) count.value = answer;
        return;
      }
      const { lines, ...rest } = answer;
      const next = { ...count.value, ...rest };
      if (Array.isArray(lines)) {
        const fresh = new Map(lines.map((l) => [l.product_id, l]));
        next.lines = count.value.lines.map((l) => (fresh.has(l.product_id) ? { ...l, ...fresh.get(l.product_id) } : l));
        const known = new Set(count.value.lines.map((l) => l.product_id));
        for (const l of lines) if (!known.has(l.product_id)) next.lines.push(l);
      }
      count.value = next;
    }

    async function load() {
      loading.value = true;
      try {
        count.value = await api.get(`/stock-counts/${encodeURIComponent(id)}`);
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    }

    // ---- the scan box keeps the focus
    const setDialog = reactive({ open: false, line: null, value: '', error: '', saving: false });
    function focusScan() {
      if (!counting.value || setDialog.open) return;
      nextTick(() => scanRef.value?.focus());
    }
    function onBlur() {
      setTimeout(() => {
        const el = document.activeElement;
        const elsewhere = el && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
        if (!elsewhere && !document.querySelector('.el-overlay:not([style*="display: none"]) .el-dialog, .el-message-box')) focusScan();
      }, 0);
    }

    // ---- entries, one after the other
    let chain = Promise.resolve();
    function send(line, describe) {
      pending.value += 1;
      chain = chain.then(async () => {
        try {
          // Each scan carries its own Idempotency-Key (api.create): a retried request counts once.
          const answer = await api.create(`/stock-counts/${encodeURIComponent(id)}/entries`, { lines: [line] });
          if (answer?.id) take(answer);
          else await load();
          const l = findLine(line);
          Object.assign(last, { ok: true, sku: l?.sku || '', text: describe(l) });
          return true;
        } catch (e) {
          const codes = e instanceof ApiError ? e.errors.map((x) => x.code) : [];
          const code = line.barcode || findLine(line)?.sku || '';
          let text = describeError(e);
          if (codes.includes('not_in_count')) text = t('counts.notInCount', { code });
          else if (codes.includes('not_found')) text = t('receive.unknownCode', { code });
          else if (e instanceof ApiError && e.errors.length) text = e.errors.map((x) => fieldMessage(x)).join('; ');
          Object.assign(last, { ok: false, sku: '', text });
          if (e instanceof ApiError && e.code === 'version_conflict') await load();
          return false;
        } finally {
          pending.value -= 1;
        }
      });
      return chain;
    }
    function findLine(line) {
      const lines = count.value?.lines || [];
      if (line.product_id) return lines.find((l) => l.product_id === line.product_id);
      return lines.find((l) => l.barcode === line.barcode || (l.barcodes || []).includes(line.barcode) || l.sku === line.barcode);
    }

    function onScan() {
      const raw = scanText.value.trim();
      scanText.value = '';
      focusScan();
      if (!raw) return;
      let quantity = '1';
      let code = raw;
      const m = /^(\d+(?:\.\d{1,3})?)\*(.+)$/.exec(raw);
      if (m) {
        quantity = formatQty(m[1]);
        code = m[2].trim();
      }
      const bySku = (count.value?.lines || []).find((l) => l.sku === code && l.barcode !== code);
      const line = bySku ? { product_id: bySku.product_id, quantity, mode: 'add' } : { barcode: code, quantity, mode: 'add' };
      send(line, (l) => t('counts.added', { qty: quantity, sku: l?.sku || code, name: l?.name_zh || '', counted: formatQty(l?.counted, { dash: true }) }));
    }

    function openSet(line) {
      Object.assign(setDialog, { open: true, line, value: line.counted === null || line.counted === undefined ? '' : formatQty(line.counted), error: '' });
    }
    async function confirmSet() {
      const q = parseQty(setDialog.value);
      if (q.error) {
        setDialog.error = t(`qty.${q.error}`);
        return;
      }
      setDialog.saving = true;
      const line = setDialog.line;
      const ok = await send({ product_id: line.product_id, quantity: q.value, mode: 'set' },
        (l) => t('counts.set', { sku: l?.sku || line.sku, name: l?.name_zh || '', counted: formatQty(l?.counted, { dash: true }) }));
      setDialog.saving = false;
      if (ok) {
        setDialog.open = false;
        focusScan();
      } else {
        setDialog.error = last.text;
      }
    }
    watch(() => setDialog.open, (open) => { if (!open) focusScan(); });

    // ---- the lines on screen
    const filtered = computed(() => {
      const q = view.q.trim().toLowerCase();
      return (count.value?.lines || []).filter((l) => {
        const counted = l.counted !== null && l.counted !== undefined;
        if (view.filter === 'uncounted' && counted) return false;
        if (view.filter === 'counted' && !counted) return false;
        if (view.filter === 'variance' && signOf(l.variance) === 0) return false;
        if (!q) return true;
        return [l.sku, l.name_zh, l.barcode].some((x) => String(x || '').toLowerCase().includes(q));
      });
    });
    watch(() => [view.q, view.filter], () => { view.page = 1; });
    const pageRows = computed(() => filtered.value.slice((view.page - 1) * PAGE, view.page * PAGE));
    const rowClass = ({ row }) => (row.sku === last.sku ? 'sp-selected-row' : signOf(row.variance) !== 0 ? 'sp-diff-row' : '');

    // ---- the variance report
    const varianceLines = computed(() => (count.value?.lines || [])
      .filter((l) => signOf(l.variance) !== 0)
      .sort((a, b) => Math.abs(b.variance_value_minor || 0) - Math.abs(a.variance_value_minor || 0)));
    const uncounted = computed(() => (count.value?.lines || []).filter((l) => l.counted === null || l.counted === undefined));
    const showReport = computed(() => ['submitted', 'approved'].includes(status.value) && approver.value
      && summary.value.variance_value_minor !== null && summary.value.variance_value_minor !== undefined);

    async function act(action, question) {
      if (question && !(await confirmAction(ElMessageBox, t, question, t(`counts.${action}`)))) {
        focusScan();
        return;
      }
      acting.value = action;
      try {
        const answer = await api.post(`/stock-counts/${encodeURIComponent(id)}/${action}`, { version: count.value.version });
        if (answer?.id) take(answer);
        else await load();
        ElMessage({ type: 'success', message: t(`counts.done.${action}`), customClass: 'sp-saved-toast' });
      } catch (e) {
        if (!(await handleVersionConflict(e, load))) showError(e);
      } finally {
        acting.value = '';
      }
    }
    const submit = () => act('submit', t('counts.submitQuestion', { n: uncounted.value.length }));
    const approve = () => act('approve', t('counts.approveQuestion', { value: formatMoney(summary.value.variance_value_minor ?? 0) }));
    const cancel = () => act('cancel', t('counts.cancelQuestion'));

    // Keys typed while nothing has the focus go to the scan box (a scanner "types" them).
    function onKeydown(e) {
      if (!counting.value || setDialog.open || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = document.activeElement;
      if (el && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) return;
      if (e.key.length === 1 || e.key === 'Enter') focusScan();
    }
    onMounted(async () => {
      document.addEventListener('keydown', onKeydown, true);
      await load();
      focusScan();
    });
    onBeforeUnmount(() => document.removeEventListener('keydown', onKeydown, true));

    const scopeText = computed(() => (count.value?.scope ? t(`countScope.${count.value.scope}`) : ''));
    return {
      count, loading, acting, scanText, scanRef, last, pending, view, status, counting, approver, showBook, summary,
      setDialog, onBlur, onScan, openSet, confirmSet, filtered, pageRows, rowClass, varianceLines, uncounted, showReport,
      submit, approve, cancel, scopeText, LINE_FILTERS, PAGE, formatQty, formatMoney, formatTime, signOf, tagType,
      back: () => navigate('/stock-counts'), hasKey: has,
    };
  },
  template: `
    <div class="sp-page" v-loading="loading && !count">
      <div class="sp-doc-head">
        <h2>
          <el-button link data-test="count-back" @click="back"><el-icon><Back /></el-icon></el-button>
          <span data-test="count-number">{{ count?.number }}</span>
          <el-tag v-if="count" :type="tagType('count', status)" data-test="count-status" :data-status="status">{{ $tv('countStatus', status) }}</el-tag>
          <el-tag v-if="count?.blind" type="info" effect="plain">{{ $t('counts.blind') }}</el-tag>
        </h2>
        <div class="sp-doc-actions" v-if="count">
          <el-button v-if="counting" type="primary" size="large" :loading="acting === 'submit'" data-test="count-submit" @click="submit">{{ $t('counts.submit') }}</el-button>
          <el-button v-if="status === 'submitted' && approver" type="success" size="large" :loading="acting === 'approve'" data-test="count-approve" @click="approve">{{ $t('counts.approve') }}</el-button>
          <el-button v-if="['open', 'submitted'].includes(status) && approver" type="danger" plain size="large" :loading="acting === 'cancel'"
                     data-test="count-cancel" @click="cancel">{{ $t('counts.cancel') }}</el-button>
        </div>
      </div>
      <template v-if="count">
        <div class="sp-stats">
          <div class="sp-figure"><span>{{ $t('inventory.location') }}</span><strong class="sp-small">{{ count.location_name }}</strong></div>
          <div class="sp-figure"><span>{{ $t('counts.scope') }}</span><strong class="sp-small">{{ scopeText }}</strong></div>
          <div class="sp-figure"><span>{{ $t('counts.snapshotAt') }}</span><strong class="sp-small">{{ formatTime(count.snapshot_at) }}</strong></div>
          <div class="sp-figure"><span>{{ $t('counts.progress') }}</span><strong data-test="count-progress">{{ summary.counted ?? 0 }} / {{ summary.lines ?? 0 }}</strong></div>
          <div v-if="summary.variance_lines !== null && summary.variance_lines !== undefined" class="sp-figure">
            <span>{{ $t('counts.varianceLines') }}</span><strong data-test="count-variance-lines">{{ summary.variance_lines }}</strong>
          </div>
          <div v-if="summary.variance_value_minor !== null && summary.variance_value_minor !== undefined" class="sp-figure">
            <span>{{ $t('counts.varianceValue') }}</span>
            <strong :class="summary.variance_value_minor < 0 ? 'sp-bad' : ''" data-test="count-variance-value" :data-minor="summary.variance_value_minor">{{ formatMoney(summary.variance_value_minor) }}</strong>
          </div>
        </div>

        <template v-if="counting">
          <div class="sp-scan-row">
            <el-input ref="scanRef" v-model="scanText" class="sp-scan" size="large" autocomplete="off" data-test="count-scan"
                      :placeholder="$t('counts.scanPlaceholder')" @keyup.enter="onScan" @blur="onBlur">
              <template #prefix><el-icon><FullScreen /></el-icon></template>
            </el-input>
            <el-tag v-if="pending" type="info" data-test="count-pending">{{ $t('counts.sending', { n: pending }) }}</el-tag>
          </div>
          <div v-if="last.text" :class="['sp-last-scan', 'sp-gap', { 'is-error': !last.ok }]" data-test="count-last" :data-ok="last.ok">{{ last.text }}</div>
          <p class="sp-list-note sp-muted">{{ $t('counts.scanHelp') }}</p>
        </template>

        <div v-if="showReport" class="sp-panel sp-gap" data-test="count-report">
          <h3 class="sp-drawer-h">{{ $t('counts.report') }}</h3>
          <el-table :data="varianceLines" size="small" border data-test="count-report-lines" :empty-text="$t('counts.noVariance')">
            <el-table-column prop="sku" :label="$t('inventory.sku')" width="130" />
            <el-table-column prop="name_zh" :label="$t('inventory.product')" min-width="180" />
            <el-table-column :label="$t('counts.expected')" width="90" align="right">
              <template #default="{ row }">{{ formatQty(row.expected, { dash: true }) }}</template>
            </el-table-column>
            <el-table-column :label="$t('counts.counted')" width="90" align="right">
              <template #default="{ row }">{{ formatQty(row.counted, { dash: true }) }}</template>
            </el-table-column>
            <el-table-column :label="$t('counts.variance')" width="90" align="right">
              <template #default="{ row }"><strong :class="signOf(row.variance) < 0 ? 'sp-bad' : 'sp-good'" :data-test="'count-report-variance-' + row.sku">{{ formatQty(row.variance, { signed: true }) }}</strong></template>
            </el-table-column>
            <el-table-column :label="$t('counts.varianceValue')" width="120" align="right">
              <template #default="{ row }"><span :class="row.variance_value_minor < 0 ? 'sp-bad' : ''">{{ formatMoney(row.variance_value_minor) }}</span></template>
            </el-table-column>
          </el-table>
          <p v-if="uncounted.length" class="sp-list-note sp-muted sp-gap-top" data-test="count-uncounted" :data-n="uncounted.length">
            {{ $t('counts.uncountedNote', { n: uncounted.length }) }}
          </p>
        </div>

        <div class="sp-filters">
          <el-input v-model="view.q" clearable class="sp-search" data-test="count-lines-q" :placeholder="$t('counts.linesSearch')" />
          <el-radio-group v-model="view.filter" data-test="count-lines-filter">
            <el-radio-button v-for="f in LINE_FILTERS" :key="f" :value="f" :data-test="'count-lines-filter-' + f">{{ $tv('countLineFilter', f) }}</el-radio-button>
          </el-radio-group>
        </div>
        <el-table :data="pageRows" border class="sp-count-table" data-test="count-lines" :row-class-name="rowClass" :empty-text="$t('list.empty')">
          <el-table-column prop="sku" :label="$t('inventory.sku')" width="130" />
          <el-table-column :label="$t('inventory.product')" min-width="160">
            <template #default="{ row }"><span :data-test="'count-line-' + row.sku">{{ row.name_zh }}</span></template>
          </el-table-column>
          <el-table-column prop="barcode" :label="$t('inventory.barcode')" width="140" />
          <el-table-column v-if="showBook" :label="$t('counts.expected')" width="90" align="right">
            <template #default="{ row }"><span :data-test="'count-expected-' + row.sku">{{ formatQty(row.expected, { dash: true }) }}</span></template>
          </el-table-column>
          <el-table-column :label="$t('counts.counted')" width="100" align="right">
            <template #default="{ row }"><span class="sp-count-figure" :data-test="'count-counted-' + row.sku">{{ formatQty(row.counted, { dash: true }) }}</span></template>
          </el-table-column>
          <el-table-column v-if="showBook" :label="$t('counts.variance')" width="90" align="right">
            <template #default="{ row }">
              <span :class="signOf(row.variance) < 0 ? 'sp-bad' : signOf(row.variance) > 0 ? 'sp-good' : ''" :data-test="'count-variance-' + row.sku">{{ formatQty(row.variance, { dash: true, signed: true }) }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="$t('counts.countedAt')" min-width="150">
            <template #default="{ row }">{{ formatTime(row.counted_at) }}</template>
          </el-table-column>
          <el-table-column v-if="counting" width="140" fixed="right">
            <template #default="{ row }">
              <el-button size="large" class="sp-touch" :data-test="'count-set-' + row.sku" @click="openSet(row)">{{ $t('counts.typeFigure') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <div class="sp-load-more" v-if="filtered.length > PAGE">
          <el-pagination v-model:current-page="view.page" :page-size="PAGE" :total="filtered.length" layout="prev, pager, next, total" background />
        </div>
      </template>

      <el-dialog v-model="setDialog.open" :title="$t('counts.typeFigure')" width="420px" data-test="count-set-dialog" :close-on-click-modal="false">
        <p v-if="setDialog.line" class="sp-muted">{{ setDialog.line.sku }} · {{ setDialog.line.name_zh }}</p>
        <el-form @submit.prevent="confirmSet">
          <el-form-item :error="setDialog.error">
            <el-input v-model="setDialog.value" class="sp-numpad-input" inputmode="decimal" autofocus data-test="count-set-input" @keyup.enter="confirmSet" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button size="large" class="sp-touch" @click="setDialog.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" size="large" class="sp-touch" :loading="setDialog.saving" data-test="count-set-confirm" @click="confirmSet">{{ $t('common.ok') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
