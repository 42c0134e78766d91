import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { type TestApp, ok, startTestApp } from '../../test/support.js';
import { type Receiver, startReceiver, waitFor } from './testkit.js';

/**
 * With ALLOW_PRIVATE_TARGETS off (production's default), a site that resolves to a loopback
 * address is refused at connect time — a name included, since the check runs on the address the
 * connection's own DNS lookup returns — and the refusal is recorded on the delivery.
 */
let app: TestApp;
let receiver: Receiver;
let counter = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  app = await startTestApp({ ALLOW_PRIVATE_TARGETS: 'false', DISPATCH_POLL_MS: '100' });
});

afterAll(async () => {
  await app?.stop();
  await receiver?.close();
});

async function deliverTo(url: string) {
  counter += 1;
  const { id: siteId } = ok(
    await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `Guarded ${counter}`, url, auth: { basic: { username: 'u', password: SECRET_VALUES.password } } },
    }),
  ).createSite;
  ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id: siteId }));
  const { id } = ok(await app.gql(`mutation($input: WebhookInput!) { sendWebhook(input: $input) { id } }`, { input: { siteId, payload: {} } })).sendWebhook;
  return waitFor(async () => {
    const d = ok(await app.gql(`query($id: ID!) { delivery(id: $id) { status lastError attemptCount attempts { statusCode error outcome } } }`, { id })).delivery;
    return d.status === 'FAILED' || d.status === 'SUCCEEDED' ? d : undefined;
  }, 20_000, 'the delivery to settle');
}

describe('private-address guard', () => {
  it('refuses a name that resolves to 127.0.0.1 (localhost), records why, and does not retry', async () => {
    const port = new URL(receiver.url).port;
    const done = await deliverTo(`http://localhost:${port}/hook`);
    expect(done.status).toBe('FAILED');
    expect(done.attemptCount).toBe(1);
    expect(done.attempts[0]).toMatchObject({ statusCode: null, outcome: 'FAILED' });
    expect(done.attempts[0].error).toMatch(/refused to connect to localhost .*ALLOW_PRIVATE_TARGETS/);
    expect(done.lastError).toBe(done.attempts[0].error);
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses an IP literal in a private range', async () => {
    const done = await deliverTo(`${receiver.url}/hook`);
    expect(done.status).toBe('FAILED');
    expect(done.lastError).toMatch(/refused to connect to 127\.0\.0\.1/);
    expect(receiver.requests).toHaveLength(0);
  });
});
