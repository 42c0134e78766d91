import { sendMany, throughputPayload } from './client.js';
import { serveProducer } from './producer.js';

/**
 * A workflow engine in its own process (see `startClientProcess`): prints READY, waits for a line
 * on stdin, sends CLIENT_COUNT webhooks of the throughput payload to CLIENT_SITE_ID through
 * sendWebhooks, prints ACCEPTED with the CPU it used and exits (bench/lib/producer.ts).
 */
const apiUrl = process.env.CLIENT_API_URL!;
const siteId = process.env.CLIENT_SITE_ID!;
const count = Number(process.env.CLIENT_COUNT);
serveProducer(() => sendMany(apiUrl, siteId, count, throughputPayload));
