// Scale label formats: which EAN-13 labels printed by in-store scales carry a PLU and a weight
// or a price (prefix + PLU digits + value digits = 12, the 13th is the check digit), and a
// "test a label" box that asks the server what a scanned code means.
import { computed, onMounted, reactive } from 'vue';
import { api, ApiError } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { SCALE_VALUE_KINDS } from '../catalog.js';
import { requiredRule, showError, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { formatMoney } from '../money.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({
  id: null, code: '', name: '', prefix: '2', plu_digits: 5, value_kind: 'weight', value_digits: 5, active: true, version: 0,
});

export default {
  name: 'ScaleFormatsView',
  components: { LoadMore },
  setup() {
    const list = useCursorList('/scale-formats');
    const editable = computed(() => can('catalog.manage'));
    const crud = useCrudDialog({
      blank, path: '/scale-formats', list,
      body: (f) => ({
        code: f.code.trim(), name: f.name.trim(), prefix: String(f.prefix).trim(), plu_digits: f.plu_digits,
        value_kind: f.value_kind, value_digits: f.value_digits, active: f.active,
      }),
    });
    const { form } = crud;
    const total = computed(() => String(form.prefix || '').length + Number(form.plu_digits || 0) + Number(form.value_digits || 0));
    const rules = computed(() => ({
      code: [requiredRule()], name: [requiredRule()],
      prefix: [requiredRule(), { trigger: 'blur', validator: (_r, v, cb) =>
        cb(/^\d{1,3}$/.test(String(v || '')) ? undefined : new Error(t('scaleFormats.prefixFormat'))) }],
      value_digits: [{ trigger: 'change', validator: (_r, _v, cb) =>
        cb(total.value === 12 ? undefined : new Error(t('scaleFormats.totalWrong', { n: total.value }))) }],
    }));
    const layout = computed(() => `${form.prefix || ''}${'P'.repeat(form.plu_digits || 0)}${'V'.repeat(form.value_digits || 0)}C`);

    // Test a label: GET /scan/{code}.
    const scan = reactive({ code: '', result: null, notFound: false, loading: false });
    async function testLabel() {
      const code = scan.code.trim();
      Object.assign(scan, { result: null, notFound: false });
      if (!code) return;
      scan.loading = true;
      try {
        scan.result = await api.get(`/scan/${encodeURIComponent(code)}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) scan.notFound = true;
        else showError(e);
      } finally {
        scan.loading = false;
      }
    }
    /** The scanned quantity with the product's unit (grams shown as kg for a weighed product). */
    const quantityText = (r) => {
      if (r.quantity === null || r.quantity === undefined) return '';
      const unit = r.product?.unit;
      const text = unit ? `${r.quantity} ${t(`unit.${unit}`)}` : String(r.quantity);
      const grams = r.weight_grams ?? null; // a weight label also says its grams
      return grams !== null && unit !== 'g' ? `${text} (${grams} ${t('unit.g')})` : text;
    };
    /** A price label carries its amount; a weight label leaves the price to the register. */
    const priceText = (r) => (r.price_minor === null || r.price_minor === undefined ? t('scaleFormats.noPrice') : formatMoney(r.price_minor));
    const layoutOf = (row) => `${row.prefix}${'P'.repeat(row.plu_digits)}${'V'.repeat(row.value_digits)}C`;

    onMounted(list.reload);
    return {
      ...list, ...crud, editable, rules, total, layout, layoutOf,
      scan, testLabel, quantityText, priceText, formatMoney, SCALE_VALUE_KINDS, pluRange: [3, 4, 5, 6], valueRange: [4, 5, 6],
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('scaleFormats.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="scale-format-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('scaleFormats.create') }}</span>
        </el-button>
      </div>
      <el-table :data="items" v-loading="loading" data-test="scale-formats-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="code" :label="$t('field.code')" width="130" />
        <el-table-column prop="name" :label="$t('field.name')" min-width="150" />
        <el-table-column :label="$t('scaleFormats.layout')" width="190">
          <template #default="{ row }"><span class="sp-code">{{ layoutOf(row) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('scaleFormats.valueKind')" width="130">
          <template #default="{ row }">{{ $tv('scaleValueKind', row.value_kind) }}</template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="90">
          <template #default="{ row }">
            <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? $t('common.active') : $t('common.inactive') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="100">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'scale-format-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-card shadow="never" class="sp-panel" data-test="scale-test">
        <template #header><strong>{{ $t('scaleFormats.test') }}</strong> <span class="sp-muted sp-small">{{ $t('scaleFormats.testHelp') }}</span></template>
        <div class="sp-filters">
          <el-input v-model="scan.code" data-test="scale-test-code" class="sp-search sp-mono" clearable maxlength="32"
                    :placeholder="$t('scaleFormats.testPlaceholder')" @keyup.enter="testLabel" />
          <el-button type="primary" :loading="scan.loading" data-test="scale-test-run" @click="testLabel">{{ $t('scaleFormats.testRun') }}</el-button>
        </div>
        <el-alert v-if="scan.notFound" type="warning" :closable="false" show-icon :title="$t('scaleFormats.noMatch')" data-test="scale-test-none" />
        <el-descriptions v-if="scan.result" :column="2" border data-test="scale-test-result">
          <el-descriptions-item :label="$t('scaleFormats.product')">
            <span data-test="scale-test-product">{{ scan.result.product?.sku }} · {{ scan.result.product?.name_zh }}</span>
          </el-descriptions-item>
          <el-descriptions-item :label="$t('scaleFormats.source')">{{ $tv('scanSource', scan.result.source) }}</el-descriptions-item>
          <el-descriptions-item :label="$t('scaleFormats.quantity')">
            <span data-test="scale-test-quantity">{{ quantityText(scan.result) }}</span>
          </el-descriptions-item>
          <el-descriptions-item :label="$t('scaleFormats.price')">
            <span data-test="scale-test-price">{{ priceText(scan.result) }}</span>
          </el-descriptions-item>
        </el-descriptions>
      </el-card>

      <el-dialog v-model="dialog" :title="form.id ? $t('scaleFormats.edit') : $t('scaleFormats.create')" width="560px"
                 data-test="scale-format-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="130px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="scale-format-field-code">
            <el-input v-model="form.code" data-test="scale-format-code" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="scale-format-field-name">
            <el-input v-model="form.name" data-test="scale-format-name" />
          </el-form-item>
          <el-form-item :label="$t('scaleFormats.prefix')" prop="prefix" :error="errors.prefix" data-test="scale-format-field-prefix">
            <el-input v-model="form.prefix" data-test="scale-format-prefix" class="sp-short sp-mono" maxlength="3" />
            <span class="sp-help">{{ $t('scaleFormats.prefixHelp') }}</span>
          </el-form-item>
          <el-form-item :label="$t('scaleFormats.pluDigits')" prop="plu_digits" :error="errors.plu_digits" data-test="scale-format-field-plu_digits">
            <el-select v-model="form.plu_digits" data-test="scale-format-plu-digits" class="sp-short">
              <el-option v-for="n in pluRange" :key="n" :value="n" :label="String(n)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('scaleFormats.valueKind')" prop="value_kind" :error="errors.value_kind" data-test="scale-format-field-value_kind">
            <el-radio-group v-model="form.value_kind" data-test="scale-format-value-kind">
              <el-radio v-for="k in SCALE_VALUE_KINDS" :key="k" :value="k" :data-test="'scale-format-value-kind-' + k">{{ $tv('scaleValueKind', k) }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="$t('scaleFormats.valueDigits')" prop="value_digits" :error="errors.value_digits" data-test="scale-format-field-value_digits">
            <el-select v-model="form.value_digits" data-test="scale-format-value-digits" class="sp-short">
              <el-option v-for="n in valueRange" :key="n" :value="n" :label="String(n)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('scaleFormats.layout')" data-test="scale-format-layout">
            <span class="sp-code">{{ layout }}</span>
            <span class="sp-help" :class="{ 'sp-bad': total !== 12 }">{{ $t('scaleFormats.layoutHelp', { n: total }) }}</span>
          </el-form-item>
          <el-form-item :label="$t('field.active')" prop="active" :error="errors.active" data-test="scale-format-field-active">
            <el-switch v-model="form.active" data-test="scale-format-active" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="scale-format-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="scale-format-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
