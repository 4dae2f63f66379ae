// One store's registers (收银机): a list and an add/edit dialog (code, name, active).
import { computed, onMounted, ref } from 'vue';
import { api } from '../api.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { requiredRule, showError, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ id: null, code: '', name: '', active: true, version: 0 });

export default {
  name: 'RegistersView',
  components: { LoadMore },
  setup() {
    const storeId = route.params.id;
    const store = ref(null);
    const base = `/stores/${encodeURIComponent(storeId)}/registers`;
    const list = useCursorList(base);
    const editable = computed(() => can('registers.manage'));
    const crud = useCrudDialog({
      blank, path: base, list,
      fromRow: (r) => ({ id: r.id, code: r.code, name: r.name, active: r.active, version: r.version }),
      freshRow: (r) => r,
      body: (f) => ({ code: f.code.trim(), name: f.name.trim(), active: f.active }),
    });
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));

    onMounted(async () => {
      list.reload();
      try {
        store.value = await api.get(`/stores/${encodeURIComponent(storeId)}`);
      } catch (e) {
        showError(e);
      }
    });
    const back = () => navigate('/stores');
    return { ...list, ...crud, store, editable, rules, back };
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
