// Stores and warehouses: a filtered list (kind, region, search) and a create/edit dialog.
import { computed, onMounted, reactive } from 'vue';
import { api } from '../api.js';
import { can } from '../session.js';
import { navigate } from '../router.js';
import { requiredRule, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { CASH_ROUNDINGS, NEGATIVE_STOCK_POLICIES, STORE_KINDS, useLookups } from '../lookups.js';
import LoadMore from '../components/load-more.js';
import TimeZoneSelect from '../components/time-zone-select.js';

const blank = () => ({
  id: null, code: '', name: '', kind: 'store', address: '', region_id: null, time_zone: '',
  business_day_cutoff_hour: 4, cash_rounding: 'none', negative_stock_policy: 'allow', active: true, version: 0,
});
const FIELDS = Object.keys(blank()).filter((k) => k !== 'id' && k !== 'version');

/** The request body of a store form. */
function body(form) {
  const b = {};
  for (const k of FIELDS) b[k] = form[k];
  b.code = b.code.trim();
  b.name = b.name.trim();
  b.address = (b.address || '').trim();
  b.region_id = b.region_id || null;
  b.time_zone = b.time_zone || null; // the server fills in the company's time zone
  return b;
}

export default {
  name: 'StoresView',
  components: { LoadMore, TimeZoneSelect },
  setup() {
    const filters = reactive({ kind: '', region_id: '', q: '' });
    const list = useCursorList('/stores', () => ({ kind: filters.kind, region_id: filters.region_id, q: filters.q.trim() }));
    const lookups = useLookups();
    const editable = computed(() => can('org.manage'));
    const crud = useCrudDialog({
      blank, path: '/stores', list, body,
      // Opened without a region: none (null), not undefined.
      fromRow: (r) => ({ ...r, region_id: r.region_id === undefined ? null : r.region_id }),
      current: (id) => api.get(`/stores/${id}`), freshRow: (r) => r,
    });
    const rules = computed(() => ({
      code: [requiredRule()], name: [requiredRule()], kind: [requiredRule('change')],
      business_day_cutoff_hour: [requiredRule('change')],
    }));

    const registers = (row) => navigate(`/stores/${encodeURIComponent(row.id)}/registers`);

    onMounted(() => {
      list.reload();
      lookups.load();
    });
    return {
      ...list, ...crud, filters, editable, rules, registers,
      regions: lookups.regions, regionName: lookups.regionName,
      STORE_KINDS, CASH_ROUNDINGS, NEGATIVE_STOCK_POLICIES, hours: [...Array(24).keys()],
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('stores.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="store-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('stores.create') }}</span>
        </el-button>
      </div>
      <div class="sp-filters">
        <el-select v-model="filters.kind" data-test="stores-filter-kind" class="sp-filter" @change="reload"
                   :placeholder="$t('stores.allKinds')" clearable>
          <el-option v-for="k in STORE_KINDS" :key="k" :value="k" :label="$tv('storeKind', k)" :data-test="'stores-filter-kind-' + k" />
        </el-select>
        <el-select v-model="filters.region_id" data-test="stores-filter-region" class="sp-filter" @change="reload"
                   :placeholder="$t('stores.allRegions')" clearable filterable>
          <el-option v-for="r in regions" :key="r.id" :value="r.id" :label="r.name" />
        </el-select>
        <el-input v-model="filters.q" data-test="stores-search" class="sp-search" clearable
                  :placeholder="$t('stores.searchPlaceholder')" @keyup.enter="reload" @clear="reload">
          <template #append>
            <el-button data-test="stores-search-button" @click="reload"><el-icon><Search /></el-icon></el-button>
          </template>
        </el-input>
      </div>
      <el-table :data="items" v-loading="loading" data-test="stores-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="code" :label="$t('field.code')" width="140" />
        <el-table-column prop="name" :label="$t('field.name')" min-width="160" />
        <el-table-column :label="$t('stores.kind')" width="110">
          <template #default="{ row }">
            <el-tag :type="row.kind === 'warehouse' ? 'warning' : 'primary'" size="small">{{ $tv('storeKind', row.kind) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('stores.region')" width="140">
          <template #default="{ row }">{{ regionName(row.region_id) }}</template>
        </el-table-column>
        <el-table-column prop="time_zone" :label="$t('field.timeZone')" width="160" />
        <el-table-column :label="$t('field.status')" width="100">
          <template #default="{ row }">
            <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? $t('common.active') : $t('common.inactive') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('common.actions')" width="200">
          <template #default="{ row }">
            <el-button v-if="editable" link type="primary" :data-test="'store-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
            <el-button v-if="row.kind === 'store'" link type="primary" :data-test="'store-registers-' + row.code" @click="registers(row)">{{ $t('stores.registers') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('stores.edit') : $t('stores.create')" width="620px"
                 data-test="store-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="150px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="store-field-code">
            <el-input v-model="form.code" data-test="store-code" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="store-field-name">
            <el-input v-model="form.name" data-test="store-name" />
          </el-form-item>
          <el-form-item :label="$t('stores.kind')" prop="kind" :error="errors.kind" data-test="store-field-kind">
            <el-radio-group v-model="form.kind" data-test="store-kind">
              <el-radio v-for="k in STORE_KINDS" :key="k" :value="k" :data-test="'store-kind-' + k">{{ $tv('storeKind', k) }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="$t('stores.address')" prop="address" :error="errors.address" data-test="store-field-address">
            <el-input v-model="form.address" type="textarea" :rows="2" data-test="store-address" />
          </el-form-item>
          <el-form-item :label="$t('stores.region')" prop="region_id" :error="errors.region_id" data-test="store-field-region_id">
            <el-select v-model="form.region_id" clearable filterable data-test="store-region" class="sp-wide"
                       :placeholder="$t('stores.noRegion')">
              <el-option v-for="r in regions" :key="r.id" :value="r.id" :label="r.code + ' · ' + r.name" :data-test="'store-region-option-' + r.code" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('field.timeZone')" prop="time_zone" :error="errors.time_zone" data-test="store-field-time_zone">
            <time-zone-select v-model="form.time_zone" data-test="store-time-zone" clearable
                              :placeholder="$t('stores.timeZoneDefault')" />
          </el-form-item>
          <el-form-item :label="$t('stores.cutoff')" prop="business_day_cutoff_hour" :error="errors.business_day_cutoff_hour"
                        data-test="store-field-business_day_cutoff_hour">
            <el-select v-model="form.business_day_cutoff_hour" data-test="store-cutoff" class="sp-short">
              <el-option v-for="h in hours" :key="h" :value="h" :label="String(h).padStart(2, '0') + ':00'" />
            </el-select>
            <span class="sp-help">{{ $t('stores.cutoffHelp') }}</span>
          </el-form-item>
          <el-form-item :label="$t('stores.cashRounding')" prop="cash_rounding" :error="errors.cash_rounding" data-test="store-field-cash_rounding">
            <el-radio-group v-model="form.cash_rounding" data-test="store-cash-rounding">
              <el-radio v-for="c in CASH_ROUNDINGS" :key="c" :value="c">{{ $tv('cashRounding', c) }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="$t('stores.negativeStock')" prop="negative_stock_policy" :error="errors.negative_stock_policy"
                        data-test="store-field-negative_stock_policy">
            <el-radio-group v-model="form.negative_stock_policy" data-test="store-negative-stock">
              <el-radio v-for="p in NEGATIVE_STOCK_POLICIES" :key="p" :value="p">{{ $tv('negativeStock', p) }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="$t('field.active')" prop="active" :error="errors.active" data-test="store-field-active">
            <el-switch v-model="form.active" data-test="store-active" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="store-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="store-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
