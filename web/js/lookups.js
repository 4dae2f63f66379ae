// Lists the forms choose from (regions, stores, roles), loaded once per screen, plus the fixed
// value sets of docs/api.md.
import { ref } from 'vue';
import { api, fetchAll } from './api.js';
import { can } from './session.js';

export const ROLES = ['admin', 'regional_manager', 'store_manager', 'cashier', 'stock_clerk', 'accountant', 'auditor'];
export const LOCALES = ['zh-CN', 'en'];
export const STORE_KINDS = ['store', 'warehouse'];
export const CASH_ROUNDINGS = ['none', '0.1', '1'];
export const NEGATIVE_STOCK_POLICIES = ['allow', 'refuse'];
export const TAX_MODES = ['inclusive', 'exclusive'];
export const ROUNDING_RULES = ['half_up', 'half_even'];

// Which roles a user of each role may hand out (mirrors Role::may_assign in the domain crate;
// the server checks anyway, this only keeps the select from offering what would be refused).
const ASSIGNABLE = {
  admin: ROLES,
  regional_manager: ['store_manager', 'cashier', 'stock_clerk'],
  store_manager: ['cashier', 'stock_clerk'],
};

/** The roles `myRole` may give, out of `roles`; `keep` (the value being edited) stays listed. */
export function assignableRoles(myRole, roles, keep) {
  const allowed = ASSIGNABLE[myRole] || [];
  return roles.filter((r) => allowed.includes(r) || r === keep);
}

/** Regions, stores and roles for selects; `load()` fetches what the user may read. */
export function useLookups() {
  const regions = ref([]);
  const stores = ref([]);
  const roles = ref(ROLES);

  async function load({ withRoles = false } = {}) {
    const jobs = [];
    if (can('org.read')) {
      jobs.push(fetchAll('/regions').then((r) => { regions.value = r; }).catch(() => {}));
      jobs.push(fetchAll('/stores').then((s) => { stores.value = s; }).catch(() => {}));
    }
    if (withRoles) {
      jobs.push(api.get('/roles').then((r) => {
        const list = Array.isArray(r) ? r : r?.data;
        if (Array.isArray(list) && list.length) roles.value = list.map((x) => x.role);
      }).catch(() => {}));
    }
    await Promise.all(jobs);
  }

  const regionName = (id) => regions.value.find((r) => r.id === id)?.name || '';
  const storeName = (id) => stores.value.find((s) => s.id === id)?.name || id;

  return { regions, stores, roles, load, regionName, storeName };
}
