// Tax classes: code, name and rate. People type the rate in percent (13); the API takes a
// decimal string ("0.13").
import { computed, onMounted } from 'vue';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { requiredRule, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
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
    const crud = useCrudDialog({
      blank, fromRow, path: '/tax-classes', list,
      body: (f) => ({ code: f.code.trim(), name: f.name.trim(), rate: percentToRate(f.percent).rate }),
    });
    const percentRule = {
      trigger: 'blur',
      validator: (_r, v, cb) => {
        if (String(v ?? '').trim() === '') return cb(new Error(t('fieldError.required')));
        const r = percentToRate(v);
        return cb(r.error ? new Error(t(`taxClasses.rateError.${r.error}`)) : undefined);
      },
    };
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()], percent: [percentRule] }));

    onMounted(list.reload);
    return { ...list, ...crud, editable, rules, rateToPercent };
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
