/**
 * Bodies of deliveries this process accepted into the queue, kept a short while so that its own
 * dispatcher, claiming them soon after, need not read them back from PostgreSQL (the claim then
 * returns no bodies: no bytea to encode, send and parse for each row). A body not found here —
 * claimed by another process, accepted before a restart, forgotten — is read by id after the
 * claim. Bounded by bytes and by age; when full, newer bodies are not kept (the queue sends the
 * oldest first, so those are the ones worth keeping).
 */
export class RecentBodies {
  private readonly bodies = new Map<string, { body: Buffer; at: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.bodies.size;
  }

  add(id: string, body: Buffer, now = Date.now()): void {
    this.expire(now);
    if (this.bytes + body.length > this.maxBytes) return;
    this.bodies.set(id, { body, at: now });
    this.bytes += body.length;
  }

  /** The body, forgotten here once taken (a delivery is claimed from the queue once per attempt; a retry reads it back). */
  take(id: string): Buffer | undefined {
    const entry = this.bodies.get(id);
    if (!entry) return undefined;
    this.bodies.delete(id);
    this.bytes -= entry.body.length;
    return entry.body;
  }

  /** Entries are in insertion order, so the expired ones are at the front. */
  private expire(now: number): void {
    for (const [id, entry] of this.bodies) {
      if (now - entry.at <= this.maxAgeMs) break;
      this.bodies.delete(id);
      this.bytes -= entry.body.length;
    }
  }
}
