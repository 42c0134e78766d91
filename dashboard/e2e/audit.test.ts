import { describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../server/test/fixtures.js';
import { ok } from '../../server/test/support.js';
import { DESKTOP, pageErrorsOf, screenshot, signedInPage, useAppAndBrowser } from './support.js';

const e2e = useAppAndBrowser({ TRUSTED_SITES_ROLE: 'api' });

describe('audit trail', () => {
  it('a change made on the site page is in its Activity section and on the Audit page, by field path and never by value', async () => {
    const site = ok(
      await e2e.app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'Audited CRM', url: 'https://crm.example.com/hooks', auth: { basic: { username: 'alice', password: SECRET_VALUES.password } } },
      }),
    ).createSite as { id: string };
    const { context, page } = await signedInPage(e2e.browser, DESKTOP);
    await page.goto(`${e2e.app.url}/sites/${site.id}`);
    await page.getByRole('heading', { level: 1, name: 'Audited CRM' }).waitFor();
    const activity = page.getByTestId('site-activity');
    await activity.locator('tbody tr[data-operation="SITE_CREATED"]').waitFor();

    await page.getByLabel('URL', { exact: true }).fill('https://crm.example.com/hooks/v2');
    await page.getByLabel('Password', { exact: true }).fill('a-new-secret-typed-in-the-browser');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').waitFor();

    const changed = activity.locator('tbody tr[data-operation="SITE_UPDATED"]');
    await changed.waitFor();
    expect(await changed.locator('[data-label="Fields changed"] code').allTextContents()).toEqual(['auth.basic.password', 'url']);
    expect(await changed.locator('[data-label="Who"]').textContent()).toBe('TRUSTED_SITES_ADMIN_TOKEN');
    await screenshot(page, '60-site-activity');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    const row = page.locator('tbody tr[data-operation="SITE_UPDATED"]', { hasText: 'Audited CRM' });
    await row.waitFor();
    expect(await row.locator('[data-label="What"]').textContent()).toBe('Site changed');
    expect(await row.locator('[data-label="Fields changed"] code').allTextContents()).toEqual(['auth.basic.password', 'url']);
    // Filtered to creations only, the change is gone and the creation stays.
    await page.getByLabel('Operation', { exact: true }).selectOption('SITE_CREATED');
    await row.waitFor({ state: 'detached' });
    await page.locator('tbody tr[data-operation="SITE_CREATED"]', { hasText: 'Audited CRM' }).waitFor();
    await screenshot(page, '61-audit-page');
    const html = await page.content();
    for (const secret of [SECRET_VALUES.password, 'a-new-secret-typed-in-the-browser']) expect(html).not.toContain(secret);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
