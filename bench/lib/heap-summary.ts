import fs from 'node:fs';
import { sourceOf } from './sources.js';

/**
 * Summarises a sampling heap profile (from `bench/throughput.ts --heap-prof=…`): bytes allocated
 * per function and per source (package or our folder), each also per delivery. The profile keeps
 * objects the garbage collector has since freed, so this is what was allocated, not what is live.
 *
 *   npx tsx bench/lib/heap-summary.ts <file.heapprofile> [deliveries=20000] [top=40]
 */
interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const [file, countArg, topArg] = process.argv.slice(2);
const { head } = JSON.parse(fs.readFileSync(file!, 'utf8')) as { head: Node };
const count = Number(countArg ?? 20_000);
const top = Number(topArg ?? 40);


const byFunction = new Map<string, number>();
const bySource = new Map<string, number>();
/** Allocations charged to the innermost frame of ours (or of a package) on the stack: who asked for them. */
const byOwner = new Map<string, number>();
let total = 0;
function walk(node: Node, owner: string | undefined): void {
  const src = sourceOf(node.callFrame.url);
  const here = node.callFrame.url && !node.callFrame.url.startsWith('node:') ? `${node.callFrame.functionName || '(anonymous)'} ${src}:${node.callFrame.lineNumber + 1}` : owner;
  if (node.selfSize) {
    const key = `${node.callFrame.functionName || '(anonymous)'} ${src}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    bySource.set(src, (bySource.get(src) ?? 0) + node.selfSize);
    const o = here ?? '(no owner)';
    byOwner.set(o, (byOwner.get(o) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const child of node.children) walk(child, here);
}
walk(head, undefined);

const row = (bytes: number) => `${(bytes / 1e6).toFixed(1).padStart(7)} MB ${(bytes / count).toFixed(0).padStart(6)} B/delivery ${((100 * bytes) / total).toFixed(1).padStart(5)}%`;
console.log(`allocated ${(total / 1e6).toFixed(1)} MB = ${(total / count).toFixed(0)} B per delivery over ${count}`);
console.log('\nby source');
for (const [k, v] of [...bySource].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${row(v)}  ${k}`);
console.log('\nby owner (innermost frame outside node core)');
for (const [k, v] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${row(v)}  ${k}`);
console.log('\nby function (self)');
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${row(v)}  ${k}`);
