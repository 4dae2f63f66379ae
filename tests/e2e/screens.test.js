// Every other screen an administrator uses, once through: company settings, regions (with a
// stale-version save), a store's registers, disabling a user and resetting a password, an API
// key shown once and revoked, the audit trail with its chain check, and a password change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import {
  byTest, chooseOption, fieldError, login, openBrowser, screenshotOnFailure, textOf, waitForText,
} from './lib/browser.js';

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

const row = (page, table, text) => page.locator(`${byTest(table)} .el-table__row`, { hasText: text });

async function saveDialog(page, prefix) {
  await page.locator(byTest(`${prefix}-save`)).click();
  await page.locator(byTest(`${prefix}-dialog`)).waitFor({ state: 'hidden' });
}

test('admin screens: company, regions, registers, users, API keys, audit', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'screens', async () => {
    await page.goto(server.url);
    await login(page, 'admin', ADMIN_PASSWORD);

    // Company settings: rename; the header follows.
    await page.locator(byTest('menu-company')).click();
    const companyName = page.locator(byTest('company-name'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.value, byTest('company-name'));
    await companyName.fill('测试连锁有限公司');
    await page.locator(byTest('company-save')).click();
    await waitForText(page, 'header-company', '测试连锁有限公司');

    // Regions: create, then edit.
    await page.locator(byTest('menu-regions')).click();
    await page.locator(byTest('region-create')).click();
    await page.locator(byTest('region-code')).fill('EAST');
    await page.locator(byTest('region-name')).fill('华东区');
    await saveDialog(page, 'region');
    await row(page, 'regions-table', '华东区').waitFor();
    await page.locator(byTest('region-edit-EAST')).click();
    await page.locator(byTest('region-name')).fill('华东大区');
    await saveDialog(page, 'region');
    await row(page, 'regions-table', '华东大区').waitFor();

    // A stale version: someone else renames the region while the dialog is open.
    await page.locator(byTest('region-edit-EAST')).click();
    await page.locator(byTest('region-dialog')).waitFor({ state: 'visible' });
    const status = await page.evaluate(async () => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('sp_csrf='))?.split('=')[1];
      const list = await (await fetch('/api/v1/regions')).json();
      const r = list.data.find((x) => x.code === 'EAST');
      const res = await fetch(`/api/v1/regions/${r.id}`, {
        method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) },
        body: JSON.stringify({ code: 'EAST', name: '华东（他人修改）', version: r.version }),
      });
      return res.status;
    });
    assert.equal(status, 200);
    await page.locator(byTest('region-name')).fill('华东区域');
    await page.locator(byTest('region-save')).click();
    await page.locator('.sp-conflict-toast').waitFor({ state: 'visible' });
    // The dialog now holds the other person's change and the new version; saving again works.
    await page.waitForFunction((sel) => document.querySelector(sel)?.value === '华东（他人修改）', byTest('region-name'));
    await page.locator(byTest('region-name')).fill('华东区域');
    await saveDialog(page, 'region');
    await row(page, 'regions-table', '华东区域').waitFor();

    // Cursor pagination: 55 more regions (made through the API) fill more than one page of 50.
    const created = await page.evaluate(async () => {
      const csrf = decodeURIComponent(document.cookie.split('; ').find((c) => c.startsWith('sp_csrf='))?.split('=')[1]);
      let ok = 0;
      for (let i = 1; i <= 55; i++) {
        const res = await fetch('/api/v1/regions', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Idempotency-Key': crypto.randomUUID() },
          body: JSON.stringify({ code: `R${String(i).padStart(3, '0')}`, name: `区域 ${i}` }),
        });
        if (res.status === 201) ok++;
      }
      return ok;
    });
    assert.equal(created, 55, 'POST /regions answers 201');
    await page.locator(byTest('menu-home')).click();
    await page.locator(byTest('menu-regions')).click();
    const regionRows = page.locator(`${byTest('regions-table')} .el-table__row`);
    await page.locator(byTest('load-more')).waitFor({ state: 'visible' });
    assert.equal(await regionRows.count(), 50);
    await page.locator(byTest('load-more')).click();
    await page.locator(byTest('load-more')).waitFor({ state: 'detached' });
    assert.equal(await regionRows.count(), 56);

    // A store in that region, and its registers.
    await page.locator(byTest('menu-stores')).click();
    await page.locator(byTest('store-create')).click();
    await page.locator(byTest('store-code')).fill('SH02');
    await page.locator(byTest('store-name')).fill('徐家汇店');
    await chooseOption(page, 'store-region', 'store-region-option-EAST');
    await saveDialog(page, 'store');
    const storeRow = row(page, 'stores-table', 'SH02');
    await storeRow.waitFor();
    assert.match(await storeRow.innerText(), /华东区域/);
    await page.locator(byTest('store-registers-SH02')).click();
    await page.waitForFunction((sel) => document.querySelector(sel)?.innerText.includes('SH02'), byTest('registers-title'));
    await page.locator(byTest('register-create')).click();
    await page.locator(byTest('register-code')).fill('POS-1');
    await page.locator(byTest('register-name')).fill('1号收银台');
    await saveDialog(page, 'register');
    await row(page, 'registers-table', 'POS-1').waitFor();

    // A store manager: created, disabled with the switch, password reset (weak one refused).
    await page.locator(byTest('menu-users')).click();
    await page.locator(byTest('user-create')).click();
    await page.locator(byTest('user-username')).fill('manager01');
    await page.locator(byTest('user-display-name')).fill('李店长');
    await chooseOption(page, 'user-role', 'user-role-option-store_manager');
    await chooseOption(page, 'user-stores', 'user-store-option-SH02');
    await page.locator(`${byTest('user-dialog')} .el-dialog__header`).click();
    await page.locator(byTest('user-password')).fill('Laden-Leiter-2026!q');
    await saveDialog(page, 'user');
    await row(page, 'users-table', 'manager01').waitFor();
    const activeSwitch = page.locator(byTest('user-active-manager01'));
    assert.match(await activeSwitch.getAttribute('class'), /is-checked/);
    await activeSwitch.click();
    await page.waitForFunction((sel) => !document.querySelector(sel)?.classList.contains('is-checked'), byTest('user-active-manager01'));
    await page.locator(byTest('user-password-manager01')).click();
    await page.locator(byTest('password-new')).fill('kurz');
    await page.locator(byTest('password-save')).click();
    await fieldError(page, 'password-field-password').waitFor({ state: 'visible' });
    await page.locator(byTest('password-new')).fill('Neues-Passwort-2026!z');
    await saveDialog(page, 'password');

    // An API key: the secret shows once, then the key is revoked.
    await page.locator(byTest('menu-api-keys')).click();
    await page.locator(byTest('api-key-create')).click();
    await page.locator(byTest('api-key-name')).fill('erp-sync');
    await chooseOption(page, 'api-key-role', 'api-key-role-option-accountant');
    await page.locator(byTest('api-key-save')).click();
    await page.locator(byTest('api-key-secret-dialog')).waitFor({ state: 'visible' });
    const secret = await page.locator(byTest('api-key-secret')).inputValue();
    assert.ok(secret.length >= 20, `a secret is shown (${secret.length} characters)`);
    await page.locator(byTest('api-key-secret-done')).click();
    await page.locator(byTest('api-key-secret-dialog')).waitFor({ state: 'hidden' });
    const keyRow = row(page, 'api-keys-table', 'erp-sync');
    await keyRow.waitFor();
    assert.ok(!(await keyRow.innerText()).includes(secret), 'the list never shows the secret');
    await page.locator(byTest('api-key-revoke-erp-sync')).click();
    await page.locator('.sp-confirm-ok').click();
    await page.locator(byTest('api-key-revoke-erp-sync')).waitFor({ state: 'detached' });
    assert.match(await keyRow.innerText(), /已吊销/);

    // The audit trail holds what was done, and its chain verifies.
    await page.locator(byTest('menu-audit')).click();
    await row(page, 'audit-table', 'store.created').waitFor();
    await row(page, 'audit-table', 'user.disabled').waitFor();
    await page.locator(byTest('audit-verify')).click();
    await page.locator(`${byTest('audit-verify-result')}.sp-chain-ok`).waitFor({ state: 'visible' });
    assert.match(await textOf(page, 'audit-verify-result'), /日志链完整/);

    // Changing one's own password ends the session; the new password signs in.
    await page.locator(byTest('change-password')).click();
    await page.locator(byTest('own-password-dialog')).waitFor({ state: 'visible' });
    await page.locator(byTest('own-password-current')).fill('not-my-password');
    await page.locator(byTest('own-password-new')).fill('Zweites-Admin-2026!k');
    await page.locator(byTest('own-password-repeat')).fill('Zweites-Admin-2026!k');
    await page.locator(byTest('own-password-save')).click();
    await fieldError(page, 'own-password-field-current_password').waitFor({ state: 'visible' });
    await page.locator(byTest('own-password-current')).fill(ADMIN_PASSWORD);
    await page.locator(byTest('own-password-save')).click();
    await page.locator(byTest('login-username')).waitFor({ state: 'visible' });
    await login(page, 'admin', 'Zweites-Admin-2026!k');

    assert.deepEqual(problems, []);
  });
});
