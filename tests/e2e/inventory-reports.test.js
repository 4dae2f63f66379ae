// Inventory reports in the browser (docs/analytics.md, "Inventory reports"), with the demo
// chain (opening stock everywhere, no sales history):
// 1. the SH001 store manager opens 库存报表 from the menu: the stock value of his store only,
//    the total on screen equals the API's; the chart switches to its table, whose row shows
//    the same figure; the XLSX export (Chinese headers) adds up to the screen's total and its
//    合计 row says the same;
// 2. dead stock (nothing sold in 90 days: all of the store's stock), the first 200 rows of
//    many, never sold; the XLSX's 合计 row equals the screen's total value.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer } from './lib/server.js';
import { byTest, login, openBrowser, screenshotOnFailure } from './lib/browser.js';
import { readXlsx } from './lib/xlsx.js';

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

const minorOfText = (text) => Math.round(Number(String(text).replace(/[^\d.-]/g, '')) * 100);

/** Waits for the report of `kind` the screen asks for; its JSON. */
async function answerOf(page, kind, action) {
  const response = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/reports/inventory' && u.searchParams.get('kind') === kind;
  });
  await action();
  const res = await response;
  assert.equal(res.status(), 200, await res.text());
  const body = await res.json();
  await page.waitForFunction((k) => document.querySelector('[data-test="invrep-meta"]')?.dataset.kind === k, kind);
  return body;
}

/** Downloads the XLSX of the report on screen: [header, ...rows] without empty rows. */
async function xlsxOf(page) {
  const download = page.waitForEvent('download');
  await page.locator(byTest('invrep-export-xlsx')).click();
  const file = await download;
  const url = new URL(file.url());
  assert.equal(url.pathname, '/api/v1/reports/inventory/export');
  assert.equal(url.searchParams.get('format'), 'xlsx');
  assert.equal(url.searchParams.get('lang'), 'zh-CN');
  return { url, rows: readXlsx(fs.readFileSync(await file.path())).filter((r) => r.some((c) => c !== '')) };
}

test('inventory reports: value and dead stock of the manager\'s store, chart ⇄ table, XLSX totals equal the screen\'s', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'inventory-reports', async () => {
    await page.goto(server.url);
    await login(page, 'manager.sh001', DEMO_PASSWORD);

    // 1. Stock value, by location: only SH001 for its manager.
    const value = await answerOf(page, 'value', () => page.locator(byTest('menu-inventory-reports')).click());
    assert.deepEqual(value.group, ['location']);
    assert.equal(value.rows.length, 1, JSON.stringify(value.rows.map((r) => r.labels)));
    const sh001 = value.rows[0];
    assert.match(sh001.labels.location, /^SH001 /);
    assert.ok(value.totals.value > 0);
    const total = page.locator(byTest('invrep-total-value'));
    assert.equal(Number(await total.getAttribute('data-value')), value.totals.value);
    assert.equal(minorOfText(await total.innerText()), value.totals.value);

    await page.locator(byTest('invrep-chart')).waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelector('[data-test="invrep-chart"] canvas') !== null);
    await page.locator(byTest('invrep-show-table')).click();
    const cell = page.locator(byTest(`invrep-cell-value-${sh001.keys.location}`));
    await cell.waitFor({ state: 'visible' });
    assert.equal(minorOfText(await cell.innerText()), sh001.values.value);

    let { url, rows } = await xlsxOf(page);
    assert.equal(url.searchParams.get('kind'), 'value');
    let [header, ...data] = rows;
    assert.deepEqual(header, ['地点', '有库存商品数', '库存数量', '库存金额']);
    const isTotal = (r) => String(r[0]) === '合计';
    const col = header.indexOf('库存金额');
    const sum = data.filter((r) => !isTotal(r)).reduce((s, r) => s + Math.round(Number(r[col]) * 100), 0);
    assert.equal(sum, value.totals.value, `XLSX rows ${JSON.stringify(data)} add up to the screen's total`);
    assert.equal(Math.round(Number(data.find(isTotal)[col]) * 100), value.totals.value);

    // 2. Dead stock: nothing was ever sold, so every product in stock at SH001 is dead.
    const dead = await answerOf(page, 'dead_stock', () => page.locator(byTest('invrep-kind-dead_stock')).click());
    assert.deepEqual(dead.group, ['location', 'category', 'product']);
    assert.equal(dead.days, 90);
    assert.equal(dead.rows.length, 200);
    assert.ok(dead.row_count > 200 && dead.truncated);
    assert.equal(dead.totals.value, value.totals.value, 'all of the stock is dead');
    assert.equal(dead.rows[0].values.last_sale_day, null);
    assert.ok(dead.rows[0].values.value >= dead.rows[199].values.value, 'the largest value first');
    assert.equal(Number(await page.locator(byTest('invrep-total-value')).getAttribute('data-value')), dead.totals.value);
    const first = dead.rows[0].keys;
    const lastSale = page.locator(byTest(`invrep-cell-last_sale_day-${first.location}-${first.category}-${first.product}`));
    await lastSale.waitFor({ state: 'visible' });
    assert.equal((await lastSale.innerText()).trim(), '从未销售');

    ({ url, rows } = await xlsxOf(page));
    assert.equal(url.searchParams.get('kind'), 'dead_stock');
    assert.equal(url.searchParams.get('top'), '200');
    [header, ...data] = rows;
    assert.deepEqual(header.slice(0, 3), ['地点', '品类', '商品']);
    const deadCol = header.indexOf('库存金额');
    assert.equal(data.filter((r) => !isTotal(r)).length, 200);
    assert.equal(Math.round(Number(data.find(isTotal)[deadCol]) * 100), dead.totals.value);
    assert.deepEqual(problems, []);
  });
});
