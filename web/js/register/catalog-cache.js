// The store's catalog at the register: the snapshot of GET /stores/{id}/catalog, kept in
// IndexedDB so a reload without the server still sells, brought up to date with
// GET /stores/{id}/catalog/changes?since=cursor. In memory: barcode → product, PLU → product,
// tax rates by class, the scale formats, and a plain substring search for when the server's
// search (with pinyin) cannot be asked.
import { reactive, markRaw } from 'vue';
import { api } from '../api.js';
import { getKv, setKv } from './idb.js';
import { decodeScale, normalPlu } from './scale.js';

const key = (storeId) => `catalog:${storeId}`;

/** Reactive facts about the catalog for the screen (the data itself is not reactive). */
export function createCatalog() {
  const state = reactive({
    storeId: null,
    loaded: false,
    count: 0,
    cursor: null,
    syncedAt: null,
    syncing: false,
    error: null,
    version: 0,
  });
  const data = markRaw({
    products: new Map(),
    byBarcode: new Map(),
    byPlu: new Map(),
    taxRates: new Map(),
    scaleFormats: [],
    currency: null,
    taxMode: null,
    roundingRule: null,
  });

  function index(snapshot) {
    data.products = new Map();
    data.byBarcode = new Map();
    data.byPlu = new Map();
    for (const p of snapshot.products || []) add(p);
    setSmallLists(snapshot);
    data.currency = snapshot.currency || null;
    data.taxMode = snapshot.tax_mode || null;
    data.roundingRule = snapshot.rounding_rule || null;
    state.count = data.products.size;
    state.cursor = snapshot.cursor ?? null;
    state.syncedAt = snapshot.synced_at || snapshot.generated_at || null;
    state.loaded = true;
    state.version += 1;
  }

  function setSmallLists(answer) {
    if (Array.isArray(answer.tax_classes)) {
      data.taxRates = new Map(answer.tax_classes.map((t) => [t.id, String(t.rate)]));
    }
    if (Array.isArray(answer.scale_formats)) data.scaleFormats = answer.scale_formats.filter((f) => f.active !== false);
  }

  function add(p) {
    data.products.set(p.id, p);
    for (const code of p.barcodes || []) data.byBarcode.set(String(code), p);
    if (p.plu) data.byPlu.set(normalPlu(p.plu), p);
  }

  function drop(id) {
    const old = data.products.get(id);
    if (!old) return;
    data.products.delete(id);
    for (const code of old.barcodes || []) if (data.byBarcode.get(String(code))?.id === id) data.byBarcode.delete(String(code));
    if (old.plu && data.byPlu.get(normalPlu(old.plu))?.id === id) data.byPlu.delete(normalPlu(old.plu));
  }

  /** The snapshot as IndexedDB keeps it (rebuilt from memory after changes). */
  function asSnapshot() {
    return {
      store_id: state.storeId,
      cursor: state.cursor,
      currency: data.currency,
      tax_mode: data.taxMode,
      rounding_rule: data.roundingRule,
      synced_at: state.syncedAt,
      tax_classes: [...data.taxRates].map(([id, rate]) => ({ id, rate })),
      scale_formats: data.scaleFormats,
      products: [...data.products.values()],
    };
  }

  /** Loads the cached snapshot of `storeId`; then asks the server for a fresh one or the changes. */
  async function open(storeId) {
    state.storeId = storeId;
    state.loaded = false;
    state.error = null;
    try {
      const cached = await getKv(key(storeId));
      if (cached && cached.store_id === storeId) index(cached);
    } catch (e) {
      console.warn('register: no cached catalog', e);
    }
    await sync();
  }

  /** Brings the catalog up to date; false when the server could not be asked (offline). */
  async function sync() {
    const storeId = state.storeId;
    if (!storeId || state.syncing) return false;
    state.syncing = true;
    try {
      const path = `/stores/${encodeURIComponent(storeId)}/catalog`;
      if (state.loaded && state.cursor !== null) {
        const ch = await api.get(`${path}/changes`, { since: state.cursor });
        if (storeId !== state.storeId) return false;
        const changed = (ch.products?.length || 0) + (ch.removed?.length || 0);
        for (const id of ch.removed || []) drop(id);
        for (const p of ch.products || []) {
          drop(p.id);
          add(p);
        }
        setSmallLists(ch);
        state.cursor = ch.cursor ?? state.cursor;
        state.syncedAt = new Date().toISOString();
        state.count = data.products.size;
        if (changed) state.version += 1;
        await setKv(key(storeId), asSnapshot());
      } else {
        const snap = await api.get(path);
        if (storeId !== state.storeId) return false;
        snap.synced_at = new Date().toISOString();
        index(snap);
        await setKv(key(storeId), snap);
      }
      state.error = null;
      return true;
    } catch (e) {
      state.error = e;
      return false;
    } finally {
      state.syncing = false;
    }
  }

  const product = (id) => data.products.get(id) || null;
  const taxRate = (p) => data.taxRates.get(p?.tax_class_id) ?? '0';

  /**
   * What a scanned or typed code names: a barcode, a scale label (with its weight or price) or
   * a PLU. Returns { product, source: 'barcode'|'scale'|'plu', weightGrams?, priceMinor? } or null.
   */
  function lookupCode(code) {
    const c = String(code || '').trim();
    if (!c) return null;
    const byCode = data.byBarcode.get(c);
    if (byCode) return { product: byCode, source: 'barcode' };
    const label = decodeScale(c, data.scaleFormats);
    if (label) {
      const p = data.byPlu.get(label.plu);
      if (p) {
        return label.kind === 'price'
          ? { product: p, source: 'scale', priceMinor: label.value }
          : { product: p, source: 'scale', weightGrams: label.value };
      }
    }
    if (/^\d{1,6}$/.test(c)) {
      const p = data.byPlu.get(normalPlu(c));
      if (p) return { product: p, source: 'plu' };
    }
    return null;
  }

  /** Local search (offline, or to fill in the server's answer): SKU, barcode, Chinese or English name. */
  function search(text, limit = 20) {
    const q = String(text || '').trim().toLowerCase();
    if (!q) return [];
    const ranked = [];
    for (const p of data.products.values()) {
      const sku = String(p.sku || '').toLowerCase();
      const zh = String(p.name_zh || '').toLowerCase();
      const en = String(p.name_en || '').toLowerCase();
      let rank = -1;
      if (sku === q || (p.barcodes || []).includes(q)) rank = 0;
      else if (sku.startsWith(q) || zh.startsWith(q) || en.startsWith(q)) rank = 1;
      else if (zh.includes(q) || en.includes(q) || sku.includes(q)) rank = 2;
      else if ((p.barcodes || []).some((b) => b.startsWith(q))) rank = 3;
      if (rank >= 0) ranked.push([rank, p]);
    }
    ranked.sort((a, b) => a[0] - b[0] || String(a[1].sku).localeCompare(String(b[1].sku)));
    return ranked.slice(0, limit).map((r) => r[1]);
  }

  return { state, data, open, sync, product, taxRate, lookupCode, search };
}
