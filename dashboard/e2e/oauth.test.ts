import net from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { TEST_RESOURCE_SERVERS, type TestOidc, startTestOidc } from '../../server/test/oidc.js';
import { type TestApp, ok, startTestApp } from '../../server/test/support.js';
import { DESKTOP, PHONE, buildDashboard, launchBrowser, pageErrorsOf, screenshot, screenshotOnFailure, signedInPage } from './support.js';

let app: TestApp;
let op: TestOidc;
let browser: Browser;

/** The callback redirects to PUBLIC_URL, so the server must know its own port before it starts. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  buildDashboard();
  const port = await freePort();
  app = await startTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, TOKEN_WATCH_INTERVAL_MS: '200' });
  // Ten-second access tokens: the token becomes EXPIRING within the test, without waiting long.
  op = await startTestOidc({ accessTokenTtl: 10 });
  browser = await launchBrowser();
});

afterEach(async (context) => {
  await screenshotOnFailure(context.task);
});

afterAll(async () => {
  await browser?.close();
  await op?.close();
  await app?.stop();
});

describe('OAuth2 connect and refresh', () => {
  it('connects through the provider login and consent pages; the badge turns valid live; Refresh renews it', async () => {
    const { createSite: site } = ok(
      await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id redirectUrl } }`, {
        input: {
          name: 'Partner CRM (OAuth)',
          url: 'https://crm.example.com/hooks',
          auth: { oauth2: { consumerKey: 'dashboard-client', consumerSecret: 'dashboard-secret', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl, scope: 'api' } },
        },
      }),
    );
    op.addClient(op.authCodeClient('dashboard-client', 'dashboard-secret', site.redirectUrl));

    // One tab watches the list; another goes through the provider. The list must follow by itself.
    const { context, page: list } = await signedInPage(browser, DESKTOP);
    await list.goto(`${app.url}/`);
    const badge = list.locator(`tr[data-site-id="${site.id}"] [data-token-status]`);
    await badge.and(list.locator('[data-token-status="NONE"]')).waitFor();

    const tab = await context.newPage();
    await tab.goto(`${app.url}/sites/${site.id}`);
    await tab.getByRole('heading', { level: 1, name: 'Partner CRM (OAuth)' }).waitFor();
    expect(await tab.getByLabel('Redirect URL', { exact: true }).inputValue()).toBe(site.redirectUrl);
    await tab.getByRole('button', { name: 'Connect', exact: true }).click();

    // oidc-provider's own pages: login, then consent.
    await tab.waitForURL((url) => url.origin === new URL(op.issuer).origin);
    await tab.locator('input[name="login"]').fill('alice');
    await tab.locator('input[name="password"]').fill('any password');
    await screenshot(tab, '30-provider-login');
    await tab.locator('button[type="submit"]').click();
    await tab.locator('button[type="submit"]').filter({ hasText: /continue/i }).click();

    // Back on the site page through the callback, with the result shown and the token valid.
    await tab.waitForURL((url) => url.origin === new URL(app.url).origin && url.pathname === `/sites/${site.id}`);
    await tab.getByTestId('oauth-result').getByText('Connected').waitFor();
    await tab.locator('.card [data-token-status="VALID"]').waitFor();
    await tab.getByText('expires in').waitFor();
    await screenshot(tab, '31-site-page-connected');

    // The list was not reloaded: its badge changed through tokenStateChanged.
    await badge.and(list.locator('[data-token-status="VALID"]')).waitFor();
    await screenshot(list, '32-list-token-valid');

    // With a refresh token held, Refresh appears once the token is expiring or expired.
    const refresh = tab.getByRole('button', { name: 'Refresh access token' });
    await refresh.waitFor({ timeout: 30_000 });
    await screenshot(tab, '33-site-page-expiring');
    await refresh.click();
    await tab.getByText('Access token refreshed').waitFor();
    await tab.locator('.card [data-token-status="VALID"]').waitFor();
    await tab.getByTestId('token-history').getByText('refresh_token').waitFor();
    await badge.and(list.locator('[data-token-status="VALID"]')).waitFor();
    await screenshot(tab, '34-site-page-refreshed');
    await tab.setViewportSize(PHONE);
    await screenshot(tab, '36-site-page-phone');
    expect(await tab.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    const history = ok(await app.gql(`query($id: ID!) { tokenHistory(siteId: $id) { grantType trigger outcome } }`, { id: site.id })).tokenHistory;
    expect(history.map((h: { grantType: string; trigger: string; outcome: string }) => `${h.grantType}/${h.trigger}/${h.outcome}`)).toEqual([
      'refresh_token/MANUAL/SUCCEEDED',
      'authorization_code/CONNECT/SUCCEEDED',
    ]);
    expect(pageErrorsOf(list)).toEqual([]);
    await context.close();
  });

  it('a client-credentials site made in the form with a resource indicator and an extra parameter gets a token for that resource', async () => {
    const resource = TEST_RESOURCE_SERVERS[0];
    op.addClient(op.clientCredentialsClient('e2e-machine', 'e2e-machine-secret'));
    const { context, page } = await signedInPage(browser, DESKTOP);
    await page.goto(`${app.url}/sites/new`);
    await page.getByRole('heading', { name: 'New site' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Orders API (resource)');
    await page.getByLabel('URL', { exact: true }).fill('https://orders.example.com/hooks');
    await page.getByLabel('Authentication method', { exact: true }).selectOption('OAUTH2_CLIENT_CREDENTIALS');
    await page.getByLabel('Token URL', { exact: true }).fill(op.tokenUrl);
    await page.getByLabel('Client ID', { exact: true }).fill('e2e-machine');
    await page.getByLabel('Client secret', { exact: true }).fill('e2e-machine-secret');
    await page.getByLabel('Scope', { exact: true }).fill('api');
    await page.getByLabel('Resource indicators', { exact: true }).fill(resource);
    await page.getByRole('button', { name: '+ Add parameter' }).click();
    // A name the grant sets itself is refused at its row, before anything is sent.
    await page.getByLabel('Parameter 1 name', { exact: true }).fill('client_id');
    await page.getByText('"client_id" is set by the grant and cannot be given here').waitFor();
    await page.getByLabel('Parameter 1 name', { exact: true }).fill('tenant');
    await page.getByLabel('Parameter 1 value', { exact: true }).fill('acme');
    await screenshot(page, '37-site-form-token-params');
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.getByRole('heading', { level: 1, name: 'Orders API (resource)' }).waitFor();
    const siteId = new URL(page.url()).pathname.split('/').pop()!;

    op.resetCounts();
    await page.getByRole('button', { name: 'Fetch a new token now' }).click();
    await page.locator('.card [data-token-status="VALID"]').waitFor();
    expect(op.requests).toEqual([expect.objectContaining({ grantType: 'client_credentials', resource: [resource], params: expect.arrayContaining(['resource', 'tenant']) })]);
    const token = await app.services.tokens.accessTokenFor((await app.services.sites.get(siteId))!);
    expect(decodeJwt(token).aud).toBe(resource);

    // Read back into the form after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Orders API (resource)' }).waitFor();
    expect(await page.getByLabel('Resource indicators', { exact: true }).inputValue()).toBe(resource);
    expect(await page.getByLabel('Parameter 1 value', { exact: true }).inputValue()).toBe('acme');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('shows the provider refusing consent on return', async () => {
    const { createSite: site } = ok(
      await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id redirectUrl } }`, {
        input: {
          name: 'Refused OAuth',
          url: 'https://crm.example.com/hooks',
          auth: { oauth2: { consumerKey: 'refused-client', consumerSecret: 'refused-secret', authorizationUrl: op.authorizationUrl, tokenUrl: op.tokenUrl } },
        },
      }),
    );
    op.addClient(op.authCodeClient('refused-client', 'refused-secret', site.redirectUrl));
    const { context, page } = await signedInPage(browser, DESKTOP);
    await page.goto(`${app.url}/sites/${site.id}`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.waitForURL((url) => url.origin === new URL(op.issuer).origin);
    // The interaction's abort endpoint is how its pages cancel: it answers access_denied.
    await page.goto(page.url().replace(/\/?$/, '/abort'));
    await page.getByTestId('oauth-result').getByText('not given consent').waitFor();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    await screenshot(page, '35-site-page-oauth-denied');
    await context.close();
  });
});
