/**
 * Crash: 5,000 deliveries, kill -9 of the (only) dispatcher process part-way, then a new one:
 * the receiver must see 5,000 distinct delivery ids; duplicates (those in flight at the kill,
 * sent again once taken back) are reported.
 *
 *   npx tsx bench/crash.ts [count] [--accepting]
 *
 * --accepting: the process killed is one that serves the API and sends (role all), fed by
 * sendWebhook calls of 10 one after another, so many deliveries are inserted already claimed by
 * it (insertClaimedDeliveries); a dispatcher-only process started after the kill must take those
 * back too. The calls go on, against an API-only process, until all are accepted.
 *
 * The lease is the default 60 s (DISPATCH_LEASE_MS overrides it): the new dispatcher runs on the
 * same host, sees that the claimer's process is gone and takes its claims back without waiting
 * for the lease (before that, recovery took the whole lease: 63.2 s here with 60 s, 8.9 s with 5 s).
 */
import { performance } from 'node:perf_hooks';
import {
  createActiveSite,
  gql,
  kill9,
  machineNote,
  sendMany,
  startAppProcess,
  startDatabase,
  startDispatcherProcess,
  startInProcessApp,
  startReceiverProcess,
  stopAll,
  waitUntilSettled,
} from './lib/harness.js';

const COUNT = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5000);
const ACCEPTING = process.argv.includes('--accepting');
const LEASE = { DISPATCH_LEASE_MS: process.env.DISPATCH_LEASE_MS ?? '60000' };

async function main() {
  console.log(machineNote());
  const databaseUrl = await startDatabase();
  const receiver = await startReceiverProcess();
  const api = await startInProcessApp(databaseUrl, { TRUSTED_SITES_ROLE: 'api', ...LEASE });
  // Each answer held 5 ms, so there is always work in flight to be cut off.
  const segment = 'hold5-crash';
  const siteId = await createActiveSite(api.url, `${receiver.url}/${segment}`, { maxRps: 10_000, threads: 32 });
  let ids: string[];
  let first: Awaited<ReturnType<typeof startDispatcherProcess>>;
  let sending: Promise<unknown> = Promise.resolve();
  if (!ACCEPTING) {
    ids = await sendMany(api.url, siteId, COUNT, (i) => ({ i }));
    first = await startDispatcherProcess(databaseUrl, LEASE);
  } else {
    const all = await startAppProcess(databaseUrl, LEASE);
    first = all.child;
    ids = [];
    let target = all.url;
    // Calls of 10, one after another; once the process is killed, the rest go to the API-only one.
    sending = (async () => {
      while (ids.length < COUNT) {
        const inputs = Array.from({ length: Math.min(10, COUNT - ids.length) }, (_, k) => ({ siteId, payload: { i: ids.length + k } }));
        try {
          const { sendWebhooks } = await gql(target, `mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs });
          ids.push(...sendWebhooks.map((d: { id: string }) => d.id));
        } catch {
          target = api.url;
        }
      }
    })();
  }
  while ((await receiver.stats(segment)).count < COUNT / 2) await new Promise((resolve) => setTimeout(resolve, 10));
  await kill9(first);
  if (ACCEPTING) {
    const { rows: claimed } = await api.services.db.pool.query(
      `SELECT count(*)::int AS n FROM delivery WHERE site_id = $1 AND status = 'IN_FLIGHT' AND updated_at = created_at`,
      [siteId],
    );
    console.log(`at the kill, ${claimed[0].n} deliveries were IN_FLIGHT as inserted (claimed by the killed process on insert)`);
  }
  const killedAt = performance.now();
  const atKill = await receiver.stats(segment);
  const { rows } = await api.services.db.pool.query(`SELECT status, count(*)::int AS n FROM delivery WHERE site_id = $1 GROUP BY status`, [siteId]);
  console.log(`kill -9 after ${atKill.count} arrivals; database then: ${JSON.stringify(Object.fromEntries(rows.map((r) => [r.status, r.n])))}`);
  await startDispatcherProcess(databaseUrl, LEASE);
  const readyAt = performance.now();
  const { settledAt, counts } = await waitUntilSettled(api.services.db.pool, siteId, sending, 100);
  const stats = await receiver.stats(segment);
  console.log(
    `after restart: all settled ${((settledAt - killedAt) / 1000).toFixed(1)} s after the kill (new dispatcher ready after ${((readyAt - killedAt) / 1000).toFixed(1)} s; lease ${LEASE.DISPATCH_LEASE_MS} ms); ` +
      `receiver: ${stats.count} requests, distinct delivery ids ${stats.distinct} of ${ids.length} (ratio ${(stats.distinct / COUNT).toFixed(3)}), duplicates ${stats.duplicates}; final statuses ${JSON.stringify(counts)}`,
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
