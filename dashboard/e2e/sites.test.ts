import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { EC_PRIVATE_PEM } from '../../server/test/fixtures.js';
import { TEST_ADMIN_TOKEN, ok } from '../../server/test/support.js';
import { DESKTOP, PHONE, activeSiteNames, collectPageErrors, pageErrorsOf, screenshot, signedInPage, track, useAppAndBrowser } from './support.js';

const e2e = useAppAndBrowser();

/** Fills one labelled input; exact so "Password" does not also match "Show Password". */
async function fill(page: Page, label: string, value: string) {
  await page.getByLabel(label, { exact: true }).fill(value);
}

async function chooseMethod(page: Page, method: string) {
  await page.getByLabel('Authentication method', { exact: true }).selectOption(method);
}

async function startNewSite(page: Page, name: string, url = 'https://receiver.example.com/hooks') {
  await page.getByRole('link', { name: '+ New site' }).first().click();
  await page.getByRole('heading', { name: 'New site' }).waitFor();
  await fill(page, 'Name', name);
  await fill(page, 'URL', url);
}

async function submitAndOpen(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Create site' }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  const id = new URL(page.url()).pathname.split('/').pop()!;
  return id;
}

async function siteFromApi(id: string) {
  return ok(await e2e.app.gql<{ site: { name: string; status: string; authMethod: string; auth: Record<string, unknown> } }>(
    `query($id: ID!) { site(id: $id) { name status authMethod auth { __typename ... on JwtAuth { payload timeToLive secretSet } ... on BasicAuth { username passwordSet } } } }`,
    { id },
  )).site;
}

describe('sign-in and sites', () => {
  it('signs in with the API token and shows the empty list', async () => {
    const context = await e2e.browser.newContext({ viewport: DESKTOP });
    const page = track(await context.newPage());
    collectPageErrors(page);
    await page.goto(e2e.app.url + '/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    await fill(page, 'API token', 'not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This token was not accepted').waitFor();
    await screenshot(page, '01-sign-in-error');

    await fill(page, 'API token', TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'No sites yet' }).waitFor();
    await screenshot(page, '02-empty-list');

    // Signing out forgets the token: the list is no longer reachable.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(e2e.app.url + '/sites/new');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('returns to sign-in when the server rejects the stored token', async () => {
    const context = await e2e.browser.newContext({ viewport: DESKTOP });
    await context.addInitScript(() => sessionStorage.setItem('trusted-sites.token', 'revoked-token'));
    const page = await context.newPage();
    await page.goto(e2e.app.url + '/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended').waitFor();
    await context.close();
  });

  it('creates a site of each of the seven methods through the form', async () => {
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(e2e.app.url + '/');
    await page.getByRole('heading', { name: 'Sites', exact: true }).waitFor();
    const created: Record<string, string> = {};

    await startNewSite(page, 'CRM basic');
    await chooseMethod(page, 'BASIC');
    await fill(page, 'Username', 'alice');
    await fill(page, 'Password', 'pässwörd');
    // The eye button shows what was typed, and hides it again.
    const password = page.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Show Password' }).click();
    expect(await password.getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: 'Hide Password' }).click();
    created.BASIC = await submitAndOpen(page, 'CRM basic');
    await page.getByText('was created as a draft').waitFor();
    await screenshot(page, '03-site-page-basic');

    await startNewSite(page, 'API gateway AWS');
    await chooseMethod(page, 'AWS');
    await fill(page, 'Region', 'eu-west-1');
    await fill(page, 'Service', 'execute-api');
    await fill(page, 'Access key ID', 'AKIDEXAMPLE');
    await fill(page, 'Secret access key', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    await fill(page, 'Algorithm prefix', 'GOOG4');
    await fill(page, 'Vendor key', 'goog');
    created.AWS = await submitAndOpen(page, 'API gateway AWS');

    await startNewSite(page, 'Archive bucket', 'https://archive.s3.eu-west-1.amazonaws.com');
    await chooseMethod(page, 'AWS_S3');
    await fill(page, 'Access key ID', 'AKIDEXAMPLE');
    await fill(page, 'Secret access key', 's3-secret');
    await fill(page, 'Filename format', 'hooks/{yyyy}/{MM}/{deliveryId}.{ext}');
    created.AWS_S3 = await submitAndOpen(page, 'Archive bucket');

    await startNewSite(page, 'Partner JWT');
    await chooseMethod(page, 'JWT');
    await fill(page, 'Shared secret', 'jwt-shared-secret-long-enough-for-hs256');
    await fill(page, 'Time-to-live', '2 hours');
    await page.getByText('Each token expires 2 hours after it is issued').waitFor();
    await page.getByRole('button', { name: '+ Add claim' }).click();
    await fill(page, 'Claim 1 name', 'iss');
    await fill(page, 'Claim 1 value (JSON)', '"loyalty"');
    await page.getByRole('button', { name: '+ Add claim' }).click();
    await fill(page, 'Claim 2 name', 'aud');
    await fill(page, 'Claim 2 value (JSON)', '["crm", 2');
    await page.getByText('Not valid JSON').waitFor();
    await fill(page, 'Claim 2 value (JSON)', '["crm", 2]');
    await expect.poll(() => page.getByText('Not valid JSON').count()).toBe(0);
    await screenshot(page, '04-new-site-jwt-form');
    created.JWT = await submitAndOpen(page, 'Partner JWT');
    const jwt = await siteFromApi(created.JWT);
    expect(jwt.auth).toMatchObject({ payload: { iss: 'loyalty', aud: ['crm', 2] }, timeToLive: '2 hours', secretSet: true });

    await startNewSite(page, 'Sales cloud OAuth');
    await chooseMethod(page, 'OAUTH2');
    await fill(page, 'Consumer key (client ID)', 'client-app');
    await fill(page, 'Consumer secret', 'consumer-secret');
    await fill(page, 'Authorization URL', 'https://auth.example.com/authorize');
    await fill(page, 'Token URL', 'https://auth.example.com/token');
    await fill(page, 'Scope', 'read, write');
    created.OAUTH2 = await submitAndOpen(page, 'Sales cloud OAuth');
    // The redirect URL is shown once the site is saved, with a copy button.
    const redirect = await page.getByLabel('Redirect URL', { exact: true }).inputValue();
    expect(redirect).toMatch(new RegExp(`/oauth/callback/${created.OAUTH2}$`));
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await screenshot(page, '05-site-page-oauth2');

    await startNewSite(page, 'Machine API client credentials');
    await chooseMethod(page, 'OAUTH2_CLIENT_CREDENTIALS');
    await fill(page, 'Token URL', 'https://auth.example.com/token');
    await page.getByLabel('Token request content type', { exact: true }).selectOption('application/json');
    await fill(page, 'Token expiration (minutes)', '90');
    await page.getByText('1 h 30 min').waitFor();
    await fill(page, 'Client ID', 'machine');
    await fill(page, 'Client secret', 'client-secret');
    created.OAUTH2_CLIENT_CREDENTIALS = await submitAndOpen(page, 'Machine API client credentials');

    await startNewSite(page, 'Ledger JWT bearer');
    await chooseMethod(page, 'OAUTH2_JWT_BEARER');
    await fill(page, 'Token URL', 'https://auth.example.com/token');
    await fill(page, 'Token expiration (minutes)', '10');
    await fill(page, 'Client ID', 'ledger-client');
    await page.getByLabel('Sign algorithm', { exact: true }).selectOption('ES256');
    await fill(page, 'Private key (PEM)', EC_PRIVATE_PEM);
    await fill(page, 'Key ID (kid)', 'key-1');
    created.OAUTH2_JWT_BEARER = await submitAndOpen(page, 'Ledger JWT bearer');

    for (const [method, id] of Object.entries(created)) {
      const site = await siteFromApi(id);
      expect(site.authMethod).toBe(method);
      expect(site.status).toBe('DRAFT');
    }

    // The list shows all seven, and filters by method and search.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites', exact: true }).click();
    await page.getByRole('cell', { name: 'Ledger JWT bearer' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(7);
    await screenshot(page, '06-site-list');
    await page.getByLabel('Method', { exact: true }).selectOption('JWT');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Method', { exact: true }).selectOption('');
    await page.getByLabel('Search', { exact: true }).fill('oauth');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Search', { exact: true }).fill('no such site');
    await page.getByRole('heading', { name: 'No sites match' }).waitFor();
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('shows field errors for bad input, from the client and from the server', async () => {
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(e2e.app.url + '/sites/new');
    await page.getByRole('heading', { name: 'New site' }).waitFor();
    await fill(page, 'URL', 'ftp://example.com');
    await fill(page, 'Max requests per second', '0');
    await chooseMethod(page, 'JWT');
    await fill(page, 'Time-to-live', '5 parsecs');
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.getByText('Name is required').waitFor();
    await page.getByText('Must be an http:// or https:// URL').waitFor();
    await page.getByText('Must be from 0.1 to 10000 requests per second').waitFor();
    await page.getByText('Must be a number and a unit').waitFor();
    await page.getByText('This secret is required').waitFor();
    // Focus moves to the first field in error, for keyboard users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-name');
    await screenshot(page, '07-field-errors-client');

    // A name clash only the server can see comes back as a field error under the name.
    await fill(page, 'Name', 'crm BASIC');
    await fill(page, 'URL', 'https://receiver.example.com/x');
    await fill(page, 'Max requests per second', '0.5');
    await chooseMethod(page, 'BASIC');
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'Switch to Basic' }).click();
    await fill(page, 'Username', 'bob');
    await fill(page, 'Password', 'pw');
    await page.getByRole('button', { name: 'Create site' }).click();
    const nameError = page.locator('#f-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain('already exists');
    await screenshot(page, '08-field-errors-server');
    await context.close();
  });

  it('activates and deactivates through the dialog; activeSites follows', async () => {
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(e2e.app.url + '/?q=Partner');
    await page.getByRole('link', { name: 'Partner JWT' }).click();
    await page.getByRole('heading', { level: 1, name: 'Partner JWT' }).waitFor();
    expect(await activeSiteNames(e2e.app)).not.toContain('Partner JWT');

    await page.getByRole('button', { name: 'Set active' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await screenshot(page, '09-activate-dialog');
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await activeSiteNames(e2e.app)).not.toContain('Partner JWT');

    await page.getByRole('button', { name: 'Set active' }).click();
    await dialog.getByRole('button', { name: 'Set active' }).click();
    await page.locator('.page-header [data-status="ACTIVE"]').waitFor();
    await page.getByRole('button', { name: 'Set inactive' }).waitFor();
    expect(await activeSiteNames(e2e.app)).toContain('Partner JWT');
    await screenshot(page, '10-site-active');

    await page.getByRole('button', { name: 'Set inactive' }).click();
    await dialog.getByRole('button', { name: 'Set inactive' }).click();
    await page.locator('.page-header [data-status="INACTIVE"]').waitFor();
    expect(await activeSiteNames(e2e.app)).not.toContain('Partner JWT');
    await context.close();
  });

  it('edits a site keeping stored secrets, and works at phone width', async () => {
    const { context, page } = await signedInPage(e2e.browser, PHONE);
    await page.goto(e2e.app.url + '/?q=CRM');
    await page.getByRole('link', { name: 'CRM basic' }).click();
    await page.getByRole('heading', { level: 1, name: 'CRM basic' }).waitFor();
    const password = page.getByLabel('Password', { exact: true });
    expect(await password.inputValue()).toBe('');
    expect(await password.getAttribute('placeholder')).toBe('set — leave blank to keep');
    await fill(page, 'Username', 'alice2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').waitFor();
    const site = ok(await e2e.app.gql(`{ sites(search: "CRM") { edges { node { auth { ... on BasicAuth { username passwordSet } } } } } }`)).sites.edges[0].node;
    expect(site.auth).toEqual({ username: 'alice2', passwordSet: true });
    await screenshot(page, '11-site-page-phone');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites', exact: true }).click();
    await page.getByRole('link', { name: 'CRM basic' }).waitFor();
    await screenshot(page, '12-site-list-phone');
    // The page must not scroll sideways at 390 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  });

  it('pages through the list 20 at a time, and drives the status dialog from the keyboard', async () => {
    for (let n = 1; n <= 22; n++) {
      ok(await e2e.app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: `Bulk ${String(n).padStart(2, '0')}`, url: `https://bulk${n}.example.com/`, auth: { basic: { username: 'u', password: 'p' } } },
      }));
    }
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(e2e.app.url + '/?q=Bulk');
    await page.getByText('1–20 of 22').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('21–22 of 22').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByText('1–20 of 22').waitFor();

    // Keyboard only: open the site, open the dialog, Escape closes it, Enter on the focused button confirms.
    await page.getByRole('link', { name: 'Bulk 01' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Bulk 01' }).waitFor();
    await page.getByRole('button', { name: 'Set active' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Set active');
    await page.keyboard.press('Enter');
    await page.locator('.page-header [data-status="ACTIVE"]').waitFor();
    expect(await activeSiteNames(e2e.app)).toContain('Bulk 01');
    await context.close();
  });
});
