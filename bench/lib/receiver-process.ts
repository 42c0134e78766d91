import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * The benchmarks' receiver, in its own process so it never shares an event loop with the sender
 * being measured. Requests are grouped by their first path segment (one per benchmark cell); a
 * segment like `hold200-…` holds each answer 200 ms. `GET /__stats/<segment>` reports arrivals
 * (epoch ms, sub-ms precision), distinct `x-delivery-id`s, duplicates and the most in flight.
 */
interface Group {
  arrivals: number[];
  ids: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
}
const groups = new Map<string, Group>();
const now = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/__stats/')) {
    const group = groups.get(decodeURIComponent(url.slice('/__stats/'.length))) ?? { arrivals: [], ids: new Map(), inFlight: 0, maxInFlight: 0 };
    let duplicates = 0;
    for (const n of group.ids.values()) duplicates += n - 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: group.arrivals.length, distinct: group.ids.size, duplicates, maxInFlight: group.maxInFlight, arrivals: group.arrivals }));
    return;
  }
  const segment = url.split('/')[1]?.split('?')[0] ?? '';
  let group = groups.get(segment);
  if (!group) groups.set(segment, (group = { arrivals: [], ids: new Map(), inFlight: 0, maxInFlight: 0 }));
  const g = group;
  g.inFlight += 1;
  g.maxInFlight = Math.max(g.maxInFlight, g.inFlight);
  let open = true;
  const finish = () => {
    if (open) g.inFlight -= 1;
    open = false;
  };
  res.once('close', finish);
  g.arrivals.push(now());
  const id = req.headers['x-delivery-id'];
  if (typeof id === 'string') g.ids.set(id, (g.ids.get(id) ?? 0) + 1);
  req.resume();
  req.on('end', () => {
    const hold = /^hold(\d+)/.exec(segment);
    const answer = () => {
      finish();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    };
    if (hold) setTimeout(answer, Number(hold[1]));
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
});
