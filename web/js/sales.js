// What the sales and shift screens share: the closed value sets of docs/register.md, the
// stores in scope and their registers for the filters, tender names, the period filter as
// RFC 3339 times, and the URLs of receipts and shift reports.
import { ref } from 'vue';
import { apiUrl, fetchAll } from './api.js';
import { locale } from './i18n.js';

export const SALE_KINDS = ['sale', 'return'];
export const SHIFT_STATUSES = ['open', 'closed'];
export const TENDER_KINDS = ['cash', 'card', 'other', 'mobile'];
/** Why a sale needs a follow-up (mostly sales made offline); `saleFlag.*` / `saleFlagHelp.*`. */
export const SALE_FLAGS = ['negative_stock', 'price_changed', 'late_shift'];

/**
 * The picked days [first, last] (Dates of an el-date-picker daterange, the browser's days) as
 * the API's period: `from` = the first day's midnight (inclusive), `to` = the midnight after the
 * last day (exclusive), both RFC 3339 in UTC. Nothing picked → {}.
 */
export function periodQuery(range) {
  if (!Array.isArray(range) || !range[0] || !range[1]) return {};
  const [a, b] = range.map((d) => new Date(d));
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return {};
  const from = new Date(a.getFullYear(), a.getMonth(), a.getDate());
  const to = new Date(b.getFullYear(), b.getMonth(), b.getDate() + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** A card as people may see it: "**** 4242" (never more than the last 4 digits exist). */
export function maskedCard(last4) {
  return last4 ? `**** ${last4}` : '';
}

/** The receipt of a sale: `format` html or pdf; `copy` asks for the reprint (重印). */
export function receiptUrl(id, format = 'html', { copy = false } = {}) {
  return apiUrl(`/sales/${encodeURIComponent(id)}/receipt`, { format, lang: locale.value, copy: copy ? 'true' : '' });
}

/** The X (open) or Z (closed) report of a shift as html or pdf. */
export function reportUrl(id, format = 'html') {
  return apiUrl(`/shifts/${encodeURIComponent(id)}/report`, { format, lang: locale.value });
}

/**
 * Stores in scope (kind store) and, per store, its registers (loaded on demand, kept); tender
 * names by code. `load()` reads the stores and tender types; `loadRegisters(storeIds)` the
 * registers of the given stores.
 */
export function useSalesLookups() {
  const stores = ref([]);
  const registers = ref({}); // store id → [register]
  const tenderTypes = ref([]);
  const asked = new Set();

  async function load() {
    await Promise.all([
      fetchAll('/stores').then((s) => { stores.value = s.filter((x) => x.kind !== 'warehouse'); }).catch(() => {}),
      fetchAll('/tender-types').then((t) => { tenderTypes.value = t; }).catch(() => {}),
    ]);
  }

  async function loadRegisters(storeIds) {
    const wanted = [...new Set(storeIds)].filter((id) => id && !asked.has(id));
    await Promise.all(wanted.map(async (id) => {
      asked.add(id);
      try {
        const list = await fetchAll(`/stores/${encodeURIComponent(id)}/registers`);
        registers.value = { ...registers.value, [id]: list };
      } catch {
        asked.delete(id); // try again next time
      }
    }));
  }

  const storeLabel = (id) => {
    const s = stores.value.find((x) => x.id === id);
    return s ? `${s.code} · ${s.name}` : '';
  };
  const registerLabel = (storeId, id) => {
    const r = (registers.value[storeId] || []).find((x) => x.id === id);
    return r ? `${r.code} ${r.name}` : String(id || '').slice(-6);
  };
  const tenderName = (code) => tenderTypes.value.find((x) => x.code === code)?.name || code;

  return { stores, registers, tenderTypes, load, loadRegisters, storeLabel, registerLabel, tenderName };
}
