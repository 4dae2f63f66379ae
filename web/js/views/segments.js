// Segments (客户分群, #/segments): "重新计算" scores every member by RFM and names their segment
// (POST /segments/recompute, customers.admin); saved segments are filters (tier, tags, segment,
// home store, minimum spend, last visit before) created with customers.manage and exported as
// CSV / XLSX (phones masked without customers.contact).
import { computed, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api, apiUrl, fetchAll } from '../api.js';
import { locale, t } from '../i18n.js';
import { showError, useFieldErrors } from '../forms.js';
import { formatMoney, parseMajor } from '../money.js';
import { can } from '../session.js';
import { SEGMENTS, SEGMENT_TAG, customerLookups, loadTiers, tierName } from '../customers.js';

const blank = () => ({ name: '', tier: '', tags: [], segment: '', home_store_id: '', min_spend: '', last_visit_before: '' });

export default {
  name: 'SegmentsView',
  setup() {
    const list = ref([]);
    const loading = ref(false);
    const stores = ref([]);
    async function reload() {
      loading.value = true;
      try {
        const answer = await api.get('/segments');
        list.value = answer?.data || answer || [];
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    }
    const recompute = reactive({ busy: false, result: null });
    async function runRecompute() {
      recompute.busy = true;
      try {
        recompute.result = await api.post('/segments/recompute');
        ElMessage({ type: 'success', message: t('segments.recomputed', { n: recompute.result?.customers ?? 0, ms: recompute.result?.took_ms ?? 0 }), customClass: 'sp-saved-toast' });
      } catch (e) {
        showError(e);
      } finally {
        recompute.busy = false;
      }
    }
    const dialog = reactive({ open: false, saving: false, form: blank() });
    const { errors, clear, fromError } = useFieldErrors();
    function openCreate() {
      Object.assign(dialog, { open: true, form: blank() });
      clear();
    }
    async function save() {
      clear();
      const f = dialog.form;
      if (!f.name.trim()) {
        errors.name = t('fieldError.required');
        return;
      }
      const spend = parseMajor(f.min_spend);
      if (spend.error) {
        errors.filter = t(`money.${spend.error}`, { n: spend.digits });
        return;
      }
      const filter = {};
      if (f.tier) filter.tier = f.tier;
      if (f.tags.length) filter.tags = f.tags;
      if (f.segment) filter.segment = f.segment;
      if (f.home_store_id) filter.home_store_id = f.home_store_id;
      if (spend.minor) filter.min_spend_minor = spend.minor;
      if (f.last_visit_before) filter.last_visit_before = f.last_visit_before;
      dialog.saving = true;
      try {
        await api.create('/segments', { name: f.name.trim(), filter });
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        dialog.open = false;
        await reload();
      } catch (e) {
        if (!fromError(e)) showError(e);
      } finally {
        dialog.saving = false;
      }
    }
    const exportUrl = (s, format) => apiUrl(`/segments/${encodeURIComponent(s.id)}/export`, { format, lang: locale.value });
    function describe(filter = {}) {
      const parts = [];
      if (filter.tier) parts.push(`${t('customers.tier')}: ${tierName(filter.tier)}`);
      if (filter.segment) parts.push(`${t('customers.segment')}: ${t(`segment.${filter.segment}`)}`);
      if (filter.tags?.length) parts.push(`${t('customers.tags')}: ${filter.tags.join(', ')}`);
      if (filter.home_store_id) parts.push(`${t('customers.homeStore')}: ${stores.value.find((s) => s.id === filter.home_store_id)?.name || filter.home_store_id}`);
      if (filter.min_spend_minor) parts.push(`${t('segments.minSpend')}: ${formatMoney(filter.min_spend_minor)}`);
      if (filter.last_visit_before) parts.push(`${t('segments.lastVisitBefore')}: ${String(filter.last_visit_before).slice(0, 10)}`);
      return parts.join(' · ') || t('segments.everyone');
    }
    onMounted(() => {
      loadTiers();
      reload();
      if (can('org.read')) fetchAll('/stores').then((s) => { stores.value = s.filter((x) => x.kind !== 'warehouse'); }).catch(() => {});
    });
    return {
      list, loading, recompute, runRecompute, dialog, errors, openCreate, save, exportUrl, describe, stores,
      tiers: computed(() => customerLookups.tiers), SEGMENTS, SEGMENT_TAG,
      admin: computed(() => can('customers.admin')), canManage: computed(() => can('customers.manage')),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('segments.title') }}</h2>
        <div>
          <el-button v-if="admin" :loading="recompute.busy" data-test="segments-recompute" @click="runRecompute">{{ $t('segments.recompute') }}</el-button>
          <el-button v-if="canManage" type="primary" data-test="segment-create" @click="openCreate"><el-icon><Plus /></el-icon><span>{{ $t('segments.create') }}</span></el-button>
        </div>
      </div>
      <p class="sp-muted sp-small">{{ $t('segments.help') }}</p>
      <div class="sp-gap">
        <el-tag v-for="s in SEGMENTS" :key="s" :type="SEGMENT_TAG[s]" class="sp-tag-gap">{{ $tv('segment', s) }}</el-tag>
      </div>
      <div v-if="recompute.result" class="sp-gap" data-test="segments-recompute-result">{{ $t('segments.recomputed', { n: recompute.result.customers ?? 0, ms: recompute.result.took_ms ?? 0 }) }}</div>
      <el-table :data="list" v-loading="loading" stripe data-test="segments-table" :empty-text="$t('list.empty')">
        <el-table-column :label="$t('segments.name')" width="200"><template #default="{ row }"><span :data-test="'segment-row-' + row.name">{{ row.name }}</span></template></el-table-column>
        <el-table-column :label="$t('segments.filter')"><template #default="{ row }">{{ describe(row.filter) }}</template></el-table-column>
        <el-table-column :label="$t('common.actions')" width="180">
          <template #default="{ row }">
            <el-link :href="exportUrl(row, 'csv')" :data-test="'segment-export-csv-' + row.name">CSV</el-link>
            <el-link :href="exportUrl(row, 'xlsx')" class="sp-tag-gap" :data-test="'segment-export-xlsx-' + row.name">XLSX</el-link>
          </template>
        </el-table-column>
      </el-table>

      <el-dialog v-model="dialog.open" :title="$t('segments.create')" width="560px" append-to-body data-test="segment-dialog">
        <el-form label-width="140px" @submit.prevent="save">
          <el-form-item :label="$t('segments.name')" :error="errors.name" data-test="segment-field-name"><el-input v-model="dialog.form.name" maxlength="64" data-test="segment-name" /></el-form-item>
          <el-form-item :label="$t('customers.tier')"><el-select v-model="dialog.form.tier" clearable><el-option v-for="x in tiers" :key="x.code" :value="x.code" :label="x.name" /></el-select></el-form-item>
          <el-form-item :label="$t('customers.segment')"><el-select v-model="dialog.form.segment" clearable><el-option v-for="s in SEGMENTS" :key="s" :value="s" :label="$tv('segment', s)" /></el-select></el-form-item>
          <el-form-item :label="$t('customers.tags')"><el-select v-model="dialog.form.tags" multiple filterable allow-create default-first-option /></el-form-item>
          <el-form-item :label="$t('customers.homeStore')"><el-select v-model="dialog.form.home_store_id" clearable filterable><el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" /></el-select></el-form-item>
          <el-form-item :label="$t('segments.minSpend')" :error="errors.filter"><el-input v-model="dialog.form.min_spend" inputmode="decimal" /></el-form-item>
          <el-form-item :label="$t('segments.lastVisitBefore')"><el-date-picker v-model="dialog.form.last_visit_before" type="date" value-format="YYYY-MM-DD" /></el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="dialog.saving" data-test="segment-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
