/**
 * One more server process for the two-process token test (oauth/two-process.test.ts): the whole
 * app from the environment, then on "go" (a line on stdin) `CALLERS` concurrent callers per site
 * in `SITE_IDS` ask for an access token at once. Prints one JSON line per phase; tokens appear
 * only as hashes.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import readline from 'node:readline';
import { loadConfig } from '../config.js';
import { startApp } from '../main.js';

const siteIds = (process.env.SITE_IDS ?? '').split(',').filter(Boolean);
const callers = Number(process.env.CALLERS ?? 200);
const app = await startApp(loadConfig(process.env));
process.stdout.write(`${JSON.stringify({ phase: 'ready', pid: process.pid })}\n`);

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== 'go') continue;
  const results: Record<string, { tokens: string[]; errors: string[] }> = {};
  await Promise.all(
    siteIds.map(async (siteId) => {
      const site = (await app.services.sites.get(siteId))!;
      const outcomes = await Promise.allSettled(Array.from({ length: callers }, () => app.services.tokens.accessTokenFor(site)));
      results[siteId] = {
        tokens: [...new Set(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [createHash('sha256').update(o.value).digest('hex').slice(0, 16)] : [])))],
        errors: outcomes.flatMap((o) => (o.status === 'rejected' ? [String((o.reason as Error).message)] : [])),
      };
    }),
  );
  process.stdout.write(`${JSON.stringify({ phase: 'done', results })}\n`);
  break;
}
lines.close();
await app.stop();
process.exit(0);
