import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../test/certs.js';
import { type TestOidc, startTestOidc } from '../../test/oidc.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver, waitFor } from '../dispatch/testkit.js';

/**
 * Site events that are not the breaker's (issue 12 item 5): an OAuth2 token that only a person can
 * fix (TOKEN_NEEDS_RECONNECT, against the real OAuth server of the token tests) and a client
 * certificate about to expire (CERTIFICATE_EXPIRING) — each once, and each sent to the
 * operational site.
 */

const DAY = 86_400_000;
let op: TestOidc;
let app: TestApp;
let receiver: Receiver;
let counter = 0;

beforeAll(async () => {
  op = await startTestOidc();
  receiver = await startReceiver();
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
  await receiver?.close();
  await op?.close();
});

async function createSite(auth: Record<string, unknown>, path = `/events-${++counter}`): Promise<string> {
  const id = ok(
    await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `site-events ${++counter}`, url: `${receiver.url}${path}`, auth },
    }),
  ).createSite.id as string;
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
  return id;
}

async function eventsOf(siteId: string, kind: string) {
  const page = ok(await app.gql(`query($id: ID, $kind: SiteEventKind) { siteEvents(siteId: $id, kind: $kind, first: 100) { totalCount edges { node { id kind reason details siteName } } } }`, { id: siteId, kind }));
  return (page.siteEvents.edges as Array<{ node: { id: string; kind: string; reason: string; details: Record<string, unknown> } }>).map((e) => e.node);
}

describe('site events beyond the breaker', () => {
  it('TOKEN_NEEDS_RECONNECT once when a token falls into needing a person, sent to the operational site', async () => {
    const opsPath = '/ops-token';
    const opsSite = await createSite({ basic: { username: 'ops', password: 'ops-password-1' } }, opsPath);
    ok(await app.gql(`mutation($id: ID!) { setOperationalWebhookSite(siteId: $id) { siteId } }`, { id: opsSite }));

    const siteId = await createSite({ oauth2ClientCredentials: { tokenUrl: op.tokenUrl, clientId: 'never-registered', clientSecret: 'some-secret' } });
    const test = () => app.gql(`mutation ($id: ID!) { testSite(id: $id) { ok error } }`, { id: siteId });
    expect(ok(await test()).testSite.error).toContain('invalid_client');
    const events = await eventsOf(siteId, 'TOKEN_NEEDS_RECONNECT');
    expect(events).toHaveLength(1);
    expect(events[0]!.reason).toContain('invalid_client');
    expect(events[0]!.details).toMatchObject({ grantType: 'client_credentials' });
    // Still refused: the token was already waiting for a person, so no second event.
    expect(ok(await test()).testSite.error).toContain('invalid_client');
    expect(await eventsOf(siteId, 'TOKEN_NEEDS_RECONNECT')).toHaveLength(1);

    const sent = await waitFor(() => receiver.requests.find((r) => r.url === opsPath), 20_000, 'the operational webhook');
    expect(JSON.parse(sent.body.toString('utf8'))).toMatchObject({ type: 'TOKEN_NEEDS_RECONNECT', siteId, data: { eventId: events[0]!.id, reason: events[0]!.reason } });
    ok(await app.gql(`mutation { clearOperationalWebhookSite }`));
  });

  it('CERTIFICATE_EXPIRING once per certificate within 30 days of its end; a renewal far from its end is not one', async () => {
    const siteId = await createSite({ basic: { username: 'ops', password: 'ops-password-1' } });
    const SET = `mutation($id: ID!, $c: ClientCertificateInput!) { setClientCertificate(siteId: $id, clientCertificate: $c) { id } }`;
    const far = makeCertificate({ commonName: 'far', notAfter: new Date(Date.now() + 90 * DAY) });
    ok(await app.gql(SET, { id: siteId, c: { certificate: far.cert, privateKey: far.key } }));
    expect(await app.services.breaker.recordExpiringCertificates()).toBe(0);

    const soonEnd = new Date(Math.floor((Date.now() + 20 * DAY) / 1000) * 1000);
    const soon = makeCertificate({ commonName: 'soon', notAfter: soonEnd });
    ok(await app.gql(SET, { id: siteId, c: { certificate: soon.cert, privateKey: soon.key } }));
    expect(await app.services.breaker.recordExpiringCertificates()).toBe(1);
    // Two runs at once (two processes): still one event.
    const again = await Promise.all([app.services.breaker.recordExpiringCertificates(), app.services.breaker.recordExpiringCertificates()]);
    expect(again).toEqual([0, 0]);
    const events = await eventsOf(siteId, 'CERTIFICATE_EXPIRING');
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ expiresAt: soonEnd.toISOString(), expired: false });
    expect(events[0]!.reason).toContain(soonEnd.toISOString());

    // Renewed with a later end, then that one nearing its end too: a second event, for the new certificate.
    const renewedEnd = new Date(Math.floor((Date.now() + 25 * DAY) / 1000) * 1000);
    const renewed = makeCertificate({ commonName: 'renewed', notAfter: renewedEnd });
    ok(await app.gql(SET, { id: siteId, c: { certificate: renewed.cert, privateKey: renewed.key } }));
    expect(await app.services.breaker.recordExpiringCertificates()).toBe(1);
    expect((await eventsOf(siteId, 'CERTIFICATE_EXPIRING')).map((e) => e.details.expiresAt)).toEqual([renewedEnd.toISOString(), soonEnd.toISOString()]);
  });
});
