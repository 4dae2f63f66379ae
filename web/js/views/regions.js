// Regions: a list and a create/edit dialog (code, name).
import { computed, onMounted } from 'vue';
import { can } from '../session.js';
import { requiredRule, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ id: null, code: '', name: '', version: 0 });

export default {
  name: 'RegionsView',
  components: { LoadMore },
  setup() {
    const list = useCursorList('/regions');
    const editable = computed(() => can('org.manage'));
    const crud = useCrudDialog({
      blank, path: '/regions', list,
      fromRow: (r) => ({ id: r.id, code: r.code, name: r.name, version: r.version }),
      body: (f) => ({ code: f.code.trim(), name: f.name.trim() }),
    });
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));

    onMounted(list.reload);
    return { ...list, ...crud, editable, rules };
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
