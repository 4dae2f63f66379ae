// Finds one product as people type (barcode, SKU, name, pinyin initials): the same search as
// the product list, newest answer wins. v-model is the product id; `picked` hands over the
// whole product.
import { computed, ref, watch } from 'vue';
import { api } from '../api.js';
import { useLatestRequest } from '../catalog.js';
import { showError } from '../forms.js';
import { formatMoney } from '../money.js';

export default {
  name: 'ProductPicker',
  inheritAttrs: false,
  props: {
    modelValue: { type: [String, null], default: null },
    /** A product already chosen (so its label shows before any search). */
    initial: { type: Object, default: null },
    placeholder: { type: String, default: '' },
  },
  emits: ['update:modelValue', 'picked'],
  setup(props, { emit }) {
    const options = ref(props.initial ? [props.initial] : []);
    const search = useLatestRequest((q, signal) => api.get('/products', { q, limit: 20 }, { signal }));
    watch(() => props.initial, (p) => {
      if (p && !options.value.some((o) => o.id === p.id)) options.value = [p, ...options.value];
    });

    async function remote(q) {
      const text = String(q || '').trim();
      if (!text) {
        search.cancel();
        return;
      }
      try {
        const answer = await search.run(text, { immediate: true }); // el-select already waited
        if (answer) options.value = answer.data || [];
      } catch (e) {
        showError(e);
      }
    }
    const value = computed({
      get: () => props.modelValue || null,
      set: (v) => {
        emit('update:modelValue', v || null);
        emit('picked', options.value.find((o) => o.id === v) || null);
      },
    });
    return { options, value, remote, loading: search.pending, formatMoney };
  },
  template: `
    <el-select v-model="value" v-bind="$attrs" filterable remote clearable :remote-method="remote" :debounce="150" :loading="loading"
               :placeholder="placeholder || $t('products.pickPlaceholder')" class="sp-wide">
      <el-option v-for="p in options" :key="p.id" :value="p.id" :label="p.sku + ' · ' + p.name_zh"
                 :data-test="'product-option-' + p.sku">
        <span>{{ p.sku }} · {{ p.name_zh }}</span>
        <span class="sp-option-right">{{ formatMoney(p.list_price_minor) }}</span>
      </el-option>
    </el-select>`,
};
