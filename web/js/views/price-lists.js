// Price lists: which prices apply where (channel, store, region, customer tier, validity,
// priority), the items editor (find a product, set its price in yuan, remove it), and a price
// check that asks the server which price a product has for a store, channel and tier.
import { computed, onMounted, reactive, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError, fetchAll } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { useCatalogLookups } from '../catalog.js';
import { fieldMessage, formatTime, requiredRule, showError, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { useLookups } from '../lookups.js';
import { currencySymbol, formatMoney, minorToMajor, parseMajor } from '../money.js';
import LoadMore from '../components/load-more.js';
import ProductPicker from '../components/product-picker.js';

const blank = () => ({
  id: null, code: '', name: '', channel_id: null, store_id: null, region_id: null, customer_tier: '',
  valid_from: null, valid_to: null, priority: 0, active: true, version: 0,
});
const toDate = (iso) => (iso ? new Date(iso) : null);
const toIso = (d) => (d ? new Date(d).toISOString() : null);

/** Runs `jobs` (functions returning promises) at most `n` at a time. */
async function limited(jobs, n = 6) {
  const out = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]().catch(() => null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return out;
}

export default {
  name: 'PriceListsView',
  components: { LoadMore, ProductPicker },
  setup() {
    const list = useCursorList('/price-lists');
    const lookups = useLookups();
    const catalog = useCatalogLookups();
    const editable = computed(() => can('catalog.manage'));

    // The price list form.
    const fromRow = (r) => ({
      ...blank(), ...r, channel_id: r.channel_id || null, store_id: r.store_id || null, region_id: r.region_id || null,
      customer_tier: r.customer_tier || '', valid_from: toDate(r.valid_from), valid_to: toDate(r.valid_to),
    });
    const crud = useCrudDialog({
      blank, fromRow, path: '/price-lists', list, current: (id) => api.get(`/price-lists/${id}`),
      body: (f) => ({
        code: f.code.trim(), name: f.name.trim(), channel_id: f.channel_id || null, store_id: f.store_id || null,
        region_id: f.region_id || null, customer_tier: f.customer_tier.trim() || null,
        valid_from: toIso(f.valid_from), valid_to: toIso(f.valid_to), priority: Number(f.priority) || 0,
        active: f.active,
      }),
    });
    const { form } = crud;
    const rules = computed(() => ({
      code: [requiredRule()], name: [requiredRule()],
      valid_to: [{ trigger: 'change', validator: (_r, v, cb) =>
        cb(v && form.valid_from && new Date(v) <= new Date(form.valid_from) ? new Error(t('priceLists.toBeforeFrom')) : undefined) }],
    }));

    // The items editor.
    // A list may hold thousands of items: the table shows one page of them (filtered) at a time.
    const ITEMS_PAGE = 50;
    const items = reactive({ open: false, list: null, rows: [], loading: false, saving: false, filter: '', page: 1 });
    const adding = reactive({ product_id: null, product: null, price: '', error: '' });

    const productOf = (it) => it.product || it;
    async function loadItems() {
      items.loading = true;
      try {
        const raw = await fetchAll(`/price-lists/${items.list.id}/items`);
        const rows = raw.map((it) => {
          const p = productOf(it);
          return {
            product_id: it.product_id, sku: p.sku || '', name_zh: p.name_zh || '', list_price_minor: p.list_price_minor ?? null,
            original: it.price_minor, price: minorToMajor(it.price_minor), removed: false, isNew: false, error: '',
          };
        });
        // Items that come without their product's name: look the products up (at most 200).
        const missing = rows.filter((r) => !r.sku).slice(0, 200);
        const found = await limited(missing.map((r) => () => api.get(`/products/${encodeURIComponent(r.product_id)}`)));
        missing.forEach((r, i) => {
          if (found[i]) Object.assign(r, { sku: found[i].sku, name_zh: found[i].name_zh, list_price_minor: found[i].list_price_minor });
        });
        items.rows = rows;
      } catch (e) {
        showError(e);
      } finally {
        items.loading = false;
      }
    }

    async function openItems(row) {
      Object.assign(items, { open: true, list: row, rows: [], filter: '', page: 1 });
      Object.assign(adding, { product_id: null, product: null, price: '', error: '' });
      await loadItems();
    }

    const filteredRows = computed(() => {
      const q = items.filter.trim().toLowerCase();
      if (!q) return items.rows;
      return items.rows.filter((r) => r.sku.toLowerCase().includes(q) || r.name_zh.toLowerCase().includes(q));
    });
    const visibleRows = computed(() => filteredRows.value.slice((items.page - 1) * ITEMS_PAGE, items.page * ITEMS_PAGE));
    watch(() => items.filter, () => { items.page = 1; });
    const moneyError = (text) => {
      const p = parseMajor(text);
      if (p.error) return t(`money.${p.error}`, { n: p.digits });
      if (p.minor === null) return t('fieldError.required');
      return '';
    };
    const checkRow = (row) => { row.error = row.removed ? '' : moneyError(row.price); };

    function addItem() {
      adding.error = !adding.product_id ? t('priceLists.pickProduct') : moneyError(adding.price);
      if (adding.error) return;
      const existing = items.rows.find((r) => r.product_id === adding.product_id);
      if (existing) {
        // Already in the list: change its price and bring it to the top, where people look.
        Object.assign(existing, { price: adding.price.trim(), removed: false, error: '' });
        items.rows.splice(items.rows.indexOf(existing), 1);
        items.rows.unshift(existing);
      } else {
        const p = adding.product || {};
        items.rows.unshift({
          product_id: adding.product_id, sku: p.sku || '', name_zh: p.name_zh || '', list_price_minor: p.list_price_minor ?? null,
          original: null, price: adding.price.trim(), removed: false, isNew: true, error: '',
        });
      }
      Object.assign(adding, { product_id: null, product: null, price: '', error: '' });
      items.filter = '';
      items.page = 1;
    }
    function toggleRemove(row) {
      if (row.isNew) items.rows.splice(items.rows.indexOf(row), 1);
      else {
        row.removed = !row.removed;
        checkRow(row);
      }
    }
    const changed = (row) => row.isNew || row.removed || parseMajor(row.price).minor !== row.original;
    const changeCount = computed(() => items.rows.filter(changed).length);

    async function saveItems() {
      items.rows.forEach(checkRow);
      if (items.rows.some((r) => r.error)) return;
      const rows = items.rows.filter(changed);
      if (!rows.length) {
        items.open = false;
        return;
      }
      items.saving = true;
      try {
        await api.put(`/price-lists/${items.list.id}/items`, {
          items: rows.map((r) => ({ product_id: r.product_id, price_minor: r.removed ? null : parseMajor(r.price).minor })),
        });
        ElMessage({ type: 'success', message: t('priceLists.itemsSaved', { n: rows.length }), customClass: 'sp-saved-toast' });
        await loadItems();
      } catch (e) {
        let placed = false;
        if (e instanceof ApiError) {
          for (const x of e.errors) {
            const m = /^\/items\/(\d+)/.exec(x.field || '');
            if (m && rows[Number(m[1])]) {
              rows[Number(m[1])].error = fieldMessage(x);
              placed = true;
            }
          }
        }
        if (!placed) showError(e);
      } finally {
        items.saving = false;
      }
    }

    // The price check.
    const check = reactive({ product_id: null, store_id: null, channel_id: null, tier: '', at: null, result: null, loading: false });
    async function resolvePrice() {
      check.result = null;
      if (!check.product_id) {
        ElMessage({ type: 'warning', message: t('priceLists.pickProduct') });
        return;
      }
      check.loading = true;
      try {
        check.result = await api.get('/prices/resolve', {
          product_id: check.product_id, store_id: check.store_id, channel_id: check.channel_id,
          tier: check.tier.trim(), at: toIso(check.at),
        });
      } catch (e) {
        showError(e);
      } finally {
        check.loading = false;
      }
    }

    const storeName = (id) => (id ? lookups.storeName(id) : '');
    /** Where a list applies: its channel, store and region, or "everywhere". */
    const scopeText = (row) => [
      row.channel_id && catalog.channelLabel(row.channel_id), row.store_id && storeName(row.store_id),
      row.region_id && lookups.regionName(row.region_id),
    ].filter(Boolean).join(' · ') || t('priceLists.everywhere');
    const validity = (row) => {
      if (!row.valid_from && !row.valid_to) return t('priceLists.always');
      return `${row.valid_from ? formatTime(row.valid_from) : '…'} – ${row.valid_to ? formatTime(row.valid_to) : '…'}`;
    };

    onMounted(() => {
      list.reload();
      lookups.load();
      catalog.load({ withChannels: true });
    });
    return {
      listItems: list.items, nextCursor: list.nextCursor, loading: list.loading, loadMore: list.loadMore, editable, rules,
      dialog: crud.dialog, saving: crud.saving, form, formRef: crud.formRef, errors: crud.errors, open: crud.open, save: crud.save,
      items, adding, visibleRows, filteredRows, ITEMS_PAGE, openItems, addItem, toggleRemove, saveItems, checkRow, changed, changeCount,
      check, resolvePrice, stores: lookups.stores, regions: lookups.regions, regionName: lookups.regionName,
      channels: catalog.channels, channelLabel: catalog.channelLabel, storeName, scopeText, validity, formatMoney, currencySymbol,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('priceLists.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="price-list-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('priceLists.create') }}</span>
        </el-button>
      </div>
      <el-table :data="listItems" v-loading="loading" data-test="price-lists-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column prop="code" :label="$t('field.code')" width="130" />
        <el-table-column prop="name" :label="$t('field.name')" min-width="130" />
        <el-table-column :label="$t('priceLists.scope')" min-width="170">
          <template #default="{ row }">{{ scopeText(row) }}</template>
        </el-table-column>
        <el-table-column :label="$t('priceLists.tier')" width="100">
          <template #default="{ row }">{{ row.customer_tier || $t('priceLists.any') }}</template>
        </el-table-column>
        <el-table-column :label="$t('priceLists.validity')" min-width="170">
          <template #default="{ row }"><span class="sp-small">{{ validity(row) }}</span></template>
        </el-table-column>
        <el-table-column prop="priority" :label="$t('priceLists.priority')" width="80" align="right" />
        <el-table-column prop="item_count" :label="$t('priceLists.itemColumn')" width="80" align="right" />
        <el-table-column :label="$t('field.status')" width="80">
          <template #default="{ row }">
            <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? $t('common.active') : $t('common.inactive') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('common.actions')" width="150" fixed="right">
          <template #default="{ row }">
            <el-button v-if="editable" link type="primary" :data-test="'price-list-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
            <el-button link type="primary" :data-test="'price-list-items-' + row.code" @click="openItems(row)">{{ $t('priceLists.items') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-card shadow="never" class="sp-panel" data-test="price-check">
        <template #header><strong>{{ $t('priceLists.check') }}</strong> <span class="sp-muted sp-small">{{ $t('priceLists.checkHelp') }}</span></template>
        <div class="sp-filters">
          <product-picker v-model="check.product_id" data-test="price-check-product" class="sp-search-wide" />
          <el-select v-model="check.store_id" data-test="price-check-store" class="sp-filter" clearable filterable :placeholder="$t('priceLists.anyStore')">
            <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'price-check-store-option-' + s.code" />
          </el-select>
          <el-select v-model="check.channel_id" data-test="price-check-channel" class="sp-filter" clearable :placeholder="$t('priceLists.anyChannel')">
            <el-option v-for="c in channels" :key="c.id" :value="c.id" :label="c.name" :data-test="'price-check-channel-option-' + c.code" />
          </el-select>
          <el-input v-model="check.tier" data-test="price-check-tier" class="sp-filter" clearable :placeholder="$t('priceLists.tier')" />
          <el-date-picker v-model="check.at" type="datetime" data-test="price-check-at" :placeholder="$t('priceLists.now')" />
          <el-button type="primary" :loading="check.loading" data-test="price-check-run" @click="resolvePrice">{{ $t('priceLists.checkRun') }}</el-button>
        </div>
        <el-descriptions v-if="check.result" :column="3" border data-test="price-check-result">
          <el-descriptions-item :label="$t('priceLists.resolvedPrice')">
            <strong data-test="price-check-price">{{ formatMoney(check.result.price_minor, check.result.currency || undefined) }}</strong>
          </el-descriptions-item>
          <el-descriptions-item :label="$t('priceLists.source')">
            <span data-test="price-check-source">{{ check.result.price_list_code || $t('priceLists.listPriceSource') }}</span>
          </el-descriptions-item>
          <el-descriptions-item :label="$t('products.listPrice')">
            {{ formatMoney(check.result.list_price_minor, check.result.currency || undefined) }}
          </el-descriptions-item>
        </el-descriptions>
      </el-card>

      <el-dialog v-model="dialog" :title="form.id ? $t('priceLists.edit') : $t('priceLists.create')" width="640px"
                 data-test="price-list-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="130px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="price-list-field-code">
            <el-input v-model="form.code" data-test="price-list-code" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="price-list-field-name">
            <el-input v-model="form.name" data-test="price-list-name" />
          </el-form-item>
          <el-form-item :label="$t('priceLists.channel')" prop="channel_id" :error="errors.channel_id" data-test="price-list-field-channel_id">
            <el-select v-model="form.channel_id" data-test="price-list-channel" class="sp-medium" clearable :placeholder="$t('priceLists.anyChannel')">
              <el-option v-for="c in channels" :key="c.id" :value="c.id" :label="c.name" :data-test="'price-list-channel-option-' + c.code" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('priceLists.store')" prop="store_id" :error="errors.store_id" data-test="price-list-field-store_id">
            <el-select v-model="form.store_id" data-test="price-list-store" class="sp-medium" clearable filterable :placeholder="$t('priceLists.anyStore')">
              <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'price-list-store-option-' + s.code" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('priceLists.region')" prop="region_id" :error="errors.region_id" data-test="price-list-field-region_id">
            <el-select v-model="form.region_id" data-test="price-list-region" class="sp-medium" clearable :placeholder="$t('priceLists.anyRegion')">
              <el-option v-for="r in regions" :key="r.id" :value="r.id" :label="r.name" :data-test="'price-list-region-option-' + r.code" />
            </el-select>
          </el-form-item>
          <el-form-item :label="$t('priceLists.tier')" prop="customer_tier" :error="errors.customer_tier" data-test="price-list-field-customer_tier">
            <el-input v-model="form.customer_tier" data-test="price-list-tier" class="sp-medium" :placeholder="$t('priceLists.tierPlaceholder')" />
          </el-form-item>
          <el-form-item :label="$t('priceLists.validFrom')" prop="valid_from" :error="errors.valid_from" data-test="price-list-field-valid_from">
            <el-date-picker v-model="form.valid_from" type="datetime" data-test="price-list-valid-from" :placeholder="$t('priceLists.noStart')" />
          </el-form-item>
          <el-form-item :label="$t('priceLists.validTo')" prop="valid_to" :error="errors.valid_to" data-test="price-list-field-valid_to">
            <el-date-picker v-model="form.valid_to" type="datetime" data-test="price-list-valid-to" :placeholder="$t('priceLists.noEnd')" />
          </el-form-item>
          <el-form-item :label="$t('priceLists.priority')" prop="priority" :error="errors.priority" data-test="price-list-field-priority">
            <el-input-number v-model="form.priority" :step="1" step-strictly data-test="price-list-priority" />
            <span class="sp-help">{{ $t('priceLists.priorityHelp') }}</span>
          </el-form-item>
          <el-form-item :label="$t('field.active')" prop="active" :error="errors.active" data-test="price-list-field-active">
            <el-switch v-model="form.active" data-test="price-list-active" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="price-list-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="price-list-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="items.open" :title="$t('priceLists.itemsOf', { name: items.list?.name || '' })" width="820px"
                 data-test="price-list-items-dialog" :close-on-click-modal="false" top="5vh">
        <div v-if="editable" class="sp-filters sp-add-item">
          <product-picker v-model="adding.product_id" data-test="price-item-product" class="sp-search-wide"
                          @picked="adding.product = $event" />
          <el-input v-model="adding.price" data-test="price-item-price" class="sp-short" inputmode="decimal"
                    :placeholder="$t('priceLists.price')" @keyup.enter="addItem">
            <template #prefix>{{ currencySymbol() }}</template>
          </el-input>
          <el-button data-test="price-item-add" @click="addItem"><el-icon><Plus /></el-icon><span>{{ $t('priceLists.addItem') }}</span></el-button>
          <span v-if="adding.error" class="sp-row-error" data-test="price-item-add-error">{{ adding.error }}</span>
        </div>
        <div class="sp-filters">
          <el-input v-model="items.filter" data-test="price-items-filter" class="sp-search" clearable :placeholder="$t('priceLists.filterItems')" />
          <span class="sp-muted sp-small">{{ $t('priceLists.itemCount', { n: items.rows.length }) }}</span>
          <el-pagination v-if="filteredRows.length > ITEMS_PAGE" v-model:current-page="items.page" :page-size="ITEMS_PAGE"
                         :total="filteredRows.length" layout="prev, pager, next" small background data-test="price-items-pages" />
        </div>
        <el-table :data="visibleRows" v-loading="items.loading" data-test="price-items-table" :empty-text="$t('list.empty')"
                  max-height="420" :row-class-name="({ row }) => row.removed ? 'sp-removed' : (changed(row) ? 'sp-changed' : '')">
          <el-table-column prop="sku" :label="$t('products.sku')" width="130" />
          <el-table-column prop="name_zh" :label="$t('field.name')" min-width="180" />
          <el-table-column :label="$t('products.listPrice')" width="110" align="right">
            <template #default="{ row }">{{ formatMoney(row.list_price_minor) }}</template>
          </el-table-column>
          <el-table-column :label="$t('priceLists.price')" width="190">
            <template #default="{ row }">
              <el-input v-model="row.price" size="small" :disabled="!editable || row.removed" :data-test="'price-item-price-' + row.sku"
                        inputmode="decimal" @blur="checkRow(row)">
                <template #prefix>{{ currencySymbol() }}</template>
              </el-input>
              <div v-if="row.error" class="sp-row-error" :data-test="'price-item-error-' + row.sku">{{ row.error }}</div>
            </template>
          </el-table-column>
          <el-table-column v-if="editable" :label="$t('common.actions')" width="90">
            <template #default="{ row }">
              <el-button link :type="row.removed ? 'primary' : 'danger'" :data-test="'price-item-remove-' + row.sku" @click="toggleRemove(row)">
                {{ row.removed ? $t('priceLists.undoRemove') : $t('priceLists.remove') }}
              </el-button>
            </template>
          </el-table-column>
        </el-table>
        <template #footer>
          <span v-if="changeCount" class="sp-muted sp-small sp-footer-note">{{ $t('priceLists.unsaved', { n: changeCount }) }}</span>
          <el-button data-test="price-items-cancel" @click="items.open = false">{{ $t('common.cancel') }}</el-button>
          <el-button v-if="editable" type="primary" :loading="items.saving" data-test="price-items-save" @click="saveItems">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
