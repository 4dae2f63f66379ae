// The shift's dialogs at the register: closing it (counted money per tender → the server answers
// expected, counted and variance, and the Z number), and paying cash in or out of the drawer.
import { computed, reactive, ref, watch } from 'vue';
import { api } from '../api.js';
import { describeError, fieldMessage } from '../forms.js';
import { t } from '../i18n.js';
import { formatMoney, parseMajor } from '../money.js';

/** Closes the shift: counted money per tender; refused while sales wait in the queue. */
export const ShiftCloseDialog = {
  name: 'ShiftCloseDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    shift: { type: Object, default: null },
    tenderTypes: { type: Array, default: () => [] },
    pending: { type: Number, default: 0 },
    offline: { type: Boolean, default: false },
  },
  emits: ['update:modelValue', 'closed', 'report'],
  setup(props, { emit }) {
    const counted = reactive({});
    const error = ref('');
    const busy = ref(false);
    const result = ref(null);
    const root = ref(null);
    // Member accounts (POINTS, STORED_VALUE) are nothing to count in a drawer.
    const types = computed(() => props.tenderTypes.filter((x) => x.active !== false && x.kind !== 'mobile' && !x.account
      && x.code !== 'POINTS' && x.code !== 'STORED_VALUE'));

    watch(() => props.modelValue, (open) => {
      if (!open) return;
      for (const k of Object.keys(counted)) delete counted[k];
      for (const x of types.value) counted[x.code] = '';
      error.value = '';
      result.value = null;
    });

    const blocked = computed(() => props.pending > 0);
    const fieldErrors = computed(() => {
      const errs = {};
      for (const x of types.value) {
        const p = parseMajor(counted[x.code]);
        if (p.error) errs[x.code] = t(`money.${p.error}`, { n: p.digits });
        else if (x.kind === 'cash' && p.minor === null) errs[x.code] = t('fieldError.required');
      }
      return errs;
    });

    async function submit() {
      error.value = '';
      if (blocked.value || Object.keys(fieldErrors.value).length) return;
      busy.value = true;
      try {
        const body = {
          counted: types.value
            .map((x) => ({ code: x.code, counted_minor: parseMajor(counted[x.code]).minor }))
            .filter((c) => c.counted_minor !== null),
        };
        result.value = await api.post(`/shifts/${encodeURIComponent(props.shift.id)}/close`, body);
      } catch (e) {
        error.value = e.errors?.length ? e.errors.map((x) => fieldMessage(x)).join('; ') : describeError(e);
      } finally {
        busy.value = false;
      }
    }
    function done() {
      const r = result.value;
      emit('update:modelValue', false);
      if (r) emit('closed', r);
    }
    const nameOf = (code) => props.tenderTypes.find((x) => x.code === code)?.name || code;
    return { root, counted, error, busy, result, types, blocked, fieldErrors, submit, done, formatMoney, nameOf };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="(v) => !v && done()" :title="$t('register.shift.closeTitle')" width="620px"
               append-to-body data-test="shift-close-dialog" :close-on-click-modal="false" @opened="root?.querySelector('input')?.focus()">
      <div ref="root">
        <div v-if="blocked" class="sp-pay-offline" data-test="shift-close-blocked">{{ $t('register.shift.queueNotEmpty', { n: pending }) }}</div>
        <template v-if="!result">
          <p class="sp-muted">{{ $t('register.shift.countHelp') }}</p>
          <el-form label-width="140px" @submit.prevent="submit">
            <el-form-item v-for="x in types" :key="x.code" :label="x.name" :error="fieldErrors[x.code] && counted[x.code] !== '' ? fieldErrors[x.code] : ''">
              <el-input v-model="counted[x.code]" size="large" inputmode="decimal" :disabled="blocked" class="sp-medium"
                        :placeholder="x.kind === 'cash' ? $t('register.shift.countedCash') : $t('register.shift.countedOptional')"
                        :data-test="'shift-counted-' + x.code" @keydown.enter.prevent="submit" />
            </el-form-item>
          </el-form>
        </template>
        <template v-else>
          <p data-test="shift-close-result">
            {{ $t('register.shift.closedAs', { z: result.z_number ?? '' }) }}
            <span class="sp-muted">({{ $t('register.shift.salesCount', { n: result.sales_count ?? 0 }) }})</span>
          </p>
          <table class="sp-cart-table" data-test="shift-totals">
            <thead><tr><th>{{ $t('register.shift.tender') }}</th><th>{{ $t('register.shift.expected') }}</th><th>{{ $t('register.shift.counted') }}</th><th>{{ $t('register.shift.variance') }}</th></tr></thead>
            <tbody>
              <tr v-for="x in result.totals || []" :key="x.code" :data-test="'shift-total-' + x.code">
                <td>{{ nameOf(x.code) }}</td>
                <td :data-test="'shift-expected-' + x.code">{{ formatMoney(x.expected_minor) }}</td>
                <td :data-test="'shift-counted-value-' + x.code">{{ x.counted_minor === null || x.counted_minor === undefined ? '—' : formatMoney(x.counted_minor) }}</td>
                <td :data-test="'shift-variance-' + x.code" :class="{ 'sp-bad': x.variance_minor }">{{ x.variance_minor === null || x.variance_minor === undefined ? '—' : formatMoney(x.variance_minor) }}</td>
              </tr>
            </tbody>
          </table>
        </template>
        <div v-if="error" class="sp-row-error" data-test="shift-close-error">{{ error }}</div>
      </div>
      <template #footer>
        <template v-if="!result">
          <el-button size="large" class="sp-touch" data-test="shift-close-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }} (Esc)</el-button>
          <el-button type="danger" size="large" class="sp-touch" :disabled="blocked" :loading="busy" data-test="shift-close-submit" @click="submit">{{ $t('register.shift.close') }}</el-button>
        </template>
        <template v-else>
          <el-button size="large" class="sp-touch" data-test="shift-close-z" @click="$emit('report', result)">{{ $t('register.shift.zReport') }}</el-button>
          <el-button type="primary" size="large" class="sp-touch" data-test="shift-close-done" @click="done">{{ $t('register.shift.done') }}</el-button>
        </template>
      </template>
    </el-dialog>`,
};

/** Paid in / paid out: cash put into or taken from the drawer, with a reason. */
export const CashMoveDialog = {
  name: 'CashMoveDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    shift: { type: Object, default: null },
  },
  emits: ['update:modelValue', 'done'],
  setup(props, { emit }) {
    const form = reactive({ kind: 'paid_in', amount: '', reason: '' });
    const error = ref('');
    const busy = ref(false);
    watch(() => props.modelValue, (open) => {
      if (!open) return;
      Object.assign(form, { kind: 'paid_in', amount: '', reason: '' });
      error.value = '';
    });
    async function submit() {
      error.value = '';
      const p = parseMajor(form.amount);
      if (p.error) {
        error.value = t(`money.${p.error}`, { n: p.digits });
        return;
      }
      if (!p.minor || !form.reason.trim()) {
        error.value = t('register.cashMove.missing');
        return;
      }
      busy.value = true;
      try {
        const answer = await api.create(`/shifts/${encodeURIComponent(props.shift.id)}/cash-moves`, {
          kind: form.kind, amount_minor: p.minor, reason: form.reason.trim(),
        });
        emit('done', answer);
        emit('update:modelValue', false);
      } catch (e) {
        error.value = e.errors?.length ? e.errors.map((x) => fieldMessage(x)).join('; ') : describeError(e);
      } finally {
        busy.value = false;
      }
    }
    return { form, error, busy, submit };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="$t('register.cashMove.title')" width="460px"
               append-to-body data-test="cash-move-dialog" :close-on-click-modal="false">
      <el-form label-position="top" @submit.prevent="submit">
        <el-form-item>
          <el-radio-group v-model="form.kind" size="large">
            <el-radio-button value="paid_in" data-test="cash-move-kind-paid_in">{{ $t('register.cashMove.paidIn') }}</el-radio-button>
            <el-radio-button value="paid_out" data-test="cash-move-kind-paid_out">{{ $t('register.cashMove.paidOut') }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="$t('register.cashMove.amount')">
          <el-input v-model="form.amount" size="large" inputmode="decimal" data-test="cash-move-amount" />
        </el-form-item>
        <el-form-item :label="$t('register.cashMove.reason')">
          <el-input v-model="form.reason" size="large" maxlength="200" data-test="cash-move-reason" @keydown.enter.prevent="submit" />
        </el-form-item>
        <div v-if="error" class="sp-row-error" data-test="cash-move-error">{{ error }}</div>
      </el-form>
      <template #footer>
        <el-button size="large" class="sp-touch" data-test="cash-move-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }} (Esc)</el-button>
        <el-button type="primary" size="large" class="sp-touch" :loading="busy" data-test="cash-move-submit" @click="submit">{{ $t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
