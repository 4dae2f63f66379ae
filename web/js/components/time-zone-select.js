// A time zone picker: the IANA names the browser knows, filterable, and any other name typed in.
import { computed } from 'vue';

const common = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/Berlin',
  'Europe/London', 'America/New_York', 'America/Los_Angeles', 'UTC'];

function allZones() {
  try {
    const list = Intl.supportedValuesOf('timeZone');
    return [...new Set([...common, ...list])];
  } catch {
    return common;
  }
}

export default {
  name: 'TimeZoneSelect',
  props: { modelValue: { type: [String, null], default: '' }, disabled: Boolean, clearable: Boolean, placeholder: { type: String, default: '' } },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const zones = allZones();
    const value = computed({ get: () => props.modelValue, set: (v) => emit('update:modelValue', v) });
    return { zones, value };
  },
  template: `
    <el-select v-model="value" filterable allow-create default-first-option :disabled="disabled" :clearable="clearable"
               :placeholder="placeholder || $t('field.timeZonePlaceholder')" class="sp-wide">
      <el-option v-for="z in zones" :key="z" :label="z" :value="z" />
    </el-select>`,
};
