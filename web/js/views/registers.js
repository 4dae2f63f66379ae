// One store's registers (收银机): a list and an add/edit dialog (code, name, active).
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useCursorList, useFieldErrors, validateForm } from '../forms.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ id: null, code: '', name: '', active: true, version: 0 });

export default {
  name: 'RegistersView',
  components: { LoadMore },
  setup() {
    const storeId = route.params.id;
    const store = ref(null);
    const list = useCursorList(`/stores/${encodeURIComponent(storeId)}/registers`);
    const editable = computed(() => can('registers.manage'));
    const dialog = ref(false);
    const saving = ref(false);
    const form = reactive(blank());
    const formRef = ref(null);
    const { errors, clear, fromError } = useFieldErrors();
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));

    async function open(row) {
      Object.assign(form, blank(), row ? { id: row.id, code: row.code, name: row.name, active: row.active, version: row.version } : {});
      clear();
      dialog.value = true;
      await nextTick();
      formRef.value?.clearValidate();
    }

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const base = `/stores/${encodeURIComponent(storeId)}/registers`;
      const body = { code: form.code.trim(), name: form.name.trim(), active: form.active };
      try {
        if (form.id) await api.put(`${base}/${form.id}`, { ...body, version: form.version });
        else await api.create(base, body);
        dialog.value = false;
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        await list.reload();
      } catch (e) {
        const reloadRow = async () => {
          await list.reload();
          const fresh = list.items.value.find((r) => r.id === form.id);
          if (fresh) Object.assign(form, fresh);
        };
        if (await handleVersionConflict(e, reloadRow)) return;
        if (!fromError(e, { conflictField: 'code' })) showError(e);
      } finally {
        saving.value = false;
      }
    }

    onMounted(async () => {
      list.reload();
      try {
        store.value = await api.get(`/stores/${encodeURIComponent(storeId)}`);
      } catch (e) {
        showError(e);
      }
    });
    const back = () => navigate('/stores');
    return { ...list, store, editable, dialog, saving, form, formRef, errors, rules, open, save, back };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <div>
          <el-button link data-test="registers-back" @click="back"><el-icon><ArrowLeft /></el-icon><span>{{ $t('registers.back') }}</span></el-button>
          <h2 data-test="registers-title">{{ $t('registers.title', { store: store ? store.code + ' · ' + store.name : '' }) }}</h2>
        </div>
        <el-button v-if="editable" type="primary" data-test="register-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('registers.create') }}</span>
        </el-button>
      </div>
      <el-table :data="items" v-loading="loading" data-test="registers-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="code" :label="$t('field.code')" width="160" />
        <el-table-column prop="name" :label="$t('field.name')" />
        <el-table-column :label="$t('field.status')" width="120">
          <template #default="{ row }">
            <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? $t('common.active') : $t('common.inactive') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="120">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'register-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('registers.edit') : $t('registers.create')" width="480px"
                 data-test="register-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="100px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="register-field-code">
            <el-input v-model="form.code" data-test="register-code" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="register-field-name">
            <el-input v-model="form.name" data-test="register-name" />
          </el-form-item>
          <el-form-item :label="$t('field.active')" prop="active" :error="errors.active" data-test="register-field-active">
            <el-switch v-model="form.active" data-test="register-active" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="register-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="register-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
