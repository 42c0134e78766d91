import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestAuthority, type TestCertificate, certificateAuthority, makeCertificate } from '../../server/test/certs.js';
import { ok } from '../../server/test/support.js';
import { pageErrorsOf, screenshot, signedInPage, useAppAndBrowser } from './support.js';

/**
 * Client certificates (mutual TLS) in Chromium: a chain, key and CA bundle pasted into the site
 * page's panel, then a webhook to a local https receiver that requires a client certificate its CA
 * issued (`requestCert: true, rejectUnauthorized: true`) arrives presenting it. A certificate near
 * its end shows the warning, on the panel and on the site list; removal asks first. Certificates are made in the test (test/certs.ts).
 */
const e2e = useAppAndBrowser({ DISPATCH_RETRY_BASE_MS: '100', DISPATCH_RETRY_MAX_MS: '200', DISPATCH_MAX_ATTEMPTS: '2' });

const DAY = 86_400_000;
let server: https.Server;
let serverCa: TestAuthority;
let clientCa: TestAuthority;
let url: string;
const received: Array<{ cn: string; fingerprint: string; deliveryId: string; body: string }> = [];

beforeAll(async () => {
  serverCa = certificateAuthority('E2E Receiver CA');
  clientCa = certificateAuthority('E2E Partner CA');
  const cert = serverCa.issue({ names: { ip: ['127.0.0.1'] }, commonName: 'receiver' });
  server = https.createServer({ ...cert, ca: clientCa.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerX509Certificate();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ cn: peer?.subject ?? '', fingerprint: peer?.fingerprint256 ?? '', deliveryId: String(req.headers['x-delivery-id']), body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/mtls-hooks`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function send(siteId: string, payload: unknown): Promise<string> {
  return ok(await e2e.app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload } })).sendWebhook.id as string;
}

async function finalStatus(id: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const { status } = ok(await e2e.app.gql(`query($id: ID!) { delivery(id: $id) { status } }`, { id })).delivery;
      if (status !== 'SUCCEEDED' && status !== 'FAILED') throw new Error(`still ${status}`);
      return status as string;
    },
    { timeout: 15_000, interval: 100 },
  );
}

describe('client certificate panel', () => {
  it('pastes a chain, key and CA; the webhook to an mTLS receiver presents it; near its end it warns; removal asks first', async () => {
    const intermediate = clientCa.issue({ commonName: 'E2E Intermediate', isCa: true, notAfter: new Date(Date.now() + 365 * DAY) });
    const leaf: TestCertificate = makeCertificate({ commonName: 'e2e-partner-client', issuer: { ...intermediate, commonName: 'E2E Intermediate' }, notAfter: new Date(Date.now() + 200 * DAY) });
    const { createSite } = ok(
      await e2e.app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'Partner with mTLS', url, auth: { basic: { username: 'hook', password: 'pw' } } },
      }),
    );
    const siteId = createSite.id as string;
    ok(await e2e.app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));

    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(`${e2e.app.url}/sites/${siteId}`);
    await page.getByRole('heading', { level: 1, name: 'Partner with mTLS' }).waitFor();
    const panel = page.getByTestId('client-certificate');
    await panel.getByText('No client certificate').waitFor();
    expect(await panel.getByTestId('client-certificate-state').innerText()).toBe('None');

    // Without a certificate the receiver refuses the connection: the delivery fails.
    expect(await finalStatus(await send(siteId, { before: true }))).toBe('FAILED');
    expect(received).toEqual([]);

    await panel.getByLabel('Certificate chain', { exact: true }).fill(leaf.cert + intermediate.cert);
    await panel.getByLabel('Private key', { exact: true }).fill(leaf.key);
    await panel.getByLabel("CA certificates for the site's server (optional)", { exact: true }).fill(serverCa.cert);
    await panel.getByRole('button', { name: 'Save certificate' }).click();
    await panel.getByTestId('client-certificate-state').getByText('Valid').waitFor();
    expect(await panel.getByTestId('client-certificate-subject').innerText()).toBe('CN=e2e-partner-client');
    expect(await panel.getByTestId('client-certificate-issuer').innerText()).toBe('CN=E2E Intermediate');
    const x509 = new X509Certificate(leaf.cert);
    expect(await panel.getByTestId('client-certificate-fingerprint').innerText()).toBe(x509.fingerprint256);
    expect(await panel.getByLabel('Private key', { exact: true }).inputValue()).toBe('');
    await screenshot(page, 'client-certificate-01-saved');

    const id = await send(siteId, { event: 'order.paid' });
    expect(await finalStatus(id)).toBe('SUCCEEDED');
    expect(received).toEqual([{ cn: 'CN=e2e-partner-client', fingerprint: x509.fingerprint256, deliveryId: id, body: '{"event":"order.paid"}' }]);

    // A renewal that ends in 10 days, pasted without its key (the same key, kept): the warning shows.
    const soon = makeCertificate({ commonName: 'e2e-partner-client', issuer: { ...intermediate, commonName: 'E2E Intermediate' }, notAfter: new Date(Date.now() + 10 * DAY), key: leaf.key });
    await panel.getByLabel('New certificate chain', { exact: true }).fill(soon.cert + intermediate.cert);
    await panel.getByLabel("CA certificates for the site's server (optional)", { exact: true }).fill(serverCa.cert);
    await panel.getByRole('button', { name: 'Replace certificate' }).click();
    await panel.getByTestId('client-certificate-state').getByText(/Expires in (9|10) days/).waitFor();
    await panel.getByTestId('client-certificate-expiring').waitFor();
    await screenshot(page, 'client-certificate-02-expires-soon');
    const renewedId = await send(siteId, { event: 'renewed' });
    expect(await finalStatus(renewedId)).toBe('SUCCEEDED');
    expect(received.at(-1)!.fingerprint).toBe(new X509Certificate(soon.cert).fingerprint256);

    // After a reload: what is stored shows, the key never does.
    await page.reload();
    await panel.getByTestId('client-certificate-expiring').waitFor();
    const html = await page.content();
    for (const line of leaf.key.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(html).not.toContain(line);

    // The site list warns on this site's row as well.
    await page.goto(`${e2e.app.url}/`);
    const badge = page.locator(`tr[data-site-id="${siteId}"] .certificate-badge`);
    await badge.waitFor();
    expect(await badge.innerText()).toMatch(/^Certificate expires in (9|10) days$/);
    expect(await badge.getAttribute('data-certificate')).toBe('expiring');
    await screenshot(page, 'client-certificate-03-site-list');
    await page.goto(`${e2e.app.url}/sites/${siteId}`);
    await panel.getByTestId('client-certificate-expiring').waitFor();

    await panel.getByRole('button', { name: 'Remove certificate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the client certificate of Partner with mTLS?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await panel.getByTestId('client-certificate-state').innerText()).toMatch(/Expires in/);
    await panel.getByRole('button', { name: 'Remove certificate' }).click();
    await dialog.getByRole('button', { name: 'Remove certificate' }).click();
    await panel.getByText('No client certificate').waitFor();
    expect(ok(await e2e.app.gql(`query($id: ID!) { site(id: $id) { clientCertificate { subject } } }`, { id: siteId })).site.clientCertificate).toBeNull();
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
