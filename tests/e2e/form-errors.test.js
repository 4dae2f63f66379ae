// Validation messages appear next to the field they concern: client-side required checks, and
// the server's problem+json errors[] (409 duplicate code, 422 over-long code) mapped by JSON Pointer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from './lib/server.js';
import { byTest, fieldError, login, openBrowser, screenshotOnFailure } from './lib/browser.js';

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

async function openStoreDialog(page) {
  await page.locator(byTest('store-create')).click();
  const dialog = page.locator(byTest('store-dialog'));
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

test('store form shows required, duplicate-code and too-long errors next to the field', async () => {
  const { page, problems } = browser;
  await screenshotOnFailure(page, 'form-errors', async () => {
    await page.goto(server.url);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.locator(byTest('menu-stores')).click();

    // Client-side: nothing filled in → required, no request needed.
    let dialog = await openStoreDialog(page);
    await page.locator(byTest('store-save')).click();
    await fieldError(page, 'store-field-code').waitFor({ state: 'visible' });
    assert.equal((await fieldError(page, 'store-field-code').innerText()).trim(), '必填');
    assert.equal((await fieldError(page, 'store-field-name').innerText()).trim(), '必填');

    // A first store with the code saves.
    await page.locator(byTest('store-code')).fill('DUP-01');
    await page.locator(byTest('store-name')).fill('第一家店');
    await page.locator(byTest('store-save')).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`${byTest('stores-table')} .el-table__row`, { hasText: 'DUP-01' }).waitFor();

    // The same code again: the server's 409 shows under the code field, the dialog stays open.
    dialog = await openStoreDialog(page);
    await page.locator(byTest('store-code')).fill('DUP-01');
    await page.locator(byTest('store-name')).fill('第二家店');
    const conflict = page.waitForResponse((r) => r.url().endsWith('/api/v1/stores') && r.request().method() === 'POST');
    await page.locator(byTest('store-save')).click();
    const answer = await conflict;
    assert.equal(answer.status(), 409, 'a duplicate store code answers 409');
    assert.equal((await answer.json()).code, 'conflict');
    const codeError = fieldError(page, 'store-field-code');
    await codeError.waitFor({ state: 'visible' });
    assert.notEqual((await codeError.innerText()).trim(), '');
    assert.equal(await fieldError(page, 'store-field-name').count(), 0, 'only the code field is marked');
    assert.ok(await dialog.isVisible());

    // An over-long code: 422 validation_failed with errors[{field: "/code", code: "too_long"}].
    await page.locator(byTest('store-code')).fill('X'.repeat(100));
    const invalid = page.waitForResponse((r) => r.url().endsWith('/api/v1/stores') && r.request().method() === 'POST');
    await page.locator(byTest('store-save')).click();
    const answer2 = await invalid;
    assert.equal(answer2.status(), 422);
    const body = await answer2.json();
    assert.equal(body.code, 'validation_failed');
    assert.ok(body.errors.some((e) => e.field === '/code' && e.code === 'too_long'), JSON.stringify(body.errors));
    await page.waitForFunction(
      (sel) => /最多 \d+ 个字符/.test(document.querySelector(sel)?.innerText || ''),
      `${byTest('store-field-code')} .el-form-item__error`,
    );

    // Fixing the code clears the error and saves.
    await page.locator(byTest('store-code')).fill('DUP-02');
    await page.locator(byTest('store-save')).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`${byTest('stores-table')} .el-table__row`, { hasText: 'DUP-02' }).waitFor();

    assert.deepEqual(problems, []);
  });
});
