// The register's first step: which store (kind=store, in the person's scope) and which of its
// registers this device is. The choice is remembered (localStorage) by the register screen.
import { onMounted, ref, watch } from 'vue';
import { fetchAll } from '../api.js';
import { showError } from '../forms.js';

export default {
  name: 'RegisterSetup',
  props: {
    storeId: { type: String, default: null },
    registerId: { type: String, default: null },
  },
  emits: ['chosen'],
  setup(props, { emit }) {
    const stores = ref([]);
    const registers = ref([]);
    const storeId = ref(props.storeId);
    const registerId = ref(props.registerId);
    const loading = ref(false);
    const loadingRegisters = ref(false);

    async function loadRegisters() {
      registers.value = [];
      if (!storeId.value) return;
      loadingRegisters.value = true;
      try {
        registers.value = (await fetchAll(`/stores/${encodeURIComponent(storeId.value)}/registers`)).filter((r) => r.active !== false);
        if (!registers.value.some((r) => r.id === registerId.value)) {
          registerId.value = registers.value.length === 1 ? registers.value[0].id : null;
        }
      } catch (e) {
        showError(e);
      } finally {
        loadingRegisters.value = false;
      }
    }

    onMounted(async () => {
      loading.value = true;
      try {
        stores.value = (await fetchAll('/stores', { kind: 'store' })).filter((s) => s.active !== false && s.kind !== 'warehouse');
        if (!storeId.value && stores.value.length === 1) storeId.value = stores.value[0].id;
        await loadRegisters();
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    });
    watch(storeId, loadRegisters);

    function start() {
      const store = stores.value.find((s) => s.id === storeId.value);
      const register = registers.value.find((r) => r.id === registerId.value);
      if (store && register) emit('chosen', { store, register });
    }
    return { stores, registers, storeId, registerId, loading, loadingRegisters, start };
  },
  template: `
    <el-card class="sp-register-card" data-test="register-setup" v-loading="loading">
      <template #header><span>{{ $t('register.setup.title') }}</span></template>
      <p class="sp-muted">{{ $t('register.setup.help') }}</p>
      <el-form label-position="top" @submit.prevent="start">
        <el-form-item :label="$t('register.setup.store')">
          <el-select v-model="storeId" filterable size="large" class="sp-wide" data-test="register-store-select"
                     :placeholder="$t('register.setup.storePlaceholder')">
            <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name"
                       :data-test="'register-store-option-' + s.code" />
          </el-select>
        </el-form-item>
        <el-form-item :label="$t('register.setup.register')">
          <el-select v-model="registerId" size="large" class="sp-wide" data-test="register-register-select" :loading="loadingRegisters"
                     :disabled="!storeId" :placeholder="$t('register.setup.registerPlaceholder')">
            <el-option v-for="r in registers" :key="r.id" :value="r.id" :label="r.code + ' · ' + r.name"
                       :data-test="'register-register-option-' + r.code" />
          </el-select>
          <div v-if="storeId && !loadingRegisters && !registers.length" class="sp-muted" data-test="register-no-registers">{{ $t('register.setup.noRegisters') }}</div>
        </el-form-item>
        <el-button type="primary" size="large" class="sp-touch sp-wide" :disabled="!storeId || !registerId" data-test="register-setup-start" @click="start">
          {{ $t('register.setup.start') }}
        </el-button>
      </el-form>
    </el-card>`,
};
