// Tax classes: code, name and rate. People type the rate in percent (13); the API takes a
// decimal string ("0.13").
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useCursorList, useFieldErrors, validateForm } from '../forms.js';
import { percentToRate, rateToPercent } from '../money.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ id: null, code: '', name: '', percent: '', version: 0 });
const fromRow = (r) => ({ id: r.id, code: r.code, name: r.name, percent: rateToPercent(r.rate), version: r.version });

export default {
  name: 'TaxClassesView',
  components: { LoadMore },
  setup() {
    const list = useCursorList('/tax-classes');
    const editable = computed(() => can('catalog.manage'));
    const dialog = ref(false);
    const saving = ref(false);
    const form = reactive(blank());
    const formRef = ref(null);
    const { errors, clear, fromError } = useFieldErrors();
    const percentRule = {
      trigger: 'blur',
      validator: (_r, v, cb) => {
        if (String(v ?? '').trim() === '') return cb(new Error(t('fieldError.required')));
        const r = percentToRate(v);
        return cb(r.error ? new Error(t(`taxClasses.rateError.${r.error}`)) : undefined);
      },
    };
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()], percent: [percentRule] }));

    async function open(row) {
      Object.assign(form, blank(), row ? fromRow(row) : {});
      clear();
      dialog.value = true;
      await nextTick();
      formRef.value?.clearValidate();
    }

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = { code: form.code.trim(), name: form.name.trim(), rate: percentToRate(form.percent).rate };
      try {
        if (form.id) await api.put(`/tax-classes/${form.id}`, { ...body, version: form.version });
        else await api.create('/tax-classes', body);
        dialog.value = false;
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        await list.reload();
      } catch (e) {
        const reloadRow = async () => {
          await list.reload();
          const fresh = list.items.value.find((r) => r.id === form.id);
          if (fresh) Object.assign(form, fromRow(fresh));
        };
        if (await handleVersionConflict(e, reloadRow)) return;
        if (!fromError(e, { conflictField: 'code' })) showError(e);
      } finally {
        saving.value = false;
      }
    }

    onMounted(list.reload);
    return { ...list, editable, dialog, saving, form, formRef, errors, rules, open, save, rateToPercent };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('taxClasses.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="tax-class-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('taxClasses.create') }}</span>
        </el-button>
      </div>
      <el-table :data="items" v-loading="loading" data-test="tax-classes-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="code" :label="$t('field.code')" width="180" />
        <el-table-column prop="name" :label="$t('field.name')" />
        <el-table-column :label="$t('taxClasses.rate')" width="140" align="right">
          <template #default="{ row }"><span :data-test="'tax-class-rate-' + row.code">{{ rateToPercent(row.rate) }} %</span></template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="120">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'tax-class-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('taxClasses.edit') : $t('taxClasses.create')" width="480px"
                 data-test="tax-class-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="100px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="tax-class-field-code">
            <el-input v-model="form.code" data-test="tax-class-code" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="tax-class-field-name">
            <el-input v-model="form.name" data-test="tax-class-name" />
          </el-form-item>
          <el-form-item :label="$t('taxClasses.rate')" prop="percent" :error="errors.rate" data-test="tax-class-field-rate">
            <el-input v-model="form.percent" data-test="tax-class-rate" class="sp-short" inputmode="decimal">
              <template #suffix>%</template>
            </el-input>
            <span class="sp-help">{{ $t('taxClasses.rateHelp') }}</span>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="tax-class-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="tax-class-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
