// The pay dialog (结账, F4): one or several tenders for the cart's total. Cash takes what the
// other tenders leave, rounded to the store's step (抹零 — the rounding line shows whenever cash
// is used), and the amount handed over gives the change. A card needs the terminal's reference
// and may carry the last 4 digits of the card (never more). Offline only the tender types
// allowed offline are offered. With a member attached (and the server there) the member's
// accounts pay too: 积分抵扣 (POINTS, at most what the points are worth) and 储值支付
// (STORED_VALUE, at most the balance); without a member they are not offered.
import { computed, nextTick, reactive, ref, watch } from 'vue';
import { t } from '../i18n.js';
import { formatMoney, minorToMajor, parseMajor } from '../money.js';
import { cashRounding } from '../register/pricing.js';
import { pointsFor } from '../customers.js';

/** `points` / `stored_value` for a tender type that pays from a member's account, else null. */
export function accountOf(type) {
  if (type?.account) return type.account;
  if (type?.code === 'POINTS') return 'points';
  if (type?.code === 'STORED_VALUE') return 'stored_value';
  return null;
}

export default {
  name: 'RegisterPay',
  props: {
    modelValue: { type: Boolean, default: false },
    total: { type: Number, default: 0 },
    tenderTypes: { type: Array, default: () => [] },
    offline: { type: Boolean, default: false },
    step: { type: Number, default: 1 },
    busy: { type: Boolean, default: false },
    problem: { type: String, default: '' },
    member: { type: Object, default: null },
    pointsPerUnit: { type: Number, default: 100 },
  },
  emits: ['update:modelValue', 'complete'],
  setup(props, { emit }) {
    const rows = reactive([]);
    const root = ref(null);

    const usable = computed(() => props.tenderTypes.filter((x) => x.active !== false && x.kind !== 'mobile'
      && (!props.offline || x.allowed_offline) && (!accountOf(x) || (props.member && !props.offline))));
    /** The most an account tender may pay: the points' value or the stored-value balance. */
    const capOf = (row) => (row.account === 'points' ? props.member?.points_value_minor ?? 0
      : row.account === 'stored_value' ? props.member?.stored_value_minor ?? 0 : Infinity);

    function focusRow(code) {
      nextTick(() => {
        const el = root.value?.querySelector(`[data-test="pay-${code === 'cash' ? 'tendered' : 'amount'}-${code}"]`)
          || root.value?.querySelector('[data-test="pay-tendered"]');
        el?.focus();
        el?.select?.();
      });
    }

    const amountOf = (row) => parseMajor(row.amountText).minor ?? 0;
    const nonCash = computed(() => rows.filter((r) => r.kind !== 'cash').reduce((a, r) => a + amountOf(r), 0));
    const cashRow = computed(() => rows.find((r) => r.kind === 'cash') || null);
    const money = computed(() => cashRounding(props.total, nonCash.value, !!cashRow.value, props.step));
    const cashDue = computed(() => (cashRow.value ? money.value.cashDue : 0));
    const paid = computed(() => nonCash.value + cashDue.value);
    const remaining = computed(() => money.value.amountDue - paid.value);
    const tendered = computed(() => {
      if (!cashRow.value) return 0;
      const p = parseMajor(cashRow.value.tenderedText);
      return p.minor ?? cashDue.value;
    });
    const change = computed(() => (cashRow.value ? Math.max(0, tendered.value - cashDue.value) : 0));

    function add(type) {
      const existing = rows.find((r) => r.code === type.code);
      if (existing) {
        focusRow(type.kind === 'cash' ? 'cash' : type.code);
        return;
      }
      const others = rows.filter((r) => r.kind !== 'cash').reduce((a, r) => a + amountOf(r), 0);
      const row = { code: type.code, kind: type.kind, name: type.name, account: accountOf(type), tenderedText: '', reference: '', last4: '' };
      let amount = Math.max(0, props.total - others);
      if (row.account) amount = Math.min(amount, capOf(row));
      if (row.account === 'points') {
        // Whole points only: step down to an amount that redeems a whole number of points.
        while (amount > 0 && pointsFor(amount, props.pointsPerUnit) === null) amount -= 1;
      }
      row.amountText = type.kind === 'cash' ? '' : minorToMajor(amount);
      rows.push(row);
      focusRow(type.kind === 'cash' ? 'cash' : type.code);
    }

    /** Once the dialog is shown: the cash tendered field, else the first tender's amount. */
    function focusFirst() {
      const el = root.value?.querySelector('[data-test="pay-tendered"]') || root.value?.querySelector('[data-test^="pay-amount-"]');
      el?.focus();
      el?.select?.();
    }

    function removeRow(code) {
      const i = rows.findIndex((r) => r.code === code);
      if (i >= 0) rows.splice(i, 1);
    }

    watch(() => props.modelValue, (open) => {
      if (!open) return;
      rows.splice(0, rows.length);
      const cash = usable.value.find((x) => x.kind === 'cash');
      if (cash) add(cash);
    });

    /** Digits only, at most four: a longer card number can never be typed in. */
    function onLast4(row, v) {
      row.last4 = String(v || '').replace(/\D/g, '').slice(0, 4);
    }

    const rowErrors = computed(() => {
      const errs = {};
      for (const r of rows) {
        if (r.kind === 'cash') {
          const p = parseMajor(r.tenderedText);
          if (p.error) errs[r.code] = t(`money.${p.error}`, { n: p.digits });
          else if (p.minor !== null && p.minor < cashDue.value) errs[r.code] = t('register.pay.tenderedShort');
          continue;
        }
        const p = parseMajor(r.amountText);
        if (p.error) errs[r.code] = t(`money.${p.error}`, { n: p.digits });
        else if (!p.minor) errs[r.code] = t('register.pay.amountRequired');
        else if (r.account && !props.member) errs[r.code] = t('member.required');
        else if (r.account === 'points' && p.minor > capOf(r)) errs[r.code] = t('member.pointsTooMuch', { value: formatMoney(capOf(r)) });
        else if (r.account === 'points' && pointsFor(p.minor, props.pointsPerUnit) === null) errs[r.code] = t('member.pointsWhole');
        else if (r.account === 'stored_value' && p.minor > capOf(r)) errs[r.code] = t('member.balanceTooLow', { amount: formatMoney(capOf(r)) });
        else if (r.kind === 'card' && !r.reference.trim()) errs[r.code] = t('register.pay.referenceRequired');
        else if (r.kind === 'card' && r.last4 && !/^\d{4}$/.test(r.last4)) errs[r.code] = t('register.pay.last4Format');
      }
      return errs;
    });

    const problemText = computed(() => {
      if (props.member && props.offline) return t('member.needsServer');
      if (!rows.length) return props.total ? t('register.pay.chooseTender') : '';
      if (nonCash.value > props.total) return t('register.pay.tooMuch');
      if (remaining.value !== 0) return t('register.pay.remainingLeft', { amount: formatMoney(remaining.value) });
      return '';
    });
    const canComplete = computed(() => !props.busy && !problemText.value && !Object.keys(rowErrors.value).length);

    function complete() {
      if (!canComplete.value) return;
      const tenders = [];
      const shown = [];
      for (const r of rows) {
        if (r.kind === 'cash') {
          if (cashDue.value === 0 && money.value.cashPart === 0) continue; // the other tenders paid it all
          tenders.push({ code: r.code, amount_minor: cashDue.value, tendered_minor: tendered.value });
          shown.push({ code: r.code, name: r.name, amount_minor: cashDue.value, tendered_minor: tendered.value });
          continue;
        }
        const x = { code: r.code, amount_minor: amountOf(r) };
        if (r.reference.trim()) x.reference = r.reference.trim();
        if (r.kind === 'card' && r.last4) x.card_last4 = r.last4;
        tenders.push(x);
        shown.push({ ...x, name: r.name });
      }
      const usesCash = tenders.some((x) => rows.find((r) => r.code === x.code)?.kind === 'cash');
      emit('complete', {
        tenders,
        shown,
        rounding: usesCash ? money.value.rounding : 0,
        amountDue: usesCash ? money.value.amountDue : props.total,
        change: usesCash ? change.value : 0,
      });
    }

    function quick(minor) {
      if (cashRow.value) cashRow.value.tenderedText = minorToMajor(minor);
    }
    const quickNotes = computed(() => {
      const due = cashDue.value;
      if (due <= 0) return [];
      const notes = [1000, 2000, 5000, 10000].map((n) => Math.ceil(due / n) * n);
      return [...new Set(notes)].filter((n) => n > due).slice(0, 3);
    });

    return {
      root, rows, usable, money, cashDue, paid, remaining, tendered, change, rowErrors, problemText, canComplete,
      add, removeRow, onLast4, focusFirst, complete, quick, quickNotes, formatMoney, minorToMajor, cashRow, capOf, amountOf,
      pointsOf: (r) => pointsFor(amountOf(r), props.pointsPerUnit) ?? 0,
    };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="$t('register.pay.title')"
               width="720px" append-to-body data-test="register-pay-dialog" :close-on-click-modal="false" class="sp-pay-dialog" @opened="focusFirst">
      <div ref="root" class="sp-pay">
        <div class="sp-pay-sum">
          <div class="sp-pay-figure"><span>{{ $t('register.total') }}</span><strong data-test="pay-total">{{ formatMoney(total) }}</strong></div>
          <div v-if="cashRow" class="sp-pay-figure" data-test="pay-rounding-line">
            <span>{{ $t('register.pay.rounding') }}</span><strong data-test="pay-rounding">{{ formatMoney(money.rounding) }}</strong>
          </div>
          <div class="sp-pay-figure sp-pay-due"><span>{{ $t('register.pay.due') }}</span><strong data-test="pay-due">{{ formatMoney(money.amountDue) }}</strong></div>
          <div class="sp-pay-figure"><span>{{ $t('register.pay.remaining') }}</span><strong data-test="pay-remaining" :class="{ 'sp-bad': remaining !== 0 }">{{ formatMoney(remaining) }}</strong></div>
          <div v-if="cashRow" class="sp-pay-figure sp-pay-change"><span>{{ $t('register.pay.change') }}</span><strong data-test="pay-change">{{ formatMoney(change) }}</strong></div>
        </div>
        <div v-if="offline" class="sp-pay-offline" data-test="pay-offline-note">{{ $t('register.pay.offlineNote') }}</div>
        <div v-if="member" class="sp-pay-member" data-test="pay-member">
          <strong>{{ member.name }}</strong>
          <span class="sp-muted">{{ $t('member.pointsLine', { points: member.points_balance ?? 0, value: formatMoney(member.points_value_minor ?? 0) }) }}
            · {{ $t('member.balanceLine', { amount: formatMoney(member.stored_value_minor ?? 0) }) }}</span>
        </div>
        <div class="sp-pay-types">
          <el-button v-for="x in usable" :key="x.code" size="large" class="sp-touch" :type="rows.some((r) => r.code === x.code) ? 'primary' : 'default'"
                     :data-test="'pay-add-' + x.code" @click="add(x)">{{ x.name }}</el-button>
        </div>
        <div v-for="r in rows" :key="r.code" class="sp-pay-row" :data-test="'pay-row-' + r.code">
          <div class="sp-pay-row-head">
            <strong>{{ r.name }}</strong>
            <el-button link type="danger" :data-test="'pay-remove-' + r.code" @click="removeRow(r.code)">{{ $t('register.pay.removeTender') }}</el-button>
          </div>
          <template v-if="r.kind === 'cash'">
            <div class="sp-pay-fields">
              <label>{{ $t('register.pay.cashAmount') }} <strong data-test="pay-cash-amount">{{ formatMoney(cashDue) }}</strong></label>
              <el-input v-model="r.tenderedText" size="large" class="sp-pay-input" inputmode="decimal" :placeholder="minorToMajor(cashDue)"
                        data-test="pay-tendered" @keydown.enter.prevent="complete">
                <template #prepend>{{ $t('register.pay.tendered') }}</template>
              </el-input>
              <el-button v-for="n in quickNotes" :key="n" size="large" class="sp-touch" :data-test="'pay-quick-' + n" @click="quick(n)">{{ formatMoney(n) }}</el-button>
            </div>
          </template>
          <template v-else>
            <div class="sp-pay-fields">
              <el-input v-model="r.amountText" size="large" class="sp-pay-input" inputmode="decimal" :data-test="'pay-amount-' + r.code"
                        @keydown.enter.prevent="complete">
                <template #prepend>{{ $t('register.pay.amount') }}</template>
              </el-input>
              <span v-if="r.account === 'points'" class="sp-muted" :data-test="'pay-points-' + r.code" :data-points="pointsOf(r)">{{ $t('member.pointsUse', { points: pointsOf(r), max: formatMoney(capOf(r)) }) }}</span>
              <span v-if="r.account === 'stored_value'" class="sp-muted" :data-test="'pay-balance-' + r.code">{{ $t('member.balanceUse', { amount: formatMoney(capOf(r)) }) }}</span>
              <el-input v-if="!r.account" v-model="r.reference" size="large" class="sp-pay-input" maxlength="64"
                        :placeholder="r.kind === 'card' ? $t('register.pay.referenceHint') : $t('register.pay.referenceOptional')"
                        :data-test="'pay-reference-' + r.code" @keydown.enter.prevent="complete">
                <template #prepend>{{ $t('register.pay.reference') }}</template>
              </el-input>
              <el-input v-if="r.kind === 'card'" :model-value="r.last4" @update:model-value="(v) => onLast4(r, v)" size="large" class="sp-pay-last4"
                        maxlength="4" inputmode="numeric" :placeholder="$t('register.pay.last4Hint')" :data-test="'pay-last4-' + r.code"
                        @keydown.enter.prevent="complete">
                <template #prepend>{{ $t('register.pay.last4') }}</template>
              </el-input>
            </div>
          </template>
          <div v-if="rowErrors[r.code]" class="sp-row-error" :data-test="'pay-error-' + r.code">{{ rowErrors[r.code] }}</div>
        </div>
        <div v-if="problemText" class="sp-muted" data-test="pay-problem">{{ problemText }}</div>
        <div v-if="problem" class="sp-row-error" data-test="pay-server-problem">{{ problem }}</div>
      </div>
      <template #footer>
        <el-button size="large" class="sp-touch" data-test="pay-cancel" @click="$emit('update:modelValue', false)">{{ $t('common.cancel') }} (Esc)</el-button>
        <el-button type="primary" size="large" class="sp-touch" :disabled="!canComplete" :loading="busy" data-test="pay-complete" @click="complete">
          {{ $t('register.pay.complete') }} (F4)
        </el-button>
      </template>
    </el-dialog>`,
};
