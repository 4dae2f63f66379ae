// The inventory screens (库存) with the demo chain and its opening stock (no sales history):
// 1. 要货: the SH001 stock clerk asks the Shanghai warehouse for two products (a request from a
//    location to itself is refused at the field first); the admin — the warehouse side —
//    approves and ships; the SH001 manager receives one line short; the transfer shows the
//    difference (screen and API), and the stock levels moved at both locations (in transit
//    while shipped, on hand once received);
// 2. 盘点: the clerk counts one product of SH001 by scanning its barcode twice (blind: no book
//    figures), submits; the manager sees the variance report and approves; on hand becomes 2;
// 3. 采购收货: the admin creates a supplier and a purchase order, submits (and approves) it,
//    receives one line with one piece more scanned (an over-delivery warning) and one line in
//    part; receiving far too much is refused at its line; a return to the supplier;
// 4. the stock browser (the product across locations, the ledger), a reorder rule, the live
//    stock.low alert, replenishment (one click, then the document it made), the valuation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import { byTest, chooseOption, login, openBrowser, screenshotOnFailure } from './lib/browser.js';
import { waitForFocus } from './lib/register.js';

const DEMO_PASSWORD = 'Salepoint-Demo-2026';

let server;
let browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Calls /api/v1<path> from the page with the session cookie and the CSRF header. */
async function api(page, method, path, body, { key = false } = {}) {
  return page.evaluate(async ({ method, url, body, key }) => {
    const csrf = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === 'sp_csrf')?.[1] || '';
    const headers = { Accept: 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = crypto.randomUUID();
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, { method, url: `/api/v1${path}`, body, key });
}

async function ok(page, method, path, body, opts) {
  const res = await api(page, method, path, body, opts);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function logout(page) {
  await page.locator(byTest('logout')).click();
  await page.locator(byTest('login-username')).waitFor({ state: 'visible' });
}

async function relogin(page, username, password = DEMO_PASSWORD) {
  await logout(page);
  await login(page, username, password);
}

/** Opens a product picker (an el-select with remote search), types `text`, picks `sku`. */
async function pickProduct(page, picker, text, sku) {
  await page.locator(byTest(picker)).click();
  await page.keyboard.type(text, { delay: 20 });
  const opt = page.locator(`${byTest(`product-option-${sku}`)}:visible`);
  await opt.waitFor({ state: 'visible' });
  await opt.click();
}

/** Waits until the element `name` has the attribute `attr` equal to `value`. */
async function waitForAttr(page, name, attr, value) {
  await page.waitForFunction(([sel, a, v]) => document.querySelector(sel)?.getAttribute(a) === v, [byTest(name), attr, value]);
}

async function waitForText(page, name, expected) {
  await page.waitForFunction(
    ([sel, text]) => document.querySelector(sel)?.innerText.trim() === text,
    [byTest(name), expected],
  );
}

const num = (q) => Number(q ?? 0);

/** The locations by code (of what the signed-in user sees). */
async function locations(page) {
  const list = (await ok(page, 'GET', '/stores?limit=200')).data;
  return Object.fromEntries(list.map((l) => [l.code, l]));
}

/** The stock level of a product at a location (zeros when it has none). */
async function level(page, locationId, productId) {
  const page1 = await ok(page, 'GET', `/stock?location_id=${locationId}&product_id=${productId}`);
  return page1.data[0] || { on_hand: '0', available: '0', in_transit: '0' };
}

const MEASURED = new Set(['kg', 'g', 'litre', 'ml', 'metre']);

/**
 * `n` products with at least `min` available at `locationId`, counted in whole units and with a
 * barcode (a scanner can find them); `skip` leaves out SKUs used already.
 */
async function stockedProducts(page, locationId, min, n, { skip = [] } = {}) {
  const out = [];
  let cursor = '';
  for (let i = 0; i < 10 && out.length < n; i++) {
    const res = await ok(page, 'GET', `/stock?location_id=${locationId}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    for (const r of res.data) {
      if (out.length === n) break;
      if (num(r.available) < min || MEASURED.has(r.unit) || skip.includes(r.sku) || !Number.isInteger(num(r.available))) continue;
      const p = await ok(page, 'GET', `/products/${r.product_id}`);
      const barcode = (p.barcodes || []).find((b) => b.kind !== 'internal')?.code;
      if (!barcode || p.sold_by_weight) continue;
      out.push({ ...r, barcode });
    }
    if (!res.next_cursor) break;
    cursor = encodeURIComponent(res.next_cursor);
  }
  assert.equal(out.length, n, `${n} stocked products at ${locationId}`);
  return out;
}

const hashId = (page) => new URL(page.url()).hash.split('/')[2]?.split('?')[0];

test('transfer: a store requests goods, the warehouse approves and ships, the store receives one short', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'inventory-transfer', async () => {
    await page.goto(server.url);
    // The admin puts two products of SH001's range into the Shanghai warehouse (an adjustment).
    await login(page, 'admin', ADMIN_PASSWORD);
    const locs = await locations(page);
    const sh = locs.SH001;
    const wh = locs['WH-SH'];
    const [p1, p2] = await stockedProducts(page, sh.id, 1, 2);
    await ok(page, 'POST', '/stock/adjustments', {
      location_id: wh.id, kind: 'adjustment', reason: '期初入库',
      lines: [{ product_id: p1.product_id, quantity: '50' }, { product_id: p2.product_id, quantity: '50' }],
    }, { key: true });
    await relogin(page, 'stock.sh001');
    assert.ok((await locations(page))['WH-SH'], 'the clerk sees WH-SH');
    const before = {
      sh1: await level(page, sh.id, p1.product_id), sh2: await level(page, sh.id, p2.product_id),
      wh1: await level(page, wh.id, p1.product_id), wh2: await level(page, wh.id, p2.product_id),
    };

    // 要货: from SH001 to SH001 is refused next to the field, then from WH-SH.
    await page.locator(byTest('menu-transfers')).click();
    await page.locator(byTest('transfers-table')).waitFor({ state: 'visible' });
    await page.locator(byTest('transfer-create')).click();
    await page.locator(byTest('transfer-request-dialog')).waitFor({ state: 'visible' });
    await chooseOption(page, 'transfer-from', 'from-option-SH001');
    await chooseOption(page, 'transfer-to', 'to-option-SH001');
    await pickProduct(page, 'transfer-add-product', p1.sku, p1.sku);
    await page.locator(byTest('transfer-request-qty-0')).fill('10');
    await pickProduct(page, 'transfer-add-product', p2.sku, p2.sku);
    await page.locator(byTest('transfer-request-qty-1')).fill('5');
    await page.locator(byTest('transfer-request-save')).click();
    await page.locator(`${byTest('transfer-field-to_location_id')} .el-form-item__error`).waitFor({ state: 'visible' });
    await chooseOption(page, 'transfer-from', 'from-option-WH-SH');
    await page.locator(byTest('transfer-request-save')).click();
    await waitForAttr(page, 'transfer-status', 'data-status', 'requested');
    const id = hashId(page);
    const number = (await page.locator(byTest('transfer-number')).innerText()).trim();
    assert.match(number, /^TR-/);
    // The clerk may not approve (stock.approve) — no button.
    assert.equal(await page.locator(byTest('transfer-approve')).count(), 0);

    // The warehouse side (admin): approve, ship what was requested.
    await relogin(page, 'admin', ADMIN_PASSWORD);
    await page.locator(byTest('menu-transfers')).click();
    await page.locator(byTest(`transfer-open-${number}`)).click();
    await page.locator(byTest('transfer-approve')).click();
    await waitForAttr(page, 'transfer-status', 'data-status', 'approved');
    assert.equal(await page.locator(byTest('transfer-ship-qty-1')).inputValue(), '10');
    assert.equal(await page.locator(byTest('transfer-ship-qty-2')).inputValue(), '5');
    await page.locator(byTest('transfer-ship')).click();
    await waitForAttr(page, 'transfer-status', 'data-status', 'shipped');
    await waitForText(page, 'transfer-line-shipped-1', '10');
    const shipped1 = await level(page, sh.id, p1.product_id);
    assert.equal(num(shipped1.in_transit), num(before.sh1.in_transit) + 10, 'in transit at the store');
    assert.equal(num(shipped1.on_hand), num(before.sh1.on_hand), 'not on hand before it arrives');
    assert.equal(num((await level(page, wh.id, p1.product_id)).on_hand), num(before.wh1.on_hand) - 10, 'left the warehouse');

    // The store (its manager) receives 9 of the 10: the difference shows while typing and after.
    await relogin(page, 'manager.sh001');
    await page.locator(byTest('menu-transfers')).click();
    await page.locator(byTest(`transfer-open-${number}`)).click();
    await waitForAttr(page, 'transfer-status', 'data-status', 'shipped');
    assert.equal(await page.locator(byTest('transfer-receive-qty-1')).inputValue(), '10');
    await page.locator(byTest('transfer-receive-qty-1')).fill('9');
    await waitForAttr(page, 'transfer-line-diff-1', 'data-diff', '-1');
    await page.locator(byTest('transfer-receive')).click();
    await waitForAttr(page, 'transfer-status', 'data-status', 'received');
    await page.locator(byTest('transfer-has-diff')).waitFor({ state: 'visible' });
    await waitForText(page, 'transfer-line-received-1', '9');
    assert.equal((await page.locator(byTest('transfer-line-diff-1')).innerText()).trim(), '-1');
    assert.equal(await page.locator(byTest('transfer-line-diff-1')).evaluate((el) => el.classList.contains('sp-bad')), true);
    assert.equal(await page.locator(byTest('transfer-line-diff-2')).getAttribute('data-diff'), '0');
    // The list shows it received.
    await page.locator(byTest('transfer-back')).click();
    await waitForAttr(page, `transfer-status-${number}`, 'data-status', 'received');

    // The server agrees.
    const tr = await ok(page, 'GET', `/transfers/${id}`);
    assert.equal(tr.status, 'received');
    assert.equal(tr.has_differences, true);
    const line1 = tr.lines.find((l) => l.product_id === p1.product_id);
    const line2 = tr.lines.find((l) => l.product_id === p2.product_id);
    assert.deepEqual([num(line1.requested), num(line1.shipped), num(line1.received), num(line1.difference)], [10, 10, 9, -1]);
    assert.equal(num(line2.difference), 0);
    const after1 = await level(page, sh.id, p1.product_id);
    const after2 = await level(page, sh.id, p2.product_id);
    assert.equal(num(after1.on_hand), num(before.sh1.on_hand) + 9);
    assert.equal(num(after1.in_transit), num(before.sh1.in_transit));
    assert.equal(num(after2.on_hand), num(before.sh2.on_hand) + 5);
    // manager.sh001 does not see the warehouse: its levels are read as the admin.
    await relogin(page, 'admin', ADMIN_PASSWORD);
    assert.equal(num((await level(page, wh.id, p1.product_id)).on_hand), num(before.wh1.on_hand) - 10);
    assert.equal(num((await level(page, wh.id, p2.product_id)).on_hand), num(before.wh2.on_hand) - 5);
    assert.deepEqual(problems, []);
  });
});

test('stock count: two scans count 2, the manager approves, stock follows', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'inventory-count', async () => {
    await page.goto(server.url);
    await page.locator(byTest('menu-home')).waitFor({ state: 'visible' });
    await relogin(page, 'stock.sh001');
    const locs = await locations(page);
    const sh = locs.SH001;
    const [p] = await stockedProducts(page, sh.id, 3, 1);

    await page.locator(byTest('menu-stock-counts')).click();
    await page.locator(byTest('count-create')).click();
    await page.locator(byTest('count-create-dialog')).waitFor({ state: 'visible' });
    await chooseOption(page, 'count-location', 'location-option-SH001');
    await page.locator(byTest('count-scope-list')).click();
    await pickProduct(page, 'count-add-product', p.sku, p.sku);
    await page.locator(byTest(`count-product-${p.sku}`)).waitFor({ state: 'visible' });
    await page.locator(byTest('count-create-save')).click();
    await waitForAttr(page, 'count-status', 'data-status', 'open');
    const id = hashId(page);
    const number = (await page.locator(byTest('count-number')).innerText()).trim();

    // Blind: the clerk sees no book figure. The scan box has the focus; two scans → 2.
    assert.equal(await page.locator(byTest(`count-expected-${p.sku}`)).count(), 0);
    await waitForFocus(page, 'count-scan');
    const first = page.waitForRequest((r) => r.url().includes(`/stock-counts/${id}/entries`) && r.method() === 'POST');
    await page.keyboard.type(p.barcode);
    await page.keyboard.press('Enter');
    const body = JSON.parse((await first).postData());
    assert.deepEqual(body.lines, [{ barcode: p.barcode, quantity: '1', mode: 'add' }]);
    await waitForText(page, `count-counted-${p.sku}`, '1');
    await waitForFocus(page, 'count-scan');
    await page.keyboard.type(p.barcode);
    await page.keyboard.press('Enter');
    await waitForText(page, `count-counted-${p.sku}`, '2');
    await waitForAttr(page, 'count-last', 'data-ok', 'true');
    // A code that is not in the count says so, and counts nothing.
    await waitForFocus(page, 'count-scan');
    await page.keyboard.type('6901234567892');
    await page.keyboard.press('Enter');
    await waitForAttr(page, 'count-last', 'data-ok', 'false');
    assert.equal((await page.locator(byTest(`count-counted-${p.sku}`)).innerText()).trim(), '2');

    await page.locator(byTest('count-submit')).click();
    await page.locator('.sp-confirm-ok').click();
    await waitForAttr(page, 'count-status', 'data-status', 'submitted');
    assert.equal(await page.locator(byTest('count-approve')).count(), 0, 'a clerk does not approve');

    // The manager: the variance report, then approve.
    await relogin(page, 'manager.sh001');
    await page.locator(byTest('menu-stock-counts')).click();
    await page.locator(byTest(`count-open-${number}`)).click();
    await waitForAttr(page, 'count-status', 'data-status', 'submitted');
    await page.locator(byTest('count-report')).waitFor({ state: 'visible' });
    const book = num(p.on_hand);
    const variance = 2 - book;
    assert.equal(num((await page.locator(byTest(`count-report-variance-${p.sku}`)).innerText()).replace('+', '')), variance);
    const shownValue = Number(await page.locator(byTest('count-variance-value')).getAttribute('data-minor'));
    assert.ok(variance === 0 || shownValue !== 0, 'a variance has a value');
    await page.locator(byTest('count-approve')).click();
    await page.locator('.sp-confirm-ok').click();
    await waitForAttr(page, 'count-status', 'data-status', 'approved');

    const lvl = await level(page, sh.id, p.product_id);
    assert.equal(num(lvl.on_hand), 2, 'on hand is what was counted');
    const moves = (await ok(page, 'GET', `/stock/movements?location_id=${sh.id}&product_id=${p.product_id}&kind=count`)).data;
    assert.equal(num(moves[0]?.quantity), variance);
    assert.deepEqual(problems, []);
  });
});

test('purchase order: create, submit, receive with a scan and an over-delivery warning, refuse too much, return', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'inventory-po', async () => {
    await page.goto(server.url);
    await page.locator(byTest('menu-home')).waitFor({ state: 'visible' });
    await relogin(page, 'admin', ADMIN_PASSWORD);
    const locs = await locations(page);
    const sh = locs.SH002;
    const [p1, p2] = await stockedProducts(page, sh.id, 1, 2);
    const before1 = await level(page, sh.id, p1.product_id);
    const before2 = await level(page, sh.id, p2.product_id);

    // A supplier.
    await page.locator(byTest('menu-suppliers')).click();
    await page.locator(byTest('supplier-create')).click();
    await page.locator(byTest('supplier-code')).fill('E2E-SUP');
    await page.locator(byTest('supplier-name')).fill('端到端测试供应商');
    await page.locator(byTest('supplier-save')).click();
    await page.locator(byTest('supplier-dialog')).waitFor({ state: 'hidden' });
    await page.locator(byTest('supplier-code-E2E-SUP')).waitFor({ state: 'visible' });

    // A draft: supplier, SH002, two lines.
    await page.locator(byTest('menu-purchase-orders')).click();
    await page.locator(byTest('po-create')).click();
    await chooseOption(page, 'po-supplier', 'supplier-option-E2E-SUP');
    await chooseOption(page, 'po-location', 'location-option-SH002');
    await pickProduct(page, 'po-add-product', p1.sku, p1.sku);
    await page.locator(byTest('po-line-qty-0')).fill('20');
    await pickProduct(page, 'po-add-product', p2.sku, p2.sku);
    await page.locator(byTest('po-line-qty-1')).fill('10');
    await page.locator(byTest('po-save')).click();
    await waitForAttr(page, 'po-status', 'data-status', 'draft');
    await page.waitForFunction(() => /#\/purchase-orders\/[0-9a-f-]{36}$/.test(location.hash));
    const id = hashId(page);

    // Submit; approve when the total is over the company's limit.
    await page.locator(byTest('po-submit')).click();
    await page.waitForFunction((sel) => ['approved', 'submitted'].includes(document.querySelector(sel)?.dataset.status), byTest('po-status'));
    if ((await page.locator(byTest('po-status')).getAttribute('data-status')) === 'submitted') {
      await page.locator(byTest('po-approve')).click();
    }
    await waitForAttr(page, 'po-status', 'data-status', 'approved');

    // Receive: line 1 as remaining (20) plus one scanned piece (21: a warning), line 2 only 4.
    await page.locator(byTest('po-receive')).click();
    await page.locator(byTest('po-receive-lines')).waitFor({ state: 'visible' });
    assert.equal(await page.locator(byTest('po-receive-qty-1')).inputValue(), '20');
    await waitForFocus(page, 'po-receive-scan');
    await page.keyboard.type(p1.barcode);
    await page.keyboard.press('Enter');
    await page.waitForFunction((sel) => document.querySelector(sel)?.value === '21', byTest('po-receive-qty-1'));
    await page.locator(byTest('po-receive-warning-1')).waitFor({ state: 'visible' });
    await page.locator(byTest('po-receive-qty-2')).fill('4');
    await page.locator(byTest('po-receive-submit')).click();
    await waitForAttr(page, 'po-status', 'data-status', 'partially_received');
    await waitForText(page, 'po-line-received-1', '21');
    await waitForText(page, 'po-line-remaining-2', '6');
    await page.locator(byTest('po-receipt-warning-0')).first().waitFor({ state: 'visible' });

    const po = await ok(page, 'GET', `/purchase-orders/${id}`);
    assert.equal(po.status, 'partially_received');
    assert.equal(num(po.lines[0].received), 21);
    assert.ok(po.receipts.at(-1).warnings.length >= 1, 'the over-delivery warning is kept');
    assert.equal(num((await level(page, sh.id, p1.product_id)).on_hand), num(before1.on_hand) + 21);
    assert.equal(num((await level(page, sh.id, p2.product_id)).on_hand), num(before2.on_hand) + 4);

    // Far too much on line 2 (6 remain): refused at the line, nothing received.
    await page.locator(byTest('po-receive')).click();
    await page.locator(byTest('po-receive-qty-2')).fill('100');
    await page.locator(byTest('po-receive-qty-1')).fill('0');
    await page.locator(byTest('po-receive-submit')).click();
    await page.locator(byTest('po-receive-error-2')).waitFor({ state: 'visible' });
    assert.equal(num((await level(page, sh.id, p2.product_id)).on_hand), num(before2.on_hand) + 4);

    // Return 1 of line 1 to the supplier.
    await page.locator(byTest('receive-back')).click();
    await page.locator(byTest('po-return')).click();
    await page.locator(byTest('po-return-qty-1')).fill('1');
    await page.locator(byTest('po-return-reason')).fill('包装破损');
    await page.locator(byTest('po-return-confirm')).click();
    await waitForText(page, 'po-line-returned-1', '1');
    assert.equal(num((await level(page, sh.id, p1.product_id)).on_hand), num(before1.on_hand) + 20);
    assert.deepEqual(problems, []);
  });
});

test('stock browser, reorder rule, live alert, replenishment, valuation', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'inventory-browser', async () => {
    await page.goto(server.url);
    await page.locator(byTest('menu-home')).waitFor({ state: 'visible' });
    await relogin(page, 'admin', ADMIN_PASSWORD);
    const locs = await locations(page);
    const sh = locs.SH003;
    const [p] = await stockedProducts(page, sh.id, 3, 1);
    const key = `SH003-${p.sku}`;

    // The stock of SH003, searched by SKU; the product across locations; its ledger.
    await page.locator(byTest('menu-stock')).click();
    await chooseOption(page, 'stock-filter-location', 'location-option-SH003');
    await page.locator(byTest('stock-filter-q')).fill(p.sku);
    await page.keyboard.press('Enter');
    await page.locator(byTest(`stock-row-${key}`)).waitFor({ state: 'visible' });
    assert.equal(num(await page.locator(byTest(`stock-available-${key}`)).innerText()), num(p.available));
    await page.locator(byTest(`stock-row-${key}`)).click();
    await page.locator(byTest('stock-product-drawer')).waitFor({ state: 'visible' });
    await page.locator(byTest('stock-loc-SH003')).waitFor({ state: 'visible' });
    await page.locator(byTest('stock-movements')).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.locator(byTest('stock-product-drawer')).waitFor({ state: 'hidden' });

    // A reorder point one below what is available: still ok (a bad figure is refused first).
    const point = String(num(p.available) - 1);
    await page.locator(byTest(`stock-rule-${key}`)).click();
    await page.locator(byTest('reorder-point')).fill('abc');
    await page.locator(byTest('reorder-save')).click();
    await page.locator(`${byTest('reorder-field-reorder_point')} .el-form-item__error`).waitFor({ state: 'visible' });
    await page.locator(byTest('reorder-point')).fill(point);
    await page.locator(byTest('reorder-qty')).fill('50');
    await page.locator(byTest('reorder-save')).click();
    await page.locator(byTest('reorder-dialog')).waitFor({ state: 'hidden' });
    const rule = await level(page, sh.id, p.product_id);
    assert.equal(num(rule.reorder_point), num(point));
    assert.equal(rule.status, 'ok');

    // The alerts, live: a write-off of one takes it to its reorder point; the stock.low event
    // brings a notice and the row.
    await page.locator(byTest('menu-stock-alerts')).click();
    await chooseOption(page, 'alerts-filter-location', 'location-option-SH003');
    await page.locator(byTest('alerts-table')).waitFor({ state: 'visible' });
    await waitForAttr(page, 'alerts-live', 'data-connected', 'true');
    assert.equal(await page.locator(byTest(`alert-row-${key}`)).count(), 0);
    await ok(page, 'POST', '/stock/adjustments', {
      location_id: sh.id, kind: 'write_off', reason: '破损', lines: [{ product_id: p.product_id, quantity: '1' }],
    }, { key: true });
    await page.locator('.sp-stock-low-notice').waitFor({ state: 'visible' });
    await page.locator(byTest(`alert-row-${key}`)).waitFor({ state: 'visible' });
    await waitForText(page, `alert-available-${key}`, point);
    assert.equal(await page.locator(byTest(`alert-status-${key}`)).getAttribute('data-status'), 'low');

    // Replenishment of SH003: the product is suggested; one click makes the documents, linked.
    await page.goto(`${server.url}#/replenishment?location_id=${sh.id}`);
    await page.locator(byTest(`repl-row-${p.sku}`)).waitFor({ state: 'visible' });
    const sourced = await page.locator('[data-test^="repl-source-"][data-kind="purchase"], [data-test^="repl-source-"][data-kind="transfer"]').count();
    assert.ok(sourced > 0, 'some suggestion has a source');
    const made = page.waitForResponse((r) => r.url().endsWith('/api/v1/replenishment/orders') && r.request().method() === 'POST');
    await page.locator(byTest('repl-create')).click();
    assert.equal((await made).status(), 201);
    await page.locator(byTest('repl-result')).waitFor({ state: 'visible' });
    const link = page.locator('[data-test^="repl-po-"], [data-test^="repl-transfer-"]').first();
    const linkTest = await link.getAttribute('data-test');
    await link.click();
    if (linkTest.startsWith('repl-po-')) await waitForAttr(page, 'po-status', 'data-status', 'draft');
    else await waitForAttr(page, 'transfer-status', 'data-status', 'requested');

    // Valuation by location, with its total and chart.
    await page.locator(byTest('menu-stock-valuation')).click();
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.minor) > 0, byTest('valuation-total'));
    const val = await ok(page, 'GET', '/stock/valuation?group=location');
    assert.equal(Number(await page.locator(byTest('valuation-total')).getAttribute('data-minor')), val.total_minor);
    await page.locator(`${byTest('valuation-chart')} canvas`).waitFor({ state: 'visible' });
    await page.locator(byTest('valuation-group-category')).click();
    await page.locator('[data-test^="valuation-row-"]').first().waitFor({ state: 'visible' });
    assert.deepEqual(problems, []);
  });
});
