import { type EntityClass, MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { log } from '../log.js';
import { migrationsList } from './migrations/index.js';
import { ADVISORY_LOCKS } from './locks.js';
import { createPool } from './pool.js';

export interface Database {
  orm: MikroORM;
  /** For plain parameterised SQL (docs/design.md rule 5): the queue, tokens, limits. */
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

/** `entities`: the ORM's entity classes, handed in by the composition root (db/ knows no site). */
export async function openDatabase(url: string, options: { entities: EntityClass<object>[]; poolSize?: number }): Promise<Database> {
  const orm = await MikroORM.init({
    clientUrl: url,
    entities: options.entities,
    discovery: { requireEntitiesArray: true, disableDynamicFileAccess: true },
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: options.poolSize ?? 10 },
    allowGlobalContext: false,
    debug: false,
    logger: (message: string) => log.debug(message),
    ensureDatabase: false,
    // knex writes to the console by itself, e.g. one "Connection Error" per pooled connection found
    // broken after a database outage (which db/outage.ts already reports once): into our log instead.
    driverOptions: {
      log: {
        warn: (message: unknown) => log.debug(`database client: ${String(message)}`),
        error: (message: unknown) => log.error(`database client: ${String(message).split('\n')[0]!.slice(0, 200)}`),
        deprecate: (message: unknown) => log.debug(`database client: ${String(message)}`),
        debug: (message: unknown) => log.debug(`database client: ${String(message)}`),
      },
    },
  });
  const pool = createPool({ connectionString: url, max: options.poolSize ?? 10, application_name: 'trusted-sites' });
  return {
    orm,
    pool,
    url,
    async close() {
      await pool.end();
      await orm.close(true);
    },
  };
}

/** Runs pending migrations; several processes starting at once take turns on an advisory lock. */
export async function migrate(db: Database): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCKS.MIGRATIONS]);
    const executed = await db.orm.getMigrator().up();
    return executed.map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCKS.MIGRATIONS]).catch(() => undefined);
    client.release();
  }
}
