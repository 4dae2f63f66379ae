// The reorder rule of one product at one location (补货规则): reorder point, reorder quantity and
// maximum, each optional (empty clears it) → PUT /stock/reorder-rules with one line. Opened from
// a row of the stock browser or of the alerts (a StockLevel); `saved` tells the list to reload.
import { reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { showError, validateForm } from '../forms.js';
import { formatQty, lineErrors, parseQty, qtyRule } from '../inventory.js';

const FIELDS = ['reorder_point', 'reorder_qty', 'max'];

export default {
  name: 'ReorderRuleDialog',
  emits: ['saved'],
  setup(_props, { emit, expose }) {
    const visible = ref(false);
    const saving = ref(false);
    const row = ref(null);
    const form = reactive({ reorder_point: '', reorder_qty: '', max: '' });
    const errors = reactive({ reorder_point: '', reorder_qty: '', max: '' });
    const formRef = ref(null);
    const rules = Object.fromEntries(FIELDS.map((f) => [f, [qtyRule(t, { allowEmpty: true })]]));

    function open(level) {
      row.value = level;
      for (const f of FIELDS) {
        form[f] = level[f] === null || level[f] === undefined ? '' : formatQty(level[f]);
        errors[f] = '';
      }
      visible.value = true;
      formRef.value?.clearValidate();
    }

    async function save() {
      for (const f of FIELDS) errors[f] = '';
      if (!(await validateForm(formRef.value))) return;
      const line = { product_id: row.value.product_id };
      for (const f of FIELDS) line[f] = parseQty(form[f], { allowEmpty: true }).value;
      saving.value = true;
      try {
        await api.put('/stock/reorder-rules', { location_id: row.value.location_id, lines: [line] });
        visible.value = false;
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        emit('saved', { ...row.value, ...line });
      } catch (e) {
        const found = lineErrors(e);
        for (const [k, v] of Object.entries(found.lines[0] || {})) if (k in errors) errors[k] = v;
        if (!found.any || !Object.keys(found.lines[0] || {}).some((k) => k in errors)) showError(e);
      } finally {
        saving.value = false;
      }
    }

    expose({ open });
    return { visible, saving, row, form, errors, formRef, rules, save, open };
  },
  template: `
    <el-dialog v-model="visible" :title="$t('reorder.title')" width="520px" data-test="reorder-dialog" :close-on-click-modal="false">
      <p v-if="row" class="sp-muted" data-test="reorder-what">{{ row.sku }} · {{ row.name_zh }} @ {{ row.location_code }} {{ row.location_name }}</p>
      <el-form ref="formRef" :model="form" :rules="rules" label-width="130px" @submit.prevent="save">
        <el-form-item :label="$t('stock.reorderPoint')" prop="reorder_point" :error="errors.reorder_point" data-test="reorder-field-reorder_point">
          <el-input v-model="form.reorder_point" class="sp-medium" data-test="reorder-point" inputmode="decimal" />
          <span class="sp-help">{{ $t('reorder.pointHelp') }}</span>
        </el-form-item>
        <el-form-item :label="$t('stock.reorderQty')" prop="reorder_qty" :error="errors.reorder_qty" data-test="reorder-field-reorder_qty">
          <el-input v-model="form.reorder_qty" class="sp-medium" data-test="reorder-qty" inputmode="decimal" />
          <span class="sp-help">{{ $t('reorder.qtyHelp') }}</span>
        </el-form-item>
        <el-form-item :label="$t('stock.max')" prop="max" :error="errors.max" data-test="reorder-field-max">
          <el-input v-model="form.max" class="sp-medium" data-test="reorder-max" inputmode="decimal" />
          <span class="sp-help">{{ $t('reorder.maxHelp') }}</span>
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="reorder-cancel" @click="visible = false">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="reorder-save" @click="save">{{ $t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
