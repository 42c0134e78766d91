/**
 * Soak: the service under ten minutes of mixed traffic, as a busy deployment sees it, and whether
 * its memory stays put. The app runs in a process of its own (API + dispatcher, as `npm start`);
 * against it, at the same time:
 *
 *   - webhooks: sendWebhooks of 25 every 500 ms (50/s) to a receiver in another process;
 *   - reads: sites, deliveries with attempts, one delivery, the signed-request preview, stats;
 *   - changes: a site created, updated, activated and deleted every second; an API token created
 *     and revoked every 2 s; a testSite every 5 s;
 *   - subscriptions: 10 WebSocket clients on deliveryUpdated, each reconnecting every 20–40 s
 *     (each delivery raises about three events, each sent to every subscriber);
 *   - bad callers: malformed JSON, bodies over the limit, bad input, no token — every 200 ms.
 *
 * The rates are what two cores sustain with room: the point is hours-long steadiness, not load.
 * It samples the app's resident memory every 5 s and compares the end with the sample after the
 * first minute (the bound: within 20%). Prints counts of every kind of call and error.
 *
 *   npx tsx bench/soak.ts [seconds=600]
 */
import fs from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ADMIN_TOKEN, createActiveSite, gql, machineNote, startAppProcess, startDatabase, startReceiverProcess, stopAll } from './lib/harness.js';

const SECONDS = Number(process.argv[2] ?? 600);
const WARM_SECONDS = Math.min(60, SECONDS / 5);

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const counts = new Map<string, number>();
const count = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);

async function call(url: string, what: string, query: string, variables?: Record<string, unknown>, token = ADMIN_TOKEN): Promise<any> {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
    count(body.errors?.length ? `${what}: ${body.errors[0]!.extensions?.code}` : `${what}: ok`);
    return body.data;
  } catch (error) {
    count(`${what}: ${(error as Error).message.slice(0, 60)}`);
    return undefined;
  }
}

async function raw(url: string, what: string, init: RequestInit): Promise<void> {
  try {
    const response = await fetch(`${url}/graphql`, init);
    const text = await response.text();
    let code = 'not JSON';
    try {
      code = JSON.parse(text).errors?.[0]?.extensions?.code ?? 'no code';
    } catch {
      // counted as "not JSON"
    }
    count(`${what}: ${response.status} ${code}`);
  } catch (error) {
    count(`${what}: ${(error as Error).message.slice(0, 60)}`);
  }
}

/** Runs `step` every `ms` until the end, never two at once. */
function every(ms: number, until: () => boolean, step: () => Promise<unknown>): Promise<void> {
  return (async () => {
    while (!until()) {
      const started = Date.now();
      await step().catch((error) => count(`step failed: ${String(error).slice(0, 60)}`));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - (Date.now() - started))));
    }
  })();
}

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const receiver = await startReceiverProcess();
  const app = await startAppProcess(databaseUrl);
  const url = app.url;
  const siteId = await createActiveSite(url, `${receiver.url}/soak`, { maxRps: 1000, threads: 16 });
  const started = Date.now();
  const over = () => Date.now() - started > SECONDS * 1000;
  const samples: Array<{ at: number; rss: number }> = [];
  const sampler = setInterval(() => samples.push({ at: (Date.now() - started) / 1000, rss: rssMb(app.pid) }), 5000);
  samples.push({ at: 0, rss: rssMb(app.pid) });

  let sent = 0;
  const webhooks = every(500, over, async () => {
    const inputs = Array.from({ length: 25 }, (_, i) => ({ siteId, payload: { n: sent + i, data: 'x'.repeat(500) } }));
    const data = await call(url, 'sendWebhooks', `mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs });
    if (data) sent += data.sendWebhooks.length;
  });

  const reads = every(100, over, async () => {
    const which = Math.floor(Math.random() * 5);
    if (which === 0) await call(url, 'sites', `{ sites(first: 50) { edges { node { id name status auth { __typename } } } } }`);
    if (which === 1) await call(url, 'deliveries', `{ deliveries(first: 50) { edges { node { id status attempts { number statusCode durationMs } } } } }`);
    if (which === 2) await call(url, 'deliveryStats', `query($s: ID) { deliveryStats(minutes: 5, siteId: $s) { at succeeded failed } }`, { s: siteId });
    if (which === 3) await call(url, 'preview', `query($s: ID!) { previewSignedRequest(siteId: $s, payload: { a: 1 }) { url headers { name value } } }`, { s: siteId });
    if (which === 4) await call(url, 'viewer', `{ viewer { name role } }`);
  });

  let churn = 0;
  const sites = every(1000, over, async () => {
    churn++;
    const data = await call(url, 'createSite', `mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
      input: { name: `soak ${churn}`, url: `${receiver.url}/churn`, auth: { basic: { username: 'soak', password: 'soak-password-1' } } },
    });
    const id = data?.createSite?.id;
    if (!id) return;
    await call(url, 'updateSite', `mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }`, { id, input: { name: `soak ${churn} renamed` } });
    await call(url, 'setSiteStatus', `mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id });
    await call(url, 'deleteSite', `mutation($id: ID!) { deleteSite(id: $id) }`, { id });
  });

  const tokens = every(2000, over, async () => {
    const data = await call(url, 'createApiToken', `mutation($input: ApiTokenInput!) { createApiToken(input: $input) { secret token { id } } }`, {
      input: { name: `soak ${Date.now()}-${Math.random()}`, role: 'VIEWER' },
    });
    if (!data) return;
    await call(url, 'viewer (new token)', `{ viewer { role } }`, undefined, data.createApiToken.secret);
    await call(url, 'revokeApiToken', `mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: data.createApiToken.token.id });
    await call(url, 'viewer (revoked token)', `{ viewer { role } }`, undefined, data.createApiToken.secret);
  });

  const tests = every(5000, over, () => call(url, 'testSite', `mutation($id: ID!) { testSite(id: $id) { ok } }`, { id: siteId }));

  const bad = every(200, over, async () => {
    const which = Math.floor(Math.random() * 4);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };
    if (which === 0) await raw(url, 'malformed JSON', { method: 'POST', headers, body: '{"query": "{ viewer { name } }", "secret": "soak-secret' });
    if (which === 1) await raw(url, 'too large', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query":"${'x'.repeat(6 * 1024 * 1024)}"}` });
    if (which === 2) await call(url, 'bad input', `mutation($input: SiteInput!) { createSite(input: $input) { id } }`, { input: { name: '', url: 'nope', auth: {} } });
    if (which === 3) await raw(url, 'no token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { name } }"}' });
  });

  let events = 0;
  const subscribers = Array.from({ length: 10 }, () =>
    (async () => {
      while (!over()) {
        const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${ADMIN_TOKEN}` }, retryAttempts: 0 });
        const stay = 20_000 + Math.random() * 20_000;
        const unsubscribe = client.subscribe(
          { query: `subscription { deliveryUpdated { id status } }` },
          { next: () => void events++, error: () => count('subscription error'), complete: () => undefined },
        );
        count('subscription opened');
        await new Promise((resolve) => setTimeout(resolve, Math.min(stay, Math.max(0, SECONDS * 1000 - (Date.now() - started)))));
        unsubscribe();
        await client.dispose();
      }
    })(),
  );

  const progress = setInterval(() => {
    const last = samples.at(-1)!;
    console.log(`  ${last.at.toFixed(0)} s: app RSS ${last.rss.toFixed(0)} MB, ${sent} webhooks accepted, ${events} subscription events`);
  }, 60_000);
  await Promise.all([webhooks, reads, sites, tokens, tests, bad, ...subscribers]);
  clearInterval(progress);
  clearInterval(sampler);
  samples.push({ at: (Date.now() - started) / 1000, rss: rssMb(app.pid) });

  const stats = await receiver.stats('soak');
  const warm = samples.find((s) => s.at >= WARM_SECONDS) ?? samples[0]!;
  const end = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.rss));
  const growth = (end.rss - warm.rss) / warm.rss;
  console.log(`\n${SECONDS} s of mixed traffic against one app process (API + dispatcher):`);
  for (const [what, n] of [...counts].sort()) console.log(`  ${what.padEnd(48)} ${n}`);
  console.log(`  webhooks accepted ${sent}, arrived at the receiver ${stats.distinct} distinct (${stats.duplicates} duplicates), subscription events ${events}`);
  console.log(`app RSS: start ${samples[0]!.rss.toFixed(0)} MB, after ${warm.at.toFixed(0)} s ${warm.rss.toFixed(0)} MB, end ${end.rss.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);
  console.log(`end / after-warm-up ratio ${(end.rss / warm.rss).toFixed(2)} (${(growth * 100).toFixed(1)}%; bound: within 20%) → ${Math.abs(growth) <= 0.2 ? 'within' : 'OUTSIDE'} the bound`);
  const internal = [...counts].filter(([what]) => /INTERNAL_SERVER_ERROR|not JSON|step failed/.test(what));
  if (internal.length) console.log(`internal errors or non-JSON answers: ${JSON.stringify(internal)}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
