// The offline app shell, with the demo chain and the SH001 cashier:
// 1. the service worker takes the page and caches the shell (index.html, app.js, every file of
//    web/js, the styles and vendor files) and no API answer;
// 2. the server becomes unreachable (every request to it fails at the network), the page is
//    reloaded: the register appears from the cached shell with the offline banner, sells for
//    cash into its queue; the server is back: the offline mode ends by itself and the sale
//    reaches the server exactly once;
// 3. offline again, a sale queued, and the session cookie gone meanwhile: when the server answers
//    the login page shows, the sale waits in IndexedDB, and after the cashier signs in again it
//    reaches the server exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, startServer } from './lib/server.js';
import { byTest, login, openBrowser, screenshotOnFailure } from './lib/browser.js';
import { openRegister, scan, waitForFocus, waitForLines } from './lib/register.js';

const DEMO_PASSWORD = 'Salepoint-Demo-2026';
const WEB = path.resolve(E2E_DIR, '../../web');

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

/** GET /api/v1<path> from the page, with the session cookie. */
async function apiGet(page, p) {
  return page.evaluate(async (url) => {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, `/api/v1${p}`);
}

/** Every file under web/<dir> as the site path the browser asks for (/js/api.js …). */
function siteFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push('/' + path.relative(WEB, p).split(path.sep).join('/'));
    }
  };
  walk(path.join(WEB, dir));
  return out;
}

/**
 * Makes every request to the server fail at the network (as with the server down). Returns
 * { restore(), refused } — `refused` lists the paths that were refused meanwhile.
 */
async function cutServer(context) {
  const origin = new URL(server.url).origin;
  const refused = [];
  const matches = (url) => url.origin === origin;
  const refuse = (route) => {
    refused.push(new URL(route.request().url()).pathname);
    return route.abort('internetdisconnected');
  };
  await context.route(matches, refuse);
  return { restore: () => context.unroute(matches, refuse), refused };
}

/**
 * Runs `body({ restore, refused })` with the server cut off; `restore()` brings it back, and the
 * end of `body` (or a failure in it) does so anyway, so the next test finds the server.
 */
async function whileCut(context, body) {
  const cut = await cutServer(context);
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await cut.restore();
  };
  try {
    await body({ restore, refused: cut.refused });
  } finally {
    await restore();
  }
}

/** The sales of the register the server has. */
async function serverSales(page, registerId) {
  const r = await apiGet(page, `/sales?register_id=${registerId}&limit=200`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data;
}

/** How many sales wait in the register's IndexedDB queue. */
const queued = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('salepoint-register');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const req = db.transaction('queue').objectStore('queue').count();
    req.onsuccess = () => { resolve(req.result); db.close(); };
    req.onerror = () => reject(req.error);
  };
}));

/** Rings up one product by its barcode and pays it in exact cash: a local receipt (offline). */
async function sellOffline(page, barcode) {
  await scan(page, barcode);
  await waitForLines(page, 1);
  await page.keyboard.press('F4');
  await page.locator(byTest('register-pay-dialog')).waitFor({ state: 'visible' });
  await waitForFocus(page, 'pay-tendered');
  await page.locator(byTest('pay-offline-note')).waitFor({ state: 'visible' });
  await page.keyboard.press('F4'); // complete: exact cash
  await page.locator(byTest('register-receipt-local')).waitFor({ state: 'visible' });
  await page.locator(byTest('register-receipt-close')).click();
  await page.locator(byTest('register-cart-empty')).waitFor({ state: 'visible' });
}

test('offline shell: the service worker caches the app shell and no API answer', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'offline-shell-cache', async () => {
    await page.goto(server.url);
    await login(page, 'cashier.sh001', DEMO_PASSWORD);
    shared.choice = await openRegister(page);
    const snap = await apiGet(page, `/stores/${shared.choice.store_id}/catalog`);
    shared.barcodes = snap.body.products
      .filter((p) => !p.sold_by_weight && p.barcodes.some((b) => /^\d{13}$/.test(b)))
      .slice(0, 2)
      .map((p) => p.barcodes.find((b) => /^\d{13}$/.test(b)));
    assert.equal(shared.barcodes.length, 2);

    // /sw.js is served from the embedded web/ folder; the worker controls the page.
    const sw = await page.evaluate(async () => {
      const res = await fetch('/sw.js', { cache: 'no-store' });
      return { status: res.status, type: res.headers.get('Content-Type') };
    });
    assert.equal(sw.status, 200);
    assert.match(sw.type, /javascript/);
    await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', null, { timeout: 30_000 });

    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const keys = [];
      for (const n of names) for (const r of await (await caches.open(n)).keys()) keys.push(new URL(r.url).pathname);
      return { names, keys };
    });
    assert.deepEqual(cached.names.filter((n) => n.startsWith('salepoint-shell-')).length, 1, JSON.stringify(cached.names));
    const want = ['/index.html', '/app.js', ...siteFiles('js'), ...siteFiles('css'),
      ...siteFiles('vendor').filter((f) => /\.(m?js|css)$/.test(f))];
    const missing = want.filter((f) => !cached.keys.includes(f));
    assert.deepEqual(missing, [], 'every shell file is cached');
    assert.deepEqual(cached.keys.filter((k) => k.startsWith('/api/')), [], 'no API answer is cached');
    assert.deepEqual(problems, []);
  });
});

test('offline shell: server unreachable, reload: the register sells into the queue; back: sent once', async () => {
  const { page, context, problems } = browser;
  await screenshotOnFailure(page, 'offline-shell-sell', async () => {
    assert.ok(shared.choice, 'the first test opened the register');
    const known = new Set((await serverSales(page, shared.choice.register_id)).map((s) => s.id));

    await whileCut(context, async ({ restore, refused }) => {
      const reloaded = await page.reload();
      // The shell came from the cache; /auth/me failed at the network: offline mode at the register.
      assert.ok(reloaded?.fromServiceWorker(), 'the page came from the service worker');
      await page.locator(byTest('offline-banner')).waitFor({ state: 'visible' });
      assert.ok(refused.includes('/api/v1/auth/me'), `the session check was refused: ${refused.join(' ')}`);
      assert.match(await page.locator(byTest('offline-banner')).innerText(), /离线模式/);
      await page.locator(byTest('register-search')).waitFor({ state: 'visible' });
      assert.equal(new URL(page.url()).hash, '#/register');
      assert.equal(await page.locator(byTest('menu-sales')).count(), 0, 'offline the menu holds only the register');
      assert.equal(await page.locator(byTest('menu-register')).count(), 1);
      assert.equal(await page.locator(byTest('register-online')).getAttribute('data-online'), 'false');
      await page.waitForFunction(() => document.querySelector('[data-test="register-catalog-status"]')?.dataset.loaded === 'true');
      // Another screen is not offered offline: back to the register.
      await page.evaluate(() => { location.hash = '#/sales'; });
      await page.waitForFunction(() => location.hash === '#/register');
      await page.locator(byTest('register-search')).waitFor({ state: 'visible' });

      await sellOffline(page, shared.barcodes[0]);
      await page.waitForFunction(() => document.querySelector('[data-test="register-queue-banner"]')?.dataset.pending === '1');
      assert.equal(await queued(page), 1);

      // The server answers again: the offline mode ends by itself and the queue goes, once.
      await restore();
      await page.locator(byTest('offline-banner')).waitFor({ state: 'detached', timeout: 30_000 });
      await page.locator(byTest('register-queue-banner')).waitFor({ state: 'detached', timeout: 30_000 });
      await page.locator(byTest('menu-sales')).waitFor({ state: 'visible' });
    });
    const fresh = (await serverSales(page, shared.choice.register_id)).filter((s) => !known.has(s.id));
    assert.equal(fresh.length, 1, `exactly one new sale: ${JSON.stringify(fresh.map((s) => s.id))}`);
    assert.equal(fresh[0].offline, true);
    assert.equal(fresh[0].tenders[0].code, 'CASH');
    assert.equal(await queued(page), 0);
    assert.deepEqual(problems, []);
  });
});

test('offline shell: the session ends while offline: login page, the sale waits and goes after sign-in', async () => {
  const { page, context, problems } = browser;
  await screenshotOnFailure(page, 'offline-shell-relogin', async () => {
    assert.ok(shared.choice, 'the first test opened the register');
    const known = new Set((await serverSales(page, shared.choice.register_id)).map((s) => s.id));

    await whileCut(context, async ({ restore }) => {
      await page.reload();
      await page.locator(byTest('offline-banner')).waitFor({ state: 'visible' });
      await page.locator(byTest('register-search')).waitFor({ state: 'visible' });
      await page.waitForFunction(() => document.querySelector('[data-test="register-catalog-status"]')?.dataset.loaded === 'true');
      await sellOffline(page, shared.barcodes[1]);
      assert.equal(await queued(page), 1);

      // The session is gone meanwhile (expired, or ended on the server): the server's 401 shows
      // the login page; the sale stays in IndexedDB.
      await context.clearCookies();
      await restore();
      await page.locator(byTest('login-username')).waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await queued(page), 1, 'the queued sale waits');
    });

    // The cashier signs in again (back to the register): the sale reaches the server once.
    await page.locator(byTest('login-username')).fill('cashier.sh001');
    await page.locator(byTest('login-password')).fill(DEMO_PASSWORD);
    await page.locator(byTest('login-submit')).click();
    await page.locator(byTest('register-search')).waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('[data-test="register-queue-banner"]'), null, { timeout: 30_000 });
    const fresh = (await serverSales(page, shared.choice.register_id)).filter((s) => !known.has(s.id));
    assert.equal(fresh.length, 1, `exactly one new sale: ${JSON.stringify(fresh.map((s) => s.id))}`);
    assert.equal(fresh[0].offline, true);
    assert.equal(await queued(page), 0);
    assert.deepEqual(problems, []);
  });
});
