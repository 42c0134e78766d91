import { isUuid } from './errors.js';

interface Batch<V> {
  ids: Set<string>;
  found: Promise<Map<string, V>>;
}

/**
 * Values by id for field resolvers that ask one row at a time (`Delivery.site`,
 * `Delivery.attempts` on every row of a page): the ids asked for until the event loop's next
 * turn go out as one call of `loadMany`.
 *
 * A loader belongs to one GraphQL operation (see graphql/context.ts) and remembers what it
 * loaded for that operation's life, so a page naming one site twenty times asks once. A
 * subscription's operation lives as long as the subscription: its events call `clear()`, or what
 * changed since it started would be shown as it was.
 */
export class BatchLoader<V> {
  private readonly loaded = new Map<string, Promise<V>>();
  private batch: Batch<V> | null = null;

  /**
   * @param loadMany what there is for these ids (lower-case uuids), by id; ids left out get `missing`.
   * @param missing the value for an id with nothing stored, or that is not an id at all.
   */
  constructor(
    private readonly loadMany: (ids: string[]) => Promise<Map<string, V>>,
    private readonly missing: () => V,
  ) {}

  load(id: string): Promise<V> {
    if (!isUuid(id)) return Promise.resolve(this.missing());
    const key = id.toLowerCase();
    const known = this.loaded.get(key);
    if (known) return known;
    return this.enqueue(this.openBatch(), key);
  }

  /** Forgets what was loaded, so the next loads read the database again. */
  clear(): void {
    this.loaded.clear();
  }

  private enqueue(batch: Batch<V>, key: string): Promise<V> {
    batch.ids.add(key);
    const value = batch.found.then((found) => (found.has(key) ? found.get(key)! : this.missing()));
    this.loaded.set(key, value);
    // A failed query is not remembered: a later load tries again.
    value.catch(() => {
      if (this.loaded.get(key) === value) this.loaded.delete(key);
    });
    return value;
  }

  private openBatch(): Batch<V> {
    if (this.batch) return this.batch;
    const ids = new Set<string>();
    const found = new Promise<Map<string, V>>((resolve, reject) => {
      // setImmediate rather than a microtask: the resolvers of one list are reached through
      // differing numbers of awaits, and all of them have run before the next turn.
      setImmediate(() => {
        this.batch = null;
        this.loadMany([...ids]).then(resolve, reject);
      });
    });
    this.batch = { ids, found };
    return this.batch;
  }
}
