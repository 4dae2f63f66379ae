// One purchase order (采购单, #/purchase-orders/<id>, `new` for a blank one). A draft is a form
// (stock.manage): supplier, receiving location, expected date, notes and lines — products found
// as one types (GET /products?q=), quantity, unit cost in yuan (the supplier's cost, else the
// product's cost price, as the server would default it). Saving POSTs (Idempotency-Key) or PUTs
// with `version`; field errors go under their fields and lines (`/lines/2/quantity`).
// The buttons follow the status and the permissions: submit (draft, stock.manage), approve
// (submitted, stock.approve), cancel with a reason (draft/submitted/approved, stock.approve),
// close (received or partially received, stock.approve), receive (approved or partially
// received → #/purchase-orders/<id>/receive) and return to the supplier (what was received).
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { has, t } from '../i18n.js';
import { can } from '../session.js';
import { navigate, replace, route } from '../router.js';
import { formatTime, handleVersionConflict, showError } from '../forms.js';
import { currencySymbol, formatMoney, minorToMajor, parseMajor } from '../money.js';
import {
  addQty, cmpQty, formatQty, homeLocation, inScope, lineErrors, lineErrorText, parseQty, PO_STATUSES, subQty, tagType, toMilli,
  useLocations, useSuppliers,
} from '../inventory.js';
import LocationSelect from '../components/location-select.js';
import ProductPicker from '../components/product-picker.js';
import ReasonDialog from '../components/reason-dialog.js';

let lineKey = 0;

/** A receipt's warning as a sentence: the line it names and what it says. */
export function warningText(w, receipt) {
  const m = /^\/lines\/(\d+)/.exec(w?.field || '');
  const lineNo = m ? receipt?.lines?.[Number(m[1])]?.line_no ?? Number(m[1]) + 1 : null;
  const what = has(`poWarning.${w?.code}`) ? t(`poWarning.${w.code}`) : w?.message || w?.code || String(w);
  return lineNo ? t('po.warningLine', { line: lineNo, what }) : what;
}

export default {
  name: 'PurchaseOrderView',
  components: { LocationSelect, ProductPicker, ReasonDialog },
  setup() {
    const id = computed(() => (route.params.id === 'new' ? null : route.params.id));
    const locs = useLocations();
    const sups = useSuppliers();
    const po = ref(null);
    const loading = ref(false);
    const saving = ref(false);
    const acting = ref('');
    const form = reactive({ supplier_id: null, location_id: null, expected_date: null, notes: '', lines: [] });
    const errors = reactive({ supplier_id: '', location_id: '', expected_date: '', notes: '', lines: '' });
    const lineErrs = ref({});
    const supplierCosts = ref(new Map());
    const pick = ref(null);
    const dirty = ref(false);

    const isDraft = computed(() => !po.value || po.value.status === 'draft');
    const editing = computed(() => isDraft.value && can('stock.manage'));
    const status = computed(() => po.value?.status || 'draft');
    const canDo = computed(() => {
      const s = status.value;
      const inLoc = po.value ? inScope(po.value.location_id) : true;
      const received = (po.value?.lines || []).some((l) => cmpQty(subQty(l.received, l.returned), '0') > 0);
      return {
        submit: !!po.value && s === 'draft' && can('stock.manage'),
        approve: s === 'submitted' && can('stock.approve'),
        cancel: !!po.value && ['draft', 'submitted', 'approved'].includes(s) && can('stock.approve'),
        close: ['received', 'partially_received'].includes(s) && can('stock.approve'),
        receive: ['approved', 'partially_received'].includes(s) && can('stock.manage') && inLoc,
        ret: received && ['partially_received', 'received', 'closed'].includes(s) && can('stock.manage') && inLoc,
      };
    });

    function fill(answer) {
      po.value = answer;
      Object.assign(form, {
        supplier_id: answer.supplier_id, location_id: answer.location_id, expected_date: answer.expected_date || null,
        notes: answer.notes || '',
        lines: (answer.lines || []).map((l) => ({
          key: ++lineKey, product_id: l.product_id, sku: l.sku, name_zh: l.name_zh, unit: l.unit,
          quantity: formatQty(l.quantity), cost: minorToMajor(l.unit_cost_minor ?? 0),
        })),
      });
      dirty.value = false;
    }

    async function load() {
      if (!id.value) return;
      loading.value = true;
      try {
        fill(await api.get(`/purchase-orders/${encodeURIComponent(id.value)}`));
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    }

    // The supplier's costs, for the default cost of a new line.
    watch(() => form.supplier_id, async (sid) => {
      supplierCosts.value = new Map();
      if (!sid) return;
      try {
        const answer = await api.get(`/suppliers/${encodeURIComponent(sid)}/products`);
        supplierCosts.value = new Map((answer?.data || []).map((l) => [l.product_id, l.cost_minor]));
      } catch {
        // no defaults: the product's cost price
      }
    });
    watch(() => [form.supplier_id, form.location_id, form.expected_date, form.notes], () => { dirty.value = true; });

    function addProduct(p) {
      pick.value = null;
      if (!p) return;
      const existing = form.lines.find((l) => l.product_id === p.id);
      if (existing) {
        existing.quantity = addQty(existing.quantity, '1');
        dirty.value = true;
        return;
      }
      const cost = supplierCosts.value.get(p.id) ?? p.cost_price_minor ?? 0;
      form.lines.push({ key: ++lineKey, product_id: p.id, sku: p.sku, name_zh: p.name_zh, unit: p.unit, quantity: '1', cost: minorToMajor(cost) });
      dirty.value = true;
    }
    function removeLine(i) {
      form.lines.splice(i, 1);
      lineErrs.value = {};
      dirty.value = true;
    }
    const lineAmount = (l) => {
      const q = toMilli(l.quantity);
      const c = parseMajor(l.cost);
      if (q === null || c.error || c.minor === null) return null;
      return Number((q * BigInt(c.minor) + 500n) / 1000n);
    };
    const formTotal = computed(() => form.lines.reduce((s, l) => s + (lineAmount(l) || 0), 0));

    function check() {
      for (const k of Object.keys(errors)) errors[k] = '';
      const local = {};
      if (!form.supplier_id) errors.supplier_id = t('fieldError.required');
      if (!form.location_id) errors.location_id = t('fieldError.required');
      if (!form.lines.length) errors.lines = t('po.noLines');
      form.lines.forEach((l, i) => {
        const q = parseQty(l.quantity, { allowZero: false });
        if (q.error) (local[i] ??= {}).quantity = t(`qty.${q.error}`);
        const c = parseMajor(l.cost);
        if (c.error) (local[i] ??= {}).unit_cost_minor = t(`money.${c.error}`, { n: c.digits });
      });
      lineErrs.value = local;
      return !Object.values(errors).some(Boolean) && !Object.keys(local).length;
    }

    const body = () => ({
      supplier_id: form.supplier_id, location_id: form.location_id, expected_date: form.expected_date || null,
      notes: form.notes.trim(),
      lines: form.lines.map((l) => {
        const line = { product_id: l.product_id, quantity: parseQty(l.quantity).value };
        const c = parseMajor(l.cost);
        if (c.minor !== null && !c.error) line.unit_cost_minor = c.minor;
        return line;
      }),
    });

    function placeErrors(e) {
      const found = lineErrors(e);
      lineErrs.value = found.lines;
      let placed = Object.keys(found.lines).length > 0;
      for (const [k, v] of Object.entries(found.fields)) {
        if (k in errors) {
          errors[k] = v;
          placed = true;
        }
      }
      if (!placed) showError(e);
    }

    async function save({ quiet = false } = {}) {
      if (!check()) return false;
      saving.value = true;
      try {
        if (!po.value) {
          const created = await api.create('/purchase-orders', body());
          fill(created);
          if (!quiet) ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
          replace(`/purchase-orders/${encodeURIComponent(created.id)}`);
          return true;
        }
        fill(await api.put(`/purchase-orders/${encodeURIComponent(po.value.id)}`, { ...body(), version: po.value.version }));
        if (!quiet) ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        return true;
      } catch (e) {
        if (!(await handleVersionConflict(e, load))) placeErrors(e);
        return false;
      } finally {
        saving.value = false;
      }
    }

    async function act(action, extra = {}) {
      acting.value = action;
      try {
        const answer = await api.post(`/purchase-orders/${encodeURIComponent(po.value.id)}/${action}`, { version: po.value.version, ...extra });
        if (answer?.id && Array.isArray(answer.lines) && answer.number) fill(answer);
        else await load();
        ElMessage({ type: 'success', message: t(`po.done.${action}`), customClass: 'sp-saved-toast' });
        return true;
      } catch (e) {
        if (!(await handleVersionConflict(e, load))) showError(e);
        return false;
      } finally {
        acting.value = '';
      }
    }
    async function submit() {
      if (editing.value && dirty.value && !(await save({ quiet: true }))) return;
      await act('submit');
    }

    const cancelDialog = ref(false);
    async function cancelPo(reason) {
      if (await act('cancel', { reason })) cancelDialog.value = false;
    }

    // ---- return to the supplier
    const ret = reactive({ open: false, saving: false, reason: '', qty: {}, errors: {}, reasonError: '' });
    function openReturn() {
      Object.assign(ret, { open: true, reason: '', qty: {}, errors: {}, reasonError: '' });
      for (const l of po.value.lines) ret.qty[l.line_no] = '';
    }
    const returnable = (l) => subQty(l.received, l.returned);
    async function sendReturn() {
      ret.errors = {};
      ret.reasonError = ret.reason.trim() ? '' : t('fieldError.required');
      const lines = [];
      for (const l of po.value.lines) {
        const q = parseQty(ret.qty[l.line_no], { allowEmpty: true });
        if (q.error) ret.errors[l.line_no] = t(`qty.${q.error}`);
        else if (q.value && cmpQty(q.value, '0') > 0) {
          if (cmpQty(q.value, returnable(l)) > 0) ret.errors[l.line_no] = t('po.returnTooMuch', { n: formatQty(returnable(l)) });
          lines.push({ line_no: l.line_no, quantity: q.value });
        }
      }
      if (ret.reasonError || Object.keys(ret.errors).length) return;
      if (!lines.length) {
        ret.reasonError = ret.reasonError || '';
        ElMessage({ type: 'warning', message: t('po.nothingToReturn') });
        return;
      }
      ret.saving = true;
      try {
        fill(await api.create(`/purchase-orders/${encodeURIComponent(po.value.id)}/returns`, { lines, reason: ret.reason.trim() }));
        ret.open = false;
        ElMessage({ type: 'success', message: t('po.done.return'), customClass: 'sp-saved-toast' });
      } catch (e) {
        const found = lineErrors(e, { index: (i) => lines[i]?.line_no ?? i });
        ret.errors = Object.fromEntries(Object.entries(found.lines).map(([k, v]) => [k, lineErrorText(v)]));
        if (found.fields.reason) ret.reasonError = found.fields.reason;
        if (!found.any) showError(e);
      } finally {
        ret.saving = false;
      }
    }

    const receive = () => navigate(`/purchase-orders/${encodeURIComponent(po.value.id)}/receive`);
    const lineName = (lineNo) => po.value?.lines?.find((l) => l.line_no === lineNo);
    const remainingClass = ({ row }) => (cmpQty(row.remaining, '0') > 0 && ['partially_received', 'closed'].includes(status.value) ? 'sp-warn-row' : '');

    onMounted(async () => {
      await Promise.all([locs.load(), sups.load()]);
      if (id.value) await load();
      else {
        form.location_id = route.query.location_id || homeLocation(locs.locations.value);
        dirty.value = false;
      }
    });

    return {
      id, po, locs, sups, loading, saving, acting, form, errors, lineErrs, pick, isDraft, editing, status, canDo,
      addProduct, removeLine, lineAmount, formTotal, save, submit, act, cancelDialog, cancelPo, ret, openReturn, returnable,
      sendReturn, receive, lineName, cmpQty, remainingClass, warningText, lineErrorText, PO_STATUSES, tagType, formatQty, formatMoney,
      formatTime, currencySymbol, back: () => navigate('/purchase-orders'),
    };
  },
  template: `
    <div class="sp-page" v-loading="loading">
      <div class="sp-doc-head">
        <h2>
          <el-button link data-test="po-back" @click="back"><el-icon><Back /></el-icon></el-button>
          <span data-test="po-number">{{ po ? po.number : $t('po.new') }}</span>
          <el-tag :type="tagType('po', status)" data-test="po-status" :data-status="status">{{ $tv('poStatus', status) }}</el-tag>
          <el-tag v-if="po && po.status === 'submitted' && po.needs_approval" type="warning" effect="plain" data-test="po-needs-approval">{{ $t('po.needsApproval') }}</el-tag>
        </h2>
        <div class="sp-doc-actions">
          <el-button v-if="editing" :loading="saving" data-test="po-save" @click="save()"><el-icon><Check /></el-icon><span>{{ $t('po.saveDraft') }}</span></el-button>
          <el-button v-if="canDo.submit" type="primary" :loading="acting === 'submit'" data-test="po-submit" @click="submit">{{ $t('po.submit') }}</el-button>
          <el-button v-if="canDo.approve" type="success" :loading="acting === 'approve'" data-test="po-approve" @click="act('approve')">{{ $t('po.approve') }}</el-button>
          <el-button v-if="canDo.receive" type="primary" data-test="po-receive" @click="receive"><el-icon><Box /></el-icon><span>{{ $t('po.receive') }}</span></el-button>
          <el-button v-if="canDo.ret" data-test="po-return" @click="openReturn">{{ $t('po.returnToSupplier') }}</el-button>
          <el-button v-if="canDo.close" :loading="acting === 'close'" data-test="po-close" @click="act('close')">{{ $t('po.close') }}</el-button>
          <el-button v-if="canDo.cancel" type="danger" plain data-test="po-cancel" @click="cancelDialog = true">{{ $t('po.cancel') }}</el-button>
        </div>
      </div>

      <el-form label-width="110px" class="sp-gap" @submit.prevent>
        <el-row :gutter="16">
          <el-col :span="12">
            <el-form-item :label="$t('po.supplier')" :error="errors.supplier_id" data-test="po-field-supplier_id">
              <el-select v-if="editing" v-model="form.supplier_id" filterable class="sp-wide" data-test="po-supplier" :placeholder="$t('po.pickSupplier')">
                <el-option v-for="s in sups.suppliers.value" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'supplier-option-' + s.code" />
              </el-select>
              <span v-else data-test="po-supplier-name">{{ po?.supplier_name }}</span>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="$t('po.location')" :error="errors.location_id" data-test="po-field-location_id">
              <location-select v-if="editing" v-model="form.location_id" :locations="locs.locations.value" :clearable="false" class="sp-wide" data-test="po-location" />
              <span v-else data-test="po-location-name">{{ po?.location_name }}</span>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="$t('po.expectedDate')" :error="errors.expected_date" data-test="po-field-expected_date">
              <el-date-picker v-if="editing" v-model="form.expected_date" type="date" value-format="YYYY-MM-DD" data-test="po-expected" />
              <span v-else>{{ po?.expected_date }}</span>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="$t('inventory.notes')" :error="errors.notes" data-test="po-field-notes">
              <el-input v-if="editing" v-model="form.notes" data-test="po-notes" />
              <span v-else>{{ po?.notes }}</span>
            </el-form-item>
          </el-col>
        </el-row>
      </el-form>

      <el-descriptions v-if="po && !editing" :column="3" size="small" border class="sp-gap" data-test="po-header">
        <el-descriptions-item :label="$t('inventory.createdAt')">{{ formatTime(po.created_at) }}</el-descriptions-item>
        <el-descriptions-item :label="$t('po.submittedAt')">{{ formatTime(po.submitted_at) }}</el-descriptions-item>
        <el-descriptions-item :label="$t('po.approvedAt')">{{ formatTime(po.approved_at) }}</el-descriptions-item>
        <el-descriptions-item v-if="po.closed_at" :label="$t('po.closedAt')">{{ formatTime(po.closed_at) }}</el-descriptions-item>
        <el-descriptions-item v-if="po.cancel_reason" :label="$t('inventory.cancelReason')"><span data-test="po-cancel-reason">{{ po.cancel_reason }}</span></el-descriptions-item>
      </el-descriptions>

      <!-- Draft: editable lines -->
      <template v-if="editing">
        <div class="sp-scan-row">
          <product-picker v-model="pick" class="sp-search-wide" data-test="po-add-product" :placeholder="$t('po.addProduct')" @picked="addProduct" />
          <span v-if="errors.lines" class="sp-line-error" data-test="po-lines-error">{{ errors.lines }}</span>
        </div>
        <el-table :data="form.lines" row-key="key" border size="small" data-test="po-lines-edit" :empty-text="$t('po.noLines')">
          <el-table-column type="index" label="#" width="44" />
          <el-table-column :label="$t('inventory.product')" min-width="200">
            <template #default="{ row, $index }">
              <div :data-test="'po-line-' + $index" :data-sku="row.sku">{{ row.sku }} · {{ row.name_zh }}</div>
              <div v-if="lineErrs[$index]" class="sp-line-error" :data-test="'po-line-error-' + $index">{{ lineErrorText(lineErrs[$index]) }}</div>
            </template>
          </el-table-column>
          <el-table-column :label="$t('inventory.quantity')" width="140">
            <template #default="{ row, $index }">
              <el-input v-model="row.quantity" size="small" inputmode="decimal" :class="['sp-qty-input', { 'is-error': lineErrs[$index]?.quantity }]"
                        :data-test="'po-line-qty-' + $index" @input="dirty = true" />
            </template>
          </el-table-column>
          <el-table-column :label="$t('inventory.unitCost')" width="150">
            <template #default="{ row, $index }">
              <el-input v-model="row.cost" size="small" :class="['sp-qty-input', { 'is-error': lineErrs[$index]?.unit_cost_minor }]"
                        :data-test="'po-line-cost-' + $index" @input="dirty = true">
                <template #prefix>{{ currencySymbol() }}</template>
              </el-input>
            </template>
          </el-table-column>
          <el-table-column :label="$t('inventory.amount')" width="120" align="right">
            <template #default="{ row }">{{ formatMoney(lineAmount(row)) }}</template>
          </el-table-column>
          <el-table-column width="60">
            <template #default="{ $index }">
              <el-button link type="danger" :data-test="'po-line-remove-' + $index" @click="removeLine($index)"><el-icon><Delete /></el-icon></el-button>
            </template>
          </el-table-column>
        </el-table>
        <div class="sp-sale-totals"><div class="sp-sale-total"><span>{{ $t('po.total') }}</span><strong data-test="po-form-total">{{ formatMoney(formTotal) }}</strong></div></div>
      </template>

      <!-- Submitted and later: the lines with what was received and returned -->
      <template v-else-if="po">
        <el-table :data="po.lines" border size="small" data-test="po-lines" :row-class-name="remainingClass">
          <el-table-column prop="line_no" label="#" width="44" />
          <el-table-column :label="$t('inventory.product')" min-width="200">
            <template #default="{ row }"><span :data-test="'po-line-' + row.line_no" :data-sku="row.sku">{{ row.sku }} · {{ row.name_zh }}</span></template>
          </el-table-column>
          <el-table-column :label="$t('po.ordered')" width="90" align="right">
            <template #default="{ row }">{{ formatQty(row.quantity) }}</template>
          </el-table-column>
          <el-table-column :label="$t('inventory.unitCost')" width="100" align="right">
            <template #default="{ row }">{{ formatMoney(row.unit_cost_minor, po.currency) }}</template>
          </el-table-column>
          <el-table-column :label="$t('inventory.amount')" width="110" align="right">
            <template #default="{ row }">{{ formatMoney(row.amount_minor, po.currency) }}</template>
          </el-table-column>
          <el-table-column :label="$t('po.received')" width="90" align="right">
            <template #default="{ row }"><span :data-test="'po-line-received-' + row.line_no">{{ formatQty(row.received) }}</span></template>
          </el-table-column>
          <el-table-column :label="$t('po.returned')" width="90" align="right">
            <template #default="{ row }"><span :data-test="'po-line-returned-' + row.line_no">{{ formatQty(row.returned) }}</span></template>
          </el-table-column>
          <el-table-column :label="$t('po.remaining')" width="90" align="right">
            <template #default="{ row }"><span :data-test="'po-line-remaining-' + row.line_no">{{ formatQty(row.remaining) }}</span></template>
          </el-table-column>
        </el-table>
        <div class="sp-sale-totals"><div class="sp-sale-total"><span>{{ $t('po.total') }}</span><strong data-test="po-total">{{ formatMoney(po.total_minor, po.currency) }}</strong></div></div>

        <template v-if="po.receipts && po.receipts.length">
          <h3 class="sp-drawer-h">{{ $t('po.receipts') }}</h3>
          <el-card v-for="(r, i) in po.receipts" :key="r.id" shadow="never" class="sp-gap" :data-test="'po-receipt-' + i" :data-kind="r.kind">
            <div class="sp-row">
              <el-tag size="small" :type="r.kind === 'return' ? 'warning' : 'success'">{{ $tv('receiptKind', r.kind) }}</el-tag>
              <span>{{ formatTime(r.at) }}</span>
              <span class="sp-muted" v-if="r.notes">{{ r.notes }}</span>
            </div>
            <div class="sp-small sp-gap-top">
              <span v-for="l in r.lines" :key="l.line_no" class="sp-receipt-line">#{{ l.line_no }} {{ lineName(l.line_no)?.sku }} × {{ formatQty(l.quantity) }}</span>
            </div>
            <el-alert v-for="(w, k) in r.warnings || []" :key="k" type="warning" :closable="false" show-icon class="sp-gap-top"
                      :data-test="'po-receipt-warning-' + i" :title="warningText(w, r)" />
          </el-card>
        </template>
      </template>

      <reason-dialog v-model="cancelDialog" :title="$t('po.cancel')" test="po-cancel-dialog" :loading="acting === 'cancel'" @confirm="cancelPo" />

      <el-dialog v-model="ret.open" :title="$t('po.returnToSupplier')" width="680px" data-test="po-return-dialog" :close-on-click-modal="false">
        <el-table v-if="po" :data="po.lines" size="small" border>
          <el-table-column :label="$t('inventory.product')" min-width="180">
            <template #default="{ row }">{{ row.sku }} · {{ row.name_zh }}</template>
          </el-table-column>
          <el-table-column :label="$t('po.returnable')" width="90" align="right">
            <template #default="{ row }">{{ formatQty(returnable(row)) }}</template>
          </el-table-column>
          <el-table-column :label="$t('inventory.quantity')" width="150">
            <template #default="{ row }">
              <el-input v-model="ret.qty[row.line_no]" size="small" inputmode="decimal" :class="['sp-qty-input', { 'is-error': ret.errors[row.line_no] }]"
                        :data-test="'po-return-qty-' + row.line_no" :disabled="cmpQty(returnable(row), '0') <= 0" />
              <div v-if="ret.errors[row.line_no]" class="sp-line-error">{{ ret.errors[row.line_no] }}</div>
            </template>
          </el-table-column>
        </el-table>
        <el-form label-position="top" class="sp-gap-top" @submit.prevent>
          <el-form-item :label="$t('inventory.reason')" :error="ret.reasonError" data-test="po-return-field-reason">
            <el-input v-model="ret.reason" data-test="po-return-reason" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="ret.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="ret.saving" data-test="po-return-confirm" @click="sendReturn">{{ $t('po.returnConfirm') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
