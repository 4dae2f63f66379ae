// The back office of selling, with the demo chain (no sales history: the sales are made here):
// 1. the SH001 cashier makes two sales through the API (a shift first) and one "offline" sale at
//    a price the catalog no longer has; the store manager finds a sale by its receipt number in
//    #/sales, opens it (lines, the card as **** 4242, the receipt in a frame, the PDF), narrows
//    the period to today, and sees the offline sale — and only it — under "flagged only";
// 2. #/shifts: the cashier's open shift with its sales and expected amounts, the X report;
// 3. #/tender-types: the admin adds "GIFT 礼品卡" (kind other), a bad code and a taken code are
//    refused next to the field, a stale edit says so; a cashier reads the list without buttons.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import { byTest, chooseOption, fieldError, login, openBrowser, screenshotOnFailure } from './lib/browser.js';

const DEMO_PASSWORD = 'Salepoint-Demo-2026';

let server;
let browser;
const shared = {};

before(async () => {
  server = await startServer({ demo: true });
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Calls /api/v1<path> from the page with the session cookie and the CSRF header. */
async function api(page, method, path, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const csrf = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === 'sp_csrf')?.[1] || '';
    const headers = { Accept: 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, { method, url: `/api/v1${path}`, body });
}

async function logout(page) {
  await page.locator(byTest('logout')).click();
  await page.locator(byTest('login-username')).waitFor({ state: 'visible' });
}

/** The total the server will compute for lines [{product, quantity, price}] without discounts. */
function totalOf(snapshot, lines) {
  const rate = (p) => Number(snapshot.tax_classes.find((t) => t.id === p.tax_class_id)?.rate ?? 0);
  let total = 0;
  for (const { product, quantity, price } of lines) {
    const net = price * quantity;
    total += net;
    if (snapshot.tax_mode === 'exclusive') total += Math.floor(net * rate(product) + 0.5);
  }
  return total;
}

/** A sale body as docs/register.md has it: one line per product, paid by one tender. */
function saleBody({ registerId, shiftId, lines, tender, offline = false }) {
  return {
    id: crypto.randomUUID(),
    register_id: registerId,
    shift_id: shiftId,
    customer_tier: null,
    offline,
    created_at: new Date().toISOString(),
    lines: lines.map(({ product, quantity, price }) => ({
      product_id: product.id, quantity: String(quantity), unit_price_minor: price, discount: null,
    })),
    order_discount: null,
    approval_token: null,
    tenders: [tender],
  };
}

test('sales: the manager finds a sale by receipt number, opens it and its receipt; flagged offline sales', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'sales-list', async () => {
    await page.goto(server.url);
    await login(page, 'cashier.sh001', DEMO_PASSWORD);

    // The cashier's store, a register, an open shift, two products of the store's catalog.
    const me = (await api(page, 'GET', '/auth/me')).body;
    const storeId = me.scope.store_ids[0];
    const registers = (await api(page, 'GET', `/stores/${storeId}/registers`)).body.data.filter((r) => r.active);
    const registerId = registers[0].id;
    let shift = await api(page, 'POST', '/shifts', { register_id: registerId, opening_float_minor: 20000 });
    if (shift.status === 409) shift = { body: (await api(page, 'GET', `/shifts?register_id=${registerId}&status=open`)).body.data[0] };
    assert.ok(shift.body?.id, JSON.stringify(shift.body));
    const shiftId = shift.body.id;
    const snap = (await api(page, 'GET', `/stores/${storeId}/catalog`)).body;
    const [p1, p2, p3] = snap.products.filter((p) => !p.sold_by_weight && p.price_minor > 0);

    // Sale A: 2 of p1 by card (last 4 digits 4242); sale B: 1 of p2 by voucher.
    const linesA = [{ product: p1, quantity: 2, price: p1.price_minor }];
    const totalA = totalOf(snap, linesA);
    const a = await api(page, 'POST', '/sales', saleBody({
      registerId, shiftId, lines: linesA,
      tender: { code: 'CARD', amount_minor: totalA, reference: 'T-1001', card_last4: '4242' },
    }));
    assert.equal(a.status, 201, JSON.stringify(a.body));
    const linesB = [{ product: p2, quantity: 1, price: p2.price_minor }];
    const b = await api(page, 'POST', '/sales', saleBody({
      registerId, shiftId, lines: linesB, tender: { code: 'VOUCHER', amount_minor: totalOf(snap, linesB) },
    }));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    // Sale C: sold "offline" at a price the catalog does not have (the register's old price).
    const linesC = [{ product: p3, quantity: 1, price: p3.price_minor + 100 }];
    const c = await api(page, 'POST', '/sales', saleBody({
      registerId, shiftId, lines: linesC, offline: true,
      tender: { code: 'CARD', amount_minor: totalOf(snap, linesC), reference: 'T-1003' },
    }));
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.offline, true);
    assert.ok(c.body.flags.includes('price_changed'), `flags ${c.body.flags}`);
    Object.assign(shared, { storeId, registerId, shiftId, a: a.body, b: b.body, c: c.body });

    // The store manager: #/sales, find sale A by its receipt number.
    await logout(page);
    await login(page, 'manager.sh001', DEMO_PASSWORD);
    await page.locator(byTest('menu-sales')).click();
    await page.locator(byTest('sales-table')).waitFor({ state: 'visible' });
    await page.locator(byTest(`sale-open-${b.body.receipt_no}`)).waitFor({ state: 'visible' });
    await page.locator(byTest('sales-filter-receipt')).fill(a.body.receipt_no);
    await page.keyboard.press('Enter');
    await page.locator(byTest(`sale-open-${b.body.receipt_no}`)).waitFor({ state: 'detached' });
    await page.locator(byTest(`sale-open-${a.body.receipt_no}`)).waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-test^="sale-open-"]').count(), 1);

    // The drawer: header, lines, tenders.
    await page.locator(byTest(`sale-open-${a.body.receipt_no}`)).click();
    const drawer = page.locator(byTest('sale-drawer'));
    await drawer.waitFor({ state: 'visible' });
    assert.equal((await page.locator(byTest('sale-drawer-receipt-no')).innerText()).trim(), a.body.receipt_no);
    assert.equal(await page.locator(byTest('sale-line-1')).getAttribute('data-sku'), p1.sku);
    assert.equal((await page.locator(byTest('sale-line-qty-1')).innerText()).trim(), '2');
    assert.equal(await page.locator(byTest('sale-tender-0')).getAttribute('data-code'), 'CARD');
    assert.equal((await page.locator(byTest('sale-tender-card-0')).innerText()).trim(), '**** 4242');
    const shownTotal = (await page.locator(byTest('sale-drawer-total')).innerText()).replace(/[^\d.]/g, '');
    assert.equal(shownTotal, (a.body.total_minor / 100).toFixed(2));

    // The receipt, fetched with the session and shown in a frame; the PDF link.
    await page.locator(byTest('sale-receipt-view')).click();
    await page.locator(byTest('sale-receipt-frame')).waitFor({ state: 'visible' });
    await page.frameLocator(byTest('sale-receipt-frame')).locator(`text=${a.body.receipt_no}`).first().waitFor();
    const pdfHref = await page.locator(byTest('sale-receipt-pdf')).getAttribute('href');
    assert.match(pdfHref, new RegExp(`/api/v1/sales/${a.body.id}/receipt\\?format=pdf`));
    const pdf = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { status: res.status, type: res.headers.get('Content-Type') };
    }, pdfHref);
    assert.equal(pdf.status, 200);
    assert.match(pdf.type, /application\/pdf/);
    // Reprint asks for the copy.
    const copy = page.waitForRequest((r) => r.url().includes(`/sales/${a.body.id}/receipt`) && r.url().includes('copy=true'));
    await page.locator(byTest('sale-receipt-reprint')).click();
    await copy;
    await page.locator(byTest('sale-receipt-close')).click();
    await page.locator(byTest('sale-receipt')).waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // Today as the period: the API gets RFC 3339 times.
    await page.locator(byTest('sales-filter-receipt')).fill('');
    await page.keyboard.press('Enter');
    await page.locator(byTest(`sale-open-${b.body.receipt_no}`)).waitFor({ state: 'visible' });
    const periodRequest = page.waitForRequest((r) => r.url().includes('/api/v1/sales?') && r.url().includes('from='));
    await page.locator(`${byTest('sales-filter-period')} input`).first().click();
    const today = page.locator('.el-date-range-picker td.today').first();
    await today.waitFor({ state: 'visible' });
    await today.click();
    await today.click();
    const sent = new URL((await periodRequest).url());
    const from = new Date(sent.searchParams.get('from'));
    const to = new Date(sent.searchParams.get('to'));
    assert.match(sent.searchParams.get('from'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.equal(to - from, 24 * 3600 * 1000, 'one day: from midnight to the next midnight');
    assert.ok(from <= new Date(a.body.created_at) && new Date(a.body.created_at) < to);
    await page.locator(byTest(`sale-open-${a.body.receipt_no}`)).waitFor({ state: 'visible' });

    // Flagged only: the offline sale at an old price, with its flag explained.
    await page.locator(byTest('sales-filter-flagged')).click();
    await page.locator(byTest('sales-flagged-note')).waitFor({ state: 'visible' });
    await page.locator(byTest(`sale-open-${a.body.receipt_no}`)).waitFor({ state: 'detached' });
    await page.locator(byTest(`sale-open-${c.body.receipt_no}`)).waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-test^="sale-open-"]').count(), 1);
    assert.match(await page.locator(byTest(`sale-flags-${c.body.receipt_no}`)).getAttribute('data-flags'), /price_changed/);
    assert.equal((await page.locator(`${byTest(`sale-flags-${c.body.receipt_no}`)} ${byTest('sale-flag-price_changed')}`).innerText()).trim(), '价格变动');
    await page.locator(byTest(`sale-offline-${c.body.receipt_no}`)).waitFor({ state: 'visible' });
    await page.locator(byTest(`sale-open-${c.body.receipt_no}`)).click();
    await page.locator(byTest('sale-drawer-flag-price_changed')).waitFor({ state: 'visible' });
    assert.match(await page.locator(byTest('sale-drawer-flag-price_changed')).innerText(), /离线/);
    await page.locator(byTest('sale-drawer-offline')).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.locator(byTest('sale-drawer')).waitFor({ state: 'hidden' });
    assert.deepEqual(problems, []);
  });
});

test('shifts: the open shift with its sales, expected amounts per tender and the X report', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'shifts-list', async () => {
    assert.ok(shared.shiftId, 'the first test opened a shift');
    await page.locator(byTest('menu-shifts')).click();
    await page.locator(byTest('shifts-table')).waitFor({ state: 'visible' });
    await chooseOption(page, 'shifts-filter-status', 'shifts-status-option-open');
    const row = page.locator(byTest(`shift-row-${shared.shiftId}`));
    await row.waitFor({ state: 'visible' });
    assert.equal((await page.locator(byTest(`shift-sales-${shared.shiftId}`)).innerText()).trim(), '3');
    const card = shared.a.total_minor + shared.c.total_minor;
    const expectedCard = (await page.locator(byTest(`shift-expected-${shared.shiftId}-CARD`)).innerText()).replace(/[^\d.]/g, '');
    assert.equal(expectedCard, (card / 100).toFixed(2));
    await page.locator(byTest(`shift-report-${shared.shiftId}`)).click();
    await page.locator(byTest('shift-report-frame')).waitFor({ state: 'visible' });
    await page.frameLocator(byTest('shift-report-frame')).locator('body').waitFor();
    await page.locator(byTest('shift-report-close')).click();
    // Closed shifts only: the open one goes.
    await chooseOption(page, 'shifts-filter-status', 'shifts-status-option-closed');
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  });
});

test('tender types: the admin adds GIFT 礼品卡; field errors, a stale edit; a cashier only reads', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'tender-types', async () => {
    await logout(page);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.locator(byTest('menu-tender-types')).click();
    await page.locator(byTest('tender-type-code-CASH')).waitFor({ state: 'visible' });

    // A code with a space: the server's field error under the code.
    await page.locator(byTest('tender-type-create')).click();
    await page.locator(byTest('tender-type-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('tender-type-code')).fill('GIFT CARD');
    await page.locator(byTest('tender-type-name')).fill('礼品卡');
    await chooseOption(page, 'tender-type-kind', 'tender-type-kind-option-other');
    await page.locator(byTest('tender-type-save')).click();
    await fieldError(page, 'tender-type-field-code').waitFor({ state: 'visible' });
    // Fixed: saved and listed.
    await page.locator(byTest('tender-type-code')).fill('GIFT');
    await page.locator(byTest('tender-type-save')).click();
    await page.locator(byTest('tender-type-dialog')).waitFor({ state: 'hidden' });
    await page.locator(byTest('tender-type-code-GIFT')).waitFor({ state: 'visible' });
    assert.equal((await page.locator(byTest('tender-type-name-GIFT')).innerText()).trim(), '礼品卡');
    assert.equal((await page.locator(byTest('tender-type-kind-GIFT')).innerText()).trim(), '其他（代金券等）');
    const listed = (await api(page, 'GET', '/tender-types')).body.data.find((x) => x.code === 'GIFT');
    assert.equal(listed.kind, 'other');
    assert.equal(listed.allowed_offline, false);

    // The same code again: taken, next to the code.
    await page.locator(byTest('tender-type-create')).click();
    await page.locator(byTest('tender-type-code')).fill('GIFT');
    await page.locator(byTest('tender-type-name')).fill('礼品卡 2');
    await page.locator(byTest('tender-type-save')).click();
    await fieldError(page, 'tender-type-field-code').waitFor({ state: 'visible' });
    await page.locator(byTest('tender-type-cancel')).click();
    await page.locator(byTest('tender-type-dialog')).waitFor({ state: 'hidden' });

    // A stale edit: someone else changed it meanwhile.
    await page.locator(byTest('tender-type-edit-GIFT')).click();
    await page.locator(byTest('tender-type-dialog')).waitFor({ state: 'visible' });
    const other = await api(page, 'PUT', `/tender-types/${listed.id}`, {
      code: 'GIFT', name: '礼品卡（新）', kind: 'other', allowed_offline: false, active: true, sort: listed.sort, version: listed.version,
    });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    await page.locator(byTest('tender-type-allowed-offline')).click();
    await page.locator(byTest('tender-type-save')).click();
    await page.locator('.sp-conflict-toast').waitFor({ state: 'visible' });
    // The open form takes the fresh values (and version), ready to save again.
    await page.waitForFunction(() => document.querySelector('[data-test="tender-type-name"]')?.value === '礼品卡（新）');
    await page.locator(byTest('tender-type-allowed-offline')).click();
    await page.locator(byTest('tender-type-save')).click();
    await page.locator(byTest('tender-type-dialog')).waitFor({ state: 'hidden' });
    const saved = (await api(page, 'GET', '/tender-types')).body.data.find((x) => x.code === 'GIFT');
    assert.equal(saved.allowed_offline, true);
    assert.equal(saved.name, '礼品卡（新）');

    // A cashier sees the list, without "new" or "edit".
    await logout(page);
    await login(page, 'cashier.sh001', DEMO_PASSWORD);
    await page.locator(byTest('menu-tender-types')).click();
    await page.locator(byTest('tender-type-code-GIFT')).waitFor({ state: 'visible' });
    assert.equal(await page.locator(byTest('tender-type-create')).count(), 0);
    assert.equal(await page.locator('[data-test^="tender-type-edit-"]').count(), 0);
    assert.deepEqual(problems, []);
  });
});
