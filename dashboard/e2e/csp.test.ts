import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ok } from '../../server/test/support.js';
import { DESKTOP, pageErrorsOf, signedInPage, useAppAndBrowser } from './support.js';

const e2e = useAppAndBrowser();

/** Every CSP report the page raises: its securitypolicyviolation events and the console's lines about them. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) consoleLines.push(message.text());
  });
  await page.addInitScript(() => {
    const list: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = list;
    document.addEventListener('securitypolicyviolation', (event) => list.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return async () => [...consoleLines, ...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations))];
}

describe('the dashboard under its Content-Security-Policy', () => {
  it('signs in, lists sites, opens a site, its deliveries and the API tokens with no CSP violation', async () => {
    const site = ok(await e2e.app.gql<{ createSite: { id: string; name: string } }>(
      'mutation { createSite(input: { name: "CSP check", url: "https://receiver.example.com/hooks", auth: { basic: { username: "csp", password: "secret" } } }) { id name } }',
    )).createSite;
    const { context, page } = await signedInPage(e2e.browser, DESKTOP);
    const violations = await watchViolations(page);
    const response = await page.goto(e2e.app.url + '/');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
    await page.getByRole('link', { name: site.name }).first().click();
    await page.getByRole('heading', { level: 1, name: site.name }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
    // The styles applied: a page without its stylesheet would lay the navigation out as plain text.
    const stylesheets = await page.evaluate(() => document.styleSheets.length);
    expect(stylesheets).toBeGreaterThan(0);
    expect(await violations()).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('is what a violation would look like: an inline script is refused and reported (the watch works)', async () => {
    const { context, page } = await signedInPage(e2e.browser, DESKTOP);
    const violations = await watchViolations(page);
    await page.goto(e2e.app.url + '/');
    await page.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.body.append(script);
    });
    await expect.poll(violations).toEqual(expect.arrayContaining([expect.stringMatching(/script-src/)]));
    expect(await page.evaluate(() => (window as unknown as { __inline?: boolean }).__inline)).toBeUndefined();
    await context.close();
  });
});
