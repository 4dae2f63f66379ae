// The cart at the register: lines of products with quantities (thousandths) and discounts, an
// order discount, the approval token a manager gave, the customer tier and the attached member
// (会员: their tier's prices, `customer_id` on the sale). Plain objects and
// functions (the screen wraps the cart in reactive()); the totals come from pricing.js, the
// request body of POST /api/v1/sales from `saleBody`.
import { percentString, quantityString } from './decimal.js';
import { priceCart } from './pricing.js';

let lineSeq = 0;

/** An empty cart. */
export function emptyCart() {
  return { lines: [], orderDiscount: null, approvalToken: null, customerTier: null, member: null, selected: -1 };
}

/** The unit price of `product` for `tier` (the store's price, or the tier's when it differs). */
export function unitPrice(product, tier) {
  if (tier && product.tier_prices && product.tier_prices[tier] !== undefined) return product.tier_prices[tier];
  return product.price_minor ?? product.list_price_minor ?? 0;
}

/** A cart line for `product` (a catalog SyncProduct). */
export function lineOf(product, qtyMilli, taxRate, tier = null, extra = {}) {
  lineSeq += 1;
  return {
    key: `${Date.now().toString(36)}-${lineSeq}`,
    product_id: product.id,
    sku: product.sku,
    name_zh: product.name_zh,
    name_en: product.name_en,
    receipt_name: product.receipt_name || product.name_zh,
    unit: product.unit,
    sold_by_weight: !!product.sold_by_weight,
    precision: Number(product.quantity_precision ?? (product.sold_by_weight ? 3 : 0)),
    unit_price_minor: unitPrice(product, tier),
    qty_milli: qtyMilli,
    discount: null,
    tax_class_id: product.tax_class_id,
    tax_rate: taxRate ?? '0',
    weight_grams: extra.weightGrams ?? null,
    source: extra.source || null,
  };
}

/**
 * Adds `product`: a product sold by the piece joins the last line of the same product (without
 * a discount); weighed goods always make a new line. Selects the line; returns its index.
 */
export function addProduct(cart, product, qtyMilli, taxRate, extra = {}) {
  const last = cart.lines.length - 1;
  const l = cart.lines[last];
  if (!product.sold_by_weight && !extra.weightGrams && l && l.product_id === product.id && !l.discount) {
    l.qty_milli += qtyMilli;
    cart.selected = last;
    return last;
  }
  cart.lines.push(lineOf(product, qtyMilli, taxRate, cart.customerTier, extra));
  cart.selected = cart.lines.length - 1;
  return cart.selected;
}

export function removeLine(cart, index) {
  if (index < 0 || index >= cart.lines.length) return;
  cart.lines.splice(index, 1);
  cart.selected = Math.min(index, cart.lines.length - 1);
}

/** Changes the quantity by `stepMilli` (one piece, or 1 of the unit); never below one step. */
export function bumpQuantity(cart, index, direction) {
  const l = cart.lines[index];
  if (!l) return;
  const step = 1000;
  const next = l.qty_milli + direction * step;
  if (next <= 0) return;
  l.qty_milli = next;
}

/** Re-prices every line for the cart's tier from the catalog (after a resume or a tier change). */
export function reprice(cart, productOf, taxRateOf) {
  for (const l of cart.lines) {
    const p = productOf(l.product_id);
    if (!p) continue;
    l.unit_price_minor = unitPrice(p, cart.customerTier);
    l.tax_rate = taxRateOf(p);
  }
}

/** The totals of the cart (pricing.js on its lines). */
export function totals(cart, taxMode = 'inclusive', rule = 'half_up') {
  return priceCart(cart.lines, cart.orderDiscount, taxMode, rule);
}

/** A cart discount as the API writes it: null, { percent: "10" } or { amount_minor: 50 }. */
export function discountBody(d) {
  if (!d) return null;
  if (d.bp !== undefined) return { percent: percentString(d.bp) };
  return { amount_minor: Number(d.amount) };
}

/** The lines of POST /sales. */
export function saleLines(cart) {
  return cart.lines.map((l) => ({
    product_id: l.product_id,
    quantity: quantityString(l.qty_milli),
    unit_price_minor: l.unit_price_minor,
    discount: discountBody(l.discount),
  }));
}

/** Attaches `member` (a /customers/lookup answer) or detaches (null): their tier's prices. */
export function setMember(cart, member) {
  cart.member = member || null;
  cart.customerTier = member ? member.price_tier || null : null;
}

/**
 * The body of POST /api/v1/sales exactly as docs/register.md has it. `tenders` are already in
 * the API's shape.
 */
export function saleBody({ id, registerId, shiftId, cart, tenders, offline = false, createdAt = new Date() }) {
  return {
    id,
    register_id: registerId,
    shift_id: shiftId,
    customer_tier: cart.customerTier || null,
    // A member sale: the server prices it at the member's tier and books points and stored value.
    ...(cart.member?.id ? { customer_id: cart.member.id } : {}),
    offline,
    created_at: createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lines: saleLines(cart),
    order_discount: discountBody(cart.orderDiscount),
    approval_token: cart.approvalToken || null,
    tenders,
  };
}
