// Debian's chromium driven by playwright-core, with a fresh profile per test, plus the small
// steps the tests share (log in, pick an option of an Element Plus select, screenshots).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2E_DIR } from './server.js';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
export const RESULTS_DIR = path.join(E2E_DIR, 'test-results');

/** Opens a browser with a fresh profile; `problems` collects page errors and missing i18n keys. */
export async function openBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salepoint-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.text().includes('[i18n]') || m.text().startsWith('salepoint:')) problems.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `body`; on failure saves a full-page screenshot to test-results/<name>.png and rethrows. */
export async function screenshotOnFailure(page, name, body) {
  try {
    await body();
  } catch (e) {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    e.message += `\n(screenshot: ${file})`;
    throw e;
  }
}

export const byTest = (name) => `[data-test="${name}"]`;

/** The trimmed text of the element with data-test `name`, once visible. */
export async function textOf(page, name) {
  const el = page.locator(byTest(name));
  await el.waitFor({ state: 'visible' });
  return (await el.innerText()).trim();
}

/** Waits until the element with data-test `name` shows `expected` (exact text). */
export async function waitForText(page, name, expected) {
  await page.waitForFunction(
    ([sel, text]) => document.querySelector(sel)?.innerText.trim() === text,
    [byTest(name), expected],
  );
}

/** Logs in through the form and waits for the side menu. */
export async function login(page, username, password) {
  await page.locator(byTest('login-username')).fill(username);
  await page.locator(byTest('login-password')).fill(password);
  await page.locator(byTest('login-submit')).click();
  await page.locator(byTest('menu-home')).waitFor({ state: 'visible' });
}

/** Opens the Element Plus select `select` and clicks its option `option` (both data-test names). */
export async function chooseOption(page, select, option) {
  await page.locator(byTest(select)).click();
  const opt = page.locator(`${byTest(option)}:visible`);
  await opt.waitFor({ state: 'visible' });
  await opt.click();
}

/** The error text Element Plus shows under the form item `item` (a data-test name). */
export function fieldError(page, item) {
  return page.locator(`${byTest(item)} .el-form-item__error`);
}
