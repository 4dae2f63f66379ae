// Receiving a purchase order (采购收货, #/purchase-orders/<id>/receive, stock.manage): per line
// the quantity of this delivery, by default what remains. The scan box has the focus: a scanned
// barcode (GET /scan/{code}) adds 1 to its line (a scale label its weight); "清零逐件扫描" starts
// every line at 0 for counting piece by piece. More than remains shows a warning at the line
// (up to 10 % more is accepted with an `over_delivery` warning, beyond that the server refuses
// at `/lines/i/quantity`). POST /purchase-orders/{id}/receive (Idempotency-Key) sends the
// non-zero lines; the order then shows the receipt and its warnings.
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { navigate, route } from '../router.js';
import { showError } from '../forms.js';
import { addQty, cmpQty, formatQty, lineErrors, lineErrorText, parseQty, subQty, tagType, toMilli } from '../inventory.js';
import { warningText } from './purchase-order.js';

export default {
  name: 'PurchaseOrderReceiveView',
  setup() {
    const id = route.params.id;
    const po = ref(null);
    const loading = ref(false);
    const saving = ref(false);
    const qty = reactive({});
    const errors = ref({});
    const notes = ref('');
    const scanText = ref('');
    const scanInput = ref(null);
    const last = reactive({ ok: true, text: '', line: null });
    const byProduct = new Map(); // product id → line_no
    const codes = new Map(); // scanned code → product id (asked once)

    const open = computed(() => po.value && ['approved', 'partially_received'].includes(po.value.status));

    async function load() {
      loading.value = true;
      try {
        po.value = await api.get(`/purchase-orders/${encodeURIComponent(id)}`);
        byProduct.clear();
        for (const l of po.value.lines) {
          byProduct.set(l.product_id, l.line_no);
          qty[l.line_no] = cmpQty(l.remaining, '0') > 0 ? formatQty(l.remaining) : '0';
        }
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    }

    const focusScan = () => nextTick(() => scanInput.value?.focus());

    function allToZero() {
      for (const l of po.value?.lines || []) qty[l.line_no] = '0';
      errors.value = {};
      focusScan();
    }
    function allToRemaining() {
      for (const l of po.value?.lines || []) qty[l.line_no] = cmpQty(l.remaining, '0') > 0 ? formatQty(l.remaining) : '0';
      errors.value = {};
      focusScan();
    }

    async function productOf(code) {
      if (codes.has(code)) return codes.get(code);
      const bySku = po.value.lines.find((l) => l.sku === code);
      if (bySku) return { id: bySku.product_id, quantity: null };
      try {
        const answer = await api.get(`/scan/${encodeURIComponent(code)}`);
        const found = { id: answer?.product?.id, quantity: answer?.quantity ?? null };
        codes.set(code, found);
        return found;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    }

    async function onScan() {
      const code = scanText.value.trim();
      scanText.value = '';
      if (!code || !po.value) return;
      try {
        const found = await productOf(code);
        const lineNo = found ? byProduct.get(found.id) : undefined;
        if (lineNo === undefined) {
          Object.assign(last, { ok: false, text: found ? t('receive.notOnOrder', { code }) : t('receive.unknownCode', { code }), line: null });
          return;
        }
        const step = found.quantity ? formatQty(found.quantity) : '1';
        qty[lineNo] = addQty(parseQty(qty[lineNo], { allowEmpty: true }).value || '0', step);
        const line = po.value.lines.find((l) => l.line_no === lineNo);
        Object.assign(last, { ok: true, text: t('receive.scanned', { sku: line.sku, name: line.name_zh, qty: qty[lineNo] }), line: lineNo });
      } catch (e) {
        showError(e);
      } finally {
        focusScan();
      }
    }

    /** The warning of a line while typing: more than remains (allowed up to 10 %), or far more. */
    function lineWarning(l) {
      const q = parseQty(qty[l.line_no], { allowEmpty: true });
      if (q.error) return { level: 'error', text: t(`qty.${q.error}`) };
      if (!q.value || cmpQty(q.value, l.remaining) <= 0) return null;
      const over = subQty(q.value, l.remaining);
      const limit = (toMilli(l.remaining) ?? 0n) * 11n / 10n;
      const tooMuch = (toMilli(q.value) ?? 0n) > limit;
      return { level: tooMuch ? 'error' : 'warning', text: t(tooMuch ? 'receive.overLimit' : 'receive.over', { n: formatQty(over) }) };
    }
    const rowClass = ({ row }) => (row.line_no === last.line ? 'sp-selected-row' : lineWarning(row) ? 'sp-warn-row' : '');
    const totalNow = computed(() => (po.value?.lines || []).reduce((s, l) => addQty(s, parseQty(qty[l.line_no], { allowEmpty: true }).value || '0'), '0'));

    async function submit() {
      errors.value = {};
      const lines = [];
      const local = {};
      for (const l of po.value.lines) {
        const q = parseQty(qty[l.line_no], { allowEmpty: true });
        if (q.error) local[l.line_no] = { quantity: t(`qty.${q.error}`) };
        else if (q.value && cmpQty(q.value, '0') > 0) lines.push({ line_no: l.line_no, quantity: q.value });
      }
      if (Object.keys(local).length) {
        errors.value = local;
        return;
      }
      if (!lines.length) {
        ElMessage({ type: 'warning', message: t('receive.nothing') });
        return;
      }
      saving.value = true;
      try {
        const answer = await api.create(`/purchase-orders/${encodeURIComponent(id)}/receive`, { lines, notes: notes.value.trim() });
        const receipt = (answer?.receipts || []).at(-1);
        const warnings = receipt?.warnings || [];
        if (warnings.length) {
          ElMessage({ type: 'warning', message: warnings.map((w) => warningText(w, receipt)).join('；'), customClass: 'sp-receive-warning-toast', duration: 6000 });
        } else {
          ElMessage({ type: 'success', message: t('receive.done'), customClass: 'sp-saved-toast' });
        }
        navigate(`/purchase-orders/${encodeURIComponent(id)}`);
      } catch (e) {
        const found = lineErrors(e, { index: (i) => lines[i]?.line_no ?? i });
        errors.value = found.lines;
        if (!Object.keys(found.lines).length) showError(e);
      } finally {
        saving.value = false;
      }
    }

    onMounted(async () => {
      await load();
      focusScan();
    });
    return {
      po, loading, saving, qty, errors, notes, scanText, scanInput, last, open, allToZero, allToRemaining, onScan,
      lineWarning, rowClass, totalNow, submit, lineErrorText, formatQty, tagType,
      back: () => navigate(`/purchase-orders/${encodeURIComponent(id)}`),
    };
  },
  template: `
    <div class="sp-page" v-loading="loading">
      <div class="sp-doc-head">
        <h2>
          <el-button link data-test="receive-back" @click="back"><el-icon><Back /></el-icon></el-button>
          <span>{{ $t('receive.title') }}</span>
          <span v-if="po" data-test="receive-po-number">{{ po.number }}</span>
          <el-tag v-if="po" :type="tagType('po', po.status)">{{ $tv('poStatus', po.status) }}</el-tag>
        </h2>
        <span v-if="po" class="sp-muted">{{ po.supplier_name }} → {{ po.location_name }}</span>
      </div>
      <el-alert v-if="po && !open" type="warning" :closable="false" show-icon :title="$t('receive.notOpen')" data-test="receive-not-open" class="sp-gap" />
      <template v-if="po && open">
        <div class="sp-scan-row">
          <el-input ref="scanInput" v-model="scanText" class="sp-scan" size="large" data-test="po-receive-scan" :placeholder="$t('receive.scanPlaceholder')"
                    @keyup.enter="onScan" autofocus>
            <template #prefix><el-icon><FullScreen /></el-icon></template>
          </el-input>
          <el-button size="large" data-test="po-receive-zero" @click="allToZero">{{ $t('receive.allZero') }}</el-button>
          <el-button size="large" data-test="po-receive-remaining" @click="allToRemaining">{{ $t('receive.allRemaining') }}</el-button>
        </div>
        <div v-if="last.text" :class="['sp-last-scan', 'sp-gap', { 'is-error': !last.ok }]" data-test="po-receive-last">{{ last.text }}</div>
        <el-table :data="po.lines" border data-test="po-receive-lines" :row-class-name="rowClass">
          <el-table-column prop="line_no" label="#" width="44" />
          <el-table-column :label="$t('inventory.product')" min-width="200">
            <template #default="{ row }">
              <div>{{ row.sku }} · {{ row.name_zh }}</div>
              <div v-if="errors[row.line_no]" class="sp-line-error" :data-test="'po-receive-error-' + row.line_no">{{ lineErrorText(errors[row.line_no]) }}</div>
              <div v-else-if="lineWarning(row)" :class="lineWarning(row).level === 'error' ? 'sp-line-error' : 'sp-line-warn'"
                   :data-test="'po-receive-warning-' + row.line_no">{{ lineWarning(row).text }}</div>
            </template>
          </el-table-column>
          <el-table-column :label="$t('po.ordered')" width="90" align="right">
            <template #default="{ row }">{{ formatQty(row.quantity) }}</template>
          </el-table-column>
          <el-table-column :label="$t('po.received')" width="90" align="right">
            <template #default="{ row }">{{ formatQty(row.received) }}</template>
          </el-table-column>
          <el-table-column :label="$t('po.remaining')" width="90" align="right">
            <template #default="{ row }"><span :data-test="'po-receive-remaining-' + row.line_no">{{ formatQty(row.remaining) }}</span></template>
          </el-table-column>
          <el-table-column :label="$t('receive.thisDelivery')" width="170">
            <template #default="{ row }">
              <el-input v-model="qty[row.line_no]" size="large" inputmode="decimal" :class="['sp-qty-input', { 'is-error': errors[row.line_no] }]"
                        :data-test="'po-receive-qty-' + row.line_no" />
            </template>
          </el-table-column>
        </el-table>
        <el-form label-position="top" class="sp-gap-top" @submit.prevent>
          <el-form-item :label="$t('inventory.notes')">
            <el-input v-model="notes" data-test="po-receive-notes" />
          </el-form-item>
        </el-form>
        <div class="sp-import-actions">
          <span class="sp-muted">{{ $t('receive.totalNow', { n: formatQty(totalNow) }) }}</span>
          <el-button type="primary" size="large" :loading="saving" data-test="po-receive-submit" @click="submit">{{ $t('receive.confirm') }}</el-button>
        </div>
      </template>
    </div>`,
};
