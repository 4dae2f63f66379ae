// Member tiers and the loyalty programme (会员等级与积分规则, #/member-tiers): the tiers (code,
// name, the price tier their members buy at, spend that reaches the tier, points per yuan,
// whether discounted lines earn, order) created and edited with `version` (customers.admin);
// the programme (points per yuan when redeeming, expiry, the tier window, top-up bonuses) with
// `version`; category exceptions to the earn rate (GET/PUT /points-rules); "重新评级" recomputes
// every member's tier (POST /member-tiers/review).
import { computed, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { handleVersionConflict, requiredRule, showError, useFieldErrors } from '../forms.js';
import { useCrudDialog } from '../crud.js';
import { formatMoney, minorToMajor, parseMajor } from '../money.js';
import { can } from '../session.js';
import { EXPIRY_MODES, loadTiers } from '../customers.js';
import { useCatalogLookups } from '../catalog.js';

const blank = () => ({ id: null, version: 0, code: '', name: '', price_tier: '', min_spend: '0', earn_per_unit: '1', earn_on_discounted: false, sort: 10 });
const fromRow = (r) => ({
  id: r.id, version: r.version, code: r.code, name: r.name, price_tier: r.price_tier || '', min_spend: minorToMajor(r.min_spend_minor ?? 0),
  earn_per_unit: String(r.earn_per_unit ?? '1'), earn_on_discounted: !!r.earn_on_discounted, sort: r.sort ?? 0,
});

export default {
  name: 'MemberTiersView',
  setup() {
    const admin = computed(() => can('customers.admin'));
    const tiers = ref([]);
    const loading = ref(false);
    async function reload() {
      loading.value = true;
      try {
        tiers.value = await loadTiers(true);
      } finally {
        loading.value = false;
      }
    }
    const crud = useCrudDialog({
      blank, fromRow, path: '/member-tiers', reload, current: (id) => tiers.value.find((x) => x.id === id),
      body: (f) => ({
        code: f.code.trim().toUpperCase(), name: f.name.trim(), price_tier: f.price_tier.trim() || null,
        min_spend_minor: parseMajor(f.min_spend).minor ?? 0, earn_per_unit: String(f.earn_per_unit).trim() || '0',
        earn_on_discounted: f.earn_on_discounted, sort: Number(f.sort) || 0,
      }),
    });
    const rules = computed(() => ({
      code: [requiredRule()], name: [requiredRule()],
      min_spend: [{ trigger: 'blur', validator: (_r, v, cb) => { const p = parseMajor(v); cb(p.error ? new Error(t(`money.${p.error}`, { n: p.digits })) : undefined); } }],
      earn_per_unit: [{ trigger: 'blur', validator: (_r, v, cb) => cb(/^\d+(\.\d{1,2})?$/.test(String(v).trim()) ? undefined : new Error(t('tiers.earnFormat'))) }],
    }));

    // ---- the programme
    const program = reactive({ loaded: false, saving: false, form: null });
    const programErrors = useFieldErrors();
    async function loadProgram() {
      try {
        const p = await api.get('/loyalty-program');
        program.form = {
          redeem_points_per_unit: p.redeem_points_per_unit ?? 100, expiry_mode: p.expiry_mode || 'year_end', expiry_months: p.expiry_months ?? 12,
          tier_window_days: p.tier_window_days ?? 365, version: p.version,
          topup_bonus: (p.topup_bonus || []).map((b) => ({ min: minorToMajor(b.min_minor), bonus: minorToMajor(b.bonus_minor) })),
        };
      } catch (e) {
        program.form = null;
        if (admin.value) showError(e);
      } finally {
        program.loaded = true;
      }
    }
    async function saveProgram() {
      programErrors.clear();
      const f = program.form;
      const bonus = [];
      for (const [i, b] of f.topup_bonus.entries()) {
        const min = parseMajor(b.min);
        const bo = parseMajor(b.bonus);
        if (min.error || bo.error || !min.minor) {
          programErrors.errors.topup_bonus = t('tiers.bonusRow', { n: i + 1 });
          return;
        }
        bonus.push({ min_minor: min.minor, bonus_minor: bo.minor ?? 0 });
      }
      program.saving = true;
      try {
        await api.put('/loyalty-program', {
          redeem_points_per_unit: Number(f.redeem_points_per_unit), expiry_mode: f.expiry_mode, expiry_months: Number(f.expiry_months),
          tier_window_days: Number(f.tier_window_days), topup_bonus: bonus, version: f.version,
        });
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        await loadProgram();
      } catch (e) {
        if (await handleVersionConflict(e, loadProgram)) return;
        if (!programErrors.fromError(e)) showError(e);
      } finally {
        program.saving = false;
      }
    }

    // ---- category exceptions
    const lookups = useCatalogLookups();
    const pointsRules = reactive({ rows: [], saving: false });
    async function loadRules() {
      try {
        const r = await api.get('/points-rules');
        pointsRules.rows = (r?.rules || []).map((x) => ({ tier_code: x.tier_code || '', category_id: x.category_id, earn_per_unit: String(x.earn_per_unit) }));
      } catch {
        pointsRules.rows = [];
      }
    }
    async function saveRules() {
      pointsRules.saving = true;
      try {
        await api.put('/points-rules', {
          rules: pointsRules.rows.filter((r) => r.category_id).map((r) => ({ tier_code: r.tier_code || null, category_id: r.category_id, earn_per_unit: String(r.earn_per_unit || '0') })),
        });
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        await loadRules();
      } catch (e) {
        showError(e);
      } finally {
        pointsRules.saving = false;
      }
    }

    // ---- tier review
    const reviewing = ref(false);
    async function review() {
      reviewing.value = true;
      try {
        const r = await api.post('/member-tiers/review');
        ElMessage({ type: 'success', message: t('tiers.reviewed', { up: r?.upgraded ?? 0, down: r?.downgraded ?? 0 }), customClass: 'sp-saved-toast' });
      } catch (e) {
        showError(e);
      } finally {
        reviewing.value = false;
      }
    }

    onMounted(() => {
      reload();
      loadProgram();
      loadRules();
      lookups.load();
    });
    return {
      ...crud, rules, tiers, loading, admin, program, programErrors: programErrors.errors, saveProgram, pointsRules, saveRules,
      review, reviewing, EXPIRY_MODES, formatMoney, categories: lookups.categories, categoryLabel: lookups.categoryLabel,
      addBonus: () => program.form.topup_bonus.push({ min: '', bonus: '' }),
      addRule: () => pointsRules.rows.push({ tier_code: '', category_id: null, earn_per_unit: '0' }),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('tiers.title') }}</h2>
        <div v-if="admin">
          <el-button :loading="reviewing" data-test="tiers-review" @click="review">{{ $t('tiers.review') }}</el-button>
          <el-button type="primary" data-test="tier-create" @click="open(null)"><el-icon><Plus /></el-icon><span>{{ $t('tiers.create') }}</span></el-button>
        </div>
      </div>
      <el-table :data="tiers" v-loading="loading" stripe data-test="tiers-table" :empty-text="$t('list.empty')">
        <el-table-column :label="$t('field.code')" width="120"><template #default="{ row }"><span class="sp-code" :data-test="'tier-code-' + row.code">{{ row.code }}</span></template></el-table-column>
        <el-table-column :label="$t('tiers.name')" prop="name" width="140" />
        <el-table-column :label="$t('tiers.priceTier')" width="120"><template #default="{ row }">{{ row.price_tier || '—' }}</template></el-table-column>
        <el-table-column :label="$t('tiers.minSpend')" width="140" align="right"><template #default="{ row }">{{ formatMoney(row.min_spend_minor ?? 0) }}</template></el-table-column>
        <el-table-column :label="$t('tiers.earn')" width="130" align="right"><template #default="{ row }">{{ row.earn_per_unit }}</template></el-table-column>
        <el-table-column :label="$t('tiers.earnOnDiscounted')" width="130"><template #default="{ row }">{{ row.earn_on_discounted ? $t('common.yes') : $t('common.no') }}</template></el-table-column>
        <el-table-column :label="$t('tiers.sort')" prop="sort" width="80" />
        <el-table-column v-if="admin" :label="$t('common.actions')" width="100">
          <template #default="{ row }"><el-button link type="primary" :data-test="'tier-edit-' + row.code" @click="open(row)">{{ $t('common.edit') }}</el-button></template>
        </el-table-column>
      </el-table>

      <el-card v-if="program.form" shadow="never" class="sp-gap" data-test="program-card">
        <template #header><strong>{{ $t('tiers.program') }}</strong></template>
        <el-form label-width="180px" :disabled="!admin" @submit.prevent="saveProgram">
          <el-form-item :label="$t('tiers.redeemRate')" :error="programErrors.redeem_points_per_unit" data-test="program-field-redeem_points_per_unit">
            <el-input-number v-model="program.form.redeem_points_per_unit" :min="1" :max="100000" data-test="program-redeem" />
            <span class="sp-muted sp-small sp-inline-help">{{ $t('tiers.redeemHelp', { n: program.form.redeem_points_per_unit }) }}</span>
          </el-form-item>
          <el-form-item :label="$t('tiers.expiry')" :error="programErrors.expiry_mode" data-test="program-field-expiry_mode">
            <el-radio-group v-model="program.form.expiry_mode">
              <el-radio-button v-for="m in EXPIRY_MODES" :key="m" :value="m">{{ $tv('expiryMode', m) }}</el-radio-button>
            </el-radio-group>
            <el-input-number v-if="program.form.expiry_mode === 'months'" v-model="program.form.expiry_months" :min="1" :max="120" class="sp-inline-help" />
          </el-form-item>
          <el-form-item :label="$t('tiers.window')" :error="programErrors.tier_window_days">
            <el-input-number v-model="program.form.tier_window_days" :min="1" :max="3660" />
          </el-form-item>
          <el-form-item :label="$t('tiers.topupBonus')" :error="programErrors.topup_bonus" data-test="program-field-topup_bonus">
            <div>
              <div v-for="(b, i) in program.form.topup_bonus" :key="i" class="sp-bonus-row">
                {{ $t('tiers.bonusPay') }} <el-input v-model="b.min" style="width: 110px" :data-test="'program-bonus-min-' + i" />
                {{ $t('tiers.bonusGet') }} <el-input v-model="b.bonus" style="width: 110px" :data-test="'program-bonus-bonus-' + i" />
                <el-button v-if="admin" link type="danger" @click="program.form.topup_bonus.splice(i, 1)"><el-icon><Delete /></el-icon></el-button>
              </div>
              <el-button v-if="admin" size="small" data-test="program-bonus-add" @click="addBonus">{{ $t('tiers.addBonus') }}</el-button>
            </div>
          </el-form-item>
          <el-form-item v-if="admin"><el-button type="primary" :loading="program.saving" data-test="program-save" @click="saveProgram">{{ $t('common.save') }}</el-button></el-form-item>
        </el-form>
      </el-card>

      <el-card v-if="admin" shadow="never" class="sp-gap" data-test="points-rules-card">
        <template #header><strong>{{ $t('tiers.pointsRules') }}</strong></template>
        <p class="sp-muted sp-small">{{ $t('tiers.pointsRulesHelp') }}</p>
        <div v-for="(r, i) in pointsRules.rows" :key="i" class="sp-bonus-row">
          <el-select v-model="r.tier_code" clearable :placeholder="$t('tiers.allTiers')" style="width: 140px">
            <el-option v-for="x in tiers" :key="x.code" :value="x.code" :label="x.name" />
          </el-select>
          <el-select v-model="r.category_id" filterable :placeholder="$t('tiers.category')" style="width: 220px">
            <el-option v-for="c in categories" :key="c.id" :value="c.id" :label="categoryLabel(c.id)" />
          </el-select>
          <el-input v-model="r.earn_per_unit" style="width: 100px" />
          <el-button link type="danger" @click="pointsRules.rows.splice(i, 1)"><el-icon><Delete /></el-icon></el-button>
        </div>
        <el-button size="small" @click="addRule">{{ $t('tiers.addRule') }}</el-button>
        <el-button size="small" type="primary" :loading="pointsRules.saving" data-test="points-rules-save" @click="saveRules">{{ $t('common.save') }}</el-button>
      </el-card>

      <el-dialog v-model="dialog" :title="form.id ? $t('tiers.edit') : $t('tiers.create')" width="520px" append-to-body data-test="tier-dialog">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="150px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="tier-field-code"><el-input v-model="form.code" maxlength="32" data-test="tier-code" /></el-form-item>
          <el-form-item :label="$t('tiers.name')" prop="name" :error="errors.name" data-test="tier-field-name"><el-input v-model="form.name" maxlength="32" data-test="tier-name" /></el-form-item>
          <el-form-item :label="$t('tiers.priceTier')" prop="price_tier" :error="errors.price_tier"><el-input v-model="form.price_tier" maxlength="32" placeholder="member" data-test="tier-price-tier" /></el-form-item>
          <el-form-item :label="$t('tiers.minSpend')" prop="min_spend" :error="errors.min_spend_minor"><el-input v-model="form.min_spend" data-test="tier-min-spend" /></el-form-item>
          <el-form-item :label="$t('tiers.earn')" prop="earn_per_unit" :error="errors.earn_per_unit"><el-input v-model="form.earn_per_unit" data-test="tier-earn" /></el-form-item>
          <el-form-item :label="$t('tiers.earnOnDiscounted')"><el-switch v-model="form.earn_on_discounted" /></el-form-item>
          <el-form-item :label="$t('tiers.sort')" :error="errors.sort"><el-input-number v-model="form.sort" :min="0" :max="1000" /></el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="tier-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
