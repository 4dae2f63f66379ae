// Tender types (支付方式): how customers may pay — code, name, kind (cash, card on an external
// terminal, other such as vouchers, mobile), whether an offline register may take it, active,
// display order. Everyone with org.read reads the list (the register offers these); only
// tenders.manage (admins) creates and edits, through the shared dialog (crud.js).
import { computed, onMounted, watch } from 'vue';
import { can } from '../session.js';
import { requiredRule, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { TENDER_KINDS } from '../sales.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ id: null, code: '', name: '', kind: 'other', allowed_offline: false, active: true, sort: 0, version: 0 });
const fromRow = (r) => ({
  id: r.id, code: r.code, name: r.name, kind: r.kind, allowed_offline: r.allowed_offline, active: r.active,
  sort: r.sort ?? 0, version: r.version,
});

export default {
  name: 'TenderTypesView',
  components: { LoadMore },
  setup() {
    const list = useCursorList('/tender-types');
    const editable = computed(() => can('tenders.manage'));
    const crud = useCrudDialog({
      blank, fromRow, path: '/tender-types', list,
      body: (f) => ({
        code: f.code.trim(), name: f.name.trim(), kind: f.kind, allowed_offline: f.kind === 'mobile' ? false : f.allowed_offline,
        active: f.active, sort: Number(f.sort) || 0,
      }),
    });
    // Mobile payments need their provider online: never offline.
    watch(() => crud.form.kind, (k) => {
      if (k === 'mobile') crud.form.allowed_offline = false;
    });
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()], kind: [requiredRule('change')] }));

    onMounted(list.reload);
    return { ...list, ...crud, editable, rules, TENDER_KINDS };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('tenderTypes.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="tender-type-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('tenderTypes.create') }}</span>
        </el-button>
      </div>
      <p class="sp-list-note sp-muted">{{ $t('tenderTypes.help') }}</p>
      <el-table :data="items" v-loading="loading" data-test="tender-types-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="sort" :label="$t('tenderTypes.sort')" width="80" />
        <el-table-column :label="$t('field.code')" width="140">
          <template #default="{ row }"><span :data-test="'tender-type-code-' + row.code">{{ row.code }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('field.name')" min-width="140">
          <template #default="{ row }"><span :data-test="'tender-type-name-' + row.code">{{ row.name }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('tenderTypes.kind')" width="140">
          <template #default="{ row }"><span :data-test="'tender-type-kind-' + row.code">{{ $tv('tenderKind', row.kind) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('tenderTypes.allowedOffline')" width="140">
          <template #default="{ row }">
            <el-tag size="small" :type="row.allowed_offline ? 'success' : 'info'">{{ row.allowed_offline ? $t('common.yes') : $t('common.no') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="110">
          <template #default="{ row }">
            <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? $t('common.active') : $t('common.inactive') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="120">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'tender-type-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('tenderTypes.edit') : $t('tenderTypes.create')" width="520px"
                 data-test="tender-type-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="120px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="tender-type-field-code">
            <el-input v-model="form.code" data-test="tender-type-code" class="sp-medium" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="tender-type-field-name">
            <el-input v-model="form.name" data-test="tender-type-name" />
          </el-form-item>
          <el-form-item :label="$t('tenderTypes.kind')" prop="kind" :error="errors.kind" data-test="tender-type-field-kind">
            <el-select v-model="form.kind" data-test="tender-type-kind" class="sp-medium">
              <el-option v-for="k in TENDER_KINDS" :key="k" :value="k" :label="$tv('tenderKind', k)" :data-test="'tender-type-kind-option-' + k" />
            </el-select>
            <div class="sp-help sp-help-block">{{ $tv('tenderKindHelp', form.kind) }}</div>
          </el-form-item>
          <el-form-item :label="$t('tenderTypes.allowedOffline')" prop="allowed_offline" :error="errors.allowed_offline" data-test="tender-type-field-allowed_offline">
            <el-switch v-model="form.allowed_offline" :disabled="form.kind === 'mobile'" data-test="tender-type-allowed-offline" />
            <span class="sp-help">{{ $t('tenderTypes.allowedOfflineHelp') }}</span>
          </el-form-item>
          <el-form-item :label="$t('field.active')" prop="active" :error="errors.active" data-test="tender-type-field-active">
            <el-switch v-model="form.active" data-test="tender-type-active" />
          </el-form-item>
          <el-form-item :label="$t('tenderTypes.sort')" prop="sort" :error="errors.sort" data-test="tender-type-field-sort">
            <el-input-number v-model="form.sort" :min="0" :step="10" data-test="tender-type-sort" />
            <span class="sp-help">{{ $t('tenderTypes.sortHelp') }}</span>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="tender-type-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="tender-type-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
