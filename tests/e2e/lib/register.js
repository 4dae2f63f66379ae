// Steps at the register (#/register) the browser tests share: open it (store, register, shift),
// scan like a keyboard-wedge scanner, wait for the focus and the cart.
import { byTest } from './browser.js';

/** Waits until the element with data-test `name` has the keyboard focus. */
export async function waitForFocus(page, name) {
  await page.waitForFunction((n) => document.activeElement?.getAttribute('data-test') === n, name);
}

/** Types a code the way a keyboard-wedge scanner does: a burst of keys, then Enter. */
export async function scan(page, code) {
  await waitForFocus(page, 'register-search');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/**
 * Fills the manager-approval dialog whose data-test names start with `prefix` (`register-approval`,
 * `return-approval`): waits for it and for the focus in its user field, types `user`, chooses
 * the password method, enters `secret` and confirms. The caller waits for what follows.
 */
export async function approve(page, prefix, user, secret) {
  await page.locator(byTest(`${prefix}-dialog`)).waitFor({ state: 'visible' });
  await waitForFocus(page, `${prefix}-username`);
  await page.keyboard.type(user);
  await page.locator(byTest(`${prefix}-method-password`)).click();
  await page.locator(byTest(`${prefix}-secret`)).fill(secret);
  await page.locator(byTest(`${prefix}-ok`)).click();
}

/** Waits until the cart has `n` lines. */
export async function waitForLines(page, n) {
  await page.waitForFunction((k) => document.querySelectorAll('[data-test^="register-line-"][data-sku]').length === k, n);
}

/**
 * Opens #/register from the menu; picks the store and its first register the first time; opens
 * the shift (float 200) if needed; waits for the catalog. Resolves to the remembered choice
 * ({store_id, register_id}).
 */
export async function openRegister(page) {
  await page.locator(byTest('menu-register')).click();
  const setup = page.locator(byTest('register-setup'));
  const openShift = page.locator(byTest('register-open-shift'));
  const search = page.locator(byTest('register-search'));
  await setup.or(openShift).or(search).first().waitFor({ state: 'visible' });
  if (await setup.isVisible()) {
    await page.locator(byTest('register-register-select')).click();
    const first = page.locator('[data-test^="register-register-option-"]:visible').first();
    await first.waitFor({ state: 'visible' });
    await first.click();
    await page.locator(byTest('register-setup-start')).click();
    await openShift.or(search).first().waitFor({ state: 'visible' });
  }
  if (await openShift.isVisible()) {
    await page.locator(byTest('register-float')).fill('200');
    await page.locator(byTest('register-shift-open')).click();
  }
  await search.waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('[data-test="register-catalog-status"]')?.dataset.loaded === 'true');
  await waitForFocus(page, 'register-search');
  return page.evaluate(() => JSON.parse(localStorage.getItem('salepoint.register')));
}
