// Customers' data quality and history in the browser, with the demo chain:
// 1. two customers with the same name and birthday, made through the API (no SQL) — the first
//    with 22 card sales, the second with one, at a register of SH001 with a shift opened through
//    the API — show as a pair on 疑似重复客户 (#/customers/duplicates, opened from the customer
//    list); the SH001 cashier (customers.read) sees the pair but cannot merge;
// 2. the admin merges the first into the second there, after a confirmation naming both: the
//    pair is gone, the server has the first as merged into the second with its points, and the
//    survivor's 360 page pages through all 23 sales and returns, the merged customer's included
//    (20, then "load more" for the last 3, newest first), as GET /customers/{id}/sales has them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import { byTest, login, openBrowser, screenshotOnFailure } from './lib/browser.js';
import { apiAs } from './lib/api.js';

if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { uuidv7 } = await import('../../web/js/register/uuid.js');

const DEMO_PASSWORD = 'Salepoint-Demo-2026';
/** The name and birthday the two records share (no demo member has this name). */
const NAME = '欧阳重复';
const BIRTHDAY = '1977-07-07';

let server;
let browser;
let admin;
const shared = {};

before(async () => {
  server = await startServer({ demo: true });
  browser = await openBrowser();
  admin = await apiAs(server.url, 'admin', ADMIN_PASSWORD);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A mobile the demo members do not use (their prefixes never start with 199). */
const testPhone = () => `199${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** A register of its own in SH001 with an open shift, and a product to sell. */
async function till() {
  const stores = await admin.get('/stores?limit=200');
  const store = stores.data.find((s) => s.code === 'SH001');
  assert.ok(store, 'the demo has SH001');
  const register = await admin.post(`/stores/${store.id}/registers`, { code: 'E2EDUP', name: 'SH001 e2e duplicates' });
  const shift = await admin.post('/shifts', { register_id: register.id, opening_float_minor: 0 });
  const snap = await admin.get(`/stores/${store.id}/catalog`);
  const product = snap.products.find((p) => !p.sold_by_weight && p.price_minor >= 500 && !p.tier_prices?.member);
  assert.ok(product, 'a product sold by the piece without a member price');
  return { store, register, shift, product };
}

/** A card sale of one piece of `t.product` for `customerId`. */
async function sell(t, customerId, i) {
  const price = t.product.price_minor;
  return admin.post('/sales', {
    id: uuidv7(), register_id: t.register.id, shift_id: t.shift.id, customer_tier: null, customer_id: customerId,
    offline: false, created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lines: [{ product_id: t.product.id, quantity: '1', unit_price_minor: price, discount: null }],
    order_discount: null, approval_token: null,
    tenders: [{ code: 'CARD', amount_minor: price, reference: `T-DUP-${i}`, card_last4: '4242' }],
  }, { key: true });
}

test('duplicates: a pair with the same name and birthday is listed; a cashier cannot merge', async () => {
  const { page } = browser;
  await screenshotOnFailure(page, 'customers-duplicates-cashier', async () => {
    const t = await till();
    const make = () => admin.post('/customers', {
      kind: 'person', name: NAME, phone: testPhone(), birthday: BIRTHDAY, home_store_id: t.store.id,
    }, { key: true });
    const first = await make();
    const second = await make();
    for (let i = 0; i < 22; i += 1) await sell(t, first.id, i);
    await sell(t, second.id, 22);
    Object.assign(shared, { first, second });
    const pairs = (await admin.get('/customers/duplicates?limit=100')).data;
    assert.ok(pairs.some((p) => p.a.id === first.id && p.b.id === second.id && p.reason === 'name_birthday'),
      'the API pairs them');

    await page.goto(server.url);
    await login(page, 'cashier.sh001', DEMO_PASSWORD);
    await page.goto(`${server.url}#/customers`);
    await page.locator(byTest('customers-duplicates')).click();
    const pair = page.locator(`${byTest('duplicate-pair')}[data-a="${first.member_no}"][data-b="${second.member_no}"]`);
    // Finding the pairs reads every customer in scope (the admin: the demo's 50,000): slow in a debug build.
    await pair.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await pair.locator(byTest('duplicate-reason')).getAttribute('data-reason'), 'name_birthday');
    assert.match(await pair.innerText(), /同名且生日相同/);
    assert.equal(await pair.locator(byTest(`duplicate-merge-${first.member_no}`)).count(), 0, 'no merge without customers.admin');
    await page.locator(byTest('logout')).click();
    await page.locator(byTest('login-username')).waitFor({ state: 'visible' });
  });
});

test('duplicates: the admin merges one into the other; the survivor pages through all sales', async () => {
  const { page, problems } = browser;
  const { first, second } = shared;
  assert.ok(first && second, 'the first test made the pair');
  await screenshotOnFailure(page, 'customers-duplicates-admin', async () => {
    await page.goto(server.url);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${server.url}#/customers/duplicates`);
    const pair = page.locator(`${byTest('duplicate-pair')}[data-a="${first.member_no}"][data-b="${second.member_no}"]`);
    // Finding the pairs reads every customer in scope (the admin: the demo's 50,000): slow in a debug build.
    await pair.waitFor({ state: 'visible', timeout: 60_000 });
    await pair.locator(byTest(`duplicate-merge-${first.member_no}`)).click();
    const box = page.locator('.el-message-box');
    await box.waitFor({ state: 'visible' });
    const question = await box.innerText();
    assert.ok(question.includes(first.member_no) && question.includes(second.member_no), question);
    await page.locator('.sp-confirm-ok').click();
    await page.locator('.sp-saved-toast').first().waitFor({ state: 'visible' });
    await pair.waitFor({ state: 'detached' });

    const merged = await admin.get(`/customers/${first.id}`);
    assert.equal(merged.status, 'merged');
    assert.equal(merged.merged_into, second.id);
    const all = [];
    for (let cursor = null, n = 0; n < 10; n += 1) {
      const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const pageOf = await admin.get(`/customers/${second.id}/sales?limit=50${q}`);
      all.push(...pageOf.data);
      cursor = pageOf.next_cursor;
      if (!cursor) break;
    }
    assert.equal(all.length, 23, 'both customers\' sales');

    // The survivor's 360 page: 20 sales, then the last 3 after "load more".
    await page.goto(`${server.url}#/customers/${second.id}`);
    await page.locator(byTest('customer-name')).waitFor({ state: 'visible' });
    assert.equal((await page.locator(byTest('customer-sales-count')).innerText()).trim(), '23');
    const rows = page.locator(`${byTest('customer-sales')} .el-table__body tr`);
    await page.waitForFunction(() => document.querySelectorAll('[data-test="customer-sales"] .el-table__body tr').length === 20);
    const shown = async () => page.locator(`${byTest('customer-sales')} [data-test^="customer-sale-"]`).allInnerTexts();
    assert.deepEqual(await shown(), all.slice(0, 20).map((s) => s.receipt_no));
    await page.locator(`${byTest('customer-sales-more')} ${byTest('load-more')}`).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test="customer-sales"] .el-table__body tr').length === 23);
    assert.equal(await rows.count(), 23);
    assert.deepEqual(await shown(), all.map((s) => s.receipt_no));
    assert.equal(await page.locator(byTest('customer-sales-more')).count(), 0, 'no more pages');
    assert.deepEqual(problems, []);
  });
});
