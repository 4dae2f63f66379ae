// The administrator's first day: log in (Chinese UI), switch to English and have it remembered,
// create a store, create a cashier for it, and see that the cashier's menu is reduced.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import {
  byTest, chooseOption, login, openBrowser, screenshotOnFailure, textOf, waitForText,
} from './lib/browser.js';

const STORE = { code: 'E2E-SH01', name: '上海南京路店', address: '上海市黄浦区南京东路 1 号' };
const CASHIER = { username: 'cashier01', displayName: '王小明', password: 'Kassa-Tests-2026!x' };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('admin sets up a store and a cashier; the cashier sees a reduced menu', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'admin-story', async () => {
    // Chinese is the default language.
    await page.goto(server.url);
    assert.equal(await textOf(page, 'login-title'), '登录');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');

    await login(page, 'admin', ADMIN_PASSWORD);
    assert.equal(await textOf(page, 'menu-stores'), '门店与仓库');
    assert.equal(await textOf(page, 'menu-users'), '用户');
    assert.equal(await textOf(page, 'header-role'), '管理员');
    assert.equal(await textOf(page, 'home-scope'), '全部门店');

    // One click to English, remembered across a reload.
    await page.locator(byTest('lang-toggle')).click();
    await waitForText(page, 'menu-stores', 'Stores & warehouses');
    assert.equal(await textOf(page, 'menu-users'), 'Users');
    assert.equal(await textOf(page, 'menu-audit'), 'Audit trail');
    assert.equal(await textOf(page, 'header-role'), 'Administrator');
    await page.reload();
    await page.locator(byTest('menu-home')).waitFor({ state: 'visible' });
    assert.equal(await textOf(page, 'menu-stores'), 'Stores & warehouses');
    assert.equal(await textOf(page, 'menu-home'), 'Home');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');

    // Create a store.
    await page.locator(byTest('menu-stores')).click();
    await page.locator(byTest('store-create')).click();
    const storeDialog = page.locator(byTest('store-dialog'));
    await storeDialog.waitFor({ state: 'visible' });
    await page.locator(byTest('store-code')).fill(STORE.code);
    await page.locator(byTest('store-name')).fill(STORE.name);
    await page.locator(byTest('store-address')).fill(STORE.address);
    await page.locator(byTest('store-save')).click();
    await storeDialog.waitFor({ state: 'hidden' });
    const storeRow = page.locator(`${byTest('stores-table')} .el-table__row`, { hasText: STORE.code });
    await storeRow.waitFor({ state: 'visible' });
    assert.match(await storeRow.innerText(), new RegExp(STORE.name));

    // Search finds it; a filter by the other kind hides it.
    await page.locator(byTest('stores-search')).fill('NOSUCHSTORE');
    await page.locator(byTest('stores-search')).press('Enter');
    await storeRow.waitFor({ state: 'detached' });
    await page.locator(byTest('stores-search')).fill(STORE.code);
    await page.locator(byTest('stores-search')).press('Enter');
    await storeRow.waitFor({ state: 'visible' });

    // Create a cashier assigned to that store.
    await page.locator(byTest('menu-users')).click();
    await page.locator(byTest('user-create')).click();
    const userDialog = page.locator(byTest('user-dialog'));
    await userDialog.waitFor({ state: 'visible' });
    await page.locator(byTest('user-username')).fill(CASHIER.username);
    await page.locator(byTest('user-display-name')).fill(CASHIER.displayName);
    await chooseOption(page, 'user-role', 'user-role-option-cashier');
    await chooseOption(page, 'user-stores', `user-store-option-${STORE.code}`);
    await userDialog.locator('.el-dialog__header').click(); // closes the multi-select's dropdown
    await page.locator(byTest('user-password')).fill(CASHIER.password);
    await page.locator(byTest('user-save')).click();
    await userDialog.waitFor({ state: 'hidden' });
    const userRow = page.locator(`${byTest('users-table')} .el-table__row`, { hasText: CASHIER.username });
    await userRow.waitFor({ state: 'visible' });
    const userText = await userRow.innerText();
    assert.match(userText, /Cashier/);
    assert.match(userText, new RegExp(STORE.name));

    // Log out; the cashier logs in and sees only what a cashier may.
    await page.locator(byTest('logout')).click();
    await page.locator(byTest('login-username')).waitFor({ state: 'visible' });
    assert.equal(await textOf(page, 'login-title'), 'Sign in');
    await login(page, CASHIER.username, CASHIER.password);
    assert.equal(await textOf(page, 'header-role'), 'Cashier');
    assert.equal(await textOf(page, 'home-scope'), '1 store(s)');
    await page.locator(byTest('menu-stores')).waitFor({ state: 'visible' });
    for (const hidden of ['menu-users', 'menu-audit', 'menu-api-keys', 'menu-company', 'menu-regions']) {
      assert.equal(await page.locator(byTest(hidden)).count(), 0, `${hidden} must not be shown to a cashier`);
    }
    // A screen outside the role sends back home instead of failing.
    await page.goto(`${server.url}#/users`);
    await page.locator(byTest('home-welcome')).waitFor({ state: 'visible' });
    assert.equal(await page.locator(byTest('users-table')).count(), 0);
    // The cashier's store list holds the store.
    await page.locator(byTest('menu-stores')).click();
    await page.locator(`${byTest('stores-table')} .el-table__row`, { hasText: STORE.code }).waitFor({ state: 'visible' });
    assert.equal(await page.locator(byTest('store-create')).count(), 0, 'a cashier may not create stores');

    assert.deepEqual(problems, []);
  });
});
