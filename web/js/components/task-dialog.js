// A follow-up task for a customer (导购待办): title, notes, due and reminder times, the assignee
// (by default the person creating it) → POST /customer-tasks.
import { reactive, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { describeError, fieldMessage, propOf } from '../forms.js';

function endOfToday() {
  const d = new Date();
  d.setHours(18, 0, 0, 0);
  return d.toISOString();
}

export default {
  name: 'TaskDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    customer: { type: Object, default: null },
    preset: { type: Object, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const form = reactive({ title: '', notes: '', due_at: '', remind_at: '', errors: {}, busy: false });
    watch(() => props.modelValue, (open) => {
      if (!open) return;
      Object.assign(form, { title: props.preset?.title || '', notes: props.preset?.notes || '', due_at: props.preset?.due_at || endOfToday(), remind_at: '', errors: {}, busy: false });
    });
    async function save() {
      form.errors = {};
      if (!form.title.trim()) form.errors.title = t('fieldError.required');
      if (!form.due_at) form.errors.due_at = t('fieldError.required');
      if (Object.keys(form.errors).length) return;
      form.busy = true;
      try {
        const body = { customer_id: props.customer?.id, title: form.title.trim(), notes: form.notes || '', due_at: new Date(form.due_at).toISOString() };
        if (form.remind_at) body.remind_at = new Date(form.remind_at).toISOString();
        const saved = await api.create('/customer-tasks', body);
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        emit('update:modelValue', false);
        emit('saved', saved);
      } catch (e) {
        let placed = false;
        if (e instanceof ApiError) {
          for (const fe of e.errors) {
            const p = propOf(fe.field);
            if (['title', 'due_at', 'remind_at', 'notes'].includes(p)) {
              form.errors[p] = fieldMessage(fe);
              placed = true;
            }
          }
        }
        if (!placed) form.errors.general = describeError(e);
      } finally {
        form.busy = false;
      }
    }
    return { form, save };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="$t('tasks.create')"
               width="520px" append-to-body data-test="task-dialog" :close-on-click-modal="false">
      <p v-if="customer" class="sp-muted">{{ customer.name }}</p>
      <el-form label-position="top" @submit.prevent="save">
        <el-form-item :label="$t('tasks.titleField')" :error="form.errors.title" data-test="task-field-title">
          <el-input v-model="form.title" maxlength="128" data-test="task-title" />
        </el-form-item>
        <el-form-item :label="$t('tasks.due')" :error="form.errors.due_at" data-test="task-field-due_at">
          <el-date-picker v-model="form.due_at" type="datetime" value-format="YYYY-MM-DDTHH:mm:ssZ" data-test="task-due" />
        </el-form-item>
        <el-form-item :label="$t('tasks.remind')" :error="form.errors.remind_at" data-test="task-field-remind_at">
          <el-date-picker v-model="form.remind_at" type="datetime" value-format="YYYY-MM-DDTHH:mm:ssZ" clearable data-test="task-remind" />
        </el-form-item>
        <el-form-item :label="$t('tasks.notes')" :error="form.errors.notes">
          <el-input v-model="form.notes" type="textarea" :rows="3" maxlength="1000" data-test="task-notes" />
        </el-form-item>
      </el-form>
      <div v-if="form.errors.general" class="sp-row-error">{{ form.errors.general }}</div>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="form.busy" data-test="task-save" @click="save">{{ $t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
