// The catalog with the demo chain (~5,000 products): find a product by its pinyin initials as
// you type, change its list price in yuan and see the list follow; check a barcode's GS1 check
// digit in the form; import a CSV whose one row has a wrong check digit: the dry run names that
// row and the barcode column, the import with "skip invalid rows" creates the other two, and the
// error file of the skipped row downloads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import { byTest, fieldError, login, openBrowser, screenshotOnFailure, waitForText } from './lib/browser.js';

// Pinyin initials of products a Chinese grocery catalog is likely to hold (可口可乐, 农夫山泉,
// 康师傅, 娃哈哈, 伊利, 蒙牛); the test takes the first one the API answers for.
const INITIALS = ['kkkl', 'nfsq', 'ksf', 'whh', 'yl', 'mn'];
// The password of every demo user but admin (salepoint_store::demo::DEMO_PASSWORD).
const DEMO_PASSWORD = 'Salepoint-Demo-2026';

let server;
let browser;
let tmpDir;

before(async () => {
  server = await startServer({ demo: true });
  browser = await openBrowser();
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salepoint-e2e-import-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

/** The GS1 check digit of a code's body (as web/js/barcode.js and the domain crate compute it). */
function checkDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

/** Minor units as yuan text: 1234 → "12.34". */
const yuan = (minor) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** GET /api/v1<path> from the page, with the session cookie. */
async function apiGet(page, p) {
  return page.evaluate(async (url) => {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, `/api/v1${p}`);
}

const productRow = (page, text) => page.locator(`${byTest('products-table')} .el-table__row`, { hasText: text });

test('catalog: pinyin search, price change, barcode check, CSV import with a bad row', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'catalog', async () => {
    await page.goto(server.url);
    await login(page, 'admin', ADMIN_PASSWORD);

    // A demo product that its pinyin initials find (asked of the API, as the screen will).
    let initials;
    let product;
    for (const q of INITIALS) {
      const answer = await apiGet(page, `/products?q=${q}&limit=5`);
      assert.equal(answer.status, 200, `GET /products?q=${q} answers 200 (${JSON.stringify(answer.body)})`);
      if (answer.body.data.length) {
        initials = q;
        product = answer.body.data[0];
        break;
      }
    }
    assert.ok(product, `the demo catalog has a product for one of ${INITIALS.join(', ')}`);
    assert.match(product.name_zh, /[\u4e00-\u9fff]/, 'a Chinese name');

    // Products: the list shows without a search; typing the initials (no Enter) finds it.
    await page.locator(byTest('menu-products')).click();
    await page.locator(`${byTest('products-table')} .el-table__row`).first().waitFor();
    await page.locator(byTest('load-more')).waitFor({ state: 'visible' }); // 5,000 products: more than a page
    const searched = page.waitForResponse((r) => r.url().includes(`/api/v1/products?q=${initials}`) && r.status() === 200);
    await page.locator(byTest('products-search')).pressSequentially(initials, { delay: 40 });
    await searched;
    const row = productRow(page, product.sku);
    await row.waitFor({ state: 'visible' });
    assert.match(await row.innerText(), new RegExp(product.name_zh.slice(0, 2)));
    await page.locator(byTest('load-more')).waitFor({ state: 'detached' }); // a search has no pages
    const oldPrice = yuan(product.list_price_minor);
    assert.match(await page.locator(byTest(`product-price-${product.sku}`)).innerText(), new RegExp(oldPrice.replace('.', '\\.')));

    // Open it, change the list price (in yuan), save: the list shows the new price.
    const read = await apiGet(page, `/products/${product.id}`);
    assert.equal(read.status, 200);
    await page.locator(byTest(`product-edit-${product.sku}`)).click();
    const dialog = page.locator(byTest('product-dialog'));
    await dialog.waitFor({ state: 'visible' });
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel)?.value === v, [byTest('product-list-price'), oldPrice],
    );

    // Client-side checks first: three decimals are refused next to the field ...
    await page.locator(byTest('product-list-price')).fill('1.239');
    await page.locator(byTest('product-save')).click();
    await fieldError(page, 'product-field-list_price').waitFor({ state: 'visible' });
    assert.match(await fieldError(page, 'product-field-list_price').innerText(), /2 位小数/);

    // ... and a barcode with a wrong check digit says which digit it should end in, as typed.
    const body = '690000012345';
    const good = `${body}${checkDigit(body)}`;
    const bad = `${body}${(checkDigit(body) + 1) % 10}`;
    const rows = await page.locator('[data-test^="product-barcode-remove-"]').count();
    await page.locator(byTest('product-barcode-add')).click();
    await page.locator(byTest(`product-barcode-${rows}`)).pressSequentially(bad, { delay: 10 });
    const bcError = page.locator(byTest(`product-barcode-error-${rows}`));
    await bcError.waitFor({ state: 'visible' });
    assert.equal((await bcError.innerText()).trim(), `校验位错误，末位应为 ${checkDigit(body)}`);
    await page.locator(byTest(`product-barcode-${rows}`)).fill(good);
    await bcError.waitFor({ state: 'detached' });
    await page.locator(byTest(`product-barcode-remove-${rows}`)).click();

    const newMinor = product.list_price_minor + 111;
    await page.locator(byTest('product-list-price')).fill(yuan(newMinor));
    const put = page.waitForResponse((r) => r.url().endsWith(`/api/v1/products/${product.id}`) && r.request().method() === 'PUT');
    await page.locator(byTest('product-save')).click();
    const putAnswer = await put;
    assert.equal(putAnswer.status(), 200, 'PUT /products/{id} answers 200');
    const sent = putAnswer.request().postDataJSON();
    assert.equal(sent.list_price_minor, newMinor, 'the price goes out in minor units');
    assert.equal(sent.version, read.body.version, 'the update carries the version it read');
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel)?.innerText.includes(v), [byTest(`product-price-${product.sku}`), yuan(newMinor)],
    );
    const stored = await apiGet(page, `/products/${product.id}`);
    assert.equal(stored.body.list_price_minor, newMinor);

    // Import: a CSV with the Chinese template headers; row 2 of 3 has a wrong check digit.
    const taxClasses = await apiGet(page, '/tax-classes?limit=200');
    assert.equal(taxClasses.status, 200);
    const taxCode = taxClasses.body.data[0].code;
    const stamp = String(Date.now()).slice(-5);
    const codes = [1, 2, 3].map((i) => `69700${stamp}${i}0`.slice(0, 12));
    const barcodes = codes.map((c) => `${c}${checkDigit(c)}`);
    const wrong = `${codes[1]}${(checkDigit(codes[1]) + 5) % 10}`;
    const header = '商品编码,商品名称,英文名称,小票名称,分类编码,品牌,单位,称重,数量精度,税率类别,成本价,零售价,状态,条码,PLU,款式编码,图片';
    const line = (i, code) => `E2E-IMP-${stamp}-${i},导入测试商品${i},Import test ${i},测试${i},,测试品牌,piece,false,0,${taxCode},1.20,2.50,active,${code},,,`;
    const csv = [header, line(1, barcodes[0]), line(2, wrong), line(3, barcodes[2])].join('\r\n') + '\r\n';
    const file = path.join(tmpDir, 'products.csv');
    fs.writeFileSync(file, csv);

    await page.locator(byTest('menu-product-import')).click();
    const dry = page.waitForResponse((r) => r.url().includes('/api/v1/products/import?dry_run=true'));
    await page.locator(byTest('import-file')).setInputFiles(file);
    const dryAnswer = await dry;
    assert.equal(dryAnswer.request().headers()['content-type'], 'text/csv', 'the file goes as the raw body');
    assert.equal(dryAnswer.status(), 200);
    await page.locator(byTest('import-check')).waitFor({ state: 'visible' });
    const stat = async (name) => (await page.locator(`${byTest(name)} .el-statistic__content`).innerText()).trim();
    assert.equal(await stat('import-total-rows'), '3');
    assert.equal(await stat('import-valid-rows'), '2');
    assert.equal(await stat('import-error-count'), '1');
    const errorRows = page.locator(`${byTest('import-errors-table')} .el-table__row`);
    const errorRow = errorRows.filter({ hasText: wrong });
    await errorRow.waitFor({ state: 'visible' });
    assert.equal(await errorRows.count(), 1);
    const cells = (await errorRow.locator('td').allInnerTexts()).map((x) => x.trim());
    // The row: the second data row, as a line of the file (3, the header is line 1) or a data row (2).
    assert.ok(['2', '3'].includes(cells[0]), `the error names the second row (got ${cells[0]})`);
    assert.match(cells[1], /^(条码|barcodes?)$/, 'the error names the barcode column');
    assert.equal(cells[2], wrong);

    // Importing needs "skip invalid rows" while errors remain; then 2 are created, 1 skipped.
    assert.ok(await page.locator(byTest('import-run')).isDisabled(), 'import waits for a decision about the bad row');
    await page.locator(byTest('import-skip-invalid')).click();
    const run = page.waitForResponse((r) => r.url().includes('/api/v1/products/import?dry_run=false'));
    await page.locator(byTest('import-run')).click();
    const runAnswer = await run;
    assert.match(runAnswer.url(), /skip_invalid=true/);
    assert.equal(runAnswer.status(), 200);
    await page.locator(byTest('import-done')).waitFor({ state: 'visible' });
    assert.equal(await stat('import-created'), '2');
    assert.equal(await stat('import-skipped'), '1');

    // The error file of the skipped row: the row as it was in the file, with what is wrong.
    const errorDownload = page.waitForEvent('download');
    await page.locator(byTest('import-done-error-file')).click();
    const errorFile = await errorDownload;
    assert.equal(errorFile.suggestedFilename(), 'products.errors.csv');
    const errorLines = fs.readFileSync(await errorFile.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    assert.equal(errorLines.length, 2, errorLines.join('\n'));
    assert.ok(errorLines[0].startsWith(header) && errorLines[0].endsWith('错误 / error'), errorLines[0]);
    assert.ok(errorLines[1].startsWith(`E2E-IMP-${stamp}-2,`) && errorLines[1].includes(wrong), errorLines[1]);

    // The imported products are in the catalog; the bad row is not.
    const found = await apiGet(page, `/products?q=E2E-IMP-${stamp}&limit=10`);
    assert.deepEqual(found.body.data.map((p) => p.sku).sort(), [`E2E-IMP-${stamp}-1`, `E2E-IMP-${stamp}-3`]);

    assert.deepEqual(problems, []);
  });
});

/** PUT or POST JSON from the page with the CSRF header (as another person would). */
async function apiSend(page, method, p, body) {
  return page.evaluate(async ([m, url, b]) => {
    const csrf = decodeURIComponent(document.cookie.split('; ').find((c) => c.startsWith('sp_csrf='))?.split('=')[1] || '');
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf };
    if (m === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
    const res = await fetch(url, { method: m, headers, body: JSON.stringify(b) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, [method, `/api/v1${p}`, body]);
}

/** Types `text` into the filterable select `select` and picks the option `option` (data-test names). */
async function searchAndChoose(page, select, text, option) {
  await page.locator(byTest(select)).click();
  await page.keyboard.type(text, { delay: 20 });
  const opt = page.locator(`${byTest(option)}:visible`);
  await opt.waitFor({ state: 'visible' });
  await opt.click();
}

test('catalog screens: product form conflicts, categories, tax classes, price lists, scale labels', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'catalog-screens', async () => {
    await page.goto(server.url);
    await page.locator(byTest('menu-home')).waitFor({ state: 'visible' }); // still signed in
    const p1 = (await apiGet(page, '/products?q=P000001&limit=1')).body.data[0];
    assert.equal(p1.sku, 'P000001');
    const takenBarcode = p1.barcodes[0].code;

    // A new product with another product's barcode: the 409 shows under that barcode.
    await page.locator(byTest('menu-products')).click();
    await page.locator(byTest('product-create')).click();
    const dialog = page.locator(byTest('product-dialog'));
    await dialog.waitFor({ state: 'visible' });
    await page.locator(byTest('product-sku')).fill('E2E-NEW-1');
    await page.locator(byTest('product-name-zh')).fill('端到端测试商品');
    await page.locator(byTest('product-tax-class')).click();
    await page.locator(`${byTest('product-tax-class-option-VAT13')}:visible`).click();
    await page.locator(byTest('product-list-price')).fill('5');
    await page.locator(byTest('product-barcode-add')).click();
    await page.locator(byTest('product-barcode-0')).fill(takenBarcode);
    const conflict = page.waitForResponse((r) => r.url().endsWith('/api/v1/products') && r.request().method() === 'POST');
    await page.locator(byTest('product-save')).click();
    assert.equal((await conflict).status(), 409);
    await waitForText(page, 'product-barcode-error-0', '条码已被其他商品使用');
    const fresh = `69500000${String(Date.now()).slice(-4)}`;
    await page.locator(byTest('product-barcode-0')).fill(`${fresh}${checkDigit(fresh)}`);
    await page.locator(byTest('product-save')).click();
    await dialog.waitFor({ state: 'hidden' });
    const created = (await apiGet(page, '/products?q=E2E-NEW-1&limit=1')).body.data[0];
    assert.equal(created.list_price_minor, 500);
    assert.equal(created.barcodes[0].code, `${fresh}${checkDigit(fresh)}`);

    // Someone else renames it while the form is open: the save says so and reloads the form.
    await page.locator(byTest('products-search')).fill('E2E-NEW-1');
    await productRow(page, 'E2E-NEW-1').waitFor();
    await page.locator(byTest('product-edit-E2E-NEW-1')).click();
    await page.waitForFunction((sel) => document.querySelector(sel)?.value === '5.00', byTest('product-list-price'));
    const full = (await apiGet(page, `/products/${created.id}`)).body;
    const { id: _id, currency: _c, updated_at: _u, ...writable } = full;
    const other = await apiSend(page, 'PUT', `/products/${created.id}`, {
      ...writable, name_zh: '端到端测试商品（他人修改）', barcodes: full.barcodes.map((b) => ({ code: b.code, internal: b.kind === 'internal' })),
    });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    await page.locator(byTest('product-list-price')).fill('6.80');
    await page.locator(byTest('product-save')).click();
    await page.locator('.sp-conflict-toast').waitFor({ state: 'visible' });
    await page.waitForFunction((sel) => document.querySelector(sel)?.value === '端到端测试商品（他人修改）', byTest('product-name-zh'));
    await page.locator(byTest('product-list-price')).fill('6.80');
    await page.locator(byTest('product-save')).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction((sel) => document.querySelector(sel)?.innerText.includes('6.80'), byTest('product-price-E2E-NEW-1'));

    // Categories: a subcategory under 饮料, then moved under 休闲零食.
    await page.locator(byTest('menu-categories')).click();
    await page.locator(byTest('category-node-DRINK')).waitFor();
    await page.locator(byTest('category-add-child-DRINK')).click();
    await page.locator(byTest('category-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('category-code')).fill('E2E-CAT');
    await page.locator(byTest('category-name')).fill('端到端分类');
    await page.locator(byTest('category-save')).click();
    await page.locator(byTest('category-dialog')).waitFor({ state: 'hidden' });
    await page.locator(byTest('category-node-E2E-CAT')).waitFor();
    await page.locator(byTest('category-edit-E2E-CAT')).click();
    await page.locator(byTest('category-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('category-parent')).click();
    await page.locator(`${byTest('category-option-SNACK')}:visible`).click();
    await page.locator(byTest('category-save')).click();
    await page.locator(byTest('category-dialog')).waitFor({ state: 'hidden' });
    const cats = (await apiGet(page, '/categories')).body.data;
    const moved = cats.find((c) => c.code === 'E2E-CAT');
    assert.equal(moved.parent_id, cats.find((c) => c.code === 'SNACK').id, 'moved under SNACK');

    // Tax classes: 6.5 % typed, "0.065" stored.
    await page.locator(byTest('menu-tax-classes')).click();
    await page.locator(byTest('tax-class-create')).click();
    await page.locator(byTest('tax-class-code')).fill('E2E-TAX');
    await page.locator(byTest('tax-class-name')).fill('测试税率 6.5%');
    await page.locator(byTest('tax-class-rate')).fill('6.5');
    await page.locator(byTest('tax-class-save')).click();
    await page.locator(byTest('tax-class-dialog')).waitFor({ state: 'hidden' });
    await waitForText(page, 'tax-class-rate-E2E-TAX', '6.5 %');
    const taxes = (await apiGet(page, '/tax-classes')).body.data;
    assert.equal(taxes.find((x) => x.code === 'E2E-TAX').rate, '0.065');

    // Price lists: a gold-tier list with P000001 half a yuan below its list price.
    await page.locator(byTest('menu-price-lists')).click();
    await page.locator(byTest('price-list-create')).click();
    await page.locator(byTest('price-list-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('price-list-code')).fill('E2E-GOLD');
    await page.locator(byTest('price-list-name')).fill('金卡会员价');
    await page.locator(byTest('price-list-tier')).fill('gold');
    await page.locator(byTest('price-list-save')).click();
    await page.locator(byTest('price-list-dialog')).waitFor({ state: 'hidden' });
    await page.locator(byTest('price-list-items-E2E-GOLD')).click();
    await page.locator(byTest('price-list-items-dialog')).waitFor({ state: 'visible' });
    await searchAndChoose(page, 'price-item-product', 'P000001', 'product-option-P000001');
    const gold = p1.list_price_minor - 50;
    await page.locator(byTest('price-item-price')).fill(yuan(gold));
    await page.locator(byTest('price-item-add')).click();
    await page.locator(byTest('price-item-price-P000001')).waitFor();
    const putItems = page.waitForResponse((r) => /\/price-lists\/[^/]+\/items$/.test(r.url()) && r.request().method() === 'PUT');
    await page.locator(byTest('price-items-save')).click();
    const itemsAnswer = await putItems;
    assert.equal(itemsAnswer.status(), 200);
    assert.deepEqual(itemsAnswer.request().postDataJSON(), { items: [{ product_id: p1.id, price_minor: gold }] });
    await page.locator(byTest('price-items-cancel')).click();

    // The price check finds that price for the gold tier, and names the list.
    await searchAndChoose(page, 'price-check-product', 'P000001', 'product-option-P000001');
    await page.locator(byTest('price-check-tier')).fill('gold');
    await page.locator(byTest('price-check-run')).click();
    await waitForText(page, 'price-check-source', 'E2E-GOLD');
    assert.match(await page.locator(byTest('price-check-price')).innerText(), new RegExp(yuan(gold).replace('.', '\\.')));

    // Removing the item sends price_minor null.
    await page.locator(byTest('price-list-items-E2E-GOLD')).click();
    await page.locator(byTest('price-item-remove-P000001')).click();
    const removeItems = page.waitForResponse((r) => /\/price-lists\/[^/]+\/items$/.test(r.url()) && r.request().method() === 'PUT');
    await page.locator(byTest('price-items-save')).click();
    assert.deepEqual((await removeItems).request().postDataJSON(), { items: [{ product_id: p1.id, price_minor: null }] });
    await page.locator(byTest('price-item-price-P000001')).waitFor({ state: 'detached' });
    await page.locator(byTest('price-items-cancel')).click();

    // Scale formats: a weight label of PLU 10001 (苹果) with 532 g.
    await page.locator(byTest('menu-scale-formats')).click();
    await page.locator(`${byTest('scale-formats-table')} .el-table__row`).first().waitFor();
    const format = (await apiGet(page, '/scale-formats')).body.data.find((f) => f.active && f.value_kind === 'weight');
    const labelBody = `${format.prefix}${'10001'.padStart(format.plu_digits, '0')}${'532'.padStart(format.value_digits, '0')}`;
    await page.locator(byTest('scale-test-code')).fill(`${labelBody}${checkDigit(labelBody)}`);
    await page.locator(byTest('scale-test-run')).click();
    await page.locator(byTest('scale-test-result')).waitFor({ state: 'visible' });
    assert.match(await page.locator(byTest('scale-test-product')).innerText(), /苹果/);
    assert.match(await page.locator(byTest('scale-test-quantity')).innerText(), /0\.532/);
    await page.locator(byTest('scale-test-code')).fill('1234');
    await page.locator(byTest('scale-test-run')).click();
    await page.locator(byTest('scale-test-none')).waitFor({ state: 'visible' });

    // Export: the CSV of the current filters downloads with the session cookie.
    await page.locator(byTest('menu-products')).click();
    await page.locator(`${byTest('products-table')} .el-table__row`).first().waitFor();
    const download = page.waitForEvent('download');
    await page.locator(byTest('products-export-csv')).click();
    const file = await download;
    assert.match(file.url(), /\/api\/v1\/products\/export\?format=csv&lang=zh-CN/);
    const exported = fs.readFileSync(await file.path(), 'utf8');
    assert.match(exported.split('\n')[0], /商品编码/);
    assert.match(exported, /E2E-NEW-1/);

    // Someone who may only read the catalog (the auditor) sees it without editing controls.
    await page.locator(byTest('logout')).click();
    await login(page, 'auditor', DEMO_PASSWORD);
    await page.locator(byTest('menu-products')).click();
    await productRow(page, 'P000001').waitFor();
    for (const hidden of ['product-create', 'product-edit-P000001', 'menu-product-import']) {
      assert.equal(await page.locator(byTest(hidden)).count(), 0, `${hidden} is not shown to a reader`);
    }
    await page.locator(byTest('menu-price-lists')).click();
    await page.locator(byTest('price-list-items-MEMBER')).waitFor();
    assert.equal(await page.locator(byTest('price-list-create')).count(), 0);

    assert.deepEqual(problems, []);
  });
});
