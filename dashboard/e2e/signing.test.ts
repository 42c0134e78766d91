import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ok } from '../../server/test/support.js';
import { pageErrorsOf, screenshot, signedInPage, useAppAndBrowser } from './support.js';

/**
 * Payload signatures in Chromium: signing turned on and rotated in the site page's panel, the
 * secret read from the page the one time it is shown, and what a real receiver on 127.0.0.1 got
 * verified with the official `standardwebhooks` library (independent of payload-signing.ts).
 * After a reload the page shows fingerprints only, never a secret.
 */
const e2e = useAppAndBrowser({ DISPATCH_RETRY_BASE_MS: '200', DISPATCH_RETRY_MAX_MS: '1000' });

let receiver: http.Server;
let receiverUrl: string;
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/signed-hooks`;
});

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

/** Sends a webhook through the API and waits for the receiver to get it (by its delivery id). */
async function sendAndReceive(siteId: string, payload: unknown) {
  const id = ok(await e2e.app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload } })).sendWebhook.id as string;
  return vi.waitFor(
    () => {
      const got = received.find((r) => r.headers['x-delivery-id'] === id);
      if (!got) throw new Error(`delivery ${id} not received yet`);
      return got;
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** The form a Standard Webhooks library reads: the three webhook-* headers as strings. */
function signedHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  return { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) };
}

/** As the README defines it: the first 8 hex digits of the SHA-256 of the secret's bytes. */
function fingerprint(secret: string): string {
  return createHash('sha256').update(Buffer.from(secret.slice('whsec_'.length), 'base64')).digest('hex').slice(0, 8);
}

describe('payload signatures', () => {
  it('turns signing on in the panel, the receiver verifies with the secret shown once, and a rotation with an overlap sends both signatures', async () => {
    const { createSite } = ok(
      await e2e.app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'Signed receiver', url: receiverUrl, auth: { basic: { username: 'hook', password: 'pw' } } },
      }),
    );
    const siteId = createSite.id as string;
    ok(await e2e.app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));

    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(`${e2e.app.url}/sites/${siteId}`);
    await page.getByRole('heading', { level: 1, name: 'Signed receiver' }).waitFor();
    const panel = page.getByTestId('payload-signing');
    await panel.getByText('No signing secret yet.').waitFor();
    expect(await panel.getByTestId('signing-state').innerText()).toBe('Off');

    // Before signing is on, a webhook carries no signature.
    const unsigned = await sendAndReceive(siteId, { event: 'before.signing' });
    expect(unsigned.headers['webhook-signature']).toBeUndefined();

    await panel.getByRole('button', { name: 'Generate secret and turn on' }).click();
    const once = panel.getByTestId('signing-secret-once');
    await once.getByRole('heading', { name: 'Signing secret generated' }).waitFor();
    const first = await once.getByLabel('Signing secret', { exact: true }).inputValue();
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(first.slice(6), 'base64')).toHaveLength(32);
    await panel.getByTestId('signing-state').getByText('On').waitFor();
    await panel.getByRole('cell', { name: fingerprint(first) }).waitFor();
    await screenshot(page, 'signing-01-secret-shown-once');

    const signed = await sendAndReceive(siteId, { event: 'order.paid', total: 12.5 });
    expect(JSON.parse(signed.body)).toEqual({ event: 'order.paid', total: 12.5 });
    expect(signed.headers['webhook-id']).toBe(signed.headers['x-delivery-id']);
    expect(String(signed.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(new Webhook(first).verify(signed.body, signedHeaders(signed.headers))).toEqual({ event: 'order.paid', total: 12.5 });
    // A different secret does not verify it: the check above is not vacuous.
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(signed.body, signedHeaders(signed.headers))).toThrow();

    await panel.getByRole('button', { name: 'I have copied it' }).click();
    await once.waitFor({ state: 'detached' });

    // Rotate with a 60-minute overlap: the old secret keeps signing beside the new one.
    await panel.getByLabel('Old secrets keep signing for (minutes)', { exact: true }).fill('60');
    await panel.getByRole('button', { name: 'Generate new secret (rotate)' }).click();
    await once.getByRole('heading', { name: 'Signing secret generated' }).waitFor();
    const second = await once.getByLabel('Signing secret', { exact: true }).inputValue();
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    const rows = panel.getByRole('table', { name: 'Signing secrets' }).locator('tbody tr');
    await vi.waitFor(async () => expect(await rows.count()).toBe(2), { timeout: 5_000 });

    const both = await sendAndReceive(siteId, { event: 'order.refunded', total: 12.5 });
    const signatures = String(both.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
    expect(new Webhook(first).verify(both.body, signedHeaders(both.headers))).toEqual({ event: 'order.refunded', total: 12.5 });
    expect(new Webhook(second).verify(both.body, signedHeaders(both.headers))).toEqual({ event: 'order.refunded', total: 12.5 });

    // After a reload the secrets are gone from the page; their fingerprints stay.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Signed receiver' }).waitFor();
    await panel.getByRole('cell', { name: fingerprint(first) }).waitFor();
    await panel.getByRole('cell', { name: fingerprint(second) }).waitFor();
    expect(await panel.getByTestId('signing-secret-once').count()).toBe(0);
    const html = await page.content();
    for (const secret of [first, second]) {
      expect(html).not.toContain(secret);
      expect(html).not.toContain(secret.slice(6));
    }
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
