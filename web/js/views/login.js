// The login page: username, password, language toggle.
import { computed, reactive, ref } from 'vue';
import LangToggle from '../components/lang-toggle.js';
import { login } from '../session.js';
import { navigate, route } from '../router.js';
import { describeError, requiredRule, validateForm } from '../forms.js';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';

export default {
  name: 'LoginView',
  components: { LangToggle },
  setup() {
    const form = reactive({ username: '', password: '' });
    const formRef = ref(null);
    const busy = ref(false);
    const error = ref('');
    const rules = computed(() => ({ username: [requiredRule()], password: [requiredRule()] }));

    async function submit() {
      if (busy.value || !(await validateForm(formRef.value))) return;
      busy.value = true;
      error.value = '';
      try {
        await login(form.username.trim(), form.password);
        const next = route.query.next;
        navigate(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/');
      } catch (e) {
        error.value = e instanceof ApiError && e.code === 'invalid_credentials' ? t('login.invalid') : describeError(e);
      } finally {
        busy.value = false;
      }
    }
    return { form, formRef, busy, error, rules, submit };
  },
  template: `
    <div class="sp-login">
      <el-card class="sp-login-card" data-test="login-card">
        <template #header>
          <div class="sp-login-head">
            <span class="sp-brand">{{ $t('app.name') }}</span>
            <lang-toggle />
          </div>
        </template>
        <h2 class="sp-login-title" data-test="login-title">{{ $t('login.title') }}</h2>
        <el-alert v-if="error" type="error" :title="error" :closable="false" show-icon data-test="login-error" class="sp-gap" />
        <el-form ref="formRef" :model="form" :rules="rules" label-position="top" @submit.prevent="submit">
          <el-form-item :label="$t('login.username')" prop="username" data-test="login-field-username">
            <el-input v-model="form.username" data-test="login-username" autocomplete="username" autofocus />
          </el-form-item>
          <el-form-item :label="$t('login.password')" prop="password" data-test="login-field-password">
            <el-input v-model="form.password" type="password" show-password data-test="login-password"
                      autocomplete="current-password" />
          </el-form-item>
          <el-button type="primary" native-type="submit" :loading="busy" data-test="login-submit" class="sp-wide">
            {{ $t('login.submit') }}
          </el-button>
        </el-form>
      </el-card>
    </div>`,
};
