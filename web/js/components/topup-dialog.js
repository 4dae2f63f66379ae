// Stored-value top-up (充值): an amount in yuan and how the customer pays it (cash, card …) →
// POST /customers/{id}/top-ups with the register and its open shift (a cash top-up is a paid-in
// of the shift). The programme's bonus comes back in the answer.
import { computed, reactive, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { describeError, fieldMessage, propOf } from '../forms.js';
import { formatMoney, parseMajor } from '../money.js';

export default {
  name: 'TopupDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    customer: { type: Object, default: null },
    registerId: { type: String, default: null },
    shiftId: { type: String, default: null },
    tenderTypes: { type: Array, default: () => [] },
  },
  emits: ['update:modelValue', 'done'],
  setup(props, { emit }) {
    const form = reactive({ amount: '', tender: 'CASH', reference: '', errors: {}, busy: false });
    const tenders = computed(() => {
      const list = props.tenderTypes.filter((x) => x.active !== false && !x.account && x.kind !== 'mobile');
      return list.length ? list : [{ code: 'CASH', name: t('topup.cash'), kind: 'cash' }, { code: 'CARD', name: t('topup.card'), kind: 'card' }];
    });
    const chosen = computed(() => tenders.value.find((x) => x.code === form.tender) || null);
    watch(() => props.modelValue, (open) => {
      if (open) Object.assign(form, { amount: '', tender: tenders.value[0]?.code || 'CASH', reference: '', errors: {}, busy: false });
    });

    async function save() {
      form.errors = {};
      const p = parseMajor(form.amount);
      if (p.error) form.errors.amount_minor = t(`money.${p.error}`, { n: p.digits });
      else if (!p.minor) form.errors.amount_minor = t('fieldError.required');
      if (chosen.value?.kind === 'card' && !form.reference.trim()) form.errors.reference = t('register.pay.referenceRequired');
      if (!props.registerId || !props.shiftId) form.errors.general = t('topup.noShift');
      if (Object.keys(form.errors).length) return;
      form.busy = true;
      try {
        const body = { amount_minor: p.minor, tender_code: form.tender, register_id: props.registerId, shift_id: props.shiftId };
        if (form.reference.trim()) body.reference = form.reference.trim();
        const answer = await api.create(`/customers/${encodeURIComponent(props.customer.id)}/top-ups`, body);
        ElMessage({
          type: 'success', customClass: 'sp-topup-toast',
          message: t('topup.done', { amount: formatMoney(answer?.amount_minor ?? p.minor), bonus: formatMoney(answer?.bonus_minor ?? 0), balance: formatMoney(answer?.stored_value_minor ?? 0) }),
        });
        emit('done', answer);
        emit('update:modelValue', false);
      } catch (e) {
        let placed = false;
        if (e instanceof ApiError) {
          for (const fe of e.errors) {
            const prop = propOf(fe.field);
            const key = prop === 'tender_code' ? 'tender' : prop;
            if (['amount_minor', 'tender', 'reference'].includes(key)) {
              form.errors[key] = fieldMessage(fe);
              placed = true;
            }
          }
        }
        if (!placed) form.errors.general = describeError(e);
      } finally {
        form.busy = false;
      }
    }
    return { form, tenders, chosen, save, formatMoney };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="$t('topup.title')"
               width="460px" append-to-body data-test="topup-dialog" :close-on-click-modal="false">
      <p v-if="customer" class="sp-muted">{{ customer.name }} · {{ $t('member.balanceLine', { amount: formatMoney(customer.stored_value_minor ?? 0) }) }}</p>
      <el-form label-position="top" @submit.prevent="save">
        <el-form-item :label="$t('topup.amount')" :error="form.errors.amount_minor" data-test="topup-field-amount">
          <el-input v-model="form.amount" size="large" inputmode="decimal" data-test="topup-amount" @keydown.enter.prevent="save" />
        </el-form-item>
        <el-form-item :label="$t('topup.tender')" :error="form.errors.tender" data-test="topup-field-tender">
          <el-radio-group v-model="form.tender" size="large">
            <el-radio-button v-for="x in tenders" :key="x.code" :value="x.code" :data-test="'topup-tender-' + x.code">{{ x.name }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item v-if="chosen && chosen.kind !== 'cash'" :label="$t('register.pay.reference')" :error="form.errors.reference" data-test="topup-field-reference">
          <el-input v-model="form.reference" size="large" maxlength="64" data-test="topup-reference" />
        </el-form-item>
      </el-form>
      <div v-if="form.errors.general" class="sp-row-error" data-test="topup-error">{{ form.errors.general }}</div>
      <template #footer>
        <el-button size="large" data-test="topup-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" size="large" :loading="form.busy" data-test="topup-save" @click="save">{{ $t('topup.save') }}</el-button>
      </template>
    </el-dialog>`,
};
