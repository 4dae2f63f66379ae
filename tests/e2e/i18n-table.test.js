// The UI's text table (web/js/i18n.js): every key the screens use exists, every row has both a
// Chinese and an English text, and both texts of a row take the same {placeholders}.
// A static check, no browser or server needed; the browser tests also fail on a missing key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR } from './lib/server.js';

const WEB_JS = path.resolve(E2E_DIR, '../../web/js');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.js') ? [[p, fs.readFileSync(p, 'utf8')]] : [];
  });
}

function loadTable() {
  const text = fs.readFileSync(path.join(WEB_JS, 'i18n.js'), 'utf8');
  const m = /const TABLE = (\{[\s\S]*?\n\});/.exec(text);
  assert.ok(m, 'i18n.js defines `const TABLE = {...};`');
  return new Function(`return (${m[1]});`)();
}

const table = loadTable();
const files = sources(path.join(WEB_JS));
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();

test('every row has a Chinese and an English text with the same placeholders', () => {
  for (const [key, row] of Object.entries(table)) {
    assert.ok(Array.isArray(row) && row.length === 2, `${key}: [zh-CN, en]`);
    assert.ok(row[0].trim() && row[1].trim(), `${key}: both texts are filled in`);
    assert.deepEqual(placeholders(row[0]), placeholders(row[1]), `${key}: same placeholders`);
  }
});

test('every key the screens use is in the table', () => {
  const missing = [];
  for (const [file, src] of files) {
    const used = [
      ...[...src.matchAll(/\bt\('([\w.-]+)'/g)].map((x) => x[1]),
      ...[...src.matchAll(/label: '([\w]+\.[\w.]+)'/g)].map((x) => x[1]),
    ];
    for (const key of used) if (!(key in table)) missing.push(`${path.relative(WEB_JS, file)}: ${key}`);
    for (const [, prefix] of src.matchAll(/\$tv\('(\w+)'/g)) {
      if (!Object.keys(table).some((k) => k.startsWith(`${prefix}.`))) missing.push(`${file}: ${prefix}.*`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the closed value sets of the API all have labels', () => {
  const sets = {
    role: ['admin', 'regional_manager', 'store_manager', 'cashier', 'stock_clerk', 'accountant', 'auditor'],
    storeKind: ['store', 'warehouse'],
    cashRounding: ['none', '0.1', '1'],
    negativeStock: ['allow', 'refuse'],
    taxMode: ['inclusive', 'exclusive'],
    roundingRule: ['half_up', 'half_even'],
    locale: ['zh-CN', 'en'],
    unit: ['piece', 'box', 'pack', 'bottle', 'can', 'bag', 'kg', 'g', 'litre', 'ml', 'metre'],
    productStatus: ['active', 'discontinued'],
    barcodeKind: ['ean13', 'ean8', 'upca', 'internal'],
    scaleValueKind: ['weight', 'price'],
    scanSource: ['barcode', 'scale'],
    saleKind: ['sale', 'return'],
    saleFlag: ['negative_stock', 'price_changed', 'late_shift'],
    saleFlagHelp: ['negative_stock', 'price_changed', 'late_shift'],
    shiftStatus: ['open', 'closed'],
    tenderKind: ['cash', 'card', 'other', 'mobile'],
    tenderKindHelp: ['cash', 'card', 'other', 'mobile'],
    // Inventory (docs/inventory.md)
    stockStatus: ['ok', 'low', 'out', 'over'],
    alertKind: ['low', 'over'],
    movementKind: ['sale', 'return', 'receipt', 'transfer_out', 'transfer_in', 'count', 'write_off', 'adjustment'],
    poStatus: ['draft', 'submitted', 'approved', 'partially_received', 'received', 'closed', 'cancelled'],
    transferStatus: ['requested', 'approved', 'shipped', 'received', 'closed', 'cancelled'],
    transferDirection: ['in', 'out'],
    countStatus: ['open', 'submitted', 'approved', 'cancelled'],
    countScope: ['full', 'category', 'list'],
    countLineFilter: ['all', 'uncounted', 'counted', 'variance'],
    receiptKind: ['receipt', 'return'],
    valuationGroup: ['location', 'category'],
    'po.done': ['submit', 'approve', 'cancel', 'close', 'return'],
    'transfers.done': ['approve', 'ship', 'receive', 'close', 'cancel'],
    'counts.done': ['submit', 'approve', 'cancel'],
    counts: ['submit', 'approve', 'cancel'],
    qty: ['required', 'format', 'decimals', 'negative', 'zero'],
    // Customers and membership (docs/customers.md)
    customerKind: ['person', 'business'],
    customerStatus: ['active', 'merged', 'erased'],
    gender: ['female', 'male', 'other'],
    segment: ['champions', 'loyal', 'potential', 'new', 'at_risk', 'hibernating', 'lost'],
    expiryMode: ['year_end', 'months', 'never'],
    taskStatus: ['open', 'done', 'cancelled'],
    'tasks.done': ['done', 'cancelled'],
    pointsKind: ['earn', 'redeem', 'earn_reversal', 'redeem_refund', 'expire', 'adjust', 'merge'],
    storedValueKind: ['topup', 'bonus', 'pay', 'refund', 'adjust', 'merge'],
    // Keys the screens build from a client-side check's result (t(`money.${error}`) …).
    money: ['format', 'negative', 'decimals'],
    barcode: ['wrongCheckDigit', 'digitsOnly', 'length', 'internalFormat'],
    'taxClasses.rateError': ['format', 'range', 'decimals'],
  };
  for (const [prefix, values] of Object.entries(sets)) {
    for (const v of values) assert.ok(`${prefix}.${v}` in table, `${prefix}.${v}`);
  }
});
