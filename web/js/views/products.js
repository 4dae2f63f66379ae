// Products: search as you type (barcode, SKU, Chinese/English name, pinyin initials or full
// pinyin), filters (category with its subcategories, brand, status), "load more" paging when
// not searching, prices in yuan, CSV/XLSX export of what the filters show, and the product form.
import { computed, onBeforeUnmount, onMounted, reactive, ref, watch } from 'vue';
import { api, apiUrl } from '../api.js';
import { can } from '../session.js';
import { locale } from '../i18n.js';
import { PRODUCT_STATUSES, useCatalogLookups, useLatestRequest } from '../catalog.js';
import { showError } from '../forms.js';
import { formatMoney } from '../money.js';
import CategorySelect from '../components/category-select.js';
import LoadMore from '../components/load-more.js';
import ProductDialog from '../components/product-dialog.js';

const PAGE = 50;

export default {
  name: 'ProductsView',
  components: { CategorySelect, LoadMore, ProductDialog },
  setup() {
    const filters = reactive({ q: '', category_id: null, brand: '', status: '' });
    const items = ref([]);
    const nextCursor = ref(null);
    const searched = ref(false);
    const lookups = useCatalogLookups();
    const editable = computed(() => can('catalog.manage'));
    const dialogRef = ref(null);

    const query = () => ({
      q: filters.q.trim(), category_id: filters.category_id || '', brand: filters.brand.trim(), status: filters.status,
    });
    // One runner for every load: a newer search or filter cancels the request still under way.
    const runner = useLatestRequest(({ q, cursor }, signal) => api.get('/products', { ...q, limit: PAGE, cursor }, { signal }));

    async function load({ reset = true, immediate = false } = {}) {
      const q = query();
      const cursor = reset || q.q ? null : nextCursor.value;
      try {
        const page = await runner.run({ q, cursor }, { immediate });
        if (!page) return; // superseded by a newer request
        items.value = reset ? page.data || [] : [...items.value, ...(page.data || [])];
        // A search answers the best matches at once; paging is for browsing without q.
        nextCursor.value = q.q ? null : page.next_cursor ?? null;
        searched.value = !!q.q;
      } catch (e) {
        showError(e);
      }
    }
    const reload = () => load({ immediate: true });
    const loadMore = () => load({ reset: false, immediate: true });

    watch(() => filters.q, () => load());
    onBeforeUnmount(runner.cancel);

    const exportUrl = (format) => apiUrl('/products/export', { format, lang: locale.value, ...query() });
    const firstBarcode = (row) => {
      const codes = (row.barcodes || []).map((b) => (typeof b === 'string' ? b : b.code));
      return codes.length > 1 ? `${codes[0]} +${codes.length - 1}` : codes[0] || '';
    };
    const open = (row) => dialogRef.value?.open(row ? row.id : null);

    onMounted(() => {
      reload();
      lookups.load();
    });
    return {
      filters, items, nextCursor, loading: runner.pending, searched, editable, dialogRef, reload, loadMore, open,
      exportUrl, firstBarcode, formatMoney, PRODUCT_STATUSES, PAGE,
      categories: lookups.categories, taxClasses: lookups.taxClasses, categoryLabel: lookups.categoryLabel,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('products.title') }}</h2>
        <div>
          <el-button tag="a" :href="exportUrl('csv')" download data-test="products-export-csv">
            <el-icon><Download /></el-icon><span>{{ $t('products.exportCsv') }}</span>
          </el-button>
          <el-button tag="a" :href="exportUrl('xlsx')" download data-test="products-export-xlsx">
            <el-icon><Download /></el-icon><span>{{ $t('products.exportXlsx') }}</span>
          </el-button>
          <el-button v-if="editable" type="primary" data-test="product-create" @click="open(null)">
            <el-icon><Plus /></el-icon><span>{{ $t('products.create') }}</span>
          </el-button>
        </div>
      </div>
      <div class="sp-filters">
        <el-input v-model="filters.q" data-test="products-search" class="sp-search-wide" clearable autofocus
                  :placeholder="$t('products.searchPlaceholder')">
          <template #prefix><el-icon><Search /></el-icon></template>
        </el-input>
        <category-select v-model="filters.category_id" :categories="categories" data-test="products-filter-category"
                         class="sp-filter-wide" :placeholder="$t('products.allCategories')" @change="reload" />
        <el-input v-model="filters.brand" data-test="products-filter-brand" class="sp-filter" clearable
                  :placeholder="$t('products.brandFilter')" @change="reload" />
        <el-select v-model="filters.status" data-test="products-filter-status" class="sp-filter" clearable
                   :placeholder="$t('products.allStatuses')" @change="reload">
          <el-option v-for="s in PRODUCT_STATUSES" :key="s" :value="s" :label="$tv('productStatus', s)"
                     :data-test="'products-filter-status-' + s" />
        </el-select>
      </div>
      <p v-if="searched" class="sp-muted sp-list-note" data-test="products-search-note">{{ $t('products.searchNote', { n: PAGE }) }}</p>
      <el-table :data="items" v-loading="loading" data-test="products-table" :empty-text="$t('list.empty')" stripe
                row-key="id" @row-dblclick="editable && open($event)">
        <el-table-column prop="sku" :label="$t('products.sku')" width="140">
          <template #default="{ row }"><span class="sp-code">{{ row.sku }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('field.name')" min-width="200">
          <template #default="{ row }">
            <div>{{ row.name_zh }}</div>
            <div v-if="row.name_en" class="sp-muted sp-small">{{ row.name_en }}</div>
          </template>
        </el-table-column>
        <el-table-column :label="$t('products.barcode')" width="170">
          <template #default="{ row }"><span class="sp-code">{{ firstBarcode(row) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('products.category')" width="130">
          <template #default="{ row }">{{ categoryLabel(row.category_id) }}</template>
        </el-table-column>
        <el-table-column prop="brand" :label="$t('products.brand')" width="120" />
        <el-table-column :label="$t('products.unit')" width="80">
          <template #default="{ row }">{{ $tv('unit', row.unit) }}</template>
        </el-table-column>
        <el-table-column :label="$t('products.listPrice')" width="120" align="right">
          <template #default="{ row }">
            <span :data-test="'product-price-' + row.sku">{{ formatMoney(row.list_price_minor, row.currency || undefined) }}</span>
          </template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="90">
          <template #default="{ row }">
            <el-tag :type="row.status === 'active' ? 'success' : 'info'" size="small">{{ $tv('productStatus', row.status) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column v-if="editable" :label="$t('common.actions')" width="80" fixed="right">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'product-edit-' + row.sku" @click="open(row)">{{ $t('common.edit') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />
      <product-dialog ref="dialogRef" :categories="categories" :tax-classes="taxClasses" @saved="reload" />
    </div>`,
};
