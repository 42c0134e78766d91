import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TEST_ADMIN_TOKEN, type TestApp, startTestApp } from '../../server/test/support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(root, 'test-results', 'screenshots');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The server serves dashboard/dist: make sure it matches the sources (a no-op when fresh). */
export function buildDashboard(): void {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-dashboard.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the dashboard build failed');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page already signed in: the token goes into sessionStorage before the app's first script runs. */
export async function signedInPage(browser: Browser, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((token) => {
    sessionStorage.setItem('trusted-sites.token', token);
  }, TEST_ADMIN_TOKEN);
  const page = track(await context.newPage());
  collectPageErrors(page);
  return { context, page };
}

const pageErrors = new WeakMap<Page, string[]>();

/** Uncaught errors in the page fail the test that caused them (see expectNoPageErrors). */
export function collectPageErrors(page: Page): void {
  const list: string[] = [];
  pageErrors.set(page, list);
  page.on('pageerror', (error) => list.push(String(error)));
}

export function pageErrorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // A full-page shot of a scrolled page draws sticky bars mid-page; from the top it looks as a user sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function activeSiteNames(app: TestApp): Promise<string[]> {
  const result = await app.gql<{ activeSites: Array<{ name: string }> }>('{ activeSites { name } }');
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.activeSites.map((s) => s.name);
}

let lastPage: Page | undefined;

/** Remembers the page a test drives, so a failure can be photographed (see screenshotOnFailure). */
export function track(page: Page): Page {
  lastPage = page;
  return page;
}

export async function screenshotOnFailure(task: { name: string; result?: { state?: string } }): Promise<void> {
  if (task.result?.state !== 'fail' || !lastPage || lastPage.isClosed()) return;
  await screenshot(lastPage, `FAILED-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {});
}

/**
 * What every browser test file needs, registered as its hooks: the dashboard built, a test app
 * (with `env`) and Chromium before the tests, a screenshot of each failed test, both closed after.
 * Read `app` and `browser` from the returned object inside tests (they exist once beforeAll ran).
 */
export function useAppAndBrowser(env: Record<string, string> = {}): { readonly app: TestApp; readonly browser: Browser } {
  const handles = {} as { app: TestApp; browser: Browser };
  beforeAll(async () => {
    buildDashboard();
    handles.app = await startTestApp(env);
    handles.browser = await launchBrowser();
  });
  afterEach(async (context) => {
    await screenshotOnFailure(context.task);
  });
  afterAll(async () => {
    await handles.browser?.close();
    await handles.app?.stop();
  });
  return handles;
}
