// The register's pure modules without a browser: the pricing mirror (half-up lines, largest
// remainder order discount, inclusive/exclusive tax, cash rounding), quantities and percents as
// exact decimals, scale labels (as crates/domain/src/catalog/scale.rs reads them), UUIDv7, the
// cart's request body, and the scanner's burst detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  divHalfUp, parsePercent, parseQuantity, parseRate, percentString, quantityString,
} from '../../web/js/register/decimal.js';
import {
  allocate, beyondLimit, cashRounding, needsApproval, priceCart, roundToStep, roundingStep, taxOf,
} from '../../web/js/register/pricing.js';
import { decodeScale, encodeScale, normalPlu } from '../../web/js/register/scale.js';
import { createScanDetector, looksLikeCode, splitQuantityPrefix } from '../../web/js/register/keys.js';

if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { uuidv7 } = await import('../../web/js/register/uuid.js');
const { addProduct, emptyCart, reprice, saleBody, setMember } = await import('../../web/js/register/cart.js');

test('half-up division rounds .5 away from zero', () => {
  assert.equal(divHalfUp(5n, 2n), 3n);
  assert.equal(divHalfUp(4n, 3n), 1n);
  assert.equal(divHalfUp(-5n, 2n), -3n);
  assert.equal(divHalfUp(2117440n, 1000n), 2117n); // 3980 × 0.532 = 2117.36 → 2117
  assert.equal(divHalfUp(1500n, 1000n), 2n);
});

test('quantities and percents are exact decimals', () => {
  assert.deepEqual(parseQuantity('2', 0), { milli: 2000 });
  assert.deepEqual(parseQuantity('0.532', 3), { milli: 532 });
  assert.deepEqual(parseQuantity('1.50', 1), { milli: 1500 });
  assert.equal(parseQuantity('1.5', 0).error, 'decimals');
  assert.equal(parseQuantity('0', 3).error, 'zero');
  assert.equal(parseQuantity('abc', 3).error, 'format');
  assert.equal(quantityString(2000), '2');
  assert.equal(quantityString(532), '0.532');
  assert.equal(quantityString(1500), '1.5');
  assert.deepEqual(parsePercent('10'), { bp: 1000 });
  assert.deepEqual(parsePercent('12.5%'), { bp: 1250 });
  assert.equal(parsePercent('101').error, 'range');
  assert.equal(parsePercent('1.234').error, 'decimals');
  assert.equal(percentString(1250), '12.5');
  assert.equal(percentString(1000), '10');
  assert.deepEqual(parseRate('0.13'), { num: 13n, den: 100n });
});

test('line gross, line discounts, order discount by largest remainder, inclusive tax', () => {
  const lines = [
    { unit_price_minor: 350, qty_milli: 2000, discount: null, tax_rate: '0.13' }, // 700
    { unit_price_minor: 3980, qty_milli: 532, discount: null, tax_rate: '0.09' }, // 2117.36 → 2117
    { unit_price_minor: 999, qty_milli: 1000, discount: { bp: 1000 }, tax_rate: '0.13' }, // 999 − 99.9→100 = 899
    { unit_price_minor: 500, qty_milli: 1000, discount: { amount: 50 }, tax_rate: '0' }, // 450
  ];
  const p = priceCart(lines, { bp: 500 }); // 5 % of 4166 = 208.3 → 208
  assert.deepEqual(p.lines.map((l) => l.gross), [700, 2117, 999, 500]);
  assert.deepEqual(p.lines.map((l) => l.lineDiscount), [0, 0, 100, 50]);
  assert.equal(p.afterLines, 4166);
  assert.equal(p.orderDiscount, 208);
  assert.equal(p.lines.reduce((a, l) => a + l.orderDiscount, 0), 208);
  // 208 × [700, 2117, 899, 450] / 4166 = 34.95, 105.70, 44.86, 22.47 → floors 34+105+44+22 = 205;
  // the 3 left go to the largest remainders: .95, .86, .70.
  assert.deepEqual(p.lines.map((l) => l.orderDiscount), [35, 106, 45, 22]);
  assert.equal(p.total, 4166 - 208);
  assert.equal(p.subtotal, 4316);
  assert.equal(p.discount, 150 + 208);
  // inclusive: tax = net − round(net / (1 + rate))
  assert.equal(p.lines[0].tax, 665 - Number(divHalfUp(66500n, 113n)));
  assert.equal(p.lines[3].tax, 0);
  assert.equal(p.tax, p.lines.reduce((a, l) => a + l.tax, 0));
});

test('exclusive tax is added on top', () => {
  const p = priceCart([{ unit_price_minor: 1000, qty_milli: 1000, discount: null, tax_rate: '0.0825' }], null, 'exclusive');
  assert.equal(p.tax, 83); // 82.5 → 83
  assert.equal(p.total, 1083);
  assert.equal(taxOf(1130, '0.13'), 130);
});

test('largest remainder allocation sums exactly and ties go to the earlier line', () => {
  assert.deepEqual(allocate(10, [1, 1, 1]), [4, 3, 3]);
  assert.deepEqual(allocate(0, [5, 5]), [0, 0]);
  assert.deepEqual(allocate(7, [0, 0]), [7, 0]);
  for (let i = 0; i < 200; i++) {
    const w = Array.from({ length: 1 + (i % 7) }, (_, k) => ((i * 7919 + k * 104729) % 5000) + 1);
    const total = (i * 37) % 3000;
    assert.equal(allocate(total, w).reduce((a, b) => a + b, 0), total);
  }
});

test('cash rounding (抹零) of the cash part, half up to the step', () => {
  assert.equal(roundingStep('0.1', 2), 10);
  assert.equal(roundingStep('1', 2), 100);
  assert.equal(roundingStep('none', 2), 1);
  assert.equal(roundToStep(1234, 10), 1230);
  assert.equal(roundToStep(1235, 10), 1240);
  assert.equal(roundToStep(-1235, 10), -1240);
  assert.equal(roundToStep(-1234, 10), -1230);
  // 21.23 total, 10.00 by card: the cash part 11.23 → 11.20, rounding −0.03, due 21.20
  assert.deepEqual(cashRounding(2123, 1000, true, 10), { cashPart: 1123, cashDue: 1120, rounding: -3, amountDue: 2120 });
  assert.deepEqual(cashRounding(2123, 2123, false, 10), { cashPart: 0, cashDue: 0, rounding: 0, amountDue: 2123 });
});

test('the discount limit is a percent of the gross (line) or of the subtotal (order)', () => {
  assert.equal(beyondLimit(100, 1000, 10), false);
  assert.equal(beyondLimit(101, 1000, 10), true);
  assert.equal(beyondLimit(125, 1000, '12.5'), false);
  const lines = [{ unit_price_minor: 1000, qty_milli: 1000, discount: { bp: 1500 }, tax_rate: '0' }];
  assert.equal(needsApproval(lines, null, priceCart(lines, null), 10), true);
  assert.equal(needsApproval(lines, null, priceCart(lines, null), 20), false);
  const plain = [{ unit_price_minor: 1000, qty_milli: 1000, discount: null, tax_rate: '0' }];
  assert.equal(needsApproval(plain, { amount: 200 }, priceCart(plain, { amount: 200 }), 10), true);
});

test('scale labels: prefix + PLU + grams + check digit (SCALE-W of the demo)', () => {
  const w = { prefix: '2', plu_digits: 5, value_kind: 'weight', value_digits: 6, active: true };
  const code = encodeScale(w, '10023', 1234);
  assert.equal(code.length, 13);
  assert.deepEqual(decodeScale(code, [w]), { plu: '10023', kind: 'weight', value: 1234, format: w });
  // a misread digit fails the check digit; a product barcode is not a label
  const bad = code.slice(0, 8) + ((Number(code[8]) + 1) % 10) + code.slice(9);
  assert.equal(decodeScale(bad, [w]), null);
  assert.equal(decodeScale('6901939621608', [w]), null);
  assert.equal(normalPlu('00123'), '123');
  const price = { prefix: '21', plu_digits: 5, value_kind: 'price', value_digits: 5, active: true };
  const pl = encodeScale(price, '123', 4590);
  assert.deepEqual(decodeScale(pl, [w, price]).plu, '123');
  assert.equal(decodeScale(pl, [price]).value, 4590);
});

test('UUIDv7: version 7, RFC variant, sorted by time', () => {
  const a = uuidv7(1_700_000_000_000);
  const b = uuidv7(1_700_000_000_000);
  const c = uuidv7(1_700_000_000_001);
  for (const id of [a, b, c]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(a < b && b < c, `${a} < ${b} < ${c}`);
  assert.equal(a.slice(0, 8) + a.slice(9, 13), (1_700_000_000_000).toString(16).padStart(12, '0'));
});

test('the cart makes the body of POST /sales as docs/register.md has it', () => {
  const cart = emptyCart();
  const cola = { id: 'p1', sku: 'P1', name_zh: '可乐', price_minor: 350, tier_prices: { member: 330 }, sold_by_weight: false, quantity_precision: 0, tax_class_id: 't' };
  const apple = { id: 'p2', sku: 'F1', name_zh: '苹果', price_minor: 1198, tier_prices: {}, sold_by_weight: true, quantity_precision: 3, tax_class_id: 't' };
  addProduct(cart, cola, 1000, '0.13');
  addProduct(cart, cola, 1000, '0.13'); // joins the line
  addProduct(cart, apple, 532, '0.09', { weightGrams: 532 });
  cart.lines[1].discount = { amount: 50 };
  cart.orderDiscount = { bp: 500 };
  const body = saleBody({
    id: 'id-1', registerId: 'r', shiftId: 's', cart, createdAt: new Date('2026-11-27T08:01:02.345Z'),
    tenders: [{ code: 'CASH', amount_minor: 1120, tendered_minor: 2000 }],
  });
  assert.deepEqual(body, {
    id: 'id-1', register_id: 'r', shift_id: 's', customer_tier: null, offline: false, created_at: '2026-11-27T08:01:02Z',
    lines: [
      { product_id: 'p1', quantity: '2', unit_price_minor: 350, discount: null },
      { product_id: 'p2', quantity: '0.532', unit_price_minor: 1198, discount: { amount_minor: 50 } },
    ],
    order_discount: { percent: '5' }, approval_token: null,
    tenders: [{ code: 'CASH', amount_minor: 1120, tendered_minor: 2000 }],
  });
});

test('a member: the tier prices, customer_id on the sale, detaching restores the store price', () => {
  const cart = emptyCart();
  const p = { id: 'p1', sku: 'A', name_zh: 'A', unit: 'piece', price_minor: 1000, tier_prices: { member: 950 }, tax_class_id: 't' };
  addProduct(cart, p, 1000, '0.13');
  assert.equal(cart.lines[0].unit_price_minor, 1000);
  setMember(cart, { id: 'c1', name: '王芳', price_tier: 'member' });
  reprice(cart, () => p, () => '0.13');
  assert.equal(cart.lines[0].unit_price_minor, 950);
  const body = saleBody({ id: 'id-2', registerId: 'r', shiftId: 's', cart, createdAt: new Date('2026-11-27T08:01:02Z'), tenders: [] });
  assert.equal(body.customer_id, 'c1');
  assert.equal(body.customer_tier, 'member');
  setMember(cart, null);
  reprice(cart, () => p, () => '0.13');
  assert.equal(cart.lines[0].unit_price_minor, 1000);
  assert.equal('customer_id' in saleBody({ id: 'id-3', registerId: 'r', shiftId: 's', cart, tenders: [] }), false);
});

test('scanner bursts are told from typing', () => {
  const d = createScanDetector();
  let t0 = 1000;
  for (const ch of '6901234567892') d.key({ key: ch, timeStamp: (t0 += 8) });
  assert.equal(d.wasScan('6901234567892'), true);
  d.reset();
  for (const ch of '6901') d.key({ key: ch, timeStamp: (t0 += 250) });
  assert.equal(d.wasScan('6901'), false);
  assert.equal(looksLikeCode('6901234567892'), true);
  assert.equal(looksLikeCode('cola'), false);
  assert.deepEqual(splitQuantityPrefix('3*6901234567892'), { qty: '3', code: '6901234567892' });
  assert.equal(splitQuantityPrefix('cola'), null);
});

test('half-even rounding when the company says so', async () => {
  const { divRound } = await import('../../web/js/register/decimal.js');
  assert.equal(divRound(5n, 2n, 'half_even'), 2n);
  assert.equal(divRound(7n, 2n, 'half_even'), 4n);
  assert.equal(divRound(-5n, 2n, 'half_even'), -2n);
  assert.equal(divRound(5n, 2n), 3n);
  const line = [{ unit_price_minor: 5, qty_milli: 500, discount: null, tax_rate: '0' }]; // 2.5
  assert.equal(priceCart(line, null, 'inclusive', 'half_even').total, 2);
  assert.equal(priceCart(line, null, 'inclusive', 'half_up').total, 3);
  assert.deepEqual(allocate(5, [0, 0]), [5, 0]);
});
