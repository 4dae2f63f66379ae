// A location picker (门店 / 仓库) over the locations in scope (`useLocations` in inventory.js):
// stores first, then warehouses, each with its code; `kind` narrows to stores or warehouses.
// Options carry data-test `location-option-<code>` (or `<optionTest><code>`).
import { computed } from 'vue';

export default {
  name: 'LocationSelect',
  inheritAttrs: false,
  props: {
    modelValue: { type: [String, null], default: null },
    locations: { type: Array, default: () => [] },
    kind: { type: String, default: '' },
    exclude: { type: [String, null], default: null },
    placeholder: { type: String, default: '' },
    clearable: { type: Boolean, default: true },
    /** The options' data-test prefix (two selects of one form get different ones). */
    optionTest: { type: String, default: 'location-option-' },
  },
  emits: ['update:modelValue', 'change'],
  setup(props, { emit }) {
    const options = computed(() => props.locations.filter((l) => (!props.kind || l.kind === props.kind) && l.id !== props.exclude));
    const groups = computed(() => ['store', 'warehouse']
      .map((kind) => ({ kind, items: options.value.filter((l) => l.kind === kind) }))
      .filter((g) => g.items.length));
    const value = computed({
      get: () => props.modelValue || null,
      set: (v) => {
        emit('update:modelValue', v || null);
        emit('change', v || null);
      },
    });
    return { groups, value };
  },
  template: `
    <el-select v-model="value" v-bind="$attrs" filterable :clearable="clearable" :placeholder="placeholder || $t('inventory.pickLocation')">
      <el-option-group v-for="g in groups" :key="g.kind" :label="$tv('storeKind', g.kind)">
        <el-option v-for="l in g.items" :key="l.id" :value="l.id" :label="l.code + ' · ' + l.name" :data-test="optionTest + l.code" />
      </el-option-group>
    </el-select>`,
};
