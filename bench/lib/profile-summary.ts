import fs from 'node:fs';
import { sourceOf } from './sources.js';

/**
 * Summarises a V8 .cpuprofile (from `bench/throughput.ts --cpu-prof=…`): the functions with the
 * most self time and the most inclusive time, and self time per source (package or our folder),
 * each also per delivery when a count is given.
 *
 *   npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [deliveries=20000] [top=30]
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, countArg, topArg] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file!, 'utf8')) as Profile;
const count = Number(countArg ?? 20_000);
const top = Number(topArg ?? 30);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: the delta to the next sample (the last one gets the mean).
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / profile.samples.length;
  selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + dt);
}

const key = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${sourceOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const bySource = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  total += us;
  self.set(key(n), (self.get(key(n)) ?? 0) + us);
  const name = n.callFrame.functionName;
  const src = name === '(garbage collector)' || name === '(idle)' || name === '(program)' ? name : sourceOf(n.callFrame.url);
  bySource.set(src, (bySource.get(src) ?? 0) + us);
  // Inclusive: every distinct function on the stack, once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}

// Each sample charged to the innermost frame on its stack that one of these owns, so node's own
// work (socket writes, streams, timers) counts for whoever asked for it.
const OWNERS: Array<[string, RegExp]> = [
  ['pg (client library)', /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\//],
  ['undici (outgoing requests)', /node_modules\/undici\//],
  ['GraphQL, Apollo, Express (accepting)', /node_modules\/(graphql|@apollo|express|body-parser|raw-body|type-graphql|router)\//],
  ['dispatch SQL builders (transitions.sql.ts)', /dispatch\/transitions\.sql\.ts/],
  ['delivery service, resolver (accepting)', /dispatch\/delivery\.(service|resolver)\.ts/],
  ['signing, auth methods', /server\/src\/(signing|auth|sites)\//],
  ['net/outgoing.ts', /server\/src\/net\//],
  ['metrics (prom-client)', /prom-client|server\/src\/metrics\//],
  ['dispatcher, recorder, rate slots', /dispatch\/(dispatcher|attempt-recorder|rate-slots|claim-plan|delivery-events)\.ts|node_modules\/limiter\//],
  ['pubsub', /server\/src\/db\/pubsub/],
  ['logging', /node_modules\/pino|server\/src\/log\.ts/],
];
const byOwner = new Map<string, number>();
for (const [id, us] of selfUs) {
  const name = byId.get(id)!.callFrame.functionName;
  let owner = name === '(garbage collector)' || name === '(idle)' || name === '(program)' ? name : 'other (node core with no owner on the stack)';
  if (!owner.startsWith('(')) {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const found = OWNERS.find(([, re]) => re.test(byId.get(cur!)!.callFrame.url));
      if (found) {
        owner = found[0];
        break;
      }
    }
  }
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
}

const idle = bySource.get('(idle)') ?? 0;
const busy = total - idle;
const fmt = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms ${(us / count).toFixed(1).padStart(6)} µs/delivery ${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`profile ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s, busy (not idle) ${(busy / 1e6).toFixed(2)} s = ${(busy / count).toFixed(0)} µs per delivery over ${count}`);
const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${fmt(us)}  ${k}`);
};
print('by owner (innermost owning frame on the stack)', byOwner, 20);
print('self time by source', bySource, 40);
print('self time by function', self, top);
print('inclusive time by function', inclusive, top);
