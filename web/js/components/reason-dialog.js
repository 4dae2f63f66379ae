// A small dialog that asks why (a cancelled document's reason, a supplier return's reason) and
// confirms: v-model opens it, `confirm(reason)` hands the text over. data-test names:
// `<test>` (the dialog), `<test>-reason`, `<test>-confirm`.
import { ref, watch } from 'vue';

export default {
  name: 'ReasonDialog',
  props: {
    modelValue: Boolean,
    title: { type: String, default: '' },
    label: { type: String, default: '' },
    required: { type: Boolean, default: true },
    loading: Boolean,
    test: { type: String, default: 'reason-dialog' },
    error: { type: String, default: '' },
  },
  emits: ['update:modelValue', 'confirm'],
  setup(props, { emit }) {
    const reason = ref('');
    const missing = ref(false);
    watch(() => props.modelValue, (v) => {
      if (v) {
        reason.value = '';
        missing.value = false;
      }
    });
    function confirm() {
      missing.value = props.required && !reason.value.trim();
      if (!missing.value) emit('confirm', reason.value.trim());
    }
    return { reason, missing, confirm };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="title" width="460px"
               :data-test="test" :close-on-click-modal="false">
      <el-form label-position="top" @submit.prevent="confirm">
        <el-form-item :label="label || $t('inventory.reason')" :error="missing ? $t('fieldError.required') : error" :data-test="test + '-field-reason'">
          <el-input v-model="reason" type="textarea" :rows="2" maxlength="200" :data-test="test + '-reason'" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="loading" :data-test="test + '-confirm'" @click="confirm">{{ $t('common.ok') }}</el-button>
      </template>
    </el-dialog>`,
};
