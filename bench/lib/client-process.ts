import { sendMany, throughputPayload } from './client.js';

/**
 * A workflow engine in its own process (see `startClientProcess`): prints READY, waits for a line
 * on stdin, sends CLIENT_COUNT webhooks of the throughput payload to CLIENT_SITE_ID through
 * sendWebhooks, prints ACCEPTED with the CPU it used and exits.
 */
const apiUrl = process.env.CLIENT_API_URL!;
const siteId = process.env.CLIENT_SITE_ID!;
const count = Number(process.env.CLIENT_COUNT);
// The CPU spent starting (tsx, imports) is printed too, so a benchmark can leave it out.
const ready = process.cpuUsage();
process.stdout.write(`READY cpu ${((ready.user + ready.system) / 1000).toFixed(0)} ms\n`);
process.stdin.once('data', () => {
  sendMany(apiUrl, siteId, count, throughputPayload)
    .then(() => {
      const cpu = process.cpuUsage();
      process.stdout.write(`ACCEPTED cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`);
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
});
