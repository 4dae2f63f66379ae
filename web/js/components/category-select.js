// A category picker: the category tree (el-tree-select), any level selectable, filterable by
// name or code. `exclude` leaves out a category and everything under it (a category cannot
// move under itself).
import { computed } from 'vue';
import { buildCategoryTree } from '../catalog.js';

export default {
  name: 'CategorySelect',
  inheritAttrs: false,
  props: {
    modelValue: { type: [String, null], default: null },
    categories: { type: Array, default: () => [] },
    exclude: { type: [String, null], default: null },
    placeholder: { type: String, default: '' },
    clearable: { type: Boolean, default: true },
  },
  emits: ['update:modelValue', 'change'],
  setup(props, { emit, attrs }) {
    // el-tree-select hands its attributes to both the select and the tree inside its dropdown;
    // the data-test name and the width go on a wrapper instead.
    const rest = () => Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== 'data-test' && k !== 'class'));
    const tree = computed(() => buildCategoryTree(props.categories, { exclude: props.exclude }));
    const value = computed({
      get: () => props.modelValue || null,
      set: (v) => {
        emit('update:modelValue', v || null);
        emit('change', v || null);
      },
    });
    const filter = (text, node) => {
      const q = String(text || '').toLowerCase();
      return !q || String(node.label).toLowerCase().includes(q) || String(node.code || '').toLowerCase().includes(q);
    };
    return { tree, value, filter, rest };
  },
  template: `
    <div :class="['sp-category-select', $attrs.class]" :data-test="$attrs['data-test']">
    <el-tree-select v-model="value" v-bind="rest()" class="sp-wide" :data="tree" node-key="value" check-strictly filterable
                    :filter-node-method="filter" :clearable="clearable" default-expand-all
                    :render-after-expand="false" :placeholder="placeholder || $t('catalog.categoryPlaceholder')">
      <template #default="{ data }">
        <span :data-test="'category-option-' + data.code">{{ data.label }} <span class="sp-muted">{{ data.code }}</span></span>
      </template>
    </el-tree-select>
    </div>`,
};
