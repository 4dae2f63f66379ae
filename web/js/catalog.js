// What the catalog screens share: the closed value sets of the catalog API, the category tree
// built from GET /categories (a flat list with parent_id), and the lists the forms choose from
// (tax classes, categories, channels), loaded once per screen.
import { computed, ref } from 'vue';
import { fetchAll } from './api.js';
import { locale } from './i18n.js';
import { can } from './session.js';

export const UNITS = ['piece', 'box', 'pack', 'bottle', 'can', 'bag', 'kg', 'g', 'litre', 'ml', 'metre'];
export const MEASURED_UNITS = ['kg', 'g', 'litre', 'ml', 'metre'];
export const PRODUCT_STATUSES = ['active', 'discontinued'];
export const SCALE_VALUE_KINDS = ['weight', 'price'];
export const BARCODE_KINDS = ['ean13', 'ean8', 'upca', 'internal'];

/** A category's name in the UI language (the English name when there is one). */
export function categoryName(c) {
  if (!c) return '';
  return locale.value === 'en' && c.name_en ? c.name_en : c.name;
}

/**
 * The flat list as a tree for el-tree / el-tree-select: [{ id, value, label, code, data,
 * children }], siblings by `sort` then code. A parent missing from the list (out of reach)
 * makes its children roots; a cycle (which the server refuses anyway) cannot loop.
 */
export function buildCategoryTree(list, { exclude = null } = {}) {
  const byId = new Map(list.map((c) => [c.id, c]));
  const nodes = new Map();
  for (const c of list) {
    nodes.set(c.id, { id: c.id, value: c.id, label: categoryName(c), code: c.code, data: c, children: [] });
  }
  const roots = [];
  for (const c of list) {
    if (exclude && (c.id === exclude || isDescendant(byId, c.id, exclude))) continue;
    const parent = c.parent_id && nodes.get(c.parent_id);
    if (parent) parent.children.push(nodes.get(c.id));
    else roots.push(nodes.get(c.id));
  }
  const order = (a, b) => (a.data.sort ?? 0) - (b.data.sort ?? 0) || String(a.code).localeCompare(String(b.code));
  const sortAll = (arr) => {
    arr.sort(order);
    for (const n of arr) sortAll(n.children);
  };
  sortAll(roots);
  return roots;
}

/** Whether `id` lies under `ancestor` in the flat list. */
export function isDescendant(byId, id, ancestor) {
  const seen = new Set();
  let cur = byId.get(id)?.parent_id;
  while (cur && !seen.has(cur)) {
    if (cur === ancestor) return true;
    seen.add(cur);
    cur = byId.get(cur)?.parent_id;
  }
  return false;
}

/**
 * Search as you type: `run(query)` waits `delay` ms of quiet, cancels the request still under
 * way (AbortController) and resolves with the answer of the newest call only; superseded calls
 * resolve to null.
 */
export function useLatestRequest(fetcher, { delay = 150 } = {}) {
  let timer = null;
  let controller = null;
  let generation = 0;
  const pending = ref(false);

  function cancel() {
    clearTimeout(timer);
    controller?.abort();
    controller = null;
  }

  function run(arg, { immediate = false } = {}) {
    cancel();
    const mine = ++generation;
    pending.value = true;
    return new Promise((resolve, reject) => {
      const go = async () => {
        controller = new AbortController();
        const { signal } = controller;
        try {
          const answer = await fetcher(arg, signal);
          if (mine === generation) resolve(answer);
          else resolve(null);
        } catch (e) {
          if (e?.name === 'AbortError' || mine !== generation) resolve(null);
          else reject(e);
        } finally {
          if (mine === generation) pending.value = false;
        }
      };
      if (immediate) go();
      else timer = setTimeout(go, delay);
    });
  }

  return { run, cancel, pending };
}

/** Tax classes, categories and channels for selects; `load()` fetches what the user may read. */
export function useCatalogLookups() {
  const taxClasses = ref([]);
  const categories = ref([]);
  const channels = ref([]);

  async function load({ withChannels = false } = {}) {
    const jobs = [];
    if (can('catalog.read')) {
      jobs.push(fetchAll('/tax-classes').then((r) => { taxClasses.value = r; }).catch(() => {}));
      jobs.push(fetchAll('/categories').then((r) => { categories.value = r; }).catch(() => {}));
    }
    if (withChannels && can('org.read')) {
      jobs.push(fetchAll('/channels').then((r) => { channels.value = r; }).catch(() => {}));
    }
    await Promise.all(jobs);
  }

  async function reloadCategories() {
    categories.value = await fetchAll('/categories');
  }

  const categoryTree = computed(() => buildCategoryTree(categories.value));
  const categoryById = computed(() => new Map(categories.value.map((c) => [c.id, c])));
  const categoryLabel = (id) => categoryName(categoryById.value.get(id));
  const taxClassLabel = (id) => {
    const tc = taxClasses.value.find((x) => x.id === id);
    return tc ? tc.name : '';
  };
  const channelLabel = (id) => channels.value.find((x) => x.id === id)?.name || '';

  return {
    taxClasses, categories, channels, categoryTree, load, reloadCategories, categoryLabel, taxClassLabel, channelLabel,
  };
}
