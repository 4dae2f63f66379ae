// The member dialog at the register (会员, F7): find a member by mobile, member number or card
// (GET /customers/lookup, chain-wide) and attach them to the cart; or register a new member on
// the spot (name + mobile → POST /customers) and attach them. Members need the server: offline
// the dialog only says so.
import { nextTick, reactive, ref, watch } from 'vue';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { describeError, fieldMessage, propOf } from '../forms.js';
import { formatMoney } from '../money.js';
import { can } from '../session.js';
import { lookupMemberByCode, mainlandMobile, phoneLooksValid } from '../customers.js';

export default {
  name: 'RegisterMember',
  props: {
    modelValue: { type: Boolean, default: false },
    offline: { type: Boolean, default: false },
    storeId: { type: String, default: null },
    initial: { type: String, default: '' },
  },
  emits: ['update:modelValue', 'attach'],
  setup(props, { emit }) {
    const state = reactive({ text: '', busy: false, error: '', found: null, notFound: false, mode: 'find' });
    const form = reactive({ name: '', phone: '', errors: {}, busy: false });
    const inputRef = ref(null);
    const nameRef = ref(null);
    const canCreate = () => can('customers.manage');

    watch(() => props.modelValue, (open) => {
      if (!open) return;
      Object.assign(state, { text: props.initial || '', busy: false, error: '', found: null, notFound: false, mode: 'find' });
      Object.assign(form, { name: '', phone: '', errors: {}, busy: false });
      if (props.initial) find();
    });

    function focusFirst() {
      nextTick(() => (state.mode === 'new' ? nameRef.value : inputRef.value)?.focus());
    }

    async function find() {
      const q = state.text.trim();
      state.error = '';
      state.found = null;
      state.notFound = false;
      if (!q || props.offline) return;
      state.busy = true;
      try {
        const m = await lookupMemberByCode(q);
        if (m) state.found = m;
        else state.notFound = true;
      } catch (e) {
        // No answer from the server: members need it (the register sells on without one).
        state.error = e instanceof ApiError && (e.status === 0 || e.status >= 500) ? t('member.offline') : describeError(e);
      } finally {
        state.busy = false;
      }
    }

    function attach(m = state.found) {
      if (!m) return;
      emit('attach', m);
      emit('update:modelValue', false);
    }

    function onEnter() {
      if (state.found && state.text.trim() && !state.busy) attach();
      else find();
    }

    function startNew() {
      state.mode = 'new';
      form.phone = mainlandMobile(state.text) || '';
      form.errors = {};
      focusFirst();
    }

    async function createMember() {
      form.errors = {};
      if (!form.name.trim()) form.errors.name = t('fieldError.required');
      if (!form.phone.trim()) form.errors.phone = t('fieldError.required');
      else if (!phoneLooksValid(form.phone)) form.errors.phone = t('customers.phoneInvalid');
      if (Object.keys(form.errors).length) return;
      form.busy = true;
      try {
        const created = await api.create('/customers', {
          kind: 'person', name: form.name.trim(), phone: form.phone.trim(), marketing_consent: false,
          consent_source: 'register', home_store_id: props.storeId || null, tags: [], notes: '',
        });
        // The register's view of the member (tier prices, points value) comes from the lookup.
        const phone = mainlandMobile(form.phone);
        let m = null;
        try {
          m = phone ? await lookupMemberByCode(phone) : null;
          if (!m && created?.member_no) m = await lookupMemberByCode(created.member_no);
        } catch {
          m = null;
        }
        attach(m || {
          id: created.id, name: created.name, phone: created.phone, member_no: created.member_no, tier_code: created.tier_code,
          tier_name: created.tier_name, price_tier: null, points_balance: created.points_balance ?? 0, points_value_minor: 0,
          stored_value_minor: created.stored_value_minor ?? 0,
        });
      } catch (e) {
        let placed = false;
        if (e instanceof ApiError) {
          for (const fe of e.errors) {
            const p = propOf(fe.field);
            if (p === 'name' || p === 'phone') {
              form.errors[p] = fe.code === 'taken' || e.status === 409 ? t('customers.phoneTaken') : fieldMessage(fe);
              placed = true;
            }
          }
          if (!placed && e.status === 409) {
            form.errors.phone = t('customers.phoneTaken');
            placed = true;
          }
        }
        if (!placed) form.errors.general = describeError(e);
      } finally {
        form.busy = false;
      }
    }

    return { state, form, inputRef, nameRef, canCreate, find, attach, onEnter, startNew, createMember, focusFirst, formatMoney };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="$t('member.title')"
               width="560px" append-to-body data-test="register-member-dialog" :close-on-click-modal="false" @opened="focusFirst">
      <div v-if="offline" class="sp-pay-offline" data-test="member-offline">{{ $t('member.offline') }}</div>
      <template v-else-if="state.mode === 'find'">
        <el-input ref="inputRef" v-model="state.text" size="large" clearable :placeholder="$t('member.findHint')"
                  data-test="member-find-input" @keydown.enter.prevent="onEnter">
          <template #append><el-button :loading="state.busy" data-test="member-find" @click="find">{{ $t('member.find') }}</el-button></template>
        </el-input>
        <div v-if="state.error" class="sp-row-error" data-test="member-find-error">{{ state.error }}</div>
        <div v-if="state.notFound" class="sp-member-notfound" data-test="member-not-found">
          <span>{{ $t('member.notFound', { q: state.text.trim() }) }}</span>
        </div>
        <div v-if="state.found" class="sp-member-found" data-test="member-found" :data-id="state.found.id">
          <div><strong data-test="member-found-name">{{ state.found.name }}</strong>
            <el-tag v-if="state.found.tier_name || state.found.tier_code" size="small" type="warning">{{ state.found.tier_name || state.found.tier_code }}</el-tag></div>
          <div class="sp-muted sp-small">{{ state.found.phone }} · {{ state.found.member_no }}</div>
          <div class="sp-small">{{ $t('member.pointsLine', { points: state.found.points_balance ?? 0, value: formatMoney(state.found.points_value_minor ?? 0) }) }}
            · {{ $t('member.balanceLine', { amount: formatMoney(state.found.stored_value_minor ?? 0) }) }}</div>
        </div>
        <p class="sp-muted sp-small">{{ $t('member.scanHelp') }}</p>
      </template>
      <el-form v-else label-position="top" @submit.prevent="createMember" data-test="member-new-form">
        <el-form-item :label="$t('customers.name')" :error="form.errors.name" data-test="member-new-field-name">
          <el-input ref="nameRef" v-model="form.name" size="large" maxlength="64" data-test="member-new-name" @keydown.enter.prevent="createMember" />
        </el-form-item>
        <el-form-item :label="$t('customers.phone')" :error="form.errors.phone" data-test="member-new-field-phone">
          <el-input v-model="form.phone" size="large" inputmode="tel" maxlength="20" data-test="member-new-phone" @keydown.enter.prevent="createMember" />
        </el-form-item>
        <div v-if="form.errors.general" class="sp-row-error" data-test="member-new-error">{{ form.errors.general }}</div>
      </el-form>
      <template #footer>
        <el-button size="large" class="sp-touch" data-test="member-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }} (Esc)</el-button>
        <template v-if="!offline && state.mode === 'find'">
          <el-button v-if="canCreate()" size="large" class="sp-touch" data-test="member-new" @click="startNew">{{ $t('member.new') }}</el-button>
          <el-button type="primary" size="large" class="sp-touch" :disabled="!state.found" data-test="member-attach" @click="attach()">{{ $t('member.attach') }}</el-button>
        </template>
        <template v-else-if="!offline">
          <el-button size="large" class="sp-touch" data-test="member-new-back" @click="state.mode = 'find'">{{ $t('member.back') }}</el-button>
          <el-button type="primary" size="large" class="sp-touch" :loading="form.busy" data-test="member-new-save" @click="createMember">{{ $t('member.createAttach') }}</el-button>
        </template>
      </template>
    </el-dialog>`,
};
