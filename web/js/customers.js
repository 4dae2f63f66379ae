// What the customer (客户 / 会员) screens and the register share (docs/customers.md): the
// closed value sets, member lookups at the register, the member tiers for selects, phone
// checks as the server makes them, the ledgers' signed amounts, the register this device uses
// (for top-ups away from the register screen), points ⇄ money.
import { reactive } from 'vue';
import { api, ApiError } from './api.js';
import { can } from './session.js';

export const CUSTOMER_KINDS = ['person', 'business'];
export const GENDERS = ['female', 'male', 'other'];
export const CUSTOMER_STATUSES = ['active', 'merged', 'erased'];
export const SEGMENTS = ['champions', 'loyal', 'potential', 'new', 'at_risk', 'hibernating', 'lost'];
export const EXPIRY_MODES = ['year_end', 'months', 'never'];
export const TASK_STATUSES = ['open', 'done', 'cancelled'];
export const POINTS_KINDS = ['earn', 'redeem', 'earn_reversal', 'redeem_refund', 'expire', 'adjust', 'merge'];
export const STORED_VALUE_KINDS = ['topup', 'bonus', 'pay', 'refund', 'adjust', 'merge'];
export const SEGMENT_TAG = {
  champions: 'success', loyal: 'success', potential: 'primary', new: 'primary', at_risk: 'warning', hibernating: 'info', lost: 'danger',
};

/** A mainland mobile as typed (with or without +86, spaces, dashes): its 11 digits, else null. */
export function mainlandMobile(text) {
  const digits = String(text || '').replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** Whether a phone typed in a form looks acceptable to the server (mainland mobile or E.164). */
export function phoneLooksValid(text) {
  const s = String(text || '').trim();
  if (!s) return true;
  return !!mainlandMobile(s) || /^\+[1-9]\d{6,14}$/.test(s.replace(/[\s-]/g, ''));
}

/** A member number as the server makes them (M + 8 digits). */
export const looksLikeMemberNo = (text) => /^M\d{8}$/i.test(String(text || '').trim());

/**
 * Finds a member for the register: `{phone}`, `{member_no}` or `{card}` →
 * GET /customers/lookup. Resolves the member, or null for a 404; other errors reject.
 */
export async function lookupMember(query) {
  try {
    return await api.get('/customers/lookup', query);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/**
 * A scanned or typed code that is not a product: a mainland mobile asks by phone, an M-number
 * by member number, anything else by card code and then by member number.
 */
export async function lookupMemberByCode(code) {
  const raw = String(code || '').trim();
  const phone = mainlandMobile(raw);
  if (phone) return lookupMember({ phone });
  if (looksLikeMemberNo(raw)) return lookupMember({ member_no: raw.toUpperCase() });
  return (await lookupMember({ card: raw })) || (await lookupMember({ member_no: raw }));
}

/** The signed amount of a ledger row (`amount`, or the contract's `points` / `amount_minor`). */
export function ledgerAmount(row) {
  return row?.amount ?? row?.points ?? row?.amount_minor ?? 0;
}

/** What a sale's answer did to the member's accounts (`member`, or the contract's `customer`). */
export function memberEffect(sale) {
  return sale?.member || sale?.customer || null;
}

/** Points redeemed for `minor` at `perUnit` points per currency unit (null when not whole). */
export function pointsFor(minor, perUnit = 100) {
  const n = BigInt(Math.trunc(minor)) * BigInt(perUnit);
  return n % 100n === 0n ? Number(n / 100n) : null;
}

/** The money `points` are worth (rounded down to whole minor units). */
export function pointsValue(points, perUnit = 100) {
  return Number((BigInt(Math.trunc(points)) * 100n) / BigInt(Math.max(1, perUnit)));
}

// ---- shared lookups (loaded once per page)

const cache = reactive({ tiers: [], tiersLoaded: false, program: null, programLoaded: false });

/** The member tiers (for selects and tags): GET /member-tiers, once. */
export async function loadTiers(force = false) {
  if (cache.tiersLoaded && !force) return cache.tiers;
  try {
    const answer = await api.get('/member-tiers');
    cache.tiers = [...(answer?.data || answer || [])].sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0));
  } catch {
    cache.tiers = [];
  }
  cache.tiersLoaded = true;
  return cache.tiers;
}

/** The loyalty programme when this user may read it (customers.admin), else null. */
export async function loadProgram(force = false) {
  if (cache.programLoaded && !force) return cache.program;
  cache.programLoaded = true;
  try {
    cache.program = await api.get('/loyalty-program');
  } catch {
    cache.program = null;
  }
  return cache.program;
}

export const customerLookups = cache;

/** The name of a tier code (from the loaded tiers, else the code). */
export function tierName(code, fallback) {
  if (!code) return '';
  return cache.tiers.find((x) => x.code === code)?.name || fallback || code;
}

// ---- the register this device uses (for top-ups from the customer screens)

/** The register chosen on this device (localStorage `salepoint.register`) and its open shift. */
export async function deviceRegister() {
  let choice = null;
  try {
    choice = JSON.parse(localStorage.getItem('salepoint.register') || 'null');
  } catch {
    choice = null;
  }
  if (!choice?.register_id) return null;
  try {
    const shifts = await api.get('/shifts', { register_id: choice.register_id, status: 'open', limit: 5 });
    const shift = (shifts?.data || []).find((s) => s.status !== 'closed');
    return shift ? { store_id: choice.store_id, register_id: choice.register_id, shift_id: shift.id } : { ...choice, shift_id: null };
  } catch {
    return { ...choice, shift_id: null };
  }
}

/** Whether the signed-in user may top up (the server asks for customers.manage and sales.create). */
export const canTopUp = () => can('customers.manage') && can('sales.create');
