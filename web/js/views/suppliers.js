// Suppliers (供应商): the list (search by code or name), create and edit through the shared
// dialog (crud.js, with `version`), and what a supplier supplies (GET/PUT
// /suppliers/{id}/products): per product the supplier's SKU, cost (yuan, sent in fen), lead
// time, pack size and whether it is the preferred supplier. Read with stock.read; changed with
// suppliers.manage.
import { computed, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { requiredRule, showError, useCursorList } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { currencySymbol, formatMoney, minorToMajor, parseMajor } from '../money.js';
import { formatQty, lineErrors, lineErrorText, parseQty } from '../inventory.js';
import LoadMore from '../components/load-more.js';
import ProductPicker from '../components/product-picker.js';

const blank = () => ({
  id: null, code: '', name: '', contact: '', phone: '', email: '', address: '', lead_time_days: 3, active: true, version: 0,
});
const fromRow = (r) => ({
  id: r.id, code: r.code || '', name: r.name || '', contact: r.contact || '', phone: r.phone || '', email: r.email || '',
  address: r.address || '', lead_time_days: r.lead_time_days ?? 0, active: r.active !== false, version: r.version,
});

export default {
  name: 'SuppliersView',
  components: { LoadMore, ProductPicker },
  setup() {
    const q = ref('');
    const list = useCursorList('/suppliers', () => ({ q: q.value.trim() }));
    const editable = computed(() => can('suppliers.manage'));
    const crud = useCrudDialog({
      blank, fromRow, path: '/suppliers', list,
      current: (id) => api.get(`/suppliers/${encodeURIComponent(id)}`),
      body: (f) => ({
        code: f.code.trim(), name: f.name.trim(), contact: f.contact.trim(), phone: f.phone.trim(), email: f.email.trim(),
        address: f.address.trim(), lead_time_days: Number(f.lead_time_days) || 0, active: f.active,
      }),
    });
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));

    // ---- what the supplier supplies
    const products = reactive({ open: false, loading: false, saving: false, supplier: null, rows: [], errors: {} });
    const pick = ref(null);
    async function openProducts(row) {
      Object.assign(products, { open: true, loading: true, supplier: row, rows: [], errors: {} });
      try {
        const answer = await api.get(`/suppliers/${encodeURIComponent(row.id)}/products`);
        products.rows = (answer?.data || []).map((l) => ({
          product_id: l.product_id, sku: l.sku, name_zh: l.name_zh, supplier_sku: l.supplier_sku || '',
          cost: minorToMajor(l.cost_minor ?? 0), lead_time_days: l.lead_time_days ?? null,
          pack: l.pack === null || l.pack === undefined ? '' : formatQty(l.pack), preferred: !!l.preferred,
        }));
      } catch (e) {
        showError(e);
      } finally {
        products.loading = false;
      }
    }
    function addProduct(p) {
      pick.value = null;
      if (!p || products.rows.some((r) => r.product_id === p.id)) return;
      products.rows.push({
        product_id: p.id, sku: p.sku, name_zh: p.name_zh, supplier_sku: '', cost: minorToMajor(p.cost_price_minor ?? 0),
        lead_time_days: null, pack: '1', preferred: true,
      });
    }
    const removeProduct = (i) => products.rows.splice(i, 1);
    function rowProblem(r) {
      const cost = parseMajor(r.cost);
      if (cost.error) return t(`money.${cost.error}`, { n: cost.digits });
      if (cost.minor === null) return t('fieldError.required');
      const pack = parseQty(r.pack, { allowEmpty: true, allowZero: false });
      if (pack.error) return t(`qty.${pack.error}`);
      return '';
    }
    async function saveProducts() {
      const local = {};
      products.rows.forEach((r, i) => {
        const p = rowProblem(r);
        if (p) local[i] = { line: p };
      });
      products.errors = local;
      if (Object.keys(local).length) return;
      products.saving = true;
      try {
        await api.put(`/suppliers/${encodeURIComponent(products.supplier.id)}/products`, {
          lines: products.rows.map((r) => ({
            product_id: r.product_id, supplier_sku: r.supplier_sku.trim(), cost_minor: parseMajor(r.cost).minor,
            lead_time_days: r.lead_time_days === null || r.lead_time_days === '' ? null : Number(r.lead_time_days),
            pack: parseQty(r.pack, { allowEmpty: true }).value || '1', preferred: r.preferred,
          })),
        });
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        products.open = false;
      } catch (e) {
        const found = lineErrors(e);
        products.errors = found.lines;
        if (!Object.keys(found.lines).length) showError(e);
      } finally {
        products.saving = false;
      }
    }

    onMounted(list.reload);
    return {
      ...list, ...crud, q, editable, rules, products, pick, openProducts, addProduct, removeProduct, saveProducts,
      lineErrorText, formatMoney, currencySymbol,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('suppliers.title') }}</h2>
        <el-button v-if="editable" type="primary" data-test="supplier-create" @click="open(null)">
          <el-icon><Plus /></el-icon><span>{{ $t('suppliers.create') }}</span>
        </el-button>
      </div>
      <div class="sp-filters">
        <el-input v-model="q" clearable class="sp-search" data-test="suppliers-filter-q" :placeholder="$t('suppliers.searchPlaceholder')"
                  @keyup.enter="reload" @clear="reload">
          <template #append><el-button data-test="suppliers-filter-q-button" @click="reload"><el-icon><Search /></el-icon></el-button></template>
        </el-input>
      </div>
      <el-table :data="items" v-loading="loading" data-test="suppliers-table" :empty-text="$t('list.empty')" stripe>
        <el-table-column :label="$t('field.code')" width="120">
          <template #default="{ row }"><span :data-test="'supplier-code-' + row.code">{{ row.code }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('field.name')" min-width="180">
          <template #default="{ row }"><span :data-test="'supplier-name-' + row.code">{{ row.name }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('suppliers.contact')" prop="contact" width="110" />
        <el-table-column :label="$t('suppliers.phone')" prop="phone" width="140" />
        <el-table-column :label="$t('suppliers.leadTime')" width="110" align="right">
          <template #default="{ row }">{{ $t('suppliers.days', { n: row.lead_time_days ?? 0 }) }}</template>
        </el-table-column>
        <el-table-column :label="$t('field.status')" width="90">
          <template #default="{ row }">
            <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? $t('common.active') : $t('common.inactive') }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('common.actions')" width="200">
          <template #default="{ row }">
            <el-button v-if="editable" link type="primary" :data-test="'supplier-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button>
            <el-button link type="primary" :data-test="'supplier-products-' + row.code" @click="openProducts(row)">{{ $t('suppliers.products') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-dialog v-model="dialog" :title="form.id ? $t('suppliers.edit') : $t('suppliers.create')" width="560px"
                 data-test="supplier-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="110px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="supplier-field-code">
            <el-input v-model="form.code" data-test="supplier-code" class="sp-medium" />
          </el-form-item>
          <el-form-item :label="$t('field.name')" prop="name" :error="errors.name" data-test="supplier-field-name">
            <el-input v-model="form.name" data-test="supplier-name" />
          </el-form-item>
          <el-form-item :label="$t('suppliers.contact')" prop="contact" :error="errors.contact" data-test="supplier-field-contact">
            <el-input v-model="form.contact" data-test="supplier-contact" class="sp-medium" />
          </el-form-item>
          <el-form-item :label="$t('suppliers.phone')" prop="phone" :error="errors.phone" data-test="supplier-field-phone">
            <el-input v-model="form.phone" data-test="supplier-phone" class="sp-medium" />
          </el-form-item>
          <el-form-item :label="$t('suppliers.email')" prop="email" :error="errors.email" data-test="supplier-field-email">
            <el-input v-model="form.email" data-test="supplier-email" />
          </el-form-item>
          <el-form-item :label="$t('inventory.address')" prop="address" :error="errors.address" data-test="supplier-field-address">
            <el-input v-model="form.address" data-test="supplier-address" />
          </el-form-item>
          <el-form-item :label="$t('suppliers.leadTime')" prop="lead_time_days" :error="errors.lead_time_days" data-test="supplier-field-lead_time_days">
            <el-input-number v-model="form.lead_time_days" :min="0" :max="365" data-test="supplier-lead-time" />
            <span class="sp-help">{{ $t('suppliers.leadTimeHelp') }}</span>
          </el-form-item>
          <el-form-item :label="$t('field.active')" prop="active" :error="errors.active" data-test="supplier-field-active">
            <el-switch v-model="form.active" data-test="supplier-active" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="supplier-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="supplier-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>

      <el-drawer v-model="products.open" size="70%" data-test="supplier-products-drawer"
                 :title="products.supplier ? $t('suppliers.productsOf', { name: products.supplier.name }) : ''">
        <div v-loading="products.loading">
          <div v-if="editable" class="sp-scan-row">
            <product-picker v-model="pick" class="sp-search-wide" data-test="supplier-product-add" @picked="addProduct" />
          </div>
          <el-table :data="products.rows" size="small" border data-test="supplier-products-table" :empty-text="$t('list.empty')">
            <el-table-column :label="$t('inventory.product')" min-width="180">
              <template #default="{ row, $index }">
                <div :data-test="'supplier-product-' + row.sku">{{ row.sku }} · {{ row.name_zh }}</div>
                <div v-if="products.errors[$index]" class="sp-line-error" :data-test="'supplier-product-error-' + $index">{{ lineErrorText(products.errors[$index]) }}</div>
              </template>
            </el-table-column>
            <el-table-column :label="$t('suppliers.supplierSku')" width="140">
              <template #default="{ row }"><el-input v-model="row.supplier_sku" size="small" :disabled="!editable" :data-test="'supplier-product-sku-' + row.sku" /></template>
            </el-table-column>
            <el-table-column :label="$t('suppliers.cost')" width="130">
              <template #default="{ row }">
                <el-input v-model="row.cost" size="small" :disabled="!editable" :data-test="'supplier-product-cost-' + row.sku">
                  <template #prefix>{{ currencySymbol() }}</template>
                </el-input>
              </template>
            </el-table-column>
            <el-table-column :label="$t('suppliers.leadTime')" width="120">
              <template #default="{ row }">
                <el-input-number v-model="row.lead_time_days" size="small" :min="0" :max="365" :disabled="!editable" controls-position="right"
                                 :placeholder="$t('suppliers.leadTimeDefault')" :value-on-clear="null" class="sp-wide" />
              </template>
            </el-table-column>
            <el-table-column :label="$t('suppliers.pack')" width="90">
              <template #default="{ row }"><el-input v-model="row.pack" size="small" :disabled="!editable" :data-test="'supplier-product-pack-' + row.sku" /></template>
            </el-table-column>
            <el-table-column :label="$t('suppliers.preferred')" width="80">
              <template #default="{ row }"><el-switch v-model="row.preferred" size="small" :disabled="!editable" :data-test="'supplier-product-preferred-' + row.sku" /></template>
            </el-table-column>
            <el-table-column v-if="editable" width="70">
              <template #default="{ $index }">
                <el-button link type="danger" :data-test="'supplier-product-remove-' + $index" @click="removeProduct($index)"><el-icon><Delete /></el-icon></el-button>
              </template>
            </el-table-column>
          </el-table>
          <div v-if="editable" class="sp-import-actions">
            <el-button type="primary" :loading="products.saving" data-test="supplier-products-save" @click="saveProducts">{{ $t('common.save') }}</el-button>
          </div>
        </div>
      </el-drawer>
    </div>`,
};
