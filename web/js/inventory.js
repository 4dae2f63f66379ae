// What the inventory screens (库存) share, after docs/inventory.md: the closed value sets
// (stock statuses, document states, movement kinds), the locations in scope (stores and
// warehouses) for selects, quantities as decimal strings (up to 3 decimals, compared and added
// in thousandths, never as floats), the server's per-line field errors (`/lines/3/quantity`)
// and the live `stock.*` events of GET /events.
import { onBeforeUnmount, ref } from 'vue';
import { ApiError, fetchAll } from './api.js';
import { fieldMessage } from './forms.js';
import { session } from './session.js';

export const STOCK_STATUSES = ['ok', 'low', 'out', 'over'];
export const STOCK_FILTER_STATUSES = ['low', 'out', 'over'];
export const ALERT_KINDS = ['low', 'over'];
export const PO_STATUSES = ['draft', 'submitted', 'approved', 'partially_received', 'received', 'closed', 'cancelled'];
export const TRANSFER_STATUSES = ['requested', 'approved', 'shipped', 'received', 'closed', 'cancelled'];
export const TRANSFER_DIRECTIONS = ['in', 'out'];
export const COUNT_STATUSES = ['open', 'submitted', 'approved', 'cancelled'];
export const COUNT_SCOPES = ['full', 'category', 'list'];
export const MOVEMENT_KINDS = ['sale', 'return', 'receipt', 'transfer_out', 'transfer_in', 'count', 'write_off', 'adjustment'];
export const RECEIPT_KINDS = ['receipt', 'return'];
export const SOURCE_KINDS = ['purchase', 'transfer'];
export const VALUATION_GROUPS = ['location', 'category'];

const TAGS = {
  stock: { ok: 'success', low: 'warning', out: 'danger', over: 'info' },
  po: {
    draft: 'info', submitted: 'warning', approved: 'primary', partially_received: 'warning', received: 'success',
    closed: 'info', cancelled: 'danger',
  },
  transfer: { requested: 'warning', approved: 'primary', shipped: 'primary', received: 'success', closed: 'info', cancelled: 'danger' },
  count: { open: 'primary', submitted: 'warning', approved: 'success', cancelled: 'danger' },
};

/** The el-tag type of a status: tagType('po', 'approved') → 'primary'. */
export function tagType(set, status) {
  return TAGS[set]?.[status] || 'info';
}

// ---- quantities: decimal strings with at most 3 decimals, handled in thousandths (BigInt)

/** "12.5" → 12500n; null for anything that is not a decimal with at most 3 decimals. */
export function toMilli(q) {
  if (q === null || q === undefined || q === '') return null;
  const s = String(q).trim();
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && !m[3])) return null;
  const frac = (m[3] || '').replace(/0+$/, '');
  if (frac.length > 3) return null;
  const n = BigInt((m[2] || '0') + frac.padEnd(3, '0'));
  return m[1] ? -n : n;
}

/** 12500n → "12.5" (no trailing zeros). */
export function fromMilli(n) {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(4, '0');
  const whole = s.slice(0, -3).replace(/^0+(?=\d)/, '');
  const frac = s.slice(-3).replace(/0+$/, '');
  return (neg ? '-' : '') + whole + (frac ? `.${frac}` : '');
}

/** A quantity for people: "12.000" → "12", null → "—" when `dash`. */
export function formatQty(q, { dash = false, signed = false } = {}) {
  const n = toMilli(q);
  if (n === null) return dash ? '—' : (q ?? '');
  const s = fromMilli(n);
  return signed && n > 0n ? `+${s}` : s;
}

/** a − b of two quantities (strings); null when either is not a quantity. */
export function subQty(a, b) {
  const x = toMilli(a);
  const y = toMilli(b);
  return x === null || y === null ? null : fromMilli(x - y);
}

/** a + b of two quantities (strings). */
export function addQty(a, b) {
  const x = toMilli(a) ?? 0n;
  const y = toMilli(b) ?? 0n;
  return fromMilli(x + y);
}

/** Sign of a quantity: -1, 0, 1 (0 for a missing one). */
export function signOf(q) {
  const n = toMilli(q);
  if (n === null || n === 0n) return 0;
  return n < 0n ? -1 : 1;
}

/** Compares two quantities: -1, 0, 1. */
export function cmpQty(a, b) {
  const x = toMilli(a) ?? 0n;
  const y = toMilli(b) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Checks a quantity typed by people. Returns { value } (a decimal string, or null when empty and
 * `allowEmpty`) or { error: 'format' | 'decimals' | 'negative' | 'zero' | 'required' }.
 */
export function parseQty(text, { allowZero = true, allowEmpty = false, allowNegative = false } = {}) {
  const s = String(text ?? '').trim();
  if (s === '') return allowEmpty ? { value: null } : { error: 'required' };
  if (!/^-?\d*(\.\d*)?$/.test(s) || s === '.' || s === '-') return { error: 'format' };
  const frac = (s.split('.')[1] || '').replace(/0+$/, '');
  if (frac.length > 3) return { error: 'decimals' };
  const n = toMilli(s);
  if (n === null) return { error: 'format' };
  if (n < 0n && !allowNegative) return { error: 'negative' };
  if (n === 0n && !allowZero) return { error: 'zero' };
  return { value: fromMilli(n) };
}

/** An el-form rule for a quantity field (messages `qty.*`); `t` is the i18n function. */
export function qtyRule(t, opts = {}) {
  return {
    trigger: 'blur',
    validator: (_r, v, cb) => {
      const parsed = parseQty(v, opts);
      cb(parsed.error ? new Error(t(`qty.${parsed.error}`)) : undefined);
    },
  };
}

// ---- server errors of document lines

/**
 * Splits the field errors of an ApiError into the lines' errors and the rest:
 * `/lines/2/quantity` → lines[2] = { quantity: message }; `/supplier_id` → fields.supplier_id.
 * `index` maps the sent line's index to the screen's key (a line_no), default the index itself.
 */
export function lineErrors(err, { index = (i) => i } = {}) {
  const lines = {};
  const fields = {};
  if (!(err instanceof ApiError)) return { lines, fields, any: false };
  let any = false;
  for (const e of err.errors) {
    const parts = String(e.field || '').replace(/^\//, '').split('/');
    if (parts[0] === 'lines' && /^\d+$/.test(parts[1] || '')) {
      const key = index(Number(parts[1]));
      const prop = parts[2] || 'line';
      lines[key] ??= {};
      lines[key][prop] = lines[key][prop] ? `${lines[key][prop]}; ${fieldMessage(e)}` : fieldMessage(e);
      any = true;
    } else if (parts[0]) {
      fields[parts[0]] = fields[parts[0]] ? `${fields[parts[0]]}; ${fieldMessage(e)}` : fieldMessage(e);
      any = true;
    }
  }
  return { lines, fields, any };
}

/** All messages of one line's errors as one text ('' when none). */
export function lineErrorText(errs) {
  return errs ? Object.values(errs).join('; ') : '';
}

// ---- locations in scope

/**
 * The stores and warehouses the caller sees (GET /stores answers only those), for the
 * location selects: `locations`, `stores`, `warehouses`, `load()`, `label(id)`, `byId(id)`.
 */
export function useLocations() {
  const locations = ref([]);
  const loaded = ref(false);
  async function load() {
    try {
      const list = await fetchAll('/stores');
      locations.value = list.filter((l) => l.active !== false)
        .sort((a, b) => (a.kind === b.kind ? String(a.code).localeCompare(String(b.code)) : a.kind === 'warehouse' ? 1 : -1));
    } catch {
      locations.value = [];
    } finally {
      loaded.value = true;
    }
    return locations.value;
  }
  const byId = (id) => locations.value.find((l) => l.id === id) || null;
  const label = (id) => {
    const l = byId(id);
    return l ? `${l.code} · ${l.name}` : '';
  };
  return { locations, loaded, load, byId, label };
}

/** Whether the signed-in user's scope holds location `id` (everyone's scope for admins). */
export function inScope(id) {
  if (!id) return false;
  if (session.scope?.all_stores) return true;
  return (session.scope?.store_ids || []).includes(id);
}

/** The first location of the user's own (a store before a warehouse), for a form's default. */
export function homeLocation(locations) {
  const mine = locations.filter((l) => inScope(l.id));
  return (mine.find((l) => l.kind === 'store') || mine[0] || locations[0] || null)?.id || null;
}

// ---- live events

/**
 * Listens to GET /events (server-sent events of the stores in scope) for the given event names
 * while the screen is open; `handlers` is { 'stock.low': (data) => … }. Returns `connected`
 * (a ref: true while the stream is open). The stream reconnects by itself (EventSource).
 */
export function useLiveEvents(handlers) {
  const connected = ref(false);
  let source = null;
  if (typeof EventSource !== 'undefined') {
    source = new EventSource('/api/v1/events');
    source.onopen = () => { connected.value = true; };
    source.onerror = () => { connected.value = source?.readyState === 1; };
    for (const [name, fn] of Object.entries(handlers)) {
      source.addEventListener(name, (e) => {
        let data = null;
        try {
          data = JSON.parse(e.data);
        } catch {
          data = null;
        }
        fn(data, e);
      });
    }
  }
  onBeforeUnmount(() => {
    source?.close();
    source = null;
  });
  return { connected };
}

/** The name of a product line in the UI language. */
export function productName(row, locale) {
  if (!row) return '';
  return locale === 'en' && row.name_en ? row.name_en : row.name_zh || row.name || '';
}

// ---- suppliers for selects

/** The suppliers (active first) for selects: `suppliers`, `load()`, `label(id)`. */
export function useSuppliers() {
  const suppliers = ref([]);
  async function load() {
    try {
      suppliers.value = (await fetchAll('/suppliers')).sort((a, b) => Number(b.active !== false) - Number(a.active !== false)
        || String(a.code).localeCompare(String(b.code)));
    } catch {
      suppliers.value = [];
    }
    return suppliers.value;
  }
  const label = (id) => {
    const s = suppliers.value.find((x) => x.id === id);
    return s ? `${s.code} · ${s.name}` : '';
  };
  return { suppliers, load, label };
}

/**
 * Asks the person to confirm an action (ElMessageBox); resolves true on OK. The OK button has
 * the class `sp-confirm-ok` (tests click it), Cancel `sp-confirm-cancel`.
 */
export async function confirmAction(ElMessageBox, t, message, title) {
  try {
    await ElMessageBox.confirm(message, title, {
      confirmButtonText: t('common.ok'), cancelButtonText: t('common.cancel'), type: 'warning',
      confirmButtonClass: 'sp-confirm-ok', cancelButtonClass: 'sp-confirm-cancel',
    });
    return true;
  } catch {
    return false;
  }
}
