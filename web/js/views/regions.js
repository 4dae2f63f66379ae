// Regions: a list and a create/edit dialog (code, name).
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useCursorList, useFieldErrors, validateForm } from '../forms.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ id: null, code: '', name: '', version: 0 });

export default {
  name: 'RegionsView',
  components: { LoadMore },
  setup() {
    const list = useCursorList('/regions');
    const editable = computed(() => can('org.manage'));
    const dialog = ref(false);
    const saving = ref(false);
    const form = reactive(blank());
    const formRef = ref(null);
    const { errors, clear, fromError } = useFieldErrors();
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));

    async function open(row) {
      Object.assign(form, blank(), row ? { id: row.id, code: row.code, name: row.name, version: row.version } : {});
      clear();
      dialog.value = true;
      await nextTick();
      formRef.value?.clearValidate();
    }

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = { code: form.code.trim(), name: form.name.trim() };
      try {
        if (form.id) await api.put(`/regions/${form.id}`, { ...body, version: form.version });
        else await api.create('/regions', body);
        dialog.value = false;
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        await list.reload();
      } catch (e) {
        const reloadRow = async () => {
          await list.reload();
          const fresh = list.items.value.find((r) => r.id === form.id);
          if (fresh) Object.assign(form, { code: fresh.code, name: fresh.name, version: fresh.version });
        };
        if (await handleVersionConflict(e, reloadRow)) return;
        if (!fromError(e, { conflictField: 'code' })) showError(e);
      } finally {
        saving.value = false;
      }
    }

    onMounted(list.reload);
    return { ...list, editable, dialog, saving, form, formRef, errors, rules, open, save };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('regions.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="region-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('regions.create') }}</span>
        </el-button>
      </div>
      <el-table :data="items" v-loading="loading" data-test="regions-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="code" :label="$t('field.code')" width="180" />
        <el-table-column prop="name" :label="$t('field.name')" />
        <el-table-column v-if="editable" :label="$t('common.actions')" width="140">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'region-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('regions.edit') : $t('regions.create')" width="480px"
                 data-test="region-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="100px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="region-field-code">
            <el-input v-model="form.code" data-test="region-code" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="region-field-name">
            <el-input v-model="form.name" data-test="region-name" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="region-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="region-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
