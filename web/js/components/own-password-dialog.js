// "Change my password": current and new password. The server ends every session of the user
// afterwards, so the person signs in again with the new one.
import { computed, nextTick, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { logout } from '../session.js';
import { requiredRule, showError, useFieldErrors, validateForm } from '../forms.js';

export default {
  name: 'OwnPasswordDialog',
  props: { modelValue: Boolean },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const form = reactive({ current_password: '', new_password: '', repeat: '' });
    const formRef = ref(null);
    const saving = ref(false);
    const { errors, clear, fromError } = useFieldErrors();
    const rules = computed(() => ({
      current_password: [requiredRule()],
      new_password: [requiredRule()],
      repeat: [requiredRule(), { trigger: 'blur', validator: (_r, v, cb) =>
        cb(v !== form.new_password ? new Error(t('password.mismatch')) : undefined) }],
    }));
    const visible = computed({ get: () => props.modelValue, set: (v) => emit('update:modelValue', v) });

    watch(() => props.modelValue, async (open) => {
      if (!open) return;
      Object.assign(form, { current_password: '', new_password: '', repeat: '' });
      clear();
      await nextTick();
      formRef.value?.clearValidate();
    });

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        await api.post('/auth/password', { current_password: form.current_password, new_password: form.new_password });
        visible.value = false;
        ElMessage({ type: 'success', message: t('password.changed'), customClass: 'sp-saved-toast' });
        await logout();
      } catch (e) {
        if (!fromError(e)) showError(e);
      } finally {
        saving.value = false;
      }
    }
    return { form, formRef, saving, errors, rules, visible, save };
  },
  template: `
    <el-dialog v-model="visible" :title="$t('password.title')" width="480px" data-test="own-password-dialog"
               :close-on-click-modal="false" append-to-body>
      <el-form ref="formRef" :model="form" :rules="rules" label-width="120px" @submit.prevent="save">
        <el-form-item :label="$t('password.current')" prop="current_password" :error="errors.current_password"
                      data-test="own-password-field-current_password">
          <el-input v-model="form.current_password" type="password" show-password data-test="own-password-current" autocomplete="current-password" />
        </el-form-item>
        <el-form-item :label="$t('password.new')" prop="new_password" :error="errors.new_password"
                      data-test="own-password-field-new_password">
          <el-input v-model="form.new_password" type="password" show-password data-test="own-password-new" autocomplete="new-password" />
        </el-form-item>
        <el-form-item :label="$t('password.repeat')" prop="repeat" data-test="own-password-field-repeat">
          <el-input v-model="form.repeat" type="password" show-password data-test="own-password-repeat" autocomplete="new-password" />
        </el-form-item>
        <p class="sp-help">{{ $t('users.passwordHelp') }}</p>
      </el-form>
      <template #footer>
        <el-button data-test="own-password-cancel" @click="visible = false">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="own-password-save" @click="save">{{ $t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
