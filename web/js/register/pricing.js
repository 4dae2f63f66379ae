// The register's mirror of the server's pricing (docs/register.md "Pricing"), so the screen
// shows the totals the server will compute. The server prices every sale again and its answer
// (the receipt) is the truth; this only has to agree with it.
//
// 1. line gross = round_half_up(unit price × quantity);
// 2. line discount: percent of gross (half up) or an amount ≤ gross;
// 3. order discount: percent or amount of the sum after line discounts, spread over the lines
//    in proportion to it by largest remainder, so the lines add up to the total exactly;
// 4. tax per line: inclusive `tax = net − round(net / (1 + rate))`, exclusive
//    `tax = round(net × rate)` added to the total;
// 5. cash rounding (抹零): with cash among the tenders, the cash part (total − non-cash
//    tenders) is rounded half up to the store's step; the difference is the rounding line.
// Steps 1–4 round by the company's rounding_rule ('half_up' by default, or 'half_even'), as
// salepoint_domain::checkout does; cash rounding is always half up.
import { divRound, parseRate } from './decimal.js';

/**
 * A discount as the cart keeps it: null, { bp } (hundredths of a percent) or { amount }
 * (minor units) → its minor units on `base`.
 */
export function discountOn(base, discount, rule = 'half_up') {
  if (!discount) return 0;
  if (discount.bp !== undefined) return Number(divRound(BigInt(base) * BigInt(discount.bp), 10000n, rule));
  return Math.min(Number(discount.amount) || 0, base);
}

/**
 * Splits `total` over `weights` in proportion, largest remainder first (ties: earlier line); with
 * all weights zero everything goes to the first line (as salepoint_domain::checkout::allocate).
 */
export function allocate(total, weights) {
  const sum = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (!weights.length) return [];
  if (sum === 0n) return weights.map((_, i) => (i === 0 ? total : 0));
  const T = BigInt(total);
  const shares = weights.map((w) => (T * BigInt(w)) / sum);
  const rems = weights.map((w, i) => ({ i, r: (T * BigInt(w)) % sum }));
  let left = T - shares.reduce((a, s) => a + s, 0n);
  rems.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rems) {
    if (left <= 0n) break;
    shares[i] += 1n;
    left -= 1n;
  }
  return shares.map(Number);
}

/** The tax in `net` at `rate` ("0.13"): inclusive (in the price) or exclusive (on top). */
export function taxOf(net, rate, mode = 'inclusive', rule = 'half_up') {
  const { num, den } = parseRate(rate);
  if (num === 0n) return 0;
  const n = BigInt(net);
  if (mode === 'exclusive') return Number(divRound(n * num, den, rule));
  return Number(n - divRound(n * den, den + num, rule));
}

/**
 * Prices a cart. `lines`: [{ unit_price_minor, qty_milli, discount, tax_rate }];
 * `orderDiscount`: null | { bp } | { amount }; `rule`: the company's rounding_rule. Returns the
 * per-line figures and the totals.
 */
export function priceCart(lines, orderDiscount = null, taxMode = 'inclusive', rule = 'half_up') {
  const out = lines.map((l) => {
    const gross = Number(divRound(BigInt(l.unit_price_minor) * BigInt(l.qty_milli), 1000n, rule));
    const lineDiscount = discountOn(gross, l.discount, rule);
    return { gross, lineDiscount, after: gross - lineDiscount, orderDiscount: 0, net: 0, tax: 0 };
  });
  const afterLines = out.reduce((a, l) => a + l.after, 0);
  const orderMinor = discountOn(afterLines, orderDiscount, rule);
  const shares = allocate(orderMinor, out.map((l) => l.after));
  out.forEach((l, i) => {
    l.orderDiscount = shares[i];
    l.net = l.after - shares[i];
    l.tax = taxOf(l.net, lines[i].tax_rate, taxMode, rule);
  });
  const subtotal = out.reduce((a, l) => a + l.gross, 0);
  const lineDiscounts = out.reduce((a, l) => a + l.lineDiscount, 0);
  const net = out.reduce((a, l) => a + l.net, 0);
  const tax = out.reduce((a, l) => a + l.tax, 0);
  return {
    lines: out,
    subtotal,
    lineDiscounts,
    orderDiscount: orderMinor,
    afterLines,
    discount: lineDiscounts + orderMinor,
    tax,
    total: taxMode === 'exclusive' ? net + tax : net,
  };
}

/** The store's cash rounding setting ('none', '0.1', '1') as a step in minor units. */
export function roundingStep(setting, digits = 2) {
  if (setting === '0.1') return digits >= 1 ? 10 ** (digits - 1) : 1;
  if (setting === '1') return 10 ** digits;
  return 1;
}

/** `minor` rounded half up (away from zero) to a multiple of `step`, as Money::round_to_step. */
export function roundToStep(minor, step) {
  if (step <= 1) return minor;
  const rem = ((minor % step) + step) % step;
  const down = minor - rem;
  const up = minor >= 0 ? rem * 2 >= step : rem * 2 > step;
  return up ? down + step : down;
}

/**
 * What the customer pays: with cash among the tenders the cash part (total − non-cash) is
 * rounded to the step. Returns { cashPart, cashDue, rounding, amountDue }.
 */
export function cashRounding(total, nonCash, hasCash, step) {
  const cashPart = total - nonCash;
  if (!hasCash) return { cashPart, cashDue: 0, rounding: 0, amountDue: total };
  const cashDue = roundToStep(cashPart, step);
  const rounding = cashDue - cashPart;
  return { cashPart, cashDue, rounding, amountDue: total + rounding };
}

/**
 * Whether a discount goes beyond the store's limit (`maxPercent`, e.g. 10): percent of the
 * line's gross, or of the subtotal after line discounts for the order discount.
 */
export function beyondLimit(discountMinor, base, maxPercent) {
  if (!discountMinor || base <= 0) return false;
  const limitBp = Math.round(Number(maxPercent) * 100);
  return BigInt(discountMinor) * 10000n > BigInt(base) * BigInt(limitBp);
}

/** Whether any discount of a priced cart needs a manager's approval. */
export function needsApproval(cartLines, orderDiscount, priced, maxPercent) {
  const line = cartLines.some((l, i) => l.discount && beyondLimit(priced.lines[i].lineDiscount, priced.lines[i].gross, maxPercent));
  const order = !!orderDiscount && beyondLimit(priced.orderDiscount, priced.afterLines, maxPercent);
  return line || order;
}
