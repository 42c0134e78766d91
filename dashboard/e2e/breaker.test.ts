import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../server/test/support.js';
import { DESKTOP, PHONE, SCREENSHOTS, collectPageErrors, pageErrorsOf, screenshot, signedInPage, useAppAndBrowser } from './support.js';

/**
 * Circuit breaker and operational webhooks in Chromium against the real server: a receiver on
 * 127.0.0.1 answering 503 opens the site's breaker (threshold 3) and the site page shows it live
 * with its event; fixed, the probe succeeds and the page shows the breaker closed and every held
 * delivery arrives. A second run closes the breaker while the page's live connection is down: the
 * page catches up once it reconnects. The operational site is chosen on the settings page, and the
 * breaker's events reach it as webhooks.
 */
// First pause 3 s (then 6 s): long enough to see OPEN, short enough for a test. Retries every
// 0–1 s with full jitter: 8 attempts (the default) can all fail within the 2 s auto-disable period
// of the second test, and a delivery whose attempts ran out is FAILED, not held; 40 outlast it.
const e2e = useAppAndBrowser({
  DISPATCH_RETRY_BASE_MS: '200',
  DISPATCH_RETRY_MAX_MS: '1000',
  DISPATCH_MAX_ATTEMPTS: '40',
  BREAKER_PAUSE_BASE_MS: '3000',
  BREAKER_PAUSE_MAX_MS: '6000',
});

/** A receiver: answers 503 while `failing`, else 200; remembers what it got. */
function receiver() {
  const state = { failing: false, got: [] as Array<{ deliveryId: string | undefined; status: number; body: string }>, url: '', server: undefined as http.Server | undefined };
  state.server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = state.failing ? 503 : 200;
      state.got.push({ deliveryId: req.headers['x-delivery-id'] as string | undefined, status, body: Buffer.concat(chunks).toString() });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(state.failing ? '{"error":"down for the test"}' : '{"ok":true}');
    });
  });
  return state;
}
const partner = receiver();
const ops = receiver();

beforeAll(async () => {
  for (const r of [partner, ops]) {
    await new Promise<void>((resolve) => r.server!.listen(0, '127.0.0.1', () => resolve()));
    r.url = `http://127.0.0.1:${(r.server!.address() as AddressInfo).port}/hooks`;
  }
});
afterEach(() => {
  partner.failing = false;
});
afterAll(async () => {
  for (const r of [partner, ops]) {
    r.server?.closeAllConnections();
    await new Promise<void>((resolve) => r.server?.close(() => resolve()));
  }
});

async function activeSite(name: string, url: string, contentType = 'application/json'): Promise<string> {
  const { createSite } = ok(
    await e2e.app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name, url, contentType, performance: { maxRps: 50, threads: 4 }, auth: { basic: { username: 'hook', password: 'pw' } } },
    }),
  );
  ok(await e2e.app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: createSite.id }));
  return createSite.id as string;
}

/** The operational site: the one the settings test chose, or (when that test did not run) one set through the API. */
async function ensureOperationalSite(): Promise<void> {
  if (ok(await e2e.app.gql(`{ operationalWebhook { siteId } }`)).operationalWebhook) return;
  const siteId = await activeSite('Ops receiver (API)', ops.url);
  ok(await e2e.app.gql(`mutation($siteId: ID!) { setOperationalWebhookSite(siteId: $siteId) { siteId } }`, { siteId }));
}

async function sendMany(siteId: string, count: number, tag: string): Promise<string[]> {
  const { sendWebhooks } = ok(
    await e2e.app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, {
      inputs: Array.from({ length: count }, (_, n) => ({ siteId, payload: { tag, n } })),
    }),
  );
  return (sendWebhooks as Array<{ id: string }>).map((d) => d.id);
}

async function statuses(ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) out.push(ok(await e2e.app.gql(`query($id: ID!) { delivery(id: $id) { status } }`, { id })).delivery.status);
  return out;
}

async function breakerState(siteId: string): Promise<string> {
  return ok(await e2e.app.gql(`query($id: ID!) { site(id: $id) { breaker { state } } }`, { id: siteId })).site.breaker.state;
}

describe('circuit breaker', () => {
  it('the administrator chooses the operational site on the settings page', async () => {
    const opsId = await activeSite('Ops receiver', ops.url);
    await activeSite('Plain-text receiver', partner.url, 'text/plain');
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(`${e2e.app.url}/`);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const card = page.getByTestId('operational-webhook');
    await card.getByText('Not sending site events anywhere.').waitFor();
    // A site that does not take JSON is refused at the select, and nothing is chosen.
    await card.getByLabel('Site that receives site events').selectOption({ label: 'Plain-text receiver' });
    await card.getByRole('button', { name: 'Save' }).click();
    await card.locator('#operational-site-error').waitFor();
    expect(await card.getByLabel('Site that receives site events').getAttribute('aria-invalid')).toBe('true');
    expect(ok(await e2e.app.gql(`{ operationalWebhook { siteId } }`)).operationalWebhook).toBeNull();
    await screenshot(page, '69-settings-operational-webhook-refused');

    await card.getByLabel('Site that receives site events').selectOption({ label: 'Ops receiver' });
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Site events are sent to Ops receiver from now on').waitFor();
    await card.getByTestId('operational-current').getByText('Sending site events to Ops receiver').waitFor();
    await screenshot(page, '70-settings-operational-webhook');
    const setting = ok(await e2e.app.gql(`{ operationalWebhook { siteId site { name } } }`)).operationalWebhook;
    expect(setting).toEqual({ siteId: opsId, site: { name: 'Ops receiver' } });
    // Read again from the server, it is still the choice.
    await page.reload();
    await page.getByTestId('operational-current').getByText('Sending site events to Ops receiver').waitFor();
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a site failing past its auto-disable period turns INACTIVE with its reason, live on the list and the page; set active again, it sends what was held', async () => {
    await ensureOperationalSite();
    const siteId = await activeSite('Dead partner', partner.url);
    // Disabled after 2 s of failing; the breaker itself stays closed (a high threshold, no window).
    ok(
      await e2e.app.gql(`mutation($siteId: ID!) { updateBreakerSettings(siteId: $siteId, input: { failureThreshold: 1000, failureWindowSeconds: 0, autoDisableAfterSeconds: 2 }) { id } }`, { siteId }),
    );
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(`${e2e.app.url}/sites/${siteId}`);
    await page.getByRole('heading', { level: 1, name: 'Dead partner' }).waitFor();
    const health = page.getByTestId('site-health');
    await health.locator('[data-testid="breaker-state"][data-breaker-state="CLOSED"]').waitFor();
    const list = await context.newPage();
    collectPageErrors(list);
    await list.goto(`${e2e.app.url}/`);
    const row = list.locator(`tr[data-site-id="${siteId}"]`);
    await row.locator('[data-status="ACTIVE"]').waitFor();

    partner.failing = true;
    const held = await sendMany(siteId, 3, 'dead');
    // The list follows without a reload.
    await row.locator('[data-status="INACTIVE"]').waitFor({ timeout: 30_000 });
    const listed = (await row.getByTestId('status-reason').innerText()).trim();
    // Under the Inactive badge, the service's reason.
    expect(listed).toMatch(/^Disabled automatically: every attempt failed for /);
    expect(listed).toContain('HTTP 503');
    await screenshot(list, '75-site-list-auto-disabled');
    // So does the page: its status, the reason, the event.
    await page.locator('.title-block [data-status="INACTIVE"]').waitFor();
    await health.getByTestId('status-reason').getByText('Disabled automatically').waitFor();
    const event = health.locator('tr[data-event-kind="SITE_AUTO_DISABLED"]');
    await event.waitFor();
    expect(await event.locator('[data-label="Change"]').innerText()).toBe('Active → Inactive');
    const site = ok(await e2e.app.gql(`query($id: ID!) { site(id: $id) { status statusReason } }`, { id: siteId })).site;
    expect(site.status).toBe('INACTIVE');
    expect(listed).toBe(site.statusReason);
    await screenshot(page, '76-site-health-auto-disabled');
    // Held, not failed.
    expect((await statuses(held)).filter((s) => s === 'FAILED')).toEqual([]);

    // Fixed and set active by hand: the reason goes, and what was held is sent.
    partner.failing = false;
    await page.getByRole('button', { name: 'Set active' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Set active' }).click();
    await page.locator('.title-block [data-status="ACTIVE"]').waitFor();
    await health.getByTestId('status-reason').waitFor({ state: 'detached' });
    // A status set by hand is no site event: the list shows it when read again.
    await list.reload();
    await row.locator('[data-status="ACTIVE"]').waitFor();
    expect(await row.getByTestId('status-reason').count()).toBe(0);
    expect(ok(await e2e.app.gql(`query($id: ID!) { site(id: $id) { statusReason } }`, { id: siteId })).site.statusReason).toBeNull();
    await expect.poll(() => statuses(held), { timeout: 30_000 }).toEqual(held.map(() => 'SUCCEEDED'));
    // The operational site was told.
    await expect
      .poll(() => ops.got.map((g) => JSON.parse(g.body) as { type: string; siteId: string }).filter((b) => b.siteId === siteId && b.type === 'SITE_AUTO_DISABLED').length, { timeout: 15_000 })
      .toBe(1);
    expect(pageErrorsOf(page)).toEqual([]);
    expect(pageErrorsOf(list)).toEqual([]);
    await context.close();
  });

  it('503s open the breaker, shown live with its event; the receiver fixed, the probe closes it and the held deliveries arrive; a close missed while offline shows after reconnecting; Resume sending closes it by hand', async () => {
    await ensureOperationalSite();
    const siteId = await activeSite('Flaky partner', partner.url);
    const { context, page } = await signedInPage(e2e.browser);
    // Every live connection goes through here, so the test can cut it later.
    let online = true;
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!online) return ws.close();
      sockets.push(ws);
      ws.connectToServer();
    });
    await page.goto(`${e2e.app.url}/sites/${siteId}`);
    await page.getByRole('heading', { level: 1, name: 'Flaky partner' }).waitFor();
    const health = page.getByTestId('site-health');
    await health.locator('[data-testid="breaker-state"][data-breaker-state="CLOSED"]').waitFor();
    await health.getByText('No events yet').waitFor();

    // A low threshold for this site alone, set in the panel (the deployment default is 20).
    await health.getByText('Breaker settings for this site').click();
    const threshold = health.getByLabel('Pause after this many failed attempts in a row');
    expect(await threshold.getAttribute('placeholder')).toBe('Default: 20');
    await threshold.fill('0');
    await health.getByRole('button', { name: 'Save breaker settings' }).click();
    await health.locator('#breaker-failureThreshold-error').getByText('A whole number from 1 to 10,000').waitFor();
    await threshold.fill('3');
    await health.getByRole('button', { name: 'Save breaker settings' }).click();
    await page.getByText('Breaker settings saved').waitFor();
    const settings = ok(await e2e.app.gql(`query($id: ID!) { site(id: $id) { breaker { settings { failureThreshold failureWindowSeconds } effective { failureThreshold } } } }`, { id: siteId }))
      .site.breaker;
    expect(settings).toEqual({ settings: { failureThreshold: 3, failureWindowSeconds: null }, effective: { failureThreshold: 3 } });

    // ---- run 1, live: the receiver fails, the breaker opens.
    partner.failing = true;
    const first = await sendMany(siteId, 5, 'run-1');
    await health.locator('[data-testid="breaker-state"][data-breaker-state="OPEN"]').waitFor({ timeout: 20_000 });
    // The oldest opening (a probe that failed before the receiver was fixed would open it again).
    const opened = health.locator('tr[data-event-kind="BREAKER_OPENED"]').last();
    await opened.waitFor();
    expect(await opened.locator('[data-label="Change"]').innerText()).toBe('Closed → Open');
    expect(await opened.locator('[data-label="Reason"]').innerText()).toContain('3 failed attempts in a row');
    expect(Number(await health.getByTestId('breaker-failures').innerText())).toBeGreaterThanOrEqual(3);
    await health.getByTestId('breaker-next-probe').waitFor();
    expect(await health.getByRole('button', { name: 'Resume sending' }).isEnabled()).toBe(true);
    await screenshot(page, '71-site-health-breaker-open');
    // On a phone the panel fits the width (its facts wrap, its table becomes cards).
    await page.setViewportSize(PHONE);
    await health.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: `${SCREENSHOTS}/74-site-health-phone.png` });
    await page.setViewportSize(DESKTOP);
    // Held, not failed.
    expect((await statuses(first)).filter((s) => s === 'FAILED')).toEqual([]);

    // The site list shows the open breaker too.
    const list = await context.newPage();
    await list.goto(`${e2e.app.url}/`);
    await list.locator(`tr[data-site-id="${siteId}"] .breaker-badge[data-breaker-state="OPEN"]`).waitFor();
    await screenshot(list, '72-site-list-breaker-open');

    // Fixed: the probe (after the pause) succeeds, the breaker closes, everything held is sent.
    partner.failing = false;
    await health.locator('[data-testid="breaker-state"][data-breaker-state="CLOSED"]').waitFor({ timeout: 30_000 });
    await health.locator('tr[data-event-kind="BREAKER_CLOSED"]').first().waitFor();
    expect(await health.getByRole('button', { name: 'Resume sending' }).count()).toBe(0);
    await expect.poll(() => statuses(first), { timeout: 30_000 }).toEqual(first.map(() => 'SUCCEEDED'));
    for (const id of first) expect(partner.got.some((g) => g.deliveryId === id && g.status === 200), id).toBe(true);
    // The list follows without a reload: the badge goes once the breaker is closed with no failures.
    await list.locator(`tr[data-site-id="${siteId}"] .breaker-badge`).waitFor({ state: 'detached', timeout: 15_000 });
    await list.close();
    await screenshot(page, '73-site-health-breaker-closed');

    // ---- run 2: open again (live), then the close happens while the page is offline.
    partner.failing = true;
    const second = await sendMany(siteId, 5, 'run-2');
    await health.locator('[data-testid="breaker-state"][data-breaker-state="OPEN"]').waitFor({ timeout: 20_000 });
    online = false;
    for (const ws of sockets.splice(0)) await ws.close();
    partner.failing = false;
    await expect.poll(() => breakerState(siteId), { timeout: 30_000 }).toBe('CLOSED');
    await expect.poll(() => statuses(second), { timeout: 30_000 }).toEqual(second.map(() => 'SUCCEEDED'));
    // Nothing reached the page meanwhile.
    expect(await health.getByTestId('breaker-state').getAttribute('data-breaker-state')).toBe('OPEN');
    online = true;
    // Reconnected (after the client's back-off), the panel reads itself again.
    await health.locator('[data-testid="breaker-state"][data-breaker-state="CLOSED"]').waitFor({ timeout: 30_000 });
    expect(await health.locator('tr[data-event-kind="BREAKER_CLOSED"]').count()).toBe(2);

    // The operational site got each of this site's events as a webhook.
    const kinds = () =>
      ops.got
        .map((g) => JSON.parse(g.body) as { type: string; siteId: string })
        .filter((b) => b.siteId === siteId)
        .map((b) => b.type);
    await expect.poll(() => kinds().filter((k) => k === 'BREAKER_CLOSED').length, { timeout: 15_000 }).toBe(2);
    // Opened twice at least (a probe sent before the receiver was fixed opens it once more).
    expect(kinds().filter((k) => k === 'BREAKER_OPENED').length).toBeGreaterThanOrEqual(2);

    // ---- run 3: Resume sending by hand. The receiver still fails, so the confirmation closes the
    // breaker (an event by hand) and the held deliveries, sent again at once, open it again.
    partner.failing = true;
    const third = await sendMany(siteId, 4, 'run-3');
    await health.locator('[data-testid="breaker-state"][data-breaker-state="OPEN"]').waitFor({ timeout: 20_000 });
    await health.getByRole('button', { name: 'Resume sending' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Resume sending to Flaky partner?' }).waitFor();
    await dialog.getByRole('button', { name: 'Resume sending' }).click();
    await page.getByText('Sending to Flaky partner resumed').waitFor();
    await health.locator('tr[data-event-kind="BREAKER_CLOSED"]', { hasText: 'closed by hand' }).waitFor();
    const audited = ok(await e2e.app.gql(`query($siteId: ID) { auditEvents(siteId: $siteId, first: 20) { edges { node { operation } } } }`, { siteId })).auditEvents;
    expect(audited.edges.map((e: { node: { operation: string } }) => e.node.operation)).toContain('BREAKER_RESET');
    partner.failing = false;
    await expect.poll(() => statuses(third), { timeout: 30_000 }).toEqual(third.map(() => 'SUCCEEDED'));
    await health.locator('[data-testid="breaker-state"][data-breaker-state="CLOSED"]').waitFor({ timeout: 30_000 });
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
