// What the dashboard and the sales reports share (docs/analytics.md): the dimensions and
// measures of GET /reports/sales and which of them may be combined, the quick periods as
// business days (YYYY-MM-DD, inclusive), figures for people (money, thousandths, rates, the
// differences in per cent), ECharts loaded on demand, and the stores, regions and channels to
// pick from.
import { ref } from 'vue';
import { fetchAll } from './api.js';
import { locale } from './i18n.js';
import { can } from './session.js';
import { currencyDigits, formatMoney, minorToMajor } from './money.js';

/** The dimensions of a report, in the order the select offers them. */
export const DIMENSIONS = ['store', 'region', 'channel', 'category', 'brand', 'product', 'cashier', 'register', 'tier', 'business_day', 'week', 'month', 'hour', 'weekday', 'tender'];
/** Time dimensions: a chart over them is a line. */
export const TIME_DIMENSIONS = new Set(['business_day', 'week', 'month', 'hour', 'weekday']);
/** The measures, in the API's default order. */
export const MEASURES = ['revenue', 'net', 'quantity', 'orders', 'avg_basket', 'discount', 'cost', 'margin', 'returns', 'return_rate'];
/** The measures a payment-mix report (group=tender) has. */
export const TENDER_MEASURES = ['revenue', 'orders'];
const MONEY = new Set(['revenue', 'net', 'tax', 'avg_basket', 'discount', 'cost', 'margin', 'returns']);
export const COMPARE_MODES = ['previous', 'last_year'];
export const QUICK_PERIODS = ['today', 'yesterday', 'this_week', 'this_month', 'last_month', 'this_year'];

// Which dimensions a report may pair (docs/analytics.md "Dimensions"): the "base" ones with
// each other, or a base one with at most one of the detail sets.
const BASE = new Set(['store', 'region', 'business_day', 'week', 'month', 'weekday']);
const DETAIL_SETS = [['hour'], ['category', 'brand', 'product'], ['cashier'], ['register'], ['tier'], ['channel'], ['tender']];

/** Whether `a` and `b` may be grouped together (the server answers 422 otherwise). */
export function combinable(a, b) {
  if (!a || !b) return true;
  if (a === b) return false;
  if (BASE.has(a) || BASE.has(b)) return true; // a base dimension goes with anything
  // Two detail dimensions only from one rollup (category × brand; not product × hour).
  return DETAIL_SETS.some((set) => set.includes(a) && set.includes(b));
}

/** Whether a report grouped by `d` may be filtered by channel (only the channel rollup knows it). */
export const channelFilterable = (d) => !d || BASE.has(d) || d === 'channel';

export const isMoney = (measure) => MONEY.has(measure);

const pad = (n) => String(n).padStart(2, '0');
/** A Date as the browser's calendar day, YYYY-MM-DD. */
export function dayString(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The business day `store` is in at `now` — its wall clock in its time zone, less its
 * business-day cut-off hour — as a Date on that calendar day, for `quickPeriod`. The browser's
 * own calendar day is not it: at 23:30 UTC a Shanghai store is already in the next day's
 * business. Without a store, the browser's day.
 */
export function businessToday(store, now = new Date()) {
  if (!store?.time_zone) return now;
  const shifted = new Date(now.getTime() - (store.business_day_cutoff_hour || 0) * 3600000);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: store.time_zone, year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(shifted);
  const part = (type) => Number(parts.find((p) => p.type === type).value);
  return new Date(part('year'), part('month') - 1, part('day'));
}

/** The business days [from, to] (inclusive) of a quick period around `now` (weeks start on Monday). */
export function quickPeriod(name, now = new Date()) {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  const day = (yy, mm, dd) => dayString(new Date(yy, mm, dd));
  switch (name) {
    case 'today': return [day(y, m, d), day(y, m, d)];
    case 'yesterday': return [day(y, m, d - 1), day(y, m, d - 1)];
    case 'this_week': {
      const back = (now.getDay() + 6) % 7; // Monday → 0 … Sunday → 6
      return [day(y, m, d - back), day(y, m, d)];
    }
    case 'this_month': return [day(y, m, 1), day(y, m, d)];
    case 'last_month': return [day(y, m - 1, 1), day(y, m, 0)];
    case 'this_year': return [day(y, 0, 1), day(y, m, d)];
    default: return [day(y, m, d), day(y, m, d)];
  }
}

/** Thousandths (quantity_milli) as a decimal without trailing zeros: 2500 → "2.5". */
export function formatMilli(milli) {
  if (milli === null || milli === undefined || milli === '') return '';
  const n = BigInt(milli);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const whole = (abs / 1000n).toString();
  const frac = (abs % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + whole + (frac ? `.${frac}` : '');
}

/** A decimal rate ("0.0125") as per cent ("1.25%"); `digits` after the point. */
export function formatRate(rate, digits = 2) {
  if (rate === null || rate === undefined || rate === '') return '—';
  const n = Number(rate);
  if (!Number.isFinite(n)) return String(rate);
  return `${(n * 100).toFixed(digits)}%`;
}

/** A difference in per cent as the API sends it ("23.45", null when the base is 0). */
export function formatPct(pct) {
  if (pct === null || pct === undefined || pct === '') return '—';
  const n = Number(pct);
  if (!Number.isFinite(n)) return String(pct);
  return `${n > 0 ? '+' : ''}${n.toFixed(2)}%`;
}

/** One value of `measure` for people. */
export function formatMeasure(measure, value, currency) {
  if (value === null || value === undefined || value === '') return '—';
  if (measure === 'return_rate') return formatRate(value);
  if (measure === 'quantity') return formatMilli(value);
  if (isMoney(measure)) return formatMoney(value, currency);
  return Number(value).toLocaleString(locale.value === 'en' ? 'en-US' : 'zh-CN');
}

/** A difference of `measure` with its sign ("+¥12.00", "-3"). */
export function formatDiff(measure, value, currency) {
  if (value === null || value === undefined || value === '') return '—';
  if (measure === 'return_rate') {
    const n = Number(value);
    return Number.isFinite(n) ? `${n > 0 ? '+' : ''}${(n * 100).toFixed(2)}%` : String(value);
  }
  const text = formatMeasure(measure, value, currency);
  return Number(value) > 0 ? `+${text}` : text;
}

/** The number a chart draws for `measure` (yuan for money, units for quantities, % for rates). */
export function chartNumber(measure, value, currency) {
  if (value === null || value === undefined || value === '') return 0;
  if (measure === 'return_rate') return Number(value) * 100;
  if (measure === 'quantity') return Number(value) / 1000;
  if (isMoney(measure)) return Number(minorToMajor(value, currency));
  return Number(value);
}

/** A money value a chart drew (major units, a float) back as money for people (tooltips). */
export function chartMoney(major, currency) {
  return formatMoney(Math.round(Number(major) * 10 ** currencyDigits(currency)), currency);
}

let echartsModule = null;
/** ECharts, imported the first time a chart is drawn (null when it cannot be loaded). */
export async function loadEcharts() {
  if (echartsModule) return echartsModule;
  try {
    echartsModule = await import('echarts');
  } catch {
    echartsModule = null;
  }
  return echartsModule;
}

/**
 * The stores (kind store) and regions the user may look at, for the pickers: the lists are
 * what GET /stores answers (the scope) and the regions those stores belong to.
 */
export function useScopePicker() {
  const stores = ref([]);
  const regions = ref([]);
  const channels = ref([]);
  async function load() {
    if (!can('org.read')) return;
    const [s, r, c] = await Promise.all([
      fetchAll('/stores').catch(() => []),
      fetchAll('/regions').catch(() => []),
      fetchAll('/channels').catch(() => []),
    ]);
    stores.value = s.filter((x) => x.kind !== 'warehouse');
    const used = new Set(stores.value.map((x) => x.region_id).filter(Boolean));
    regions.value = r.filter((x) => used.has(x.id));
    channels.value = c;
  }
  const storeLabel = (id) => {
    const s = stores.value.find((x) => x.id === id);
    return s ? `${s.code} · ${s.name}` : '';
  };
  const regionOf = (storeId) => stores.value.find((x) => x.id === storeId)?.region_id || null;
  return { stores, regions, channels, load, storeLabel, regionOf };
}
