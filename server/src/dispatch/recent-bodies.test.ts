import { describe, expect, it } from 'vitest';
import { RecentBodies } from './recent-bodies.js';

describe('RecentBodies', () => {
  const body = (n: number) => Buffer.alloc(n, 1);

  it('gives a body once: a second take (a retry) finds nothing and reads it from the database', () => {
    const bodies = new RecentBodies(1000, 60_000);
    const b = body(10);
    bodies.add('a', b, 0);
    expect(bodies.take('a')).toBe(b);
    expect(bodies.take('a')).toBeUndefined();
    expect(bodies.size).toBe(0);
  });

  it('keeps at most maxBytes: when full, newer bodies are not kept (the oldest are claimed first); a take makes room', () => {
    const bodies = new RecentBodies(100, 60_000);
    bodies.add('a', body(60), 0);
    bodies.add('b', body(60), 0);
    expect(bodies.take('b')).toBeUndefined();
    bodies.add('c', body(40), 0);
    expect(bodies.size).toBe(2);
    expect(bodies.take('a')?.length).toBe(60);
    bodies.add('d', body(60), 0);
    expect(bodies.take('d')?.length).toBe(60);
    expect(bodies.take('c')?.length).toBe(40);
  });

  it('forgets bodies older than maxAgeMs (claimed by another process, never taken here), which frees their bytes', () => {
    const bodies = new RecentBodies(100, 1000);
    bodies.add('old', body(80), 0);
    bodies.add('new', body(20), 500);
    bodies.add('later', body(80), 1200); // 'old' expired: room for this one
    expect(bodies.take('old')).toBeUndefined();
    expect(bodies.take('new')?.length).toBe(20);
    expect(bodies.take('later')?.length).toBe(80);
  });
});
