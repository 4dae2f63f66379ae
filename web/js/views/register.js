// The register (收银台): keyboard- and scanner-first selling at one register of one store.
//   - pick the store and register once (remembered), open the shift with a float;
//   - the search box always has focus: a scan (digits in a burst, then Enter) adds the item,
//     a scale label adds the weighed item, words search (the server's pinyin search online, the
//     cached catalog offline) and ↑/↓/Enter pick;
//   - the cart priced by the mirror of the server's rules (register/pricing.js), line and order
//     discounts (a manager approves beyond the store's limit), park/resume, void;
//   - pay with one or more tenders; every sale is queued in IndexedDB before it is sent, so an
//     outage never loses one (register/queue.js); receipts, returns, shift close, paid in/out,
//     X report;
//   - a member (会员, F7 or a scan/phone/member number in the search box) buys at their tier's
//     prices and pays with points and stored value; member sales need the server
//     (register-member.js, the member chip, top-ups).
import { computed, nextTick, onBeforeUnmount, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError, fetchAll } from '../api.js';
import { useLatestRequest } from '../catalog.js';
import { describeError, fieldMessage, formatTime } from '../forms.js';
import { has, locale, t } from '../i18n.js';
import { currencyDigits, formatMoney, minorToMajor, parseMajor } from '../money.js';
import { can, session } from '../session.js';
import { createCatalog } from '../register/catalog-cache.js';
import { addProduct, bumpQuantity, emptyCart, removeLine, reprice, saleBody, setMember, totals, unitPrice } from '../register/cart.js';
import { postJson } from '../register/http.js';
import { canTopUp, loadProgram, lookupMember, lookupMemberByCode, looksLikeMemberNo, mainlandMobile, memberEffect } from '../customers.js';
import { divHalfUp, parsePercent, parseQuantity, percentString, quantityString } from '../register/decimal.js';
import { getKv, setKv, all, put, remove } from '../register/idb.js';
import { createScanDetector, functionKeyAction, looksLikeCode, splitQuantityPrefix, SHORTCUTS } from '../register/keys.js';
import { needsApproval, roundingStep } from '../register/pricing.js';
import { queueState, retryAttention, startQueue, submitSale } from '../register/queue.js';
import { localReceiptHtml, receiptData } from '../register/receipt.js';
import { uuidv7 } from '../register/uuid.js';
import RegisterSetup from './register-setup.js';
import RegisterPay from './register-pay.js';
import RegisterApproval from './register-approval.js';
import RegisterReturn from './register-return.js';
import RegisterDocument from './register-receipt.js';
import { CashMoveDialog, ShiftCloseDialog } from './register-shift.js';
import RegisterMember from './register-member.js';
import TopupDialog from '../components/topup-dialog.js';

const CHOICE_KEY = 'salepoint.register';
const CATALOG_SYNC_MS = 60_000;
const DEFAULT_MAX_DISCOUNT = 10;
const clone = (x) => JSON.parse(JSON.stringify(x));

function readChoice() {
  try {
    const v = JSON.parse(localStorage.getItem(CHOICE_KEY) || 'null');
    return v && v.store_id && v.register_id ? v : null;
  } catch {
    return null;
  }
}
function writeChoice(v) {
  try {
    if (v) localStorage.setItem(CHOICE_KEY, JSON.stringify(v));
    else localStorage.removeItem(CHOICE_KEY);
  } catch {
    // not remembered: the register asks again next time
  }
}
const transientError = (e) => !(e instanceof ApiError) || e.status === 0 || e.status >= 500;

export default {
  name: 'RegisterView',
  components: { RegisterSetup, RegisterPay, RegisterApproval, RegisterReturn, RegisterDocument, ShiftCloseDialog, CashMoveDialog, RegisterMember, TopupDialog },
  setup() {
    const phase = ref('loading'); // loading | setup | shift | sell
    const choice = ref(readChoice());
    const ctx = reactive({
      store: null, register: null, shift: null, tenderTypes: [], companyTaxMode: null, companyRounding: null,
      settings: { maxDiscountPercent: DEFAULT_MAX_DISCOUNT, cashRounding: 'none' },
      fromCache: false,
    });
    const catalog = createCatalog();
    const cart = reactive(emptyCart());
    const taxMode = computed(() => catalog.data.taxMode || ctx.companyTaxMode || 'inclusive');
    const roundingRule = computed(() => catalog.data.roundingRule || ctx.companyRounding || 'half_up');
    const priced = computed(() => {
      void catalog.state.version;
      return totals(cart, taxMode.value, roundingRule.value);
    });
    const step = computed(() => roundingStep(ctx.settings.cashRounding, currencyDigits()));
    const offline = computed(() => !queueState.online);
    const itemCount = computed(() => cart.lines.reduce((a, l) => a + (l.sold_by_weight ? 1 : l.qty_milli / 1000), 0));
    const nameOf = (l) => (locale.value === 'en' && l.name_en ? l.name_en : l.name_zh);

    // ---- context: store, register, shift, tender types (cached for a reload without the server)
    const ctxKey = () => `context:${ctx.register?.id}`;
    async function saveContext() {
      if (!ctx.register) return;
      await setKv(ctxKey(), clone({
        store: ctx.store, register: ctx.register, shift: ctx.shift, tenderTypes: ctx.tenderTypes,
        settings: ctx.settings, companyTaxMode: ctx.companyTaxMode, companyRounding: ctx.companyRounding,
      })).catch((e) => console.warn('register: context not cached', e));
    }

    function applySettings(store) {
      const max = Number(store?.max_discount_percent);
      ctx.settings = {
        maxDiscountPercent: Number.isFinite(max) && store?.max_discount_percent !== null && store?.max_discount_percent !== undefined ? max : DEFAULT_MAX_DISCOUNT,
        cashRounding: store?.cash_rounding || 'none',
        returnApprovalMinor: store?.return_approval_minor ?? null,
      };
    }

    async function loadContext() {
      const c = choice.value;
      phase.value = 'loading';
      let cached = null;
      try {
        cached = await getKv(`context:${c.register_id}`);
      } catch {
        cached = null;
      }
      try {
        const store = await api.get(`/stores/${encodeURIComponent(c.store_id)}`);
        const registers = await fetchAll(`/stores/${encodeURIComponent(c.store_id)}/registers`);
        const register = registers.find((r) => r.id === c.register_id && r.active !== false);
        if (!register) throw new ApiError(404, { code: 'not_found' });
        const [tenders, shifts] = await Promise.all([
          api.get('/tender-types').catch((e) => {
            if (transientError(e) && cached?.tenderTypes) return { data: cached.tenderTypes };
            throw e;
          }),
          api.get('/shifts', { register_id: register.id, status: 'open', limit: 5 }),
        ]);
        if (can('company.read')) {
          const company = await api.get('/company').catch(() => null);
          ctx.companyTaxMode = company?.tax_mode || null;
          ctx.companyRounding = company?.rounding_rule || null;
        }
        ctx.store = store;
        ctx.register = register;
        ctx.tenderTypes = tenders?.data || [];
        ctx.shift = (shifts?.data || []).find((s) => s.status !== 'closed') || null;
        ctx.fromCache = false;
        applySettings(store);
        await saveContext();
      } catch (e) {
        if (!transientError(e)) {
          // The store or register is gone or out of reach: choose again.
          if (e.status === 404 || e.status === 403) {
            writeChoice(null);
            choice.value = null;
            phase.value = 'setup';
            return;
          }
          showErr(e);
          phase.value = 'setup';
          return;
        }
        if (!cached) {
          showErr(e);
          phase.value = 'setup';
          return;
        }
        // Offline: sell with what this register knew.
        queueState.online = false;
        Object.assign(ctx, {
          store: cached.store, register: cached.register, shift: cached.shift, tenderTypes: cached.tenderTypes || [],
          companyTaxMode: cached.companyTaxMode || null, companyRounding: cached.companyRounding || null, fromCache: true,
        });
        ctx.settings = cached.settings || ctx.settings;
      }
      catalog.open(ctx.store.id);
      await restoreCart();
      phase.value = ctx.shift ? 'sell' : 'shift';
      focusSearch();
    }

    function onChosen({ store, register }) {
      choice.value = { store_id: store.id, register_id: register.id };
      writeChoice(choice.value);
      loadContext();
    }
    function changeRegister() {
      if (cart.lines.length) {
        warn(t('register.finishFirst'));
        return;
      }
      phase.value = 'setup';
    }

    // ---- opening the shift
    const floatText = ref('');
    const floatError = ref('');
    const opening = ref(false);
    async function openShift() {
      floatError.value = '';
      const p = parseMajor(floatText.value);
      if (p.error) {
        floatError.value = t(`money.${p.error}`, { n: p.digits });
        return;
      }
      opening.value = true;
      try {
        ctx.shift = await api.create('/shifts', { register_id: ctx.register.id, opening_float_minor: p.minor ?? 0 });
      } catch (e) {
        if (e instanceof ApiError && (e.code === 'shift_open' || e.status === 409)) {
          const open = await api.get('/shifts', { register_id: ctx.register.id, status: 'open', limit: 5 }).catch(() => null);
          ctx.shift = open?.data?.[0] || null;
        }
        if (!ctx.shift) floatError.value = describeError(e);
      } finally {
        opening.value = false;
      }
      if (ctx.shift) {
        await saveContext();
        floatText.value = '';
        phase.value = 'sell';
        focusSearch();
      }
    }

    // ---- the cart, kept in IndexedDB so a reload keeps what is rung up
    const cartKey = () => `cart:${ctx.register?.id}`;
    let saveTimer = null;
    watch(cart, () => {
      if (!ctx.register) return;
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => setKv(cartKey(), clone(cart)).catch(() => {}), 200);
    }, { deep: true });
    async function restoreCart() {
      const saved = await getKv(cartKey()).catch(() => null);
      Object.assign(cart, emptyCart(), saved && Array.isArray(saved.lines) ? saved : {});
      refreshMember();
    }
    function resetCart() {
      Object.assign(cart, emptyCart());
      clearSearch();
    }

    // ---- messages
    const toast = (type, message, test) => ElMessage({ type, message, grouping: true, customClass: `sp-register-toast ${test || ''}` });
    const warn = (m, test) => toast('warning', m, test);
    const showErr = (e) => toast('error', describeError(e), 'sp-error-toast');

    // ---- search box, scanner and keys
    const searchRef = ref(null);
    const search = reactive({ text: '', results: [], highlight: -1 });
    const detector = createScanDetector();
    const remote = useLatestRequest((q, signal) => api.get('/products', { q, limit: 20 }, { signal }));

    function focusSearch() {
      nextTick(() => {
        if (anyDialog.value || phase.value !== 'sell') return;
        searchRef.value?.focus();
      });
    }
    function clearSearch() {
      remote.cancel();
      search.text = '';
      search.results = [];
      search.highlight = -1;
      detector.reset();
    }

    function fromServerProduct(p) {
      const cached = catalog.product(p.id);
      if (cached) return cached;
      if (catalog.state.loaded) return null; // not sold at this store (inactive) or not synced yet
      return { ...p, price_minor: p.list_price_minor, barcodes: (p.barcodes || []).map((b) => b.code ?? b), tier_prices: {} };
    }

    async function runSearch(q, immediate = false) {
      let list = null;
      if (queueState.online) {
        try {
          const answer = await remote.run(q, { immediate });
          if (answer === null) return; // a newer search took over
          list = (answer.data || []).map(fromServerProduct).filter(Boolean);
        } catch (e) {
          list = null;
        }
      }
      if (!list || !list.length) list = catalog.search(q, 20);
      if (search.text.trim() !== q) return;
      search.results = list.slice(0, 12);
      search.highlight = search.results.length ? 0 : -1;
    }

    watch(() => search.text, (text) => {
      const q = String(text || '').trim();
      if (!q || looksLikeCode(q) || splitQuantityPrefix(q)) {
        // Codes wait for Enter (a scan is over before a search could start).
        remote.cancel();
        search.results = [];
        search.highlight = -1;
        return;
      }
      runSearch(q);
    });

    function addHit(hit, qtyText = null) {
      const p = hit.product;
      const rate = catalog.taxRate(p);
      if (hit.weightGrams) {
        addProduct(cart, p, hit.weightGrams, rate, { weightGrams: hit.weightGrams, source: 'scale' });
      } else if (hit.priceMinor) {
        const unit = unitPrice(p, cart.customerTier);
        const milli = unit > 0 ? Number(divHalfUp(BigInt(hit.priceMinor) * 1000n, BigInt(unit))) : 1000;
        addProduct(cart, p, Math.max(1, milli), rate, { source: 'scale' });
      } else if (qtyText) {
        const q = parseQuantity(qtyText, Number(p.quantity_precision ?? 0));
        if (q.error) {
          warn(t(`register.qtyError.${q.error}`, { n: q.n ?? 0 }));
          return;
        }
        addProduct(cart, p, q.milli, rate, { source: hit.source });
      } else if (p.sold_by_weight) {
        askQuantity({ product: p });
        return;
      } else {
        addProduct(cart, p, 1000, rate, { source: hit.source });
      }
      scrollToSelected();
    }

    /** A return without a receipt names its products by barcode, PLU, scale label or SKU. */
    async function returnLookup(code) {
      const hit = await lookup(code);
      if (hit) return hit;
      const bySku = catalog.search(code, 5).find((p) => p.sku === code.trim());
      return bySku ? { product: bySku, source: 'sku' } : null;
    }

    async function lookup(code) {
      let hit = catalog.lookupCode(code);
      if (hit || !queueState.online) return hit;
      if (catalog.state.loaded) {
        // Perhaps a product added since the last sync.
        await catalog.sync();
        return catalog.lookupCode(code);
      }
      try {
        const s = await api.get(`/scan/${encodeURIComponent(code)}`);
        const product = s?.product && fromServerProduct(s.product);
        if (!product) return null;
        hit = { product, source: s.source };
        if (s.weight_grams) hit.weightGrams = s.weight_grams;
        if (s.price_minor) hit.priceMinor = s.price_minor;
        return hit;
      } catch {
        return null;
      }
    }

    function pick(product, qtyText = null) {
      clearSearch();
      addHit({ product, source: 'search' }, qtyText);
      focusSearch();
    }

    async function onEnter() {
      const raw = search.text.trim();
      const scan = detector.wasScan(raw);
      detector.reset();
      if (!raw) return;
      const split = splitQuantityPrefix(raw);
      const code = split ? split.code : raw;
      // A member number typed or a member card scanned (not digits): the member, not a product.
      if (!split && (looksLikeMemberNo(raw) || (scan && !looksLikeCode(raw))) && await tryMember(raw, { scan })) return;
      if (!scan && !looksLikeCode(code) && search.results.length) {
        pick(search.results[Math.max(0, search.highlight)], split?.qty);
        return;
      }
      if (looksLikeCode(code)) {
        remote.cancel();
        const hit = await lookup(code);
        if (hit) {
          clearSearch();
          addHit(hit, split?.qty);
          return;
        }
        // Not a product: a typed mobile number, or a scanned member card / QR.
        if (!split && (mainlandMobile(code) || scan) && await tryMember(code, { scan })) return;
        if (!scan) {
          await runSearch(code, true);
          if (search.results.length) return;
        }
        warn(t('register.notFound', { code }), 'sp-register-not-found');
        clearSearch();
        return;
      }
      await runSearch(raw, true);
      if (search.results.length === 1) pick(search.results[0]);
      else if (!search.results.length) warn(t('register.noResults', { q: raw }), 'sp-register-not-found');
    }

    function moveSelection(delta) {
      if (!cart.lines.length) return;
      const n = cart.lines.length;
      cart.selected = cart.selected < 0 ? (delta > 0 ? 0 : n - 1) : Math.min(n - 1, Math.max(0, cart.selected + delta));
      scrollToSelected();
    }
    function scrollToSelected() {
      nextTick(() => document.querySelector(`[data-test="register-line-${cart.selected}"]`)?.scrollIntoView({ block: 'nearest' }));
    }

    function onSearchKeydown(e) {
      detector.key(e);
      const empty = search.text.trim() === '';
      if (e.key === 'Enter') {
        e.preventDefault();
        onEnter();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        if (search.results.length) {
          const n = search.results.length;
          search.highlight = (search.highlight + d + n) % n;
        } else moveSelection(d);
      } else if (e.key === 'Escape') {
        if (!empty || search.results.length) {
          e.preventDefault();
          clearSearch();
        }
      } else if (empty && (e.key === '+' || e.key === '-')) {
        e.preventDefault();
        bump(e.key === '+' ? 1 : -1);
      } else if (empty && e.key === 'Delete') {
        e.preventDefault();
        removeSelected();
      }
    }

    // ---- line actions
    function bump(direction, index = cart.selected) {
      const l = cart.lines[index];
      if (!l) return;
      if (l.sold_by_weight) {
        askQuantity({ index });
        return;
      }
      if (direction < 0 && l.qty_milli <= 1000) {
        removeLine(cart, index);
        return;
      }
      bumpQuantity(cart, index, direction);
    }
    function removeSelected(index = cart.selected) {
      if (index < 0 || !cart.lines[index]) return;
      removeLine(cart, index);
      focusSearch();
    }
    function selectLine(i) {
      cart.selected = i;
      focusSearch();
    }

    // ---- quantity (F2): the selected line, or a weighed product without a label
    const qty = reactive({ open: false, text: '', error: '', product: null, index: -1 });
    const qtyRef = ref(null);
    function askQuantity({ product = null, index = -1 }) {
      Object.assign(qty, { open: true, error: '', product, index, text: index >= 0 ? quantityString(cart.lines[index].qty_milli) : '' });
    }
    function focusQty() {
      qtyRef.value?.focus();
      qtyRef.value?.select?.();
    }
    function quantityKey() {
      const i = cart.selected;
      if (i < 0 || !cart.lines[i]) {
        warn(t('register.selectLineFirst'));
        return;
      }
      // A number typed in the search box first and then F2 sets it straight away.
      const typed = search.text.trim();
      if (typed && /^\d+(\.\d+)?$/.test(typed) && typed.length <= 7) {
        const q = parseQuantity(typed, cart.lines[i].precision);
        if (!q.error) {
          cart.lines[i].qty_milli = q.milli;
          clearSearch();
          return;
        }
      }
      askQuantity({ index: i });
    }
    function confirmQuantity() {
      const precision = qty.product ? Number(qty.product.quantity_precision ?? 3) : cart.lines[qty.index]?.precision ?? 3;
      const q = parseQuantity(qty.text, precision);
      if (q.error) {
        qty.error = t(`register.qtyError.${q.error}`, { n: q.n ?? precision });
        return;
      }
      if (qty.product) {
        addProduct(cart, qty.product, q.milli, catalog.taxRate(qty.product), { source: 'manual' });
        scrollToSelected();
      } else if (cart.lines[qty.index]) {
        cart.lines[qty.index].qty_milli = q.milli;
      }
      qty.open = false;
    }

    // ---- approvals (discounts beyond the store's limit)
    const approval = reactive({ open: false, action: 'discount', reason: '' });
    let afterApproval = null;
    function askApproval(action, reason, then) {
      afterApproval = then;
      Object.assign(approval, { open: true, action, reason });
    }
    function onApproved(token) {
      const then = afterApproval;
      afterApproval = null;
      then?.(token);
    }
    function onApprovalCancelled() {
      afterApproval = null;
    }

    // ---- discounts (F9)
    const disc = reactive({ open: false, target: 'line', kind: 'percent', text: '', error: '' });
    const discRef = ref(null);
    function openDiscount() {
      if (!cart.lines.length) {
        warn(t('register.emptyCartHint'));
        return;
      }
      const target = cart.selected >= 0 ? 'line' : 'order';
      Object.assign(disc, { open: true, target, error: '' });
      loadDiscountForm();
    }
    function currentDiscount() {
      return disc.target === 'order' ? cart.orderDiscount : cart.lines[cart.selected]?.discount;
    }
    function loadDiscountForm() {
      const d = currentDiscount();
      if (d?.bp !== undefined) Object.assign(disc, { kind: 'percent', text: percentString(d.bp) });
      else if (d?.amount !== undefined) Object.assign(disc, { kind: 'amount', text: minorToMajor(d.amount) });
      else disc.text = '';
    }
    watch(() => disc.target, () => disc.open && loadDiscountForm());
    function applyDiscount() {
      disc.error = '';
      let d;
      if (disc.kind === 'percent') {
        const p = parsePercent(disc.text);
        if (p.error) {
          disc.error = t(`register.discount.error.${p.error}`);
          return;
        }
        d = { bp: p.bp };
      } else {
        const p = parseMajor(disc.text);
        if (p.error) {
          disc.error = t(`money.${p.error}`, { n: p.digits });
          return;
        }
        if (!p.minor) {
          disc.error = t('register.discount.error.range');
          return;
        }
        d = { amount: p.minor };
      }
      const trial = clone(cart);
      if (disc.target === 'order') trial.orderDiscount = d;
      else if (trial.lines[cart.selected]) trial.lines[cart.selected].discount = d;
      const p = totals(trial, taxMode.value, roundingRule.value);
      if (d.amount !== undefined) {
        const base = disc.target === 'order' ? p.afterLines : p.lines[cart.selected].gross;
        if (d.amount > base) {
          disc.error = t('register.discount.error.tooBig', { max: formatMoney(base) });
          return;
        }
      }
      const apply = (token) => {
        if (token) cart.approvalToken = token;
        if (disc.target === 'order') cart.orderDiscount = d;
        else if (cart.lines[cart.selected]) cart.lines[cart.selected].discount = d;
        disc.open = false;
      };
      if (needsApproval(trial.lines, trial.orderDiscount, p, ctx.settings.maxDiscountPercent)) {
        askApproval('discount', t('register.discount.needsApproval', { max: ctx.settings.maxDiscountPercent }), apply);
      } else {
        apply(null);
      }
    }
    function clearDiscount() {
      if (disc.target === 'order') cart.orderDiscount = null;
      else if (cart.lines[cart.selected]) cart.lines[cart.selected].discount = null;
      if (!cart.orderDiscount && !cart.lines.some((l) => l.discount)) cart.approvalToken = null;
      disc.open = false;
    }
    const discountText = (d) => (!d ? '' : d.bp !== undefined ? `${percentString(d.bp)}%` : `−${formatMoney(d.amount)}`);

    // ---- member prices (without a member attached: the store's member price list by hand)
    const member = computed({
      get: () => cart.customerTier === 'member',
      set: (v) => {
        if (cart.member) return;
        cart.customerTier = v ? 'member' : null;
        reprice(cart, catalog.product, catalog.taxRate);
        focusSearch();
      },
    });

    // ---- the member (会员): attach by phone / member number / card, detach, top up
    const memberDlg = reactive({ open: false, initial: '' });
    const topupOpen = ref(false);
    const memberResult = ref(null); // what the last member sale did: { name, points_earned, … }
    const program = ref(null);
    const pointsPerUnit = computed(() => Number(program.value?.redeem_points_per_unit) || 100);
    function openMember(initial = '') {
      memberDlg.initial = typeof initial === 'string' ? initial : '';
      memberDlg.open = true;
    }
    function attachMember(m) {
      if (!m) return;
      setMember(cart, {
        id: m.id, name: m.name, phone: m.phone || '', member_no: m.member_no || '', tier_code: m.tier_code || null,
        tier_name: m.tier_name || null, price_tier: m.price_tier || null, points_balance: m.points_balance ?? 0,
        points_value_minor: m.points_value_minor ?? 0, stored_value_minor: m.stored_value_minor ?? 0,
      });
      reprice(cart, catalog.product, catalog.taxRate);
      memberResult.value = null;
      toast('success', t('member.attached', { name: m.name }), 'sp-member-attached');
      focusSearch();
    }
    function detachMember() {
      setMember(cart, null);
      reprice(cart, catalog.product, catalog.taxRate);
      focusSearch();
    }
    /** The member for a code from the search box; true when the code was taken as a member's. */
    async function tryMember(code, { scan = false } = {}) {
      const phone = mainlandMobile(code);
      if (offline.value) {
        if (phone || looksLikeMemberNo(code)) {
          warn(t('member.offline'), 'sp-member-offline');
          clearSearch();
          return true;
        }
        return false;
      }
      let m = null;
      try {
        m = await lookupMemberByCode(code);
      } catch (e) {
        if (!phone && !looksLikeMemberNo(code)) return false;
        showErr(e);
        clearSearch();
        return true;
      }
      if (m) {
        clearSearch();
        attachMember(m);
        return true;
      }
      if (phone || looksLikeMemberNo(code)) {
        // Not a member yet: the dialog offers 新会员 with the number filled in.
        clearSearch();
        openMember(code);
        return true;
      }
      return false;
    }
    /** Brings the attached member's balances up to date (after a reload or a top-up). */
    async function refreshMember() {
      const m = cart.member;
      if (!m || !m.member_no || offline.value) return;
      try {
        const fresh = await lookupMember({ member_no: m.member_no });
        if (fresh && cart.member?.id === fresh.id) Object.assign(cart.member, {
          name: fresh.name, phone: fresh.phone || '', tier_code: fresh.tier_code, tier_name: fresh.tier_name,
          points_balance: fresh.points_balance ?? 0, points_value_minor: fresh.points_value_minor ?? 0,
          stored_value_minor: fresh.stored_value_minor ?? 0,
        });
        if (fresh && fresh.price_tier !== cart.customerTier) {
          cart.customerTier = fresh.price_tier || null;
          reprice(cart, catalog.product, catalog.taxRate);
        }
      } catch {
        // the balances shown stay as they were
      }
    }
    function onTopup(answer) {
      if (cart.member && answer && answer.stored_value_minor !== undefined) cart.member.stored_value_minor = answer.stored_value_minor;
      refreshMember();
    }
    watch(() => cart.lines.length, (n, old) => {
      if (n > 0 && !old) memberResult.value = null;
    });

    // ---- park / resume (F6), void
    const parked = reactive({ open: false, list: [] });
    async function park() {
      if (!cart.lines.length) {
        await openParked();
        return;
      }
      await put('parked', clone({
        id: uuidv7(), register_id: ctx.register.id, store_id: ctx.store.id, parked_at: new Date().toISOString(),
        cart, total_minor: priced.value.total, lines: cart.lines.length,
      }));
      resetCart();
      toast('success', t('register.parkedDone'), 'sp-register-parked');
      focusSearch();
    }
    async function openParked() {
      const list = (await all('parked').catch(() => [])).filter((r) => r.register_id === ctx.register.id);
      list.sort((a, b) => String(a.parked_at).localeCompare(String(b.parked_at)));
      if (!list.length) {
        warn(t('register.noParked'));
        return;
      }
      Object.assign(parked, { open: true, list });
    }
    async function resume(row) {
      if (cart.lines.length) {
        warn(t('register.finishFirst'));
        return;
      }
      Object.assign(cart, emptyCart(), row.cart);
      reprice(cart, catalog.product, catalog.taxRate);
      await remove('parked', row.id);
      parked.open = false;
    }
    async function dropParked(row) {
      await remove('parked', row.id);
      parked.list = parked.list.filter((r) => r.id !== row.id);
      if (!parked.list.length) parked.open = false;
    }
    const voidOpen = ref(false);
    function askVoid() {
      if (cart.lines.length) voidOpen.value = true;
    }
    function confirmVoid() {
      resetCart();
      voidOpen.value = false;
    }

    // ---- pay (F4), the queue, receipts
    const pay = reactive({ open: false, busy: false, problem: '' });
    const payRef = ref(null);
    let lastPay = null;
    function openPay() {
      if (!cart.lines.length) {
        warn(t('register.emptyCartHint'));
        return;
      }
      if (!ctx.shift) return;
      clearSearch();
      Object.assign(pay, { open: true, busy: false, problem: '' });
    }

    const doc = reactive({ open: false, title: '', src: '', html: '', reprint: false, test: 'register-receipt', closeLabel: '' });
    const lastSale = ref(null); // { id, synced, receipt }
    const receiptUrl = (id) => `/api/v1/sales/${encodeURIComponent(id)}/receipt?format=html&lang=${locale.value}`;
    function showReceipt(sale) {
      if (sale.synced) {
        Object.assign(doc, { open: true, title: t('register.receipt.title'), src: receiptUrl(sale.id), html: '', reprint: true, test: 'register-receipt', closeLabel: t('register.receipt.next') });
      } else {
        Object.assign(doc, { open: true, title: t('register.receipt.localTitle'), src: '', html: localReceiptHtml(sale.receipt), reprint: false, test: 'register-receipt', closeLabel: t('register.receipt.next') });
      }
    }
    function showLastReceipt() {
      if (lastSale.value) showReceipt(lastSale.value);
    }

    async function complete(p) {
      lastPay = p;
      pay.busy = true;
      pay.problem = '';
      const id = uuidv7();
      const createdAt = new Date();
      const body = clone(saleBody({
        id, registerId: ctx.register.id, shiftId: ctx.shift.id, cart, tenders: p.tenders, offline: offline.value, createdAt,
      }));
      const receipt = clone(receiptData({
        id, createdAt: createdAt.toISOString(), store: ctx.store, register: ctx.register,
        cashier: session.user?.display_name || session.user?.username, cart, priced: priced.value,
        pay: { rounding: p.rounding, amountDue: p.amountDue, change: p.change, tenders: p.shown }, nameOf,
      }));
      if (cart.member) {
        await completeMemberSale(id, body, receipt);
        return;
      }
      let result;
      try {
        result = await submitSale({ id, body, store_id: ctx.store.id, register_id: ctx.register.id, receipt });
      } catch (e) {
        // IndexedDB refused the sale: nothing was sent or kept; the cart stays.
        pay.busy = false;
        pay.problem = t('register.pay.storageFailed', { error: String(e?.message || e) });
        return;
      }
      pay.busy = false;
      if (result.status === 'sent' || result.status === 'queued') {
        const synced = result.status === 'sent';
        lastSale.value = { id, synced, receipt, sale: result.sale || null };
        pay.open = false;
        resetCart();
        if (!synced) warn(t('register.savedOffline'), 'sp-register-saved-offline');
        showReceipt(lastSale.value);
        return;
      }
      await handleRefusal(result.problem);
    }

    /**
     * A member sale goes straight to the server, never into the offline queue (the member's
     * accounts need it). A network failure keeps the sale's id: trying again with the same cart
     * and tenders sends the same sale (Idempotency-Key = its id), so it can never count twice.
     */
    let memberAttempt = null;
    async function completeMemberSale(id, body, receipt) {
      const sameAs = (a, b) => JSON.stringify({ ...a, id: null, created_at: null }) === JSON.stringify({ ...b, id: null, created_at: null });
      if (memberAttempt && sameAs(memberAttempt.body, body)) {
        ({ id, body } = memberAttempt);
      }
      memberAttempt = { id, body };
      const { status, data } = await postJson('/sales', body, { idempotencyKey: id });
      pay.busy = false;
      if (status === 200 || status === 201) {
        memberAttempt = null;
        const effect = memberEffect(data) || {};
        memberResult.value = { name: cart.member?.name || '', ...effect };
        lastSale.value = { id, synced: true, receipt, sale: data };
        pay.open = false;
        resetCart();
        showReceipt(lastSale.value);
        return;
      }
      if (status === 0 || status >= 500 || status === 408 || status === 429 || (status === 409 && data?.code === 'idempotency_in_progress')) {
        pay.problem = t('member.needsServer');
        return;
      }
      memberAttempt = null;
      await handleRefusal({ status, ...(data || {}), code: data?.code || `http_${status}`, errors: Array.isArray(data?.errors) ? data.errors : [] });
      if ([data?.code, ...(data?.errors || []).map((e) => e.code)].some((c) => c === 'insufficient_points' || c === 'insufficient_balance')) refreshMember();
    }

    /** A server field error in the cashier's words: which line or tender, and what is wrong. */
    function fieldProblem(e, lines = cart.lines) {
      const m = /^\/lines\/(\d+)/.exec(e.field || '');
      const tm = /^\/tenders\/(\d+)/.exec(e.field || '');
      let where = e.field || '';
      if (m && lines[Number(m[1])]) where = `${Number(m[1]) + 1}. ${nameOf(lines[Number(m[1])])}`;
      else if (tm) where = t('register.pay.tenderNo', { n: Number(tm[1]) + 1 });
      const what = has(`apiError.${e.code}`) ? t(`apiError.${e.code}`) : fieldMessage(e);
      return where ? `${where}: ${what}` : what;
    }

    async function handleRefusal(problem) {
      const err = new ApiError(problem.status, problem);
      const codes = [problem.code, ...(problem.errors || []).map((e) => e.code)];
      if (codes.includes('approval_required') || codes.includes('invalid_approval')) {
        cart.approvalToken = null;
        pay.problem = t('register.pay.approvalRequired');
        askApproval('discount', t('register.discount.needsApproval', { max: ctx.settings.maxDiscountPercent }), (token) => {
          cart.approvalToken = token;
          if (lastPay) complete(lastPay);
        });
        return;
      }
      if (codes.includes('price_changed')) {
        await catalog.sync();
        reprice(cart, catalog.product, catalog.taxRate);
        pay.problem = t('register.pay.priceChanged');
        return;
      }
      if (codes.includes('shift_closed')) {
        pay.problem = t('register.pay.shiftClosed');
        ctx.shift = null;
        await saveContext();
        return;
      }
      pay.problem = problem.errors?.length ? problem.errors.map((e) => fieldProblem(e)).join('; ') : describeError(err);
    }

    function onDocClosed() {
      if (!ctx.shift && phase.value === 'sell') phase.value = 'shift';
      focusSearch();
    }

    // ---- shift: close, paid in/out, X report
    const closeOpen = ref(false);
    const cashMoveOpen = ref(false);
    function openClose() {
      if (cart.lines.length) {
        warn(t('register.finishFirst'));
        return;
      }
      closeOpen.value = true;
    }
    async function onShiftClosed(closed) {
      ctx.shift = null;
      await saveContext();
      phase.value = 'shift';
      toast('success', t('register.shift.closedToast', { z: closed?.z_number ?? '' }));
    }
    function showReport(shift = ctx.shift) {
      if (!shift) return;
      Object.assign(doc, {
        open: true, title: shift.status === 'closed' ? t('register.shift.zReport') : t('register.shift.xReport'),
        src: `/api/v1/shifts/${encodeURIComponent(shift.id)}/report?format=html&lang=${locale.value}`, html: '', reprint: false,
        test: 'register-report', closeLabel: '',
      });
    }
    function onCashMoved() {
      toast('success', t('common.saved'));
    }

    // ---- returns (F8)
    const returnOpen = ref(false);
    function openReturn() {
      if (cart.lines.length) {
        warn(t('register.finishFirst'));
        return;
      }
      returnOpen.value = true;
    }
    function onReturned(sale) {
      lastSale.value = { id: sale.id, synced: true, receipt: null, sale };
      toast('success', t('register.return.done', { amount: formatMoney(Math.abs(sale.total_minor ?? 0)) }), 'sp-register-returned');
      showReceipt(lastSale.value);
    }

    // ---- queued sales the server refused
    const attentionOpen = ref(false);
    async function retry(id) {
      await retryAttention(id);
      if (!queueState.attention.length) attentionOpen.value = false;
    }
    const problemText = (p, receipt) => {
      if (!p) return '';
      const lines = (receipt?.lines || []).map((l) => ({ name_zh: l.name, name_en: l.name }));
      const fields = (p.errors || []).map((e) => fieldProblem(e, lines)).join('; ');
      return fields || describeError(new ApiError(p.status, p));
    };

    // ---- help and keys
    const helpOpen = ref(false);
    const anyDialog = computed(() => pay.open || memberDlg.open || topupOpen.value || qty.open || disc.open || approval.open || parked.open || voidOpen.value
      || doc.open || returnOpen.value || closeOpen.value || cashMoveOpen.value || helpOpen.value || attentionOpen.value);
    watch(anyDialog, (open) => {
      if (!open) focusSearch();
    });

    const actions = {
      help: () => { helpOpen.value = true; },
      quantity: quantityKey,
      pay: openPay,
      park,
      return: openReturn,
      discount: openDiscount,
      member: () => openMember(),
    };
    function onGlobalKey(e) {
      if (phase.value !== 'sell') return;
      const action = functionKeyAction(e);
      if (action) {
        e.preventDefault();
        if (pay.open) {
          if (action === 'pay') payRef.value?.complete();
          return;
        }
        if (!anyDialog.value) actions[action]();
        return;
      }
      if (anyDialog.value) return;
      const el = document.activeElement;
      const typing = el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
      if (typing) return;
      // Focus wandered off (a click on the page): keys and scans still reach the search box.
      if (e.key && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        detector.key(e);
        search.text += e.key;
        focusSearch();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        focusSearch();
        onEnter();
      } else if (e.key === 'Delete') {
        e.preventDefault();
        removeSelected();
      }
    }

    // ---- start
    let syncTimer = null;
    onMounted(async () => {
      window.addEventListener('keydown', onGlobalKey, true);
      startQueue();
      syncTimer = setInterval(() => {
        if (phase.value === 'sell' && queueState.online) catalog.sync();
      }, CATALOG_SYNC_MS);
      loadProgram().then((p) => { program.value = p; });
      if (choice.value) await loadContext();
      else phase.value = 'setup';
    });
    onBeforeUnmount(() => {
      window.removeEventListener('keydown', onGlobalKey, true);
      clearInterval(syncTimer);
      clearTimeout(saveTimer);
      remote.cancel();
    });

    const shortcuts = SHORTCUTS;
    return {
      phase, choice, ctx, catalog, catalogState: catalog.state, cart, priced, step, offline, itemCount, queueState, nameOf,
      onChosen, changeRegister, floatText, floatError, opening, openShift,
      searchRef, search, onSearchKeydown, pick, bump, removeSelected, selectLine,
      qty, qtyRef, confirmQuantity, quantityKey, focusQty,
      approval, onApproved, onApprovalCancelled,
      disc, discRef, openDiscount, applyDiscount, clearDiscount, discountText, member,
      memberDlg, openMember, attachMember, detachMember, topupOpen, onTopup, memberResult, pointsPerUnit, canTopUp,
      parked, park, resume, dropParked, voidOpen, askVoid, confirmVoid,
      pay, payRef, openPay, complete, doc, lastSale, showLastReceipt, onDocClosed,
      closeOpen, cashMoveOpen, openClose, onShiftClosed, showReport, onCashMoved,
      returnOpen, openReturn, onReturned, returnLookup,
      attentionOpen, retry, problemText, helpOpen, shortcuts,
      formatMoney, formatTime, quantityString, minorToMajor, session,
    };
  },
  template: `
    <div class="sp-register" data-test="register">
      <div v-if="phase === 'loading'" class="sp-register-loading" v-loading="true" data-test="register-loading"></div>

      <register-setup v-else-if="phase === 'setup'" :store-id="choice?.store_id" :register-id="choice?.register_id" @chosen="onChosen" />

      <el-card v-else-if="phase === 'shift'" class="sp-register-card" data-test="register-open-shift">
        <template #header>
          <span>{{ $t('register.shift.openTitle') }}</span>
          <span class="sp-muted sp-register-where-small">{{ ctx.store?.code }} · {{ ctx.register?.code }} {{ ctx.register?.name }}</span>
        </template>
        <p class="sp-muted">{{ $t('register.shift.openHelp') }}</p>
        <el-form label-position="top" @submit.prevent="openShift">
          <el-form-item :label="$t('register.shift.float')" :error="floatError">
            <el-input v-model="floatText" size="large" inputmode="decimal" placeholder="0.00" data-test="register-float" @keydown.enter.prevent="openShift" />
          </el-form-item>
          <el-button type="primary" size="large" class="sp-touch sp-wide" :loading="opening" data-test="register-shift-open" @click="openShift">{{ $t('register.shift.open') }}</el-button>
        </el-form>
        <el-button link class="sp-register-change" data-test="register-change" @click="changeRegister">{{ $t('register.changeRegister') }}</el-button>
      </el-card>

      <template v-else>
        <div class="sp-register-top">
          <div class="sp-register-where" data-test="register-where">
            <strong>{{ ctx.store?.code }} · {{ ctx.store?.name }}</strong>
            <span>{{ ctx.register?.code }} {{ ctx.register?.name }}</span>
            <span class="sp-muted">{{ $t('register.shiftSince', { time: formatTime(ctx.shift?.opened_at) }) }}</span>
          </div>
          <div class="sp-register-status">
            <el-tag :type="offline ? 'danger' : 'success'" data-test="register-online" :data-online="String(!offline)">{{ offline ? $t('register.offlineTag') : $t('register.onlineTag') }}</el-tag>
            <el-tag :type="catalogState.loaded ? 'info' : 'warning'" data-test="register-catalog-status" :data-count="catalogState.count" :data-loaded="String(catalogState.loaded)">
              {{ catalogState.loaded ? $t('register.catalogReady', { n: catalogState.count }) : $t('register.catalogLoading') }}
            </el-tag>
          </div>
          <div class="sp-register-tools">
            <el-button class="sp-touch" data-test="register-cash-move" @click="cashMoveOpen = true">{{ $t('register.cashMove.title') }}</el-button>
            <el-button class="sp-touch" data-test="register-x-report" :disabled="offline" @click="showReport()">{{ $t('register.shift.xReport') }}</el-button>
            <el-button class="sp-touch" data-test="register-last-receipt" :disabled="!lastSale" @click="showLastReceipt">{{ $t('register.lastReceipt') }}</el-button>
            <el-button class="sp-touch" type="danger" plain data-test="register-close-shift" @click="openClose">{{ $t('register.shift.close') }}</el-button>
            <el-button class="sp-touch" link data-test="register-change" @click="changeRegister">{{ $t('register.changeRegister') }}</el-button>
          </div>
        </div>

        <div v-if="offline || queueState.pending" class="sp-register-banner" :class="{ 'is-offline': offline }"
             data-test="register-queue-banner" :data-pending="queueState.pending">
          <el-icon><WarningFilled /></el-icon>
          <span v-if="offline">{{ $t('register.offline.banner', { n: queueState.pending }) }}</span>
          <span v-else-if="queueState.reason === 'auth'">{{ $t('register.queue.signIn', { n: queueState.pending }) }}</span>
          <span v-else>{{ $t('register.queue.waiting', { n: queueState.pending }) }}</span>
        </div>
        <div v-if="queueState.attention.length" class="sp-register-banner is-attention" data-test="register-attention-banner" :data-count="queueState.attention.length">
          <el-icon><WarningFilled /></el-icon>
          <span>{{ $t('register.attention.banner', { n: queueState.attention.length }) }}</span>
          <el-button size="small" data-test="register-attention-open" @click="attentionOpen = true">{{ $t('register.attention.show') }}</el-button>
        </div>

        <div class="sp-register-main">
          <section class="sp-register-left">
            <div class="sp-register-search">
              <el-input ref="searchRef" v-model="search.text" size="large" clearable autofocus autocomplete="off"
                        :placeholder="$t('register.searchHint')" data-test="register-search" @keydown="onSearchKeydown">
                <template #prefix><el-icon><Search /></el-icon></template>
              </el-input>
              <ul v-if="search.results.length" class="sp-register-results" data-test="register-results">
                <li v-for="(p, i) in search.results" :key="p.id" :class="{ 'is-active': i === search.highlight }"
                    :data-test="'register-result-' + p.sku" @mousedown.prevent="pick(p)">
                  <span class="sp-register-result-name">{{ nameOf(p) }}</span>
                  <span class="sp-muted sp-small">{{ p.sku }}<template v-if="p.plu"> · PLU {{ p.plu }}</template></span>
                  <span class="sp-register-result-price">{{ formatMoney(p.price_minor) }}<template v-if="p.sold_by_weight"> / {{ $tv('unit', p.unit) }}</template></span>
                </li>
              </ul>
            </div>
            <div class="sp-register-cart">
              <table class="sp-cart-table" data-test="register-cart">
                <thead><tr>
                  <th class="sp-col-no">#</th><th>{{ $t('register.col.name') }}</th><th class="sp-col-qty">{{ $t('register.col.qty') }}</th>
                  <th class="sp-num">{{ $t('register.col.price') }}</th><th class="sp-num">{{ $t('register.col.discount') }}</th>
                  <th class="sp-num">{{ $t('register.col.amount') }}</th><th class="sp-col-act"></th>
                </tr></thead>
                <tbody>
                  <tr v-for="(l, i) in cart.lines" :key="l.key" :class="{ 'is-selected': i === cart.selected }" :data-test="'register-line-' + i"
                      :data-sku="l.sku" @click="selectLine(i)">
                    <td class="sp-col-no">{{ i + 1 }}</td>
                    <td>
                      <div class="sp-register-line-name">{{ nameOf(l) }}</div>
                      <div class="sp-muted sp-small">{{ l.sku }}<template v-if="l.weight_grams"> · {{ $t('register.weighed', { g: l.weight_grams }) }}</template></div>
                    </td>
                    <td class="sp-col-qty">
                      <div class="sp-register-qty">
                        <el-button class="sp-touch-sq" :data-test="'register-line-minus-' + i" @click.stop="bump(-1, i)">−</el-button>
                        <span :data-test="'register-line-qty-' + i">{{ quantityString(l.qty_milli) }}</span>
                        <el-button class="sp-touch-sq" :data-test="'register-line-plus-' + i" @click.stop="bump(1, i)">+</el-button>
                      </div>
                      <div class="sp-muted sp-small">{{ $tv('unit', l.unit) }}</div>
                    </td>
                    <td class="sp-num">{{ formatMoney(l.unit_price_minor) }}</td>
                    <td class="sp-num" :data-test="'register-line-discount-' + i">
                      <template v-if="l.discount">{{ discountText(l.discount) }}<div class="sp-small">−{{ formatMoney(priced.lines[i]?.lineDiscount) }}</div></template>
                    </td>
                    <td class="sp-num sp-register-amount" :data-test="'register-line-amount-' + i">{{ formatMoney(priced.lines[i]?.after) }}</td>
                    <td class="sp-col-act">
                      <el-button class="sp-touch-sq" type="danger" plain :data-test="'register-line-remove-' + i" @click.stop="removeSelected(i)">
                        <el-icon><Delete /></el-icon>
                      </el-button>
                    </td>
                  </tr>
                </tbody>
              </table>
              <div v-if="!cart.lines.length" class="sp-register-empty" data-test="register-cart-empty">{{ $t('register.emptyCart') }}</div>
            </div>
          </section>

          <aside class="sp-register-right">
            <div class="sp-register-totals">
              <div><span>{{ $t('register.items') }}</span><span data-test="register-count">{{ itemCount }}</span></div>
              <div><span>{{ $t('register.subtotal') }}</span><span data-test="register-subtotal">{{ formatMoney(priced.subtotal) }}</span></div>
              <div v-if="priced.discount"><span>{{ $t('register.discountTotal') }}</span><span data-test="register-discount-total">−{{ formatMoney(priced.discount) }}</span></div>
              <div v-if="cart.orderDiscount" class="sp-small sp-muted"><span>{{ $t('register.orderDiscount') }}</span><span data-test="register-order-discount">{{ discountText(cart.orderDiscount) }}</span></div>
              <div class="sp-small sp-muted"><span>{{ $t('register.tax') }}</span><span data-test="register-tax">{{ formatMoney(priced.tax) }}</span></div>
              <div class="sp-register-total"><span>{{ $t('register.total') }}</span><strong data-test="register-total" :data-minor="priced.total">{{ formatMoney(priced.total) }}</strong></div>
              <div v-if="cart.approvalToken" class="sp-small sp-register-approved" data-test="register-approved">{{ $t('register.approved') }}</div>
            </div>
            <div v-if="cart.member" class="sp-member-chip" data-test="register-member-chip" :data-id="cart.member.id">
              <div class="sp-member-chip-head">
                <el-icon><Avatar /></el-icon>
                <strong data-test="register-member-name">{{ cart.member.name }}</strong>
                <el-tag v-if="cart.member.tier_name || cart.member.tier_code" size="small" type="warning" data-test="register-member-tier">{{ cart.member.tier_name || cart.member.tier_code }}</el-tag>
              </div>
              <div class="sp-muted sp-small" data-test="register-member-phone">{{ cart.member.phone }}<template v-if="cart.member.member_no"> · {{ cart.member.member_no }}</template></div>
              <div class="sp-small" data-test="register-member-points" :data-points="cart.member.points_balance">{{ $t('member.pointsLine', { points: cart.member.points_balance, value: formatMoney(cart.member.points_value_minor) }) }}</div>
              <div class="sp-small" data-test="register-member-balance" :data-minor="cart.member.stored_value_minor">{{ $t('member.balanceLine', { amount: formatMoney(cart.member.stored_value_minor) }) }}</div>
              <div class="sp-member-chip-actions">
                <el-button v-if="canTopUp()" size="small" :disabled="offline" data-test="register-member-topup" @click="topupOpen = true">{{ $t('topup.title') }}</el-button>
                <el-button size="small" type="danger" plain data-test="register-member-detach" @click="detachMember">{{ $t('member.detach') }}</el-button>
              </div>
            </div>
            <div v-else class="sp-register-member">
              <el-button class="sp-touch" :disabled="offline" data-test="register-member-open" @click="openMember()">
                <el-icon><Avatar /></el-icon><span>{{ $t('member.button') }}</span> <kbd>F7</kbd>
              </el-button>
              <el-switch v-model="member" size="large" data-test="register-member" />
              <span>{{ $t('register.memberPrices') }}</span>
            </div>
            <div v-if="offline && !cart.member" class="sp-muted sp-small" data-test="register-member-offline">{{ $t('member.offline') }}</div>
            <div v-if="memberResult" class="sp-member-result" data-test="register-member-result"
                 :data-earned="memberResult.points_earned ?? 0" :data-points="memberResult.points_balance ?? ''" :data-balance="memberResult.stored_value_minor ?? ''">
              <div><strong>{{ memberResult.name }}</strong></div>
              <div>{{ $t('member.result', { earned: memberResult.points_earned ?? 0, redeemed: memberResult.points_redeemed ?? 0, paid: formatMoney(memberResult.stored_value_paid_minor ?? 0) }) }}</div>
              <div class="sp-muted sp-small">{{ $t('member.resultBalances', { points: memberResult.points_balance ?? 0, balance: formatMoney(memberResult.stored_value_minor ?? 0) }) }}</div>
            </div>
            <div class="sp-register-keys">
              <el-button type="primary" class="sp-touch sp-register-pay" :disabled="!cart.lines.length" data-test="register-pay" @click="openPay">
                {{ $t('register.action.pay') }} <kbd>F4</kbd>
              </el-button>
              <el-button class="sp-touch" data-test="register-qty" @click="quantityKey">{{ $t('register.action.quantity') }} <kbd>F2</kbd></el-button>
              <el-button class="sp-touch" data-test="register-discount" @click="openDiscount">{{ $t('register.action.discount') }} <kbd>F9</kbd></el-button>
              <el-button class="sp-touch" data-test="register-park" @click="park">{{ cart.lines.length ? $t('register.action.park') : $t('register.action.resume') }} <kbd>F6</kbd></el-button>
              <el-button class="sp-touch" data-test="register-return" @click="openReturn">{{ $t('register.action.return') }} <kbd>F8</kbd></el-button>
              <el-button class="sp-touch" data-test="register-remove" :disabled="cart.selected < 0" @click="removeSelected()">{{ $t('register.action.remove') }} <kbd>Del</kbd></el-button>
              <el-button class="sp-touch" type="danger" plain data-test="register-void" :disabled="!cart.lines.length" @click="askVoid">{{ $t('register.action.void') }}</el-button>
              <el-button class="sp-touch" data-test="register-help" @click="helpOpen = true">{{ $t('register.action.help') }} <kbd>F1</kbd></el-button>
            </div>
          </aside>
        </div>

        <register-pay ref="payRef" v-model="pay.open" :total="priced.total" :tender-types="ctx.tenderTypes" :offline="offline" :step="step"
                      :busy="pay.busy" :problem="pay.problem" :member="cart.member" :points-per-unit="pointsPerUnit" @complete="complete" />
        <register-member v-model="memberDlg.open" :offline="offline" :store-id="ctx.store?.id" :initial="memberDlg.initial" @attach="attachMember" />
        <topup-dialog v-model="topupOpen" :customer="cart.member" :register-id="ctx.register?.id" :shift-id="ctx.shift?.id"
                      :tender-types="ctx.tenderTypes" @done="onTopup" />

        <el-dialog v-model="qty.open" :title="qty.product ? $t('register.qty.weighTitle', { name: nameOf(qty.product) }) : $t('register.qty.title')"
                   width="380px" append-to-body data-test="register-qty-dialog" :close-on-click-modal="false" @opened="focusQty">
          <el-input ref="qtyRef" v-model="qty.text" size="large" inputmode="decimal" data-test="register-qty-input" @keydown.enter.prevent="confirmQuantity">
            <template v-if="qty.product" #append>{{ $tv('unit', qty.product.unit) }}</template>
          </el-input>
          <div v-if="qty.error" class="sp-row-error" data-test="register-qty-error">{{ qty.error }}</div>
          <template #footer>
            <el-button size="large" class="sp-touch" data-test="register-qty-cancel" @click="qty.open = false">{{ $t('common.cancel') }} (Esc)</el-button>
            <el-button type="primary" size="large" class="sp-touch" data-test="register-qty-ok" @click="confirmQuantity">{{ $t('register.ok') }}</el-button>
          </template>
        </el-dialog>

        <el-dialog v-model="disc.open" :title="$t('register.discount.title')" width="460px" append-to-body data-test="register-discount-dialog" :close-on-click-modal="false" @opened="discRef?.focus()">
          <el-form label-position="top" @submit.prevent="applyDiscount">
            <el-form-item>
              <el-radio-group v-model="disc.target" size="large">
                <el-radio-button value="line" :disabled="cart.selected < 0" data-test="register-discount-target-line">{{ $t('register.discount.line') }}</el-radio-button>
                <el-radio-button value="order" data-test="register-discount-target-order">{{ $t('register.discount.order') }}</el-radio-button>
              </el-radio-group>
              <div v-if="disc.target === 'line' && cart.lines[cart.selected]" class="sp-muted sp-small sp-register-disc-of">{{ nameOf(cart.lines[cart.selected]) }}</div>
            </el-form-item>
            <el-form-item>
              <el-radio-group v-model="disc.kind" size="large">
                <el-radio-button value="percent" data-test="register-discount-kind-percent">{{ $t('register.discount.percent') }}</el-radio-button>
                <el-radio-button value="amount" data-test="register-discount-kind-amount">{{ $t('register.discount.amount') }}</el-radio-button>
              </el-radio-group>
            </el-form-item>
            <el-form-item :error="disc.error">
              <el-input ref="discRef" v-model="disc.text" size="large" inputmode="decimal" data-test="register-discount-value" @keydown.enter.prevent="applyDiscount">
                <template #append>{{ disc.kind === 'percent' ? '%' : $t('register.discount.yuan') }}</template>
              </el-input>
            </el-form-item>
            <p class="sp-muted sp-small">{{ $t('register.discount.limit', { max: ctx.settings.maxDiscountPercent }) }}</p>
          </el-form>
          <template #footer>
            <el-button size="large" class="sp-touch" data-test="register-discount-clear" @click="clearDiscount">{{ $t('register.discount.clear') }}</el-button>
            <el-button type="primary" size="large" class="sp-touch" data-test="register-discount-ok" @click="applyDiscount">{{ $t('register.ok') }}</el-button>
          </template>
        </el-dialog>

        <register-approval v-model="approval.open" :action="approval.action" :store-id="ctx.store?.id" :reason="approval.reason"
                           @approved="onApproved" @cancelled="onApprovalCancelled" />

        <el-dialog v-model="parked.open" :title="$t('register.parkedTitle')" width="560px" append-to-body data-test="register-parked-dialog">
          <div v-for="(r, i) in parked.list" :key="r.id" class="sp-register-parked-row" :data-test="'register-parked-' + i">
            <div>
              <strong>{{ formatMoney(r.total_minor) }}</strong>
              <span class="sp-muted"> · {{ $t('register.parkedLines', { n: r.lines }) }} · {{ formatTime(r.parked_at) }}</span>
            </div>
            <div>
              <el-button type="primary" class="sp-touch" :data-test="'register-resume-' + i" @click="resume(r)">{{ $t('register.action.resume') }}</el-button>
              <el-button type="danger" plain class="sp-touch" :data-test="'register-parked-drop-' + i" @click="dropParked(r)">{{ $t('register.action.void') }}</el-button>
            </div>
          </div>
        </el-dialog>

        <el-dialog v-model="voidOpen" :title="$t('register.voidTitle')" width="400px" append-to-body data-test="register-void-dialog">
          <p>{{ $t('register.voidConfirm', { n: cart.lines.length, total: formatMoney(priced.total) }) }}</p>
          <template #footer>
            <el-button size="large" class="sp-touch" data-test="register-void-cancel" @click="voidOpen = false">{{ $t('common.cancel') }} (Esc)</el-button>
            <el-button type="danger" size="large" class="sp-touch" data-test="register-void-confirm" @click="confirmVoid">{{ $t('register.action.void') }}</el-button>
          </template>
        </el-dialog>

        <register-document v-model="doc.open" :title="doc.title" :src="doc.src" :html="doc.html" :reprint="doc.reprint"
                           :data-test="doc.test" :close-label="doc.closeLabel" @closed="onDocClosed" />

        <register-return v-model="returnOpen" :store-id="ctx.store?.id" :register-id="ctx.register?.id" :shift-id="ctx.shift?.id"
                         :offline="offline" :lookup="returnLookup" @done="onReturned" />

        <shift-close-dialog v-model="closeOpen" :shift="ctx.shift" :tender-types="ctx.tenderTypes" :pending="queueState.pending"
                            :offline="offline" @closed="onShiftClosed" @report="showReport" />
        <cash-move-dialog v-model="cashMoveOpen" :shift="ctx.shift" @done="onCashMoved" />

        <el-dialog v-model="attentionOpen" :title="$t('register.attention.title')" width="720px" append-to-body data-test="register-attention-dialog">
          <p class="sp-muted">{{ $t('register.attention.help') }}</p>
          <div v-for="(a, i) in queueState.attention" :key="a.id" class="sp-register-parked-row" :data-test="'register-attention-' + i">
            <div>
              <strong>{{ formatMoney(a.receipt?.total_minor) }}</strong>
              <span class="sp-muted"> · {{ formatTime(a.body?.created_at) }} · {{ a.id }}</span>
              <div class="sp-row-error">{{ problemText(a.problem, a.receipt) }}</div>
            </div>
            <el-button class="sp-touch" :data-test="'register-attention-retry-' + i" @click="retry(a.id)">{{ $t('register.attention.retry') }}</el-button>
          </div>
        </el-dialog>

        <el-dialog v-model="helpOpen" :title="$t('register.help.title')" width="520px" append-to-body data-test="register-help-dialog">
          <table class="sp-cart-table">
            <tbody>
              <tr v-for="s in shortcuts" :key="s.key"><td><kbd>{{ s.key }}</kbd></td><td>{{ $tv('register.help', s.action) }}</td></tr>
            </tbody>
          </table>
          <p class="sp-muted sp-small">{{ $t('register.help.scan') }}</p>
        </el-dialog>
      </template>
    </div>`,
};
