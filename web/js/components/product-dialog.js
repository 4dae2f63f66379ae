// The product form (create and edit) as a dialog: names, category (tree), brand, unit, weighing,
// tax class, cost and list price typed in yuan (sent in minor units), status, picture, family
// code, PLU, free attributes (key/value rows) and barcodes with a live GS1 check-digit check.
// `open(id)` loads the product (null: a new one); `saved` tells the list to reload.
import { computed, nextTick, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { barcodeProblem } from '../barcode.js';
import { MEASURED_UNITS, PRODUCT_STATUSES, UNITS } from '../catalog.js';
import { fieldMessage, handleVersionConflict, requiredRule, showError, useFieldErrors, validateForm } from '../forms.js';
import { currencySymbol, minorToMajor, moneyRule, parseMajor } from '../money.js';
import CategorySelect from './category-select.js';

const blank = () => ({
  id: null, sku: '', name_zh: '', name_en: '', receipt_name: '', category_id: null, brand: '', unit: 'piece',
  sold_by_weight: false, quantity_precision: 0, tax_class_id: null, cost_price: '', list_price: '', status: 'active',
  image_url: '', family_code: '', plu: '', attributes: [], barcodes: [], version: 0,
});

/** A product of the API → the form's values (prices as yuan text, rows for attributes and barcodes). */
function toForm(p) {
  return {
    ...blank(),
    id: p.id, sku: p.sku || '', name_zh: p.name_zh || '', name_en: p.name_en || '', receipt_name: p.receipt_name || '',
    category_id: p.category_id || null, brand: p.brand || '', unit: p.unit || 'piece', sold_by_weight: !!p.sold_by_weight,
    quantity_precision: p.quantity_precision ?? 0, tax_class_id: p.tax_class_id || null,
    cost_price: minorToMajor(p.cost_price_minor ?? 0), list_price: minorToMajor(p.list_price_minor ?? 0),
    status: p.status || 'active', image_url: p.image_url || '', family_code: p.family_code || '', plu: p.plu || '',
    attributes: Object.entries(p.attributes || {}).map(([key, value]) => ({ key, value: String(value ?? '') })),
    barcodes: (p.barcodes || []).map((b) => ({ code: b.code, internal: b.kind === 'internal', touched: true, serverError: '' })),
    version: p.version ?? 0,
  };
}

/** A server error about one barcode, in the words the form uses while typing. */
function barcodeServerMessage(e) {
  const digit = /check digit\D*(\d)\s*$/i.exec(e.message || '')?.[1];
  if (digit !== undefined) return t('barcode.wrongCheckDigit', { digit });
  if (['taken', 'conflict', 'duplicate'].includes(e.code)) return t('products.barcodeTaken');
  if (['invalid', 'invalid_value', 'invalid_format'].includes(e.code) && e.message) return e.message;
  return fieldMessage(e);
}

export default {
  name: 'ProductDialog',
  components: { CategorySelect },
  props: {
    categories: { type: Array, default: () => [] },
    taxClasses: { type: Array, default: () => [] },
  },
  emits: ['saved'],
  setup(props, { emit, expose }) {
    const visible = ref(false);
    const loadingProduct = ref(false);
    const saving = ref(false);
    const form = reactive(blank());
    const formRef = ref(null);
    const fe = useFieldErrors();
    const rules = computed(() => ({
      sku: [requiredRule()], name_zh: [requiredRule()], unit: [requiredRule('change')],
      tax_class_id: [requiredRule('change')], list_price: [moneyRule(t, { required: true })],
      cost_price: [moneyRule(t)], status: [requiredRule('change')],
    }));

    function fill(values) {
      Object.assign(form, values);
      fe.clear();
    }

    async function open(id) {
      fill(blank());
      if (!id && props.taxClasses.length === 1) form.tax_class_id = props.taxClasses[0].id;
      visible.value = true;
      await nextTick();
      formRef.value?.clearValidate();
      if (!id) return;
      loadingProduct.value = true;
      try {
        fill(toForm(await api.get(`/products/${encodeURIComponent(id)}`)));
      } catch (e) {
        showError(e);
        visible.value = false;
      } finally {
        loadingProduct.value = false;
      }
    }
    expose({ open });

    // Barcodes: checked while typed (partial) and fully once the field is left.
    const addBarcode = () => form.barcodes.push({ code: '', internal: false, touched: false, serverError: '' });
    const removeBarcode = (i) => form.barcodes.splice(i, 1);
    function barcodeError(row) {
      const p = barcodeProblem(row.code, row.internal, { partial: !row.touched });
      return p ? t(p.key, p.params) : row.serverError;
    }
    const touchBarcode = (row) => { row.touched = true; };
    const typedBarcode = (row) => { row.serverError = ''; };

    const addAttribute = () => form.attributes.push({ key: '', value: '' });
    const removeAttribute = (i) => form.attributes.splice(i, 1);

    function soldByWeightChanged(on) {
      if (!on) return;
      if (!MEASURED_UNITS.includes(form.unit)) form.unit = 'kg';
      if (!form.quantity_precision) form.quantity_precision = 3;
    }

    function body() {
      const attributes = {};
      for (const a of form.attributes) {
        const k = a.key.trim();
        if (k) attributes[k] = a.value;
      }
      const orNull = (s) => (String(s || '').trim() === '' ? null : String(s).trim());
      return {
        sku: form.sku.trim(), name_zh: form.name_zh.trim(), name_en: form.name_en.trim(),
        receipt_name: form.receipt_name.trim(), category_id: form.category_id || null, brand: form.brand.trim(),
        unit: form.unit, sold_by_weight: form.sold_by_weight, quantity_precision: form.quantity_precision,
        tax_class_id: form.tax_class_id, cost_price_minor: parseMajor(form.cost_price).minor ?? 0,
        list_price_minor: parseMajor(form.list_price).minor, status: form.status, image_url: orNull(form.image_url),
        attributes, family_code: orNull(form.family_code), plu: orNull(form.plu),
        barcodes: form.barcodes.filter((b) => b.code.trim()).map((b) => ({ code: b.code.trim(), internal: b.internal })),
      };
    }

    /** Server errors: /barcodes/N/… go under barcode row N, /x_minor under the yuan field. */
    function placeErrors(e) {
      if (!(e instanceof ApiError)) return false;
      const sent = form.barcodes.filter((b) => b.code.trim());
      const rest = [];
      let placed = false;
      for (const fe1 of e.errors) {
        const m = /^\/barcodes\/(\d+)(\/|$)/.exec(fe1.field || '');
        if (m && sent[Number(m[1])]) {
          sent[Number(m[1])].serverError = barcodeServerMessage(fe1);
          placed = true;
        } else {
          rest.push(fe1);
        }
      }
      const others = Object.assign(Object.create(ApiError.prototype), e, { errors: rest });
      if (rest.length) placed = fe.fromError(others) || placed;
      if (!placed && e.code === 'conflict') {
        // A 409 without field errors: a barcode of another product, a taken PLU or SKU.
        const d = `${e.detail} ${e.title}`.toLowerCase();
        if (d.includes('barcode')) fe.errors.barcodes = t('products.barcodeTaken');
        else if (d.includes('plu')) fe.errors.plu = t('fieldError.taken');
        else fe.errors.sku = t('fieldError.taken');
        placed = true;
      }
      return placed;
    }

    async function reloadProduct() {
      emit('saved');
      try {
        const fresh = toForm(await api.get(`/products/${encodeURIComponent(form.id)}`));
        fill(fresh);
      } catch (err) {
        showError(err);
      }
    }

    async function save() {
      fe.clear();
      for (const b of form.barcodes) { b.touched = true; b.serverError = ''; }
      const formOk = await validateForm(formRef.value);
      const barcodesOk = form.barcodes.every((b) => !b.code.trim() || !barcodeProblem(b.code, b.internal));
      if (!formOk || !barcodesOk) return;
      saving.value = true;
      try {
        let saved;
        if (form.id) saved = await api.put(`/products/${encodeURIComponent(form.id)}`, { ...body(), version: form.version });
        else saved = await api.create('/products', body());
        visible.value = false;
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        emit('saved', saved);
      } catch (e) {
        if (await handleVersionConflict(e, reloadProduct)) return;
        if (!placeErrors(e)) showError(e);
      } finally {
        saving.value = false;
      }
    }

    const precisions = [0, 1, 2, 3];
    return {
      visible, loadingProduct, saving, form, formRef, errors: fe.errors, rules, save, open,
      addBarcode, removeBarcode, barcodeError, touchBarcode, typedBarcode, addAttribute, removeAttribute,
      soldByWeightChanged, currencySymbol, precisions, UNITS, PRODUCT_STATUSES,
    };
  },
  template: `
    <el-dialog v-model="visible" :title="form.id ? $t('products.edit') : $t('products.create')" width="760px"
               data-test="product-dialog" :close-on-click-modal="false" top="5vh">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="130px" v-loading="loadingProduct" @submit.prevent="save">
        <el-form-item :label="$t('products.sku')" prop="sku" :error="errors.sku" data-test="product-field-sku">
          <el-input v-model="form.sku" data-test="product-sku" class="sp-medium" />
        </el-form-item>
        <el-form-item :label="$t('products.nameZh')" prop="name_zh" :error="errors.name_zh" data-test="product-field-name_zh">
          <el-input v-model="form.name_zh" data-test="product-name-zh" />
        </el-form-item>
        <el-form-item :label="$t('products.nameEn')" prop="name_en" :error="errors.name_en" data-test="product-field-name_en">
          <el-input v-model="form.name_en" data-test="product-name-en" />
        </el-form-item>
        <el-form-item :label="$t('products.receiptName')" prop="receipt_name" :error="errors.receipt_name" data-test="product-field-receipt_name">
          <el-input v-model="form.receipt_name" data-test="product-receipt-name" :placeholder="$t('products.receiptNameHelp')" />
        </el-form-item>
        <el-form-item :label="$t('products.category')" prop="category_id" :error="errors.category_id" data-test="product-field-category_id">
          <category-select v-model="form.category_id" :categories="categories" data-test="product-category" class="sp-wide" />
        </el-form-item>
        <el-form-item :label="$t('products.brand')" prop="brand" :error="errors.brand" data-test="product-field-brand">
          <el-input v-model="form.brand" data-test="product-brand" class="sp-medium" />
        </el-form-item>
        <el-form-item :label="$t('products.unit')" prop="unit" :error="errors.unit" data-test="product-field-unit">
          <el-select v-model="form.unit" data-test="product-unit" class="sp-short">
            <el-option v-for="u in UNITS" :key="u" :value="u" :label="$tv('unit', u)" :data-test="'product-unit-option-' + u" />
          </el-select>
        </el-form-item>
        <el-form-item :label="$t('products.soldByWeight')" prop="sold_by_weight" :error="errors.sold_by_weight" data-test="product-field-sold_by_weight">
          <el-switch v-model="form.sold_by_weight" data-test="product-sold-by-weight" @change="soldByWeightChanged" />
          <span class="sp-help">{{ $t('products.soldByWeightHelp') }}</span>
        </el-form-item>
        <el-form-item :label="$t('products.quantityPrecision')" prop="quantity_precision" :error="errors.quantity_precision"
                      data-test="product-field-quantity_precision">
          <el-select v-model="form.quantity_precision" data-test="product-quantity-precision" class="sp-short">
            <el-option v-for="p in precisions" :key="p" :value="p" :label="$t('products.decimals', { n: p })" />
          </el-select>
        </el-form-item>
        <el-form-item :label="$t('products.taxClass')" prop="tax_class_id" :error="errors.tax_class_id" data-test="product-field-tax_class_id">
          <el-select v-model="form.tax_class_id" data-test="product-tax-class" class="sp-medium" :placeholder="$t('products.taxClassPlaceholder')">
            <el-option v-for="tc in taxClasses" :key="tc.id" :value="tc.id" :label="tc.name + ' (' + tc.code + ')'"
                       :data-test="'product-tax-class-option-' + tc.code" />
          </el-select>
        </el-form-item>
        <el-form-item :label="$t('products.costPrice')" prop="cost_price" :error="errors.cost_price_minor || errors.cost_price"
                      data-test="product-field-cost_price">
          <el-input v-model="form.cost_price" data-test="product-cost-price" class="sp-short" inputmode="decimal">
            <template #prefix>{{ currencySymbol() }}</template>
          </el-input>
        </el-form-item>
        <el-form-item :label="$t('products.listPrice')" prop="list_price" :error="errors.list_price_minor || errors.list_price"
                      data-test="product-field-list_price">
          <el-input v-model="form.list_price" data-test="product-list-price" class="sp-short" inputmode="decimal">
            <template #prefix>{{ currencySymbol() }}</template>
          </el-input>
        </el-form-item>
        <el-form-item :label="$t('field.status')" prop="status" :error="errors.status" data-test="product-field-status">
          <el-radio-group v-model="form.status" data-test="product-status">
            <el-radio v-for="s in PRODUCT_STATUSES" :key="s" :value="s" :data-test="'product-status-' + s">{{ $tv('productStatus', s) }}</el-radio>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="$t('products.barcodes')" prop="barcodes" :error="errors.barcodes" data-test="product-field-barcodes">
          <div class="sp-rows">
            <div v-for="(b, i) in form.barcodes" :key="i" class="sp-row-block">
              <div class="sp-row">
                <el-input v-model="b.code" :data-test="'product-barcode-' + i" class="sp-medium sp-mono" maxlength="32"
                          :class="{ 'is-error': !!barcodeError(b) }" @input="typedBarcode(b)" @blur="touchBarcode(b)" />
                <el-checkbox v-model="b.internal" :data-test="'product-barcode-internal-' + i" @change="typedBarcode(b)">
                  {{ $t('products.barcodeInternal') }}
                </el-checkbox>
                <el-button link type="danger" :data-test="'product-barcode-remove-' + i" @click="removeBarcode(i)">
                  <el-icon><Delete /></el-icon>
                </el-button>
              </div>
              <div v-if="barcodeError(b)" class="sp-row-error" :data-test="'product-barcode-error-' + i">{{ barcodeError(b) }}</div>
            </div>
            <el-button size="small" data-test="product-barcode-add" @click="addBarcode">
              <el-icon><Plus /></el-icon><span>{{ $t('products.addBarcode') }}</span>
            </el-button>
            <div class="sp-help sp-help-block">{{ $t('products.barcodeHelp') }}</div>
          </div>
        </el-form-item>
        <el-form-item :label="$t('products.plu')" prop="plu" :error="errors.plu" data-test="product-field-plu">
          <el-input v-model="form.plu" data-test="product-plu" class="sp-short sp-mono" />
          <span class="sp-help">{{ $t('products.pluHelp') }}</span>
        </el-form-item>
        <el-form-item :label="$t('products.familyCode')" prop="family_code" :error="errors.family_code" data-test="product-field-family_code">
          <el-input v-model="form.family_code" data-test="product-family-code" class="sp-medium" />
          <span class="sp-help">{{ $t('products.familyCodeHelp') }}</span>
        </el-form-item>
        <el-form-item :label="$t('products.imageUrl')" prop="image_url" :error="errors.image_url" data-test="product-field-image_url">
          <el-input v-model="form.image_url" data-test="product-image-url" placeholder="https://" />
        </el-form-item>
        <el-form-item :label="$t('products.attributes')" prop="attributes" :error="errors.attributes" data-test="product-field-attributes">
          <div class="sp-rows">
            <div v-for="(a, i) in form.attributes" :key="i" class="sp-row">
              <el-input v-model="a.key" :data-test="'product-attribute-key-' + i" class="sp-short" :placeholder="$t('products.attributeKey')" />
              <el-input v-model="a.value" :data-test="'product-attribute-value-' + i" class="sp-medium" :placeholder="$t('products.attributeValue')" />
              <el-button link type="danger" :data-test="'product-attribute-remove-' + i" @click="removeAttribute(i)">
                <el-icon><Delete /></el-icon>
              </el-button>
            </div>
            <el-button size="small" data-test="product-attribute-add" @click="addAttribute">
              <el-icon><Plus /></el-icon><span>{{ $t('products.addAttribute') }}</span>
            </el-button>
          </div>
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="product-cancel" @click="visible = false">{{ $t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="product-save" @click="save">{{ $t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
