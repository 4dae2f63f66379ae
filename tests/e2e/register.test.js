// The register (收银台) with the demo chain, as the SH001 cashier:
// 1. open the shift, ring up three packaged items by their EAN-13 barcodes and a fresh item by a
//    scale label (SCALE-W: prefix 2, 5-digit PLU, 6-digit weight in grams, check digit), pay
//    part by card (reference + last 4) and the rest in cash with an amount handed over; the
//    receipt shows, and the API has the sale with the total the screen showed and two tenders;
// 2. offline: with POST /api/v1/sales refused at the network, two sales complete locally, the
//    banner says 2 are waiting, a reload keeps them (IndexedDB), and once the network is back
//    exactly two new sales reach the server, marked offline, and the banner goes;
// 3. a return of one item of the first sale, found by its receipt number;
// 4. discounts: a line discount within the limit, an order discount beyond it that a manager
//    approves (a wrong password first: an error, and the cashier stays signed in), park and
//    resume; the server's total and tax equal what the screen showed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.js';
import { byTest, login, openBrowser, screenshotOnFailure } from './lib/browser.js';
import { approve, openRegister, scan, waitForFocus, waitForLines } from './lib/register.js';

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

/** The GS1 check digit of a code's body. */
function checkDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

/** GET /api/v1<path> from the page, with the session cookie. */
async function apiGet(page, p) {
  return page.evaluate(async (url) => {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, `/api/v1${p}`);
}

const lineCount = (page) => page.locator('[data-test^="register-line-"][data-sku]').count();

test('register: barcodes and a scale label, card + cash, receipt, the sale on the server', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'register-sale', async () => {
    await page.goto(server.url);
    await login(page, 'cashier.sh001', DEMO_PASSWORD);
    const choice = await openRegister(page);
    shared.choice = choice;

    // What to sell, from the store's register catalog (the snapshot the screen cached too).
    const snap = await apiGet(page, `/stores/${choice.store_id}/catalog`);
    assert.equal(snap.status, 200);
    const packaged = snap.body.products
      .filter((p) => !p.sold_by_weight && p.barcodes.some((b) => /^\d{13}$/.test(b)))
      .slice(0, 3);
    assert.equal(packaged.length, 3);
    const fresh = snap.body.products.find((p) => p.sold_by_weight && p.plu);
    const scaleW = snap.body.scale_formats.find((f) => f.code === 'SCALE-W');
    assert.ok(fresh && scaleW, 'the demo has weighed goods with a PLU and the SCALE-W label format');
    assert.equal(scaleW.prefix.length + scaleW.plu_digits + scaleW.value_digits, 12);
    shared.packaged = packaged;
    shared.other = snap.body.products.find((p) => !p.sold_by_weight && !packaged.includes(p) && p.barcodes.length);

    for (const p of packaged) await scan(page, p.barcodes.find((b) => /^\d{13}$/.test(b)));
    await waitForLines(page, 3);
    // 532 g of the fresh item, as the scale prints it.
    const body = scaleW.prefix + fresh.plu.padStart(scaleW.plu_digits, '0') + '532'.padStart(scaleW.value_digits, '0');
    await scan(page, body + checkDigit(body));
    await waitForLines(page, 4);
    assert.equal(await lineCount(page), 4);
    assert.equal((await page.locator(byTest('register-line-qty-3')).innerText()).trim(), '0.532');
    assert.equal(await page.locator(byTest('register-line-3')).getAttribute('data-sku'), fresh.sku);
    const total = Number(await page.locator(byTest('register-total')).getAttribute('data-minor'));
    const gross = packaged.reduce((a, p) => a + p.price_minor, 0) + Math.floor((fresh.price_minor * 532 + 500) / 1000);
    assert.equal(total, gross, 'no discounts: the total is the sum of the lines');

    // Pay: 10.00 by card, the rest in cash with 100.00 handed over.
    await page.keyboard.press('F4');
    await page.locator(byTest('register-pay-dialog')).waitFor({ state: 'visible' });
    await waitForFocus(page, 'pay-tendered');
    await page.locator(byTest('pay-add-CARD')).click();
    await page.locator(byTest('pay-amount-CARD')).fill('10.00');
    await page.locator(byTest('pay-reference-CARD')).fill('T-88231');
    await page.locator(byTest('pay-last4-CARD')).fill('4242123');
    assert.equal(await page.locator(byTest('pay-last4-CARD')).inputValue(), '4242', 'never more than 4 digits');
    await page.locator(byTest('pay-tendered')).fill('100');
    await page.locator(byTest('pay-rounding-line')).waitFor({ state: 'visible' }); // 抹零 shows with cash
    await page.locator(byTest('pay-complete')).click();

    // The receipt (the server's, in a frame).
    const frame = page.locator(byTest('register-receipt-frame'));
    await frame.waitFor({ state: 'visible' });
    const src = await frame.getAttribute('data-src');
    const saleId = /\/sales\/([^/]+)\/receipt/.exec(src)?.[1];
    assert.ok(saleId, `receipt frame src ${src}`);
    await page.frameLocator(byTest('register-receipt-frame')).locator('body').waitFor();

    // The sale on the server: the total the screen showed, two tenders.
    const sale = await apiGet(page, `/sales/${saleId}`);
    assert.equal(sale.status, 200, JSON.stringify(sale.body));
    assert.equal(sale.body.total_minor, total);
    assert.equal(sale.body.lines.length, 4);
    assert.equal(sale.body.offline, false);
    assert.equal(sale.body.tenders.length, 2);
    const card = sale.body.tenders.find((x) => x.code === 'CARD');
    const cash = sale.body.tenders.find((x) => x.code === 'CASH');
    assert.equal(card.amount_minor, 1000);
    assert.equal(card.reference, 'T-88231');
    assert.equal(card.card_last4, '4242');
    assert.equal(cash.tendered_minor, 10000);
    assert.equal(card.amount_minor + cash.amount_minor, sale.body.amount_due_minor);
    assert.equal(sale.body.amount_due_minor, sale.body.total_minor + sale.body.rounding_minor);
    assert.equal(sale.body.change_minor, 10000 - cash.amount_minor);
    const listed = await apiGet(page, `/sales?register_id=${choice.register_id}`);
    assert.ok(listed.body.data.some((s) => s.id === saleId));
    shared.firstSale = sale.body;

    // Next sale: an empty cart and the focus back in the search box.
    await page.locator(byTest('register-receipt-close')).click();
    await page.locator(byTest('register-cart-empty')).waitFor({ state: 'visible' });
    await waitForFocus(page, 'register-search');
    assert.deepEqual(problems, []);
  });
});

test('register offline: sales queue in IndexedDB, survive a reload and upload exactly once', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'register-offline', async () => {
    assert.ok(shared.choice, 'the first test opened the register');
    const before = await apiGet(page, `/sales?register_id=${shared.choice.register_id}&limit=200`);
    const known = new Set(before.body.data.map((s) => s.id));
    const tenders = (await apiGet(page, '/tender-types')).body.data;

    // The network refuses the sales (and only them).
    const block = (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue());
    const isSales = (url) => new URL(url).pathname === '/api/v1/sales';
    await page.route(isSales, block);

    for (const [i, p] of shared.packaged.slice(0, 2).entries()) {
      await scan(page, p.barcodes.find((b) => /^\d{13}$/.test(b)));
      await waitForLines(page, 1);
      await page.keyboard.press('F4');
      await page.locator(byTest('register-pay-dialog')).waitFor({ state: 'visible' });
      await waitForFocus(page, 'pay-tendered');
      if (i === 1) {
        // Offline now: only the tenders allowed offline are offered.
        await page.locator(byTest('pay-offline-note')).waitFor({ state: 'visible' });
        for (const x of tenders.filter((x) => !x.allowed_offline)) {
          assert.equal(await page.locator(byTest(`pay-add-${x.code}`)).count(), 0, `${x.code} is not offered offline`);
        }
      }
      await page.keyboard.press('F4'); // complete: exact cash
      await page.locator(byTest('register-receipt-local')).waitFor({ state: 'visible' });
      await page.frameLocator(byTest('register-receipt-local')).locator('[data-test="local-receipt"]').waitFor();
      await page.locator(byTest('register-receipt-close')).click();
      await page.locator(byTest('register-cart-empty')).waitFor({ state: 'visible' });
    }
    const banner = page.locator(byTest('register-queue-banner'));
    await page.waitForFunction(() => document.querySelector('[data-test="register-queue-banner"]')?.dataset.pending === '2');
    assert.match(await banner.innerText(), /离线 — 2 笔销售待上传/);

    // The shift cannot close while sales wait.
    await page.locator(byTest('register-close-shift')).click();
    await page.locator(byTest('shift-close-blocked')).waitFor({ state: 'visible' });
    assert.equal(await page.locator(byTest('shift-close-submit')).isDisabled(), true);
    await page.locator(byTest('shift-close-cancel')).click();
    await page.locator(byTest('shift-close-dialog')).waitFor({ state: 'hidden' });

    // A reload (the tab closed and opened again) keeps both; with the catalog download refused
    // too, the register still sells from the catalog it keeps in IndexedDB.
    const isCatalog = (url) => /^\/api\/v1\/stores\/[^/]+\/catalog/.test(new URL(url).pathname);
    const refuse = (route) => route.abort('internetdisconnected');
    await page.route(isCatalog, refuse);
    await page.reload();
    await page.locator(byTest('register-search')).waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelector('[data-test="register-queue-banner"]')?.dataset.pending === '2');
    await page.waitForFunction(() => document.querySelector('[data-test="register-catalog-status"]')?.dataset.loaded === 'true');
    await scan(page, shared.packaged[2].barcodes.find((b) => /^\d{13}$/.test(b)));
    await waitForLines(page, 1);
    await page.locator(byTest('register-void')).click();
    await page.locator(byTest('register-void-confirm')).click();
    await page.locator(byTest('register-cart-empty')).waitFor({ state: 'visible' });
    await page.unroute(isCatalog, refuse);
    const still = await apiGet(page, `/sales?register_id=${shared.choice.register_id}&limit=200`);
    assert.equal(still.body.data.filter((s) => !known.has(s.id)).length, 0, 'nothing reached the server yet');

    // The network is back: the queue goes, in order, once.
    await page.unroute(isSales, block);
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    const afterUpload = await apiGet(page, `/sales?register_id=${shared.choice.register_id}&limit=200`);
    const fresh = afterUpload.body.data.filter((s) => !known.has(s.id));
    assert.equal(fresh.length, 2, `exactly two new sales: ${JSON.stringify(fresh.map((s) => s.id))}`);
    for (const s of fresh) assert.equal(s.offline, true);
    const skus = fresh.flatMap((s) => (s.lines || []).map((l) => l.sku));
    if (skus.length) assert.deepEqual(skus.sort(), shared.packaged.slice(0, 2).map((p) => p.sku).sort());
    assert.equal(await page.locator(byTest('register-attention-banner')).count(), 0);
    assert.deepEqual(problems, []);
  });
});

test('register: a return of one item of the first sale, found by its receipt number', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'register-return', async () => {
    assert.ok(shared.firstSale, 'the first test made a sale');
    await waitForFocus(page, 'register-search');
    await page.keyboard.press('F8');
    await page.locator(byTest('register-return-dialog')).waitFor({ state: 'visible' });
    await waitForFocus(page, 'return-receipt-no');
    await page.keyboard.type(shared.firstSale.receipt_no);
    await page.keyboard.press('Enter');
    await page.locator(byTest('return-line-1')).waitFor({ state: 'visible' });
    // More than sold is refused next to the line.
    await page.locator(byTest('return-qty-1')).fill('2');
    await page.locator(byTest('return-qty-error-1')).waitFor({ state: 'visible' });
    await page.locator(byTest('return-qty-1')).fill('1');
    await page.locator(byTest('return-submit')).click();
    await page.locator(byTest('register-receipt-frame')).waitFor({ state: 'visible' });
    const src = await page.locator(byTest('register-receipt-frame')).getAttribute('data-src');
    const returnId = /\/sales\/([^/]+)\/receipt/.exec(src)?.[1];
    const ret = await apiGet(page, `/sales/${returnId}`);
    assert.equal(ret.status, 200);
    assert.equal(ret.body.kind, 'return');
    assert.equal(ret.body.original_sale_id, shared.firstSale.id);
    assert.ok(ret.body.total_minor < 0);
    const original = await apiGet(page, `/sales/${shared.firstSale.id}`);
    assert.equal(original.body.lines[0].returned_quantity, '1');
    await page.locator(byTest('register-receipt-close')).click();
    assert.deepEqual(problems, []);
  });
});

test('register: a return without a receipt, by barcode, at today\'s price, with a manager\'s approval', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'register-return-no-receipt', async () => {
    assert.ok(shared.packaged, 'the first test found products');
    const product = shared.packaged[0];
    const code = product.barcodes.find((b) => /^\d{13}$/.test(b));
    // The cashier sees their own store only: the product's total is this store's on hand.
    const before = await apiGet(page, `/products/${product.id}/stock`);
    assert.equal(before.status, 200);
    const onHandBefore = Number(before.body.total_on_hand);
    await waitForFocus(page, 'register-search');
    await page.keyboard.press('F8');
    await page.locator(byTest('register-return-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('return-mode-none')).click();
    await waitForFocus(page, 'return-receipt-no');
    // Scanned twice: one line of 2; an unknown code is said so.
    for (const c of [code, code, '0000000000000']) {
      await page.keyboard.type(c);
      await page.keyboard.press('Enter');
    }
    await page.locator(byTest('return-error')).waitFor({ state: 'visible' });
    await page.locator(byTest(`return-item-${product.sku}`)).waitFor({ state: 'visible' });
    assert.equal(await page.locator(byTest(`return-item-qty-${product.sku}`)).inputValue(), '2');
    await page.locator(byTest('return-submit')).click();
    // Without a receipt the server always asks for a manager.
    await approve(page, 'return-approval', 'manager.sh001', DEMO_PASSWORD);
    await page.locator(byTest('register-receipt-frame')).waitFor({ state: 'visible' });
    const src = await page.locator(byTest('register-receipt-frame')).getAttribute('data-src');
    const returnId = /\/sales\/([^/]+)\/receipt/.exec(src)?.[1];
    const ret = await apiGet(page, `/sales/${returnId}`);
    assert.equal(ret.status, 200);
    assert.equal(ret.body.kind, 'return');
    assert.equal(ret.body.original_sale_id ?? null, null);
    assert.equal(ret.body.lines.length, 1);
    assert.equal(ret.body.lines[0].product_id, product.id);
    assert.equal(Math.abs(Number(ret.body.lines[0].quantity)), 2);
    assert.ok(ret.body.total_minor < 0);
    const after = await apiGet(page, `/products/${product.id}/stock`);
    assert.equal(Number(after.body.total_on_hand), onHandBefore + 2, 'restocked');
    await page.locator(byTest('register-receipt-close')).click();
    assert.deepEqual(problems, []);
  });
});

test('register: discounts with a manager approval, park and resume, the server prices as the screen', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'register-discounts', async () => {
    assert.ok(shared.packaged, 'the first test found products');
    await waitForFocus(page, 'register-search');
    for (const p of shared.packaged) await scan(page, p.barcodes.find((b) => /^\d{13}$/.test(b)));
    await waitForLines(page, 3);
    // Typing words searches (the server's search): ↓/↑ move through the results, Enter picks.
    await page.keyboard.type(shared.other.sku, { delay: 120 });
    await page.locator(byTest(`register-result-${shared.other.sku}`)).waitFor({ state: 'visible' });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await waitForLines(page, 4);
    assert.equal(await page.locator(byTest('register-line-3')).getAttribute('data-sku'), shared.other.sku);
    // 3 of the second item: "3*code".
    await scan(page, `3*${shared.packaged[1].barcodes.find((b) => /^\d{13}$/.test(b))}`);
    await waitForLines(page, 5);
    assert.equal((await page.locator(byTest('register-line-qty-4')).innerText()).trim(), '3');

    // 7 % off the selected (last) line: within the store's 10 %, no approval.
    await page.keyboard.press('F9');
    await waitForFocus(page, 'register-discount-value');
    await page.keyboard.type('7');
    await page.keyboard.press('Enter');
    await page.locator(byTest('register-discount-dialog')).waitFor({ state: 'hidden' });
    assert.match(await page.locator(byTest('register-line-discount-4')).innerText(), /7%/);
    assert.equal(await page.locator(byTest('register-approved')).count(), 0);

    // 15 % off the order: beyond the limit, a manager approves.
    await waitForFocus(page, 'register-search');
    await page.keyboard.press('F9');
    await waitForFocus(page, 'register-discount-value');
    await page.locator(byTest('register-discount-target-order')).click();
    await page.locator(byTest('register-discount-value')).fill('15');
    await page.locator(byTest('register-discount-ok')).click();
    await approve(page, 'register-approval', 'manager.sh001', 'not-the-password');
    await page.locator(byTest('register-approval-error')).waitFor({ state: 'visible' });
    assert.ok(await page.locator(byTest('register-search')).count(), 'still on the register (not signed out)');
    await page.locator(byTest('register-approval-secret')).fill(DEMO_PASSWORD);
    await page.locator(byTest('register-approval-ok')).click();
    await page.locator(byTest('register-approved')).waitFor({ state: 'visible' });
    await page.locator(byTest('register-discount-dialog')).waitFor({ state: 'hidden' });
    const total = Number(await page.locator(byTest('register-total')).getAttribute('data-minor'));

    // Park, the cart empties; resume, the same total.
    await waitForFocus(page, 'register-search');
    await page.keyboard.press('F6');
    await page.locator(byTest('register-cart-empty')).waitFor({ state: 'visible' });
    await page.keyboard.press('F6');
    await page.locator(byTest('register-parked-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('register-resume-0')).click();
    await waitForLines(page, 5);
    assert.equal(Number(await page.locator(byTest('register-total')).getAttribute('data-minor')), total);

    // Pay in cash: the rounding line (抹零) and the due amount follow the store's step.
    await waitForFocus(page, 'register-search');
    await page.keyboard.press('F4');
    await waitForFocus(page, 'pay-tendered');
    await page.keyboard.type('1000');
    await page.keyboard.press('F4');
    const frame = page.locator(byTest('register-receipt-frame'));
    await frame.waitFor({ state: 'visible' });
    const saleId = /\/sales\/([^/]+)\/receipt/.exec(await frame.getAttribute('data-src'))?.[1];
    const sale = await apiGet(page, `/sales/${saleId}`);
    assert.equal(sale.status, 200, JSON.stringify(sale.body));
    assert.equal(sale.body.total_minor, total, 'the server priced the sale as the screen did');
    assert.ok(sale.body.discount_minor > 0);
    assert.equal(sale.body.lines[4].line_discount_minor, Math.floor((sale.body.lines[4].gross_minor * 7 + 50) / 100));
    const cash = sale.body.tenders[0];
    assert.equal(cash.code, 'CASH');
    assert.equal(cash.amount_minor % 10, 0, 'cash rounded to 0.1 yuan');
    assert.equal(sale.body.rounding_minor, cash.amount_minor - total);
    await page.locator(byTest('register-receipt-close')).click();
    await page.locator(byTest('register-cart-empty')).waitFor({ state: 'visible' });
    assert.deepEqual(problems, []);
  });
});
