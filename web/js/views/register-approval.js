// Manager approval at the register: the manager types their username and PIN (or password);
// POST /api/v1/approvals turns that into a one-time token for one action at this store, which
// the register sends with the sale or return it allows.
import { reactive, ref, watch } from 'vue';
import { api, ApiError } from '../api.js';
import { describeError } from '../forms.js';
import { t } from '../i18n.js';

export default {
  name: 'RegisterApproval',
  props: {
    modelValue: { type: Boolean, default: false },
    action: { type: String, default: 'discount' },
    storeId: { type: String, default: null },
    /** What is asked for, shown to the manager. */
    reason: { type: String, default: '' },
    /** The data-test prefix (two dialogs of this kind may be in the page). */
    testPrefix: { type: String, default: 'register-approval' },
  },
  emits: ['update:modelValue', 'approved', 'cancelled'],
  setup(props, { emit }) {
    const form = reactive({ username: '', method: 'pin', secret: '' });
    const error = ref('');
    const busy = ref(false);
    const userRef = ref(null);

    watch(() => props.modelValue, (open) => {
      if (!open) return;
      form.username = '';
      form.secret = '';
      error.value = '';
    });

    function close(approved) {
      emit('update:modelValue', false);
      if (!approved) emit('cancelled');
    }

    async function submit() {
      error.value = '';
      if (!form.username.trim() || !form.secret) {
        error.value = t('register.approval.missing');
        return;
      }
      busy.value = true;
      let data;
      try {
        const body = { action: props.action, store_id: props.storeId, username: form.username.trim() };
        body[form.method === 'pin' ? 'pin' : 'password'] = form.secret;
        // A wrong PIN answers 401 invalid_credentials, which api.js leaves to us (only a 401
        // `unauthenticated` ends the session). No Idempotency-Key: an approval is one-time anyway.
        data = await api.post('/approvals', body);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401 && e.code !== 'unauthenticated') {
          error.value = t('register.approval.invalid');
        } else if (e instanceof ApiError && e.status === 403 && e.code !== 'csrf_failed') {
          error.value = t('register.approval.notAllowed');
        } else {
          error.value = describeError(e);
        }
        return;
      } finally {
        busy.value = false;
      }
      emit('approved', data.token, data);
      close(true);
    }
    return { form, error, busy, userRef, submit, close };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="(v) => !v && close(false)" :title="$t('register.approval.title')"
               width="420px" append-to-body :data-test="testPrefix + '-dialog'" :close-on-click-modal="false" @opened="userRef?.focus()">
      <p v-if="reason" class="sp-muted" :data-test="testPrefix + '-reason'">{{ reason }}</p>
      <el-form label-position="top" @submit.prevent="submit">
        <el-form-item :label="$t('register.approval.username')">
          <el-input ref="userRef" v-model="form.username" size="large" autocomplete="off" :data-test="testPrefix + '-username'" />
        </el-form-item>
        <el-form-item>
          <el-radio-group v-model="form.method">
            <el-radio-button value="pin" :data-test="testPrefix + '-method-pin'">{{ $t('register.approval.pin') }}</el-radio-button>
            <el-radio-button value="password" :data-test="testPrefix + '-method-password'">{{ $t('register.approval.password') }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="form.method === 'pin' ? $t('register.approval.pin') : $t('register.approval.password')">
          <el-input v-model="form.secret" type="password" size="large" show-password autocomplete="off"
                    :inputmode="form.method === 'pin' ? 'numeric' : 'text'" :data-test="testPrefix + '-secret'" @keydown.enter.prevent="submit" />
        </el-form-item>
        <div v-if="error" class="sp-row-error" :data-test="testPrefix + '-error'">{{ error }}</div>
      </el-form>
      <template #footer>
        <el-button size="large" class="sp-touch" :data-test="testPrefix + '-cancel'" @click="close(false)">{{ $t('common.cancel') }} (Esc)</el-button>
        <el-button type="primary" size="large" class="sp-touch" :loading="busy" :data-test="testPrefix + '-ok'" @click="submit">{{ $t('register.approval.approve') }}</el-button>
      </template>
    </el-dialog>`,
};
