// Returns at the register (退货, F8): scan or type the receipt number (the receipt's QR code
// carries it), pick lines and quantities — never more than sold minus already returned —,
// restock or not, a reason; POST /api/v1/returns. When the server asks for a manager
// (422 approval_required) the approval dialog opens and the return is sent again with its token.
// Without a receipt (无小票退货): scan or type the products instead; they are refunded at
// today's price for the store, in cash, and always with a manager's approval (the server asks).
import { computed, reactive, ref, watch } from 'vue';
import { api, ApiError } from '../api.js';
import { describeError, fieldMessage } from '../forms.js';
import { locale, t } from '../i18n.js';
import { formatMoney } from '../money.js';
import { divHalfUp, parseQuantity, quantityString } from '../register/decimal.js';
import { uuidv7 } from '../register/uuid.js';
import RegisterApproval from './register-approval.js';

const REASONS = ['damaged', 'wrongItem', 'changedMind', 'quality', 'other'];

const milli = (q) => parseQuantity(String(q ?? '0').replace(/^-/, ''), 3).milli || 0;

export default {
  name: 'RegisterReturn',
  components: { RegisterApproval },
  props: {
    modelValue: { type: Boolean, default: false },
    storeId: { type: String, default: null },
    registerId: { type: String, default: null },
    shiftId: { type: String, default: null },
    offline: { type: Boolean, default: false },
    /** The register's code lookup (barcode, PLU, SKU → `{ product }`), for returns without a receipt. */
    lookup: { type: Function, default: null },
  },
  emits: ['update:modelValue', 'done'],
  setup(props, { emit }) {
    const receiptNo = ref('');
    const sale = ref(null);
    const rows = reactive([]);
    /** `receipt` (against a sale) or `none` (products scanned, today's price). */
    const mode = ref('receipt');
    const items = reactive([]);
    const reason = ref('damaged');
    const note = ref('');
    const error = ref('');
    const busy = ref(false);
    const approvalOpen = ref(false);
    const inputRef = ref(null);

    function reset() {
      receiptNo.value = '';
      sale.value = null;
      rows.splice(0, rows.length);
      items.splice(0, items.length);
      mode.value = 'receipt';
      reason.value = 'damaged';
      note.value = '';
      error.value = '';
    }
    watch(() => props.modelValue, (open) => {
      if (!open) return;
      reset();
    });

    async function find() {
      error.value = '';
      const no = receiptNo.value.trim();
      if (!no) return;
      if (props.offline) {
        error.value = t('register.return.offline');
        return;
      }
      if (mode.value === 'none') {
        await addItem(no);
        return;
      }
      busy.value = true;
      try {
        const page = await api.get('/sales', { receipt_no: no, limit: 5 });
        const found = (page?.data || []).find((s) => s.kind !== 'return') || null;
        if (!found) {
          sale.value = null;
          error.value = t('register.return.notFound', { no });
          return;
        }
        // The list may answer a summary: read the whole sale for its lines.
        const full = found.lines ? found : await api.get(`/sales/${encodeURIComponent(found.id)}`);
        sale.value = full;
        rows.splice(0, rows.length, ...(full.lines || []).map((l) => {
          const sold = milli(l.quantity);
          const returned = milli(l.returned_quantity);
          return { line: l, sold, returned, left: Math.max(0, sold - returned), qtyText: '', restock: true };
        }));
      } catch (e) {
        error.value = describeError(e);
      } finally {
        busy.value = false;
      }
    }

    /** Adds a scanned or typed product to a return without a receipt (again: one more). */
    async function addItem(code) {
      const hit = props.lookup ? await props.lookup(code) : null;
      if (!hit?.product) {
        error.value = t('register.return.noProduct', { code });
        return;
      }
      receiptNo.value = '';
      const p = hit.product;
      const same = items.find((i) => i.product.id === p.id);
      if (same && !same.weighed) {
        const q = parseQuantity(same.qtyText, 3);
        same.qtyText = quantityString((q.milli || 0) + 1000);
        return;
      }
      const weighed = !!hit.weightGrams;
      items.push({ product: p, weighed, qtyText: weighed ? quantityString(hit.weightGrams) : '1', restock: true });
    }
    function removeItem(i) {
      items.splice(i, 1);
    }
    const itemErrors = computed(() => items.map((i) => {
      const q = parseQuantity(i.qtyText, Number(i.product.quantity_precision ?? 3));
      if (q.error) return t(`register.qtyError.${q.error}`, { n: q.n ?? 0 });
      return q.milli > 0 ? '' : t('register.qtyError.format');
    }));
    const priceOf = (p) => Number(p.price_minor ?? p.list_price_minor ?? 0);
    const itemTotal = (i) => Number(divHalfUp(BigInt(priceOf(i.product)) * BigInt(parseQuantity(i.qtyText, 3).milli || 0), 1000n));

    const lineErrors = computed(() => {
      const errs = {};
      for (const r of rows) {
        if (!r.qtyText.trim()) continue;
        const p = parseQuantity(r.qtyText, 3);
        if (p.error) errs[r.line.line_no] = t(`register.qtyError.${p.error}`, { n: p.n ?? 3 });
        else if (p.milli > r.left) errs[r.line.line_no] = t('register.return.tooMany', { n: quantityString(r.left) });
      }
      return errs;
    });
    const chosen = computed(() => rows.filter((r) => r.qtyText.trim() && !lineErrors.value[r.line.line_no]));
    /** What the refund will about be: each line's net in proportion to the quantity returned. */
    const estimate = computed(() => (mode.value === 'none' ? items.reduce((a, i) => a + itemTotal(i), 0) : chosen.value.reduce((a, r) => {
      const q = parseQuantity(r.qtyText, 3).milli || 0;
      const net = Math.abs(Number(r.line.net_minor ?? r.line.gross_minor ?? 0));
      return a + (r.sold ? Number(divHalfUp(BigInt(net) * BigInt(q), BigInt(r.sold))) : 0);
    }, 0)));
    const reasonText = computed(() => (reason.value === 'other' ? note.value.trim() : t(`register.return.reason.${reason.value}`)));
    const canSubmit = computed(() => !busy.value && !!reasonText.value && (mode.value === 'none'
      ? items.length > 0 && itemErrors.value.every((e) => !e)
      : sale.value && chosen.value.length > 0 && !Object.keys(lineErrors.value).length));

    function all() {
      for (const r of rows) r.qtyText = r.left > 0 ? quantityString(r.left) : '';
    }

    async function submit(token = null) {
      if (!canSubmit.value) return;
      error.value = '';
      busy.value = true;
      const body = {
        id: uuidv7(),
        register_id: props.registerId,
        shift_id: props.shiftId,
        approval_token: token,
      };
      if (mode.value === 'none') {
        body.lines = items.map((i) => ({
          product_id: i.product.id,
          quantity: quantityString(parseQuantity(i.qtyText, 3).milli),
          restock: i.restock,
          reason: reasonText.value,
        }));
      } else {
        body.original_sale_id = sale.value.id;
        body.lines = chosen.value.map((r) => ({
          line_no: r.line.line_no,
          quantity: quantityString(parseQuantity(r.qtyText, 3).milli),
          restock: r.restock,
          reason: reasonText.value,
        }));
      }
      try {
        const answer = await api.create('/returns', body);
        emit('done', answer);
        emit('update:modelValue', false);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 'approval_required' || e.errors.some((x) => x.code === 'approval_required'))) {
          approvalOpen.value = true;
        } else if (e instanceof ApiError && e.errors.length) {
          error.value = e.errors.map((x) => `${x.field}: ${fieldMessage(x)}`).join('; ');
        } else {
          error.value = describeError(e);
        }
      } finally {
        busy.value = false;
      }
    }

    watch(mode, () => {
      receiptNo.value = '';
      error.value = '';
      inputRef.value?.focus();
    });

    const nameOf = (l) => (locale.value === 'en' && l.name_en ? l.name_en : (l.name ?? l.name_zh));
    return {
      receiptNo, sale, rows, reason, note, error, busy, approvalOpen, inputRef, REASONS, lineErrors, estimate, canSubmit,
      mode, items, itemErrors, removeItem, priceOf, itemTotal,
      find, submit, all, formatMoney, quantityString, nameOf,
    };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="$t('register.return.title')"
               width="860px" append-to-body data-test="register-return-dialog" :close-on-click-modal="false" @opened="inputRef?.focus()">
      <el-radio-group v-model="mode" size="large" class="sp-return-mode" data-test="return-mode">
        <el-radio-button value="receipt" data-test="return-mode-receipt">{{ $t('register.return.withReceipt') }}</el-radio-button>
        <el-radio-button value="none" data-test="return-mode-none">{{ $t('register.return.withoutReceipt') }}</el-radio-button>
      </el-radio-group>
      <div class="sp-row">
        <el-input ref="inputRef" v-model="receiptNo" size="large" class="sp-return-no"
                  :placeholder="mode === 'none' ? $t('register.return.productHint') : $t('register.return.receiptHint')"
                  data-test="return-receipt-no" @keydown.enter.prevent="find" />
        <el-button size="large" class="sp-touch" type="primary" :loading="busy && !sale" data-test="return-find" @click="find">
          {{ mode === 'none' ? $t('register.return.add') : $t('register.return.find') }}
        </el-button>
      </div>
      <template v-if="mode === 'none'">
        <p class="sp-muted" data-test="return-none-hint">{{ $t('register.return.withoutReceiptHint') }}</p>
        <table v-if="items.length" class="sp-cart-table sp-return-table" data-test="return-items">
          <thead><tr>
            <th>#</th><th>{{ $t('register.col.name') }}</th><th>{{ $t('register.return.todayPrice') }}</th>
            <th>{{ $t('register.return.quantity') }}</th><th>{{ $t('register.return.restock') }}</th><th></th>
          </tr></thead>
          <tbody>
            <tr v-for="(i, n) in items" :key="i.product.id + ':' + n" :data-test="'return-item-' + i.product.sku">
              <td>{{ n + 1 }}</td>
              <td>{{ nameOf(i.product) }}<div class="sp-muted sp-small">{{ i.product.sku }}</div></td>
              <td>{{ formatMoney(priceOf(i.product)) }}</td>
              <td>
                <el-input v-model="i.qtyText" inputmode="decimal" class="sp-return-qty" :data-test="'return-item-qty-' + i.product.sku" />
                <div v-if="itemErrors[n]" class="sp-row-error" :data-test="'return-item-error-' + i.product.sku">{{ itemErrors[n] }}</div>
              </td>
              <td><el-checkbox v-model="i.restock" :data-test="'return-item-restock-' + i.product.sku" /></td>
              <td><el-button link type="danger" :data-test="'return-item-remove-' + i.product.sku" @click="removeItem(n)">{{ $t('register.return.remove') }}</el-button></td>
            </tr>
          </tbody>
        </table>
      </template>
      <template v-if="sale && mode === 'receipt'">
        <p class="sp-muted" data-test="return-sale">
          {{ $t('register.return.saleLine', { no: sale.receipt_no, total: formatMoney(sale.total_minor), day: sale.business_day || '' }) }}
        </p>
        <table class="sp-cart-table sp-return-table" data-test="return-lines">
          <thead><tr>
            <th>#</th><th>{{ $t('register.col.name') }}</th><th>{{ $t('register.return.sold') }}</th><th>{{ $t('register.return.returned') }}</th>
            <th>{{ $t('register.return.quantity') }}</th><th>{{ $t('register.return.restock') }}</th>
          </tr></thead>
          <tbody>
            <tr v-for="r in rows" :key="r.line.line_no" :data-test="'return-line-' + r.line.line_no">
              <td>{{ r.line.line_no }}</td>
              <td>{{ nameOf(r.line) }}<div class="sp-muted sp-small">{{ r.line.sku }}</div></td>
              <td>{{ quantityString(r.sold) }}</td>
              <td>{{ quantityString(r.returned) }}</td>
              <td>
                <el-input v-model="r.qtyText" :disabled="r.left <= 0" inputmode="decimal" class="sp-return-qty" :placeholder="'≤ ' + quantityString(r.left)"
                          :data-test="'return-qty-' + r.line.line_no" />
                <div v-if="lineErrors[r.line.line_no]" class="sp-row-error" :data-test="'return-qty-error-' + r.line.line_no">{{ lineErrors[r.line.line_no] }}</div>
              </td>
              <td><el-checkbox v-model="r.restock" :data-test="'return-restock-' + r.line.line_no" /></td>
            </tr>
          </tbody>
        </table>
      </template>
      <template v-if="(sale && mode === 'receipt') || (mode === 'none' && items.length)">
        <div class="sp-row sp-return-foot">
          <el-button v-if="mode === 'receipt'" size="large" class="sp-touch" data-test="return-all" @click="all">{{ $t('register.return.all') }}</el-button>
          <el-select v-model="reason" size="large" class="sp-medium" data-test="return-reason">
            <el-option v-for="r in REASONS" :key="r" :value="r" :label="$tv('register.return.reason', r)" :data-test="'return-reason-' + r" />
          </el-select>
          <el-input v-if="reason === 'other'" v-model="note" size="large" maxlength="200" :placeholder="$t('register.return.reasonHint')" data-test="return-reason-note" />
          <span class="sp-return-estimate">{{ $t('register.return.estimate') }} <strong data-test="return-estimate">{{ formatMoney(estimate) }}</strong></span>
        </div>
      </template>
      <div v-if="error" class="sp-row-error" data-test="return-error">{{ error }}</div>
      <template #footer>
        <el-button size="large" class="sp-touch" data-test="return-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }} (Esc)</el-button>
        <el-button type="primary" size="large" class="sp-touch" :disabled="!canSubmit" :loading="busy && !!sale" data-test="return-submit" @click="submit(null)">
          {{ $t('register.return.submit') }}
        </el-button>
      </template>
      <register-approval v-model="approvalOpen" action="return" test-prefix="return-approval" :store-id="storeId" :reason="$t('register.return.needsApproval')"
                         @approved="(token) => submit(token)" />
    </el-dialog>`,
};
