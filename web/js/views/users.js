// Users: a list with an active switch, a create/edit dialog (role, stores, regions, password on
// create) and an admin password reset.
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { can, session } from '../session.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useCursorList, useFieldErrors, validateForm } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { LOCALES, assignableRoles, useLookups } from '../lookups.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({
  id: null, username: '', display_name: '', phone: '', locale: 'zh-CN', role: 'cashier', password: '',
  active: true, store_ids: [], region_ids: [], version: 0,
});

/** The body of PUT /users/{id}. */
function updateBody(u) {
  return {
    display_name: u.display_name.trim(), phone: (u.phone || '').trim() || null, locale: u.locale, role: u.role,
    active: u.active, store_ids: u.store_ids || [], region_ids: u.region_ids || [], version: u.version,
  };
}

export default {
  name: 'UsersView',
  components: { LoadMore },
  setup() {
    const filters = reactive({ q: '', role: '' });
    const list = useCursorList('/users', () => ({ q: filters.q.trim(), role: filters.role }));
    const lookups = useLookups();
    const editable = computed(() => can('users.manage'));
    const crud = useCrudDialog({
      blank, path: '/users', list, conflictField: 'username', updateBody,
      createBody: (f) => {
        const { active, version, ...rest } = updateBody(f);
        return { ...rest, username: f.username.trim(), password: f.password };
      },
      fromRow: (r) => ({ ...r, phone: r.phone || '', password: '' }),
      current: (id) => api.get(`/users/${id}`), freshRow: (r) => ({ ...r, password: '' }),
    });
    const { form } = crud;
    const rules = computed(() => ({
      username: [requiredRule()], display_name: [requiredRule()], role: [requiredRule('change')],
      locale: [requiredRule('change')], password: form.id ? [] : [requiredRule()],
    }));

    async function toggleActive(row, active) {
      try {
        const saved = await api.put(`/users/${row.id}`, updateBody({ ...row, phone: row.phone || '', active }));
        Object.assign(row, saved || { active, version: row.version + 1 });
        ElMessage({ type: 'success', message: active ? t('users.enabled') : t('users.disabled'), customClass: 'sp-saved-toast' });
      } catch (e) {
        if (await handleVersionConflict(e, list.reload)) return;
        showError(e);
      }
    }

    // Password reset
    const pwDialog = ref(false);
    const pwForm = reactive({ id: null, username: '', password: '' });
    const pwRef = ref(null);
    const pwErrors = useFieldErrors();
    const pwRules = computed(() => ({ password: [requiredRule()] }));
    const pwSaving = ref(false);
    async function openPassword(row) {
      Object.assign(pwForm, { id: row.id, username: row.username, password: '' });
      pwErrors.clear();
      pwDialog.value = true;
      await nextTick();
      pwRef.value?.clearValidate();
    }
    async function savePassword() {
      pwErrors.clear();
      if (!(await validateForm(pwRef.value))) return;
      pwSaving.value = true;
      try {
        await api.post(`/users/${pwForm.id}/password`, { password: pwForm.password });
        pwDialog.value = false;
        ElMessage({ type: 'success', message: t('users.passwordReset'), customClass: 'sp-saved-toast' });
      } catch (e) {
        if (!pwErrors.fromError(e)) showError(e);
      } finally {
        pwSaving.value = false;
      }
    }

    const roleOptions = computed(() => assignableRoles(session.user?.role, lookups.roles.value, form.id ? form.role : null));
    const storeNames = (row) => (row.store_ids || []).map(lookups.storeName).join('、');
    const isSelf = (row) => row.id === session.user?.id;

    onMounted(() => {
      list.reload();
      lookups.load({ withRoles: true });
    });
    return {
      ...list, ...crud, filters, editable, rules, toggleActive,
      pwDialog, pwForm, pwRef, pwErrors: pwErrors.errors, pwRules, pwSaving, openPassword, savePassword,
      stores: lookups.stores, regions: lookups.regions, roles: lookups.roles, roleOptions, storeNames, isSelf, LOCALES,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('users.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="user-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('users.create') }}</span>
        </el-button>
      </div>
      <div class="sp-filters">
        <el-select v-model="filters.role" data-test="users-filter-role" class="sp-filter" clearable
                   :placeholder="$t('users.allRoles')" @change="reload">
          <el-option v-for="r in roles" :key="r" :value="r" :label="$tv('role', r)" />
        </el-select>
        <el-input v-model="filters.q" data-test="users-search" class="sp-search" clearable
                  :placeholder="$t('users.searchPlaceholder')" @keyup.enter="reload" @clear="reload">
          <template #append>
            <el-button data-test="users-search-button" @click="reload"><el-icon><Search /></el-icon></el-button>
          </template>
        </el-input>
      </div>
      <el-table :data="items" v-loading="loading" data-test="users-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="username" :label="$t('users.username')" width="150" />
        <el-table-column prop="display_name" :label="$t('users.displayName')" width="150" />
        <el-table-column :label="$t('users.role')" width="130">
          <template #default="{ row }">{{ $tv('role', row.role) }}</template>
        </el-table-column>
        <el-table-column :label="$t('users.stores')" min-width="180">
          <template #default="{ row }">{{ storeNames(row) }}</template>
        </el-table-column>
        <el-table-column prop="phone" :label="$t('users.phone')" width="140" />
        <el-table-column :label="$t('field.active')" width="90">
          <template #default="{ row }">
            <el-switch :model-value="row.active" :disabled="!editable || isSelf(row)" :data-test="'user-active-' + row.username"
                       @change="toggleActive(row, $event)" />
          </template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="190">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'user-edit-' + row.username" @click="open(row)">{{ $t('common.edit') }}</el-button>
            <el-button link type="warning" :data-test="'user-password-' + row.username" @click="openPassword(row)">{{ $t('users.resetPassword') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('users.edit') : $t('users.create')" width="600px"
                 data-test="user-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="140px" @submit.prevent="save">
          <el-form-item :label="$t('users.username')" prop="username" :error="errors.username" data-test="user-field-username">
            <el-input v-model="form.username" :disabled="!!form.id" data-test="user-username" autocomplete="off" />
          </el-form-item>
          <el-form-item :label="$t('users.displayName')" prop="display_name" :error="errors.display_name" data-test="user-field-display_name">
            <el-input v-model="form.display_name" data-test="user-display-name" />
          </el-form-item>
          <el-form-item :label="$t('users.phone')" prop="phone" :error="errors.phone" data-test="user-field-phone">
            <el-input v-model="form.phone" data-test="user-phone" />
          </el-form-item>
          <el-form-item :label="$t('users.locale')" prop="locale" :error="errors.locale" data-test="user-field-locale">
            <el-select v-model="form.locale" data-test="user-locale" class="sp-medium">
              <el-option v-for="l in LOCALES" :key="l" :value="l" :label="$tv('locale', l)" :data-test="'user-locale-option-' + l" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('users.role')" prop="role" :error="errors.role" data-test="user-field-role">
            <el-select v-model="form.role" data-test="user-role" class="sp-medium">
              <el-option v-for="r in roleOptions" :key="r" :value="r" :label="$tv('role', r)" :data-test="'user-role-option-' + r" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('users.stores')" prop="store_ids" :error="errors.store_ids" data-test="user-field-store_ids">
            <el-select v-model="form.store_ids" multiple filterable data-test="user-stores" class="sp-wide"
                       :placeholder="$t('users.storesPlaceholder')">
              <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'user-store-option-' + s.code" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('users.regions')" prop="region_ids" :error="errors.region_ids" data-test="user-field-region_ids">
            <el-select v-model="form.region_ids" multiple filterable data-test="user-regions" class="sp-wide"
                       :placeholder="$t('users.regionsPlaceholder')">
              <el-option v-for="r in regions" :key="r.id" :value="r.id" :label="r.code + ' · ' + r.name" :data-test="'user-region-option-' + r.code" />
            </el-select>
          </el-form-item>
          <el-form-item v-if="!form.id" :label="$t('users.password')" prop="password" :error="errors.password" data-test="user-field-password">
            <el-input v-model="form.password" type="password" show-password data-test="user-password" autocomplete="new-password" />
            <span class="sp-help">{{ $t('users.passwordHelp') }}</span>
          </el-form-item>
          <el-form-item v-if="form.id" :label="$t('field.active')" prop="active" :error="errors.active" data-test="user-field-active">
            <el-switch v-model="form.active" data-test="user-active" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="user-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="user-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="pwDialog" :title="$t('users.resetPasswordFor', { username: pwForm.username })" width="460px"
                 data-test="password-dialog" :close-on-click-modal="false">
        <el-form ref="pwRef" :model="pwForm" :rules="pwRules" label-width="110px" @submit.prevent="savePassword">
          <el-form-item :label="$t('users.newPassword')" prop="password" :error="pwErrors.password" data-test="password-field-password">
            <el-input v-model="pwForm.password" type="password" show-password data-test="password-new" autocomplete="new-password" />
            <span class="sp-help">{{ $t('users.passwordHelp') }}</span>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="password-cancel" @click="pwDialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="pwSaving" data-test="password-save" @click="savePassword">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
