import type { Dialog, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ok } from '../../server/test/support.js';
import { pageErrorsOf, screenshot, signedInPage, useAppAndBrowser } from './support.js';

const e2e = useAppAndBrowser();
let counter = 0;

async function createSite(): Promise<{ id: string; name: string }> {
  counter += 1;
  const name = `Unsaved ${counter}`;
  const { id } = ok(
    await e2e.app.gql<{ createSite: { id: string } }>(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name, url: 'https://receiver.example.com/hooks', auth: { basic: { username: 'alice', password: 'stored password' } } },
    }),
  ).createSite;
  return { id, name };
}

async function siteUrl(id: string): Promise<string> {
  return ok(await e2e.app.gql<{ site: { url: string } }>(`query($id: ID!) { site(id: $id) { url } }`, { id })).site.url;
}

/** Opens the site from the list, so the back button has somewhere to go inside the e2e.app. */
async function openSite(page: Page, name: string) {
  await page.goto(e2e.app.url + '/');
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
const leaveDialog = (page: Page) => page.getByRole('dialog', { name: 'Leave without saving?' });
const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

describe('unsaved changes in the site form', () => {
  it('asks before leaving: Stay keeps what was typed (link and back button), Leave goes', async () => {
    const site = await createSite();
    const { context, page } = await signedInPage(e2e.browser);
    await openSite(page, site.name);
    const sitePath = new URL(page.url()).pathname;

    await field(page, 'URL').fill('https://receiver.example.com/v2');
    await field(page, 'Password').fill('typed, not saved');

    await nav(page, 'Deliveries').click();
    await leaveDialog(page).waitFor();
    expect(await leaveDialog(page).textContent()).toContain('have not been saved');
    await screenshot(page, '40-leave-without-saving');
    await leaveDialog(page).getByRole('button', { name: 'Stay' }).click();
    await leaveDialog(page).waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe(sitePath);
    expect(await field(page, 'URL').inputValue()).toBe('https://receiver.example.com/v2');
    expect(await field(page, 'Password').inputValue()).toBe('typed, not saved');

    // The back button asks too; staying puts the address back.
    await page.goBack();
    await leaveDialog(page).waitFor();
    await leaveDialog(page).getByRole('button', { name: 'Stay' }).click();
    await page.waitForURL((url) => url.pathname === sitePath);
    expect(await field(page, 'URL').inputValue()).toBe('https://receiver.example.com/v2');

    // Setting the site active fetches it again; what is typed stays, still unsaved.
    await page.getByRole('button', { name: 'Set active' }).click();
    await page.getByRole('dialog', { name: `Set ${site.name} active?` }).getByRole('button', { name: 'Set active' }).click();
    await page.getByRole('button', { name: 'Set inactive' }).waitFor();
    expect(await field(page, 'URL').inputValue()).toBe('https://receiver.example.com/v2');
    expect(await field(page, 'Password').inputValue()).toBe('typed, not saved');

    await nav(page, 'Deliveries').click();
    await leaveDialog(page).getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/deliveries');
    expect(await siteUrl(site.id)).toBe('https://receiver.example.com/hooks');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('asks nothing after saving an edit, nor when a new site is created and opened', async () => {
    const site = await createSite();
    const { context, page } = await signedInPage(e2e.browser);
    await openSite(page, site.name);
    await field(page, 'URL').fill('https://receiver.example.com/saved');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').waitFor();
    await nav(page, 'Sites').click();
    await page.getByRole('heading', { level: 1, name: 'Sites', exact: true }).waitFor();
    expect(await leaveDialog(page).count()).toBe(0);
    expect(await siteUrl(site.id)).toBe('https://receiver.example.com/saved');

    await nav(page, '+ New site').click();
    await page.getByRole('heading', { name: 'New site' }).waitFor();
    await field(page, 'Name').fill('Unsaved created');
    await field(page, 'URL').fill('https://receiver.example.com/new');
    await field(page, 'Authentication method').selectOption('BASIC');
    await field(page, 'Username').fill('bob');
    await field(page, 'Password').fill('pw');
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.getByRole('heading', { level: 1, name: 'Unsaved created' }).waitFor();
    expect(await leaveDialog(page).count()).toBe(0);
    await nav(page, 'Sites').click();
    await page.getByRole('heading', { level: 1, name: 'Sites', exact: true }).waitFor();
    expect(await leaveDialog(page).count()).toBe(0);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('closing the tab gets the browser prompt while there are changes, and none once they are discarded', async () => {
    const site = await createSite();
    const { context, page } = await signedInPage(e2e.browser);
    await openSite(page, site.name);
    const dialogs: Dialog[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog);
      void dialog.dismiss();
    });

    await field(page, 'Name').fill(`${site.name} renamed`);
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs.map((d) => d.type())).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);

    await page.getByRole('button', { name: 'Discard changes' }).click();
    expect(await field(page, 'Name').inputValue()).toBe(site.name);
    const closed = new Promise<void>((resolve) => page.once('close', () => resolve()));
    await page.close({ runBeforeUnload: true });
    await closed;
    expect(dialogs).toHaveLength(1);
    await context.close();
  });
});
