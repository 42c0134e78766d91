import { describe, expect, it } from 'vitest';
import { gql } from '../../server/test/support.js';
import { DESKTOP, PHONE, pageErrorsOf, screenshot, signedInPage, track, useAppAndBrowser } from './support.js';

const e2e = useAppAndBrowser();

describe('API tokens', () => {
  it('an admin creates an EDITOR token, which may edit but not manage tokens, then revokes it', async () => {
    const { context, page } = await signedInPage(e2e.browser, DESKTOP);
    await page.goto(e2e.app.url + '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('E2E workflow engine');
    await page.getByLabel('Role', { exact: true }).selectOption('EDITOR');
    await page.getByRole('button', { name: 'Create token' }).click();
    const card = page.getByTestId('created-token');
    await card.waitFor();
    expect(await card.textContent()).toContain('you will not see this token again');
    const secret = await page.getByLabel('Editor token', { exact: true }).inputValue();
    expect(secret).toMatch(/^ts_/);
    const row = page.locator('tbody tr', { hasText: 'E2E workflow engine' });
    expect(await row.locator('[data-label="Role"]').textContent()).toBe('Editor');
    await screenshot(page, '50-api-token-created');

    // The secret works as a bearer token, with the EDITOR role.
    const sites = await gql(e2e.app.url, '{ sites { totalCount } }', undefined, secret);
    expect(sites.status).toBe(200);
    expect(sites.errors).toBeUndefined();
    expect(sites.data.sites.totalCount).toBe(0);
    const tokens = await gql(e2e.app.url, '{ apiTokens { id } }', undefined, secret);
    expect(tokens.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Signed in with it, the dashboard offers no token management.
    const editor = await e2e.browser.newContext({ viewport: DESKTOP });
    await editor.addInitScript((token) => sessionStorage.setItem('trusted-sites.token', token), secret);
    const editorPage = await editor.newPage();
    await editorPage.goto(e2e.app.url + '/');
    await editorPage.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
    await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).waitFor();
    expect(await editorPage.getByRole('link', { name: 'API tokens' }).count()).toBe(0);
    await editor.close();
    track(page);

    // Dismissed, the secret is gone from the page for good.
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Revoke E2E workflow engine' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Revoke E2E workflow engine?' }).waitFor();
    await screenshot(page, '51-api-token-revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('E2E workflow engine was revoked').waitFor();
    await row.waitFor({ state: 'detached' });

    const refused = await gql(e2e.app.url, '{ sites { totalCount } }', undefined, secret);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('shows field errors from the server at the field, and fits a 390 px screen', async () => {
    const { context, page } = await signedInPage(e2e.browser, PHONE);
    await page.goto(e2e.app.url + '/tokens');
    await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Phone script');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('created-token').waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();

    // Taken, compared without case: only the server knows.
    await page.getByLabel('Name', { exact: true }).fill('PHONE SCRIPT');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#token-name-error').getByText('already exists').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, '52-api-tokens-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
