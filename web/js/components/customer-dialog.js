// The customer form (新建 / 编辑客户): a person (member) or a business (B2B: company name, 统一
// 社会信用代码, addresses, credit limit and payment terms). POST /customers (Idempotency-Key) or
// PUT /customers/{id} with `version`; the server's field errors (`/phone` taken, `/tax_id` wrong
// check character …) go under their fields; a stale version reloads the form. A masked phone
// or e-mail sent back unchanged keeps the stored one.
import { computed, nextTick, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api, fetchAll } from '../api.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useFieldErrors, validateForm } from '../forms.js';
import { minorToMajor, parseMajor } from '../money.js';
import { can } from '../session.js';
import { CUSTOMER_KINDS, GENDERS, customerLookups, loadTiers, phoneLooksValid } from '../customers.js';

const blank = () => ({
  id: null, version: 0, kind: 'person', name: '', phone: '', email: '', member_no: '', card_code: '', birthday: '', gender: null,
  tier_code: null, tags: [], marketing_consent: false, consent_source: 'backoffice', notes: '', home_store_id: null,
  company_name: '', tax_id: '', billing_address: '', shipping_address: '', credit_limit: '0', payment_terms_days: 0,
});
const fromCustomer = (c) => ({
  id: c.id, version: c.version, kind: c.kind || 'person', name: c.name || '', phone: c.phone || '', email: c.email || '',
  member_no: c.member_no || '', card_code: c.card_code || '', birthday: c.birthday || '', gender: c.gender || null,
  tier_code: c.tier_code || null, tags: [...(c.tags || [])], marketing_consent: !!c.marketing_consent,
  consent_source: c.consent_source || 'backoffice', notes: c.notes || '', home_store_id: c.home_store_id || null,
  company_name: c.company_name || '', tax_id: c.tax_id || '', billing_address: c.billing_address || '',
  shipping_address: c.shipping_address || '', credit_limit: minorToMajor(c.credit_limit_minor ?? 0),
  payment_terms_days: c.payment_terms_days ?? 0,
});
const orNull = (s) => (String(s ?? '').trim() ? String(s).trim() : null);

export default {
  name: 'CustomerDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    customer: { type: Object, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const form = reactive(blank());
    const formRef = ref(null);
    const saving = ref(false);
    const stores = ref([]);
    const { errors, clear, fromError } = useFieldErrors();

    watch(() => props.modelValue, async (open) => {
      if (!open) return;
      Object.assign(form, blank(), props.customer ? fromCustomer(props.customer) : {});
      clear();
      loadTiers();
      if (!stores.value.length && can('org.read')) fetchAll('/stores').then((s) => { stores.value = s.filter((x) => x.kind !== 'warehouse'); }).catch(() => {});
      await nextTick();
      formRef.value?.clearValidate();
    });

    const rules = computed(() => ({
      name: [requiredRule()],
      company_name: form.kind === 'business' ? [requiredRule()] : [],
      phone: [{ trigger: 'blur', validator: (_r, v, cb) => cb(phoneLooksValid(v) || /\*/.test(v) ? undefined : new Error(t('customers.phoneInvalid'))) }],
      tax_id: [{ trigger: 'blur', validator: (_r, v, cb) => cb(!v || /^[0-9A-HJ-NPQRTUWXY]{18}$/i.test(String(v).trim()) ? undefined : new Error(t('customers.taxIdFormat'))) }],
      credit_limit: [{ trigger: 'blur', validator: (_r, v, cb) => { const p = parseMajor(v); cb(p.error ? new Error(t(`money.${p.error}`, { n: p.digits })) : undefined); } }],
    }));

    function body() {
      const b = {
        kind: form.kind, name: form.name.trim(), phone: orNull(form.phone), email: orNull(form.email), member_no: orNull(form.member_no),
        card_code: orNull(form.card_code), birthday: orNull(form.birthday), gender: form.gender || null, tier_code: form.tier_code || null,
        tags: form.tags.map((x) => String(x).trim()).filter(Boolean), marketing_consent: form.marketing_consent,
        consent_source: form.consent_source || 'backoffice', notes: form.notes || '', home_store_id: form.home_store_id || null,
        company_name: form.kind === 'business' ? orNull(form.company_name) : null,
        tax_id: form.kind === 'business' ? orNull(form.tax_id)?.toUpperCase() ?? null : null,
        billing_address: form.kind === 'business' ? orNull(form.billing_address) : null,
        shipping_address: form.kind === 'business' ? orNull(form.shipping_address) : null,
        credit_limit_minor: form.kind === 'business' ? parseMajor(form.credit_limit).minor ?? 0 : 0,
        payment_terms_days: form.kind === 'business' ? Number(form.payment_terms_days) || 0 : 0,
      };
      if (form.id) b.version = form.version;
      return b;
    }

    async function reloadCurrent() {
      try {
        Object.assign(form, fromCustomer(await api.get(`/customers/${encodeURIComponent(form.id)}`)));
      } catch (e) {
        showError(e);
      }
    }

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        const saved = form.id
          ? await api.put(`/customers/${encodeURIComponent(form.id)}`, body())
          : await api.create('/customers', body());
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        emit('update:modelValue', false);
        emit('saved', saved);
      } catch (e) {
        if (await handleVersionConflict(e, reloadCurrent)) return;
        if (!fromError(e, { conflictField: 'phone' })) showError(e);
      } finally {
        saving.value = false;
      }
    }

    return { form, formRef, rules, errors, saving, save, stores, tiers: computed(() => customerLookups.tiers), CUSTOMER_KINDS, GENDERS };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" width="720px" append-to-body
               :title="form.id ? $t('customers.edit') : $t('customers.create')" data-test="customer-dialog" :close-on-click-modal="false">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="130px" @submit.prevent="save">
        <el-form-item :label="$t('customers.kind')" prop="kind" :error="errors.kind" data-test="customer-field-kind">
          <el-radio-group v-model="form.kind">
            <el-radio-button v-for="k in CUSTOMER_KINDS" :key="k" :value="k" :data-test="'customer-kind-' + k">{{ $tv('customerKind', k) }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="form.kind === 'business' ? $t('customers.contactName') : $t('customers.name')" prop="name" :error="errors.name" data-test="customer-field-name">
          <el-input v-model="form.name" maxlength="64" data-test="customer-name" />
        </el-form-item>
        <template v-if="form.kind === 'business'">
          <el-form-item :label="$t('customers.companyName')" prop="company_name" :error="errors.company_name" data-test="customer-field-company_name">
            <el-input v-model="form.company_name" maxlength="128" data-test="customer-company-name" />
          </el-form-item>
          <el-form-item :label="$t('customers.taxId')" prop="tax_id" :error="errors.tax_id" data-test="customer-field-tax_id">
            <el-input v-model="form.tax_id" maxlength="18" data-test="customer-tax-id" />
          </el-form-item>
        </template>
        <el-form-item :label="$t('customers.phone')" prop="phone" :error="errors.phone" data-test="customer-field-phone">
          <el-input v-model="form.phone" maxlength="20" inputmode="tel" data-test="customer-phone" />
        </el-form-item>
        <el-form-item :label="$t('customers.email')" prop="email" :error="errors.email" data-test="customer-field-email">
          <el-input v-model="form.email" maxlength="128" data-test="customer-email" />
        </el-form-item>
        <el-form-item :label="$t('customers.memberNo')" prop="member_no" :error="errors.member_no" data-test="customer-field-member_no">
          <el-input v-model="form.member_no" maxlength="32" :placeholder="$t('customers.memberNoAuto')" data-test="customer-member-no" />
        </el-form-item>
        <el-form-item :label="$t('customers.cardCode')" prop="card_code" :error="errors.card_code" data-test="customer-field-card_code">
          <el-input v-model="form.card_code" maxlength="64" data-test="customer-card-code" />
        </el-form-item>
        <template v-if="form.kind === 'person'">
          <el-form-item :label="$t('customers.birthday')" prop="birthday" :error="errors.birthday" data-test="customer-field-birthday">
            <el-date-picker v-model="form.birthday" type="date" value-format="YYYY-MM-DD" data-test="customer-birthday" />
          </el-form-item>
          <el-form-item :label="$t('customers.gender')" prop="gender" :error="errors.gender" data-test="customer-field-gender">
            <el-radio-group v-model="form.gender">
              <el-radio v-for="g in GENDERS" :key="g" :value="g">{{ $tv('gender', g) }}</el-radio>
            </el-radio-group>
          </el-form-item>
        </template>
        <el-form-item :label="$t('customers.tier')" prop="tier_code" :error="errors.tier_code" data-test="customer-field-tier_code">
          <el-select v-model="form.tier_code" clearable data-test="customer-tier">
            <el-option v-for="x in tiers" :key="x.code" :value="x.code" :label="x.name" :data-test="'customer-tier-option-' + x.code" />
          </el-select>
        </el-form-item>
        <el-form-item :label="$t('customers.tags')" prop="tags" :error="errors.tags" data-test="customer-field-tags">
          <el-select v-model="form.tags" multiple filterable allow-create default-first-option :placeholder="$t('customers.tagsHint')" data-test="customer-tags" />
        </el-form-item>
        <el-form-item :label="$t('customers.homeStore')" prop="home_store_id" :error="errors.home_store_id" data-test="customer-field-home_store_id">
          <el-select v-model="form.home_store_id" clearable filterable data-test="customer-home-store">
            <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" />
          </el-select>
        </el-form-item>
        <el-form-item :label="$t('customers.consent')" prop="marketing_consent" :error="errors.marketing_consent" data-test="customer-field-marketing_consent">
          <el-switch v-model="form.marketing_consent" data-test="customer-consent" />
        </el-form-item>
        <template v-if="form.kind === 'business'">
          <el-form-item :label="$t('customers.billingAddress')" prop="billing_address" :error="errors.billing_address" data-test="customer-field-billing_address">
            <el-input v-model="form.billing_address" maxlength="256" />
          </el-form-item>
          <el-form-item :label="$t('customers.shippingAddress')" prop="shipping_address" :error="errors.shipping_address" data-test="customer-field-shipping_address">
            <el-input v-model="form.shipping_address" maxlength="256" />
          </el-form-item>
          <el-form-item :label="$t('customers.creditLimit')" prop="credit_limit" :error="errors.credit_limit_minor" data-test="customer-field-credit_limit">
            <el-input v-model="form.credit_limit" inputmode="decimal" data-test="customer-credit-limit" />
          </el-form-item>
          <el-form-item :label="$t('customers.paymentTerms')" prop="payment_terms_days" :error="errors.payment_terms_days" data-test="customer-field-payment_terms_days">
            <el-input-number v-model="form.payment_terms_days" :min="0" :max="365" />
          </el-form-item>
        </template>
        <el-form-item :label="$t('customers.notes')" prop="notes" :error="errors.notes" data-test="customer-field-notes">
          <el-input v-model="form.notes" type="textarea" :rows="2" maxlength="1000" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="customer-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="customer-save" @click="save">{{ $t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
