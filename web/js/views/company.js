// Company settings: name, currency, default language, tax mode, rounding, time zone.
// Editable only with company.manage; saves with the version it read.
import { computed, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { can, setCompany } from '../session.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useFieldErrors, validateForm } from '../forms.js';
import { LOCALES, ROUNDING_RULES, TAX_MODES } from '../lookups.js';
import TimeZoneSelect from '../components/time-zone-select.js';

export default {
  name: 'CompanyView',
  components: { TimeZoneSelect },
  setup() {
    const form = reactive({ name: '', currency: '', default_locale: 'zh-CN', tax_mode: 'inclusive',
      rounding_rule: 'half_up', time_zone: '', version: 0 });
    const formRef = ref(null);
    const loaded = ref(false);
    const saving = ref(false);
    const editable = computed(() => can('company.manage'));
    const { errors, clear, fromError } = useFieldErrors();
    const rules = computed(() => ({
      name: [requiredRule()],
      currency: [requiredRule(), { pattern: /^[A-Z]{3}$/, message: t('company.currencyFormat'), trigger: 'blur' }],
      time_zone: [requiredRule('change')],
    }));

    async function load() {
      try {
        Object.assign(form, await api.get('/company'));
        loaded.value = true;
        formRef.value?.clearValidate();
      } catch (e) {
        showError(e);
      }
    }

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        const saved = await api.put('/company', {
          name: form.name.trim(), currency: form.currency.trim().toUpperCase(), default_locale: form.default_locale,
          tax_mode: form.tax_mode, rounding_rule: form.rounding_rule, time_zone: form.time_zone, version: form.version,
        });
        Object.assign(form, saved);
        setCompany(saved);
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
      } catch (e) {
        if (await handleVersionConflict(e, load)) return;
        if (!fromError(e)) showError(e);
      } finally {
        saving.value = false;
      }
    }

    onMounted(load);
    return { form, formRef, rules, errors, loaded, saving, editable, save, LOCALES, TAX_MODES, ROUNDING_RULES };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head"><h2>{{ $t('company.title') }}</h2></div>
      <el-card v-loading="!loaded">
        <el-alert v-if="!editable" type="info" :closable="false" show-icon :title="$t('company.readOnly')" class="sp-gap" />
        <el-form ref="formRef" :model="form" :rules="rules" label-width="160px" class="sp-form" :disabled="!editable"
                 data-test="company-form" @submit.prevent="save">
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="company-field-name">
            <el-input v-model="form.name" data-test="company-name" maxlength="200" />
          </el-form-item>
          <el-form-item :label="$t('company.currency')" prop="currency" :error="errors.currency" data-test="company-field-currency">
            <el-input v-model="form.currency" data-test="company-currency" maxlength="3" class="sp-short" />
          </el-form-item>
          <el-form-item :label="$t('company.defaultLocale')" prop="default_locale" :error="errors.default_locale" data-test="company-field-default_locale">
            <el-select v-model="form.default_locale" data-test="company-default-locale" class="sp-medium">
              <el-option v-for="l in LOCALES" :key="l" :value="l" :label="$tv('locale', l)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('company.taxMode')" prop="tax_mode" :error="errors.tax_mode" data-test="company-field-tax_mode">
            <el-radio-group v-model="form.tax_mode" data-test="company-tax-mode">
              <el-radio v-for="m in TAX_MODES" :key="m" :value="m">{{ $tv('taxMode', m) }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="$t('company.roundingRule')" prop="rounding_rule" :error="errors.rounding_rule" data-test="company-field-rounding_rule">
            <el-radio-group v-model="form.rounding_rule" data-test="company-rounding-rule">
              <el-radio v-for="r in ROUNDING_RULES" :key="r" :value="r">{{ $tv('roundingRule', r) }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="$t('field.timeZone')" prop="time_zone" :error="errors.time_zone" data-test="company-field-time_zone">
            <time-zone-select v-model="form.time_zone" data-test="company-time-zone" class="sp-medium" />
          </el-form-item>
          <el-form-item v-if="editable">
            <el-button type="primary" native-type="submit" :loading="saving" data-test="company-save">{{ $t('common.save') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
    </div>`,
};
