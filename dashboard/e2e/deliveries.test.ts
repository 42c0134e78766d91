import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, ok, startTestApp } from '../../server/test/support.js';
import { PHONE, buildDashboard, launchBrowser, pageErrorsOf, screenshot, screenshotOnFailure, signedInPage } from './support.js';

let app: TestApp;
let browser: Browser;
let receiver: http.Server;
let receiverUrl: string;
/** While true the receiver answers 400, which fails a delivery at once (no retry). */
let refusing = false;
const received: Array<{ deliveryId: string | undefined; body: string }> = [];

beforeAll(async () => {
  buildDashboard();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ deliveryId: req.headers['x-delivery-id'] as string | undefined, body: Buffer.concat(chunks).toString() });
      res.writeHead(refusing ? 400 : 200, { 'content-type': 'application/json' });
      res.end(refusing ? '{"error":"refused by the test receiver"}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  app = await startTestApp({ DISPATCH_RETRY_BASE_MS: '200', DISPATCH_RETRY_MAX_MS: '1000' });
  browser = await launchBrowser();
});

afterEach(async (context) => {
  await screenshotOnFailure(context.task);
  // A test that fails while the receiver refuses must not leave it refusing for the next one.
  refusing = false;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

async function activeSite(name: string, maxRps: number): Promise<string> {
  const { createSite } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name, url: receiverUrl, performance: { maxRps, threads: 2 }, auth: { basic: { username: 'hook', password: 'pw' } } },
    }),
  );
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: createSite.id }));
  return createSite.id as string;
}

async function send(siteId: string, payload: unknown): Promise<string> {
  return ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload } })).sendWebhook.id;
}

describe('deliveries', () => {
  it('shows a webhook sent through the API arrive, live, with its attempts and the chart', async () => {
    const siteId = await activeSite('Loyalty receiver', 5);
    const { context, page } = await signedInPage(browser);
    await page.goto(`${app.url}/sites/${siteId}/deliveries`);
    await page.getByRole('heading', { name: 'Deliveries to Loyalty receiver' }).waitFor();
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();

    // Sent after the page is open: it can only appear through the deliveryUpdated subscription.
    const id = await send(siteId, { event: 'points.earned', points: 42 });
    const row = page.locator(`tr[data-delivery-id="${id}"]`);
    await row.locator('[data-delivery-status="SUCCEEDED"]').waitFor();
    expect(received.some((r) => r.deliveryId === id && r.body.includes('points.earned'))).toBe(true);
    await row.getByRole('button', { name: 'Attempts' }).click();
    await page.locator(`#attempts-${id}`).getByText('HTTP 200').waitFor();

    // At a 5/s cap the chart fills over several seconds and its peak stays at or under the dashed cap line.
    // Three batches, each waited for on screen, so the chart has several busy seconds to draw.
    for (let wave = 1; wave <= 3; wave++) {
      ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, {
        inputs: Array.from({ length: 6 }, (_, n) => ({ siteId, payload: { wave, n } })),
      }));
      await expect.poll(() => page.locator('tr[data-delivery-id] [data-delivery-status="SUCCEEDED"]').count(), { timeout: 30_000 }).toBe(1 + wave * 6);
    }
    // The chart re-reads its per-second counts every two seconds; wait for all 19 attempts.
    await expect.poll(async () => Number(await page.getByTestId('total-attempts').textContent()), { timeout: 15_000 }).toBe(19);
    await expect.poll(async () => Number((await page.getByTestId('peak-rps').textContent())?.replace('/s', '')), { timeout: 10_000 }).toBeGreaterThan(0);
    const peak = Number((await page.getByTestId('peak-rps').textContent())!.replace('/s', ''));
    expect(peak).toBeLessThanOrEqual(5);
    // SVG lines have an empty box, which Playwright calls hidden: wait for them to exist.
    await page.locator('.chart .bar-succeeded').first().waitFor({ state: 'attached' });
    await page.locator('.chart .cap').waitFor({ state: 'attached' });
    await screenshot(page, '20-deliveries-chart');
    await page.setViewportSize(PHONE);
    // The chart redraws at the new width (ResizeObserver) rather than shrinking its text.
    await expect.poll(async () => Number(await page.locator('.chart svg').getAttribute('width'))).toBeLessThan(PHONE.width);
    await screenshot(page, '22-deliveries-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('retries a failed delivery with the button, on the overall view with a status filter', async () => {
    const siteId = await activeSite('Strict receiver', 10);
    const { context, page } = await signedInPage(browser);
    await page.goto(`${app.url}/deliveries`);
    await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor();

    refusing = true;
    const id = await send(siteId, { event: 'refused' });
    const row = page.locator(`tr[data-delivery-id="${id}"]`);
    await row.locator('[data-delivery-status="FAILED"]').waitFor();
    await row.getByText('HTTP 400', { exact: true }).first().waitFor();
    // The row names its site (Delivery.site), linking to that site's deliveries.
    expect(await row.getByRole('link', { name: 'Strict receiver' }).getAttribute('href')).toBe(`/sites/${siteId}/deliveries`);
    await page.getByLabel('Status', { exact: true }).selectOption('FAILED');
    await expect.poll(() => page.locator('tbody tr[data-delivery-id]').count()).toBe(1);
    await screenshot(page, '21-deliveries-failed');

    refusing = false;
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await row.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Delivery queued again').waitFor();
    await row.locator('[data-delivery-status="SUCCEEDED"]').waitFor();
    const delivery = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { status attempts { statusCode } } }`, { id })).delivery;
    expect(delivery.status).toBe('SUCCEEDED');
    expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([400, 200]);
    await context.close();
  });

  it('Retry all failed: 37 deliveries refused with 400, the receiver fixed, one confirmation resends them all; pressing again resends nothing', async () => {
    const siteId = await activeSite('Replay receiver', 50);
    refusing = true;
    const ids = (
      ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, {
        inputs: Array.from({ length: 37 }, (_, n) => ({ siteId, payload: { replay: n } })),
      })).sendWebhooks as Array<{ id: string }>
    ).map((d) => d.id);
    const statuses = async () =>
      (ok(await app.gql(`query($siteId: ID) { deliveries(siteId: $siteId, first: 100) { edges { node { status } } } }`, { siteId })).deliveries.edges as Array<{ node: { status: string } }>).map((e) => e.node.status);
    await expect.poll(async () => (await statuses()).filter((s) => s === 'FAILED').length, { timeout: 30_000 }).toBe(37);
    refusing = false;

    const { context, page } = await signedInPage(browser);
    await page.goto(`${app.url}/sites/${siteId}/deliveries`);
    await page.getByRole('heading', { name: 'Deliveries to Replay receiver' }).waitFor();
    // The button belongs to a site's FAILED view only.
    expect(await page.getByRole('button', { name: 'Retry all failed' }).count()).toBe(0);
    await page.getByLabel('Status', { exact: true }).selectOption('FAILED');
    await page.getByText('37 in all').waitFor();
    await page.getByRole('button', { name: 'Retry all failed' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Resend 37 failed deliveries?' }).waitFor();
    await screenshot(page, '62-deliveries-retry-all-failed');
    const before = received.length;
    await dialog.getByRole('button', { name: 'Resend' }).click();
    await page.getByText('37 deliveries resent').waitFor();
    await expect.poll(async () => (await statuses()).filter((s) => s === 'SUCCEEDED').length, { timeout: 30_000 }).toBe(37);
    // Each went out once more, under its own id: the first attempt refused, the second taken.
    const resent = received.slice(before).map((r) => r.deliveryId).sort();
    expect(resent).toEqual([...ids].sort());
    const one = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { attempts { statusCode } } }`, { id: ids[0] })).delivery;
    expect(one.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([400, 200]);
    // The FAILED view empties as they leave it.
    await page.getByRole('heading', { name: 'No deliveries with this status' }).waitFor();

    // Pressed again: nothing is FAILED, so there is nothing to confirm and nothing is sent.
    await page.getByRole('button', { name: 'Retry all failed' }).click();
    await page.getByText('No failed deliveries to resend').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(ok(await app.gql(`mutation($siteId: ID!) { retryDeliveries(siteId: $siteId) }`, { siteId })).retryDeliveries).toBe(0);
    expect(received.length).toBe(before + 37);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();

    // A VIEWER token sees the button disabled.
    const viewer = ok(await app.gql(`mutation { createApiToken(input: { name: "replay viewer", role: VIEWER }) { secret } }`)).createApiToken.secret as string;
    const viewerContext = await browser.newContext();
    await viewerContext.addInitScript((token) => sessionStorage.setItem('trusted-sites.token', token), viewer);
    const viewerPage = await viewerContext.newPage();
    await viewerPage.goto(`${app.url}/sites/${siteId}/deliveries`);
    await viewerPage.getByRole('heading', { name: 'Deliveries to Replay receiver' }).waitFor();
    await viewerPage.getByLabel('Status', { exact: true }).selectOption('FAILED');
    const button = viewerPage.getByRole('button', { name: 'Retry all failed' });
    await expect.poll(() => button.isDisabled()).toBe(true);
    await viewerContext.close();
  });

  it('a delivery made while the live connection was down still shows up once it is back', async () => {
    const siteId = await activeSite('Gap receiver', 10);
    const { context, page } = await signedInPage(browser);
    // Every WebSocket is closed at once until `open`, so the page has no subscription; the client
    // keeps retrying. A webhook sent meanwhile has events that reach nobody.
    let open = false;
    let connected = 0;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!open) return ws.close();
      connected += 1;
      ws.connectToServer();
    });
    let listReads = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/graphql') && request.postData()?.includes('query Deliveries(')) listReads += 1;
    });
    await page.goto(`${app.url}/deliveries`);
    await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor();
    // The list is read when the page opens and once more shortly after; both are done before the send.
    await expect.poll(() => listReads, { timeout: 15_000 }).toBe(2);
    const id = await send(siteId, { event: 'sent while disconnected' });
    await expect.poll(async () => ok(await app.gql(`query($id: ID!) { delivery(id: $id) { status } }`, { id })).delivery.status).toBe('SUCCEEDED');
    const row = page.locator(`tr[data-delivery-id="${id}"]`);
    expect(await row.count()).toBe(0);
    expect(connected).toBe(0);

    open = true;
    // Reconnected (after the client's back-off), the page reads its list again: the delivery is there.
    await row.locator('[data-delivery-status="SUCCEEDED"]').waitFor({ timeout: 30_000 });
    expect(connected).toBeGreaterThanOrEqual(1);
    expect(listReads).toBeGreaterThanOrEqual(3);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('tests the connection and previews the signed request, secrets masked', async () => {
    const siteId = await activeSite('Probe receiver', 10);
    const { context, page } = await signedInPage(browser);
    await page.goto(`${app.url}/sites/${siteId}`);
    await page.getByRole('heading', { level: 1, name: 'Probe receiver' }).waitFor();
    const before = received.length;
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await result.getByText('Success').waitFor();
    await result.getByText('HTTP 200').waitFor();
    expect(received.length).toBe(before + 1);
    // The Basic credentials went out, but the page shows them masked.
    const shown = (await result.textContent()) ?? '';
    expect(shown).toContain('authorization');
    expect(shown).not.toContain(Buffer.from('hook:pw').toString('base64'));

    await page.getByRole('button', { name: 'Show signed request' }).click();
    const preview = page.locator('section[aria-labelledby="preview-title"]');
    await preview.locator('.request-line').getByText(receiverUrl).waitFor();
    expect(await preview.textContent()).not.toContain(Buffer.from('hook:pw').toString('base64'));
    await screenshot(page, '23-test-connection-and-preview');
    await context.close();
  });
});
