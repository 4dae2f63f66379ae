// API keys for integrations: a list, a create dialog (the secret is shown once, with a copy
// button) and revoke.
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { api } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { formatTime, requiredRule, showError, useCursorList, useFieldErrors, validateForm } from '../forms.js';
import { useLookups } from '../lookups.js';
import LoadMore from '../components/load-more.js';

const blank = () => ({ name: '', role: 'accountant', store_ids: [], region_ids: [] });

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export default {
  name: 'ApiKeysView',
  components: { LoadMore },
  setup() {
    const list = useCursorList('/api-keys');
    const lookups = useLookups();
    const editable = computed(() => can('api_keys.manage'));
    const dialog = ref(false);
    const saving = ref(false);
    const form = reactive(blank());
    const formRef = ref(null);
    const fe = useFieldErrors();
    const rules = computed(() => ({ name: [requiredRule()], role: [requiredRule('change')] }));
    const secret = ref('');
    const secretDialog = ref(false);

    async function open() {
      Object.assign(form, blank());
      fe.clear();
      dialog.value = true;
      await nextTick();
      formRef.value?.clearValidate();
    }

    async function save() {
      fe.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        const answer = await api.create('/api-keys', { ...form, name: form.name.trim() });
        dialog.value = false;
        secret.value = answer?.secret || '';
        secretDialog.value = true;
        await list.reload();
      } catch (e) {
        if (!fe.fromError(e, { conflictField: 'name' })) showError(e);
      } finally {
        saving.value = false;
      }
    }

    async function copy() {
      const ok = await copyText(secret.value);
      ElMessage({ type: ok ? 'success' : 'warning', message: ok ? t('apiKeys.copied') : t('apiKeys.copyFailed') });
    }

    function closeSecret() {
      secret.value = '';
      secretDialog.value = false;
    }

    async function revoke(row) {
      try {
        await ElMessageBox.confirm(t('apiKeys.revokeConfirm', { name: row.name }), t('apiKeys.revoke'), {
          type: 'warning', confirmButtonText: t('apiKeys.revoke'), cancelButtonText: t('common.cancel'),
          confirmButtonClass: 'sp-confirm-ok', cancelButtonClass: 'sp-confirm-cancel',
        });
      } catch {
        return;
      }
      try {
        await api.delete(`/api-keys/${row.id}`);
        ElMessage({ type: 'success', message: t('apiKeys.revoked'), customClass: 'sp-saved-toast' });
        await list.reload();
      } catch (e) {
        showError(e);
      }
    }

    const storeNames = (row) => (row.store_ids || []).map(lookups.storeName).join('、');

    onMounted(() => {
      list.reload();
      lookups.load({ withRoles: true });
    });
    return {
      ...list, editable, dialog, saving, form, formRef, errors: fe.errors, rules, open, save, revoke,
      secret, secretDialog, copy, closeSecret, formatTime, storeNames,
      stores: lookups.stores, regions: lookups.regions, roles: lookups.roles,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('apiKeys.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="api-key-create" @click="open">
          <el-icon><Plus /></el-icon><span>{{ $t('apiKeys.create') }}</span>
        </el-button>
      </div>
      <el-table :data="items" v-loading="loading" data-test="api-keys-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="name" :label="$t('field.name')" min-width="150" />
        <el-table-column prop="prefix" :label="$t('apiKeys.prefix')" width="130">
          <template #default="{ row }"><code>{{ row.prefix }}…</code></template>
        </el-table-column>
        <el-table-column :label="$t('users.role')" width="120">
          <template #default="{ row }">{{ $tv('role', row.role) }}</template>
        </el-table-column>
        <el-table-column :label="$t('users.stores')" min-width="150">
          <template #default="{ row }">{{ storeNames(row) }}</template>
        </el-table-column>
        <el-table-column :label="$t('apiKeys.createdAt')" width="170">
          <template #default="{ row }">{{ formatTime(row.created_at) }}</template>
        </el-table-column>
        <el-table-column :label="$t('apiKeys.lastUsedAt')" width="170">
          <template #default="{ row }">{{ row.last_used_at ? formatTime(row.last_used_at) : $t('apiKeys.never') }}</template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="170">
          <template #default="{ row }">
            <el-tag v-if="row.revoked_at" type="info" size="small">{{ $t('apiKeys.revokedAt', { at: formatTime(row.revoked_at) }) }}</el-tag>
            <el-tag v-else type="success" size="small">{{ $t('common.active') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="100">
          <template #default="{ row }">
            <el-button v-if="!row.revoked_at" link type="danger" :data-test="'api-key-revoke-' + row.name" @click="revoke(row)">{{ $t('apiKeys.revoke') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="$t('apiKeys.create')" width="560px" data-test="api-key-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="110px" @submit.prevent="save">
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="api-key-field-name">
            <el-input v-model="form.name" data-test="api-key-name" />
          </el-form-item>
          <el-form-item :label="$t('users.role')" prop="role" :error="errors.role" data-test="api-key-field-role">
            <el-select v-model="form.role" data-test="api-key-role" class="sp-medium">
              <el-option v-for="r in roles" :key="r" :value="r" :label="$tv('role', r)" :data-test="'api-key-role-option-' + r" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('users.stores')" prop="store_ids" :error="errors.store_ids" data-test="api-key-field-store_ids">
            <el-select v-model="form.store_ids" multiple filterable data-test="api-key-stores" class="sp-wide"
                       :placeholder="$t('users.storesPlaceholder')">
              <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('users.regions')" prop="region_ids" :error="errors.region_ids" data-test="api-key-field-region_ids">
            <el-select v-model="form.region_ids" multiple filterable data-test="api-key-regions" class="sp-wide"
                       :placeholder="$t('users.regionsPlaceholder')">
              <el-option v-for="r in regions" :key="r.id" :value="r.id" :label="r.code + ' · ' + r.name" />
            </el-select>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="api-key-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="api-key-save" @click="save">{{ $t('common.create') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="secretDialog" :title="$t('apiKeys.secretTitle')" width="600px" data-test="api-key-secret-dialog"
                 :close-on-click-modal="false" :close-on-press-escape="false" :show-close="false">
        <el-alert type="warning" :closable="false" show-icon :title="$t('apiKeys.secretOnce')" class="sp-gap" />
        <el-input :model-value="secret" readonly data-test="api-key-secret" class="sp-mono">
          <template #append>
            <el-button data-test="api-key-copy" @click="copy"><el-icon><CopyDocument /></el-icon><span>{{ $t('apiKeys.copy') }}</span></el-button>
          </template>
        </el-input>
        <template #footer>
          <el-button type="primary" data-test="api-key-secret-done" @click="closeSecret">{{ $t('apiKeys.secretDone') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
