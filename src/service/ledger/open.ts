/**
 * Opens the ledger database: PostgreSQL through `pg` when a URL is given, else an embedded PGlite
 * directory; applies the migrations (under an advisory lock on PostgreSQL, so many processes may
 * start at once).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { ServiceError } from '../../core/errors.js';
import { schema } from './schema.js';

export type LedgerDb = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface OpenedDb {
  db: LedgerDb;
  kind: 'postgres' | 'pglite';
  /** Round-trips to the database; throws MEDIC_ERR_SERVICE_LEDGER when it cannot. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Arbitrary but fixed: the advisory lock key that serialises migrations between processes. */
const MIGRATION_LOCK = 7_420_001;

export async function openDb(options: {
  databaseUrl?: string;
  pgliteDir: string;
  poolSize?: number;
}): Promise<OpenedDb> {
  const folder = migrationsFolder();
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', () => undefined);
    const client = await pool.connect().catch((error: unknown) => {
      throw ledgerError('cannot connect to PostgreSQL', error);
    });
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder: folder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
    const db = drizzlePg(pool, { schema });
    return {
      db,
      kind: 'postgres',
      ping: () => ping(db),
      close: () => pool.end(),
    };
  }
  await mkdir(options.pgliteDir, { recursive: true });
  const client = new PGlite(options.pgliteDir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder: folder });
  return { db, kind: 'pglite', ping: () => ping(db), close: () => client.close() };
}

async function ping(db: LedgerDb): Promise<void> {
  try {
    await db.execute(sql`SELECT 1`);
  } catch (error) {
    throw ledgerError('the ledger database does not answer', error);
  }
}

export function ledgerError(message: string, cause: unknown): ServiceError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ServiceError('MEDIC_ERR_SERVICE_LEDGER', `${message}: ${detail}`, { cause });
}

/** The SQL migrations beside this file; from a compiled build, the source folder they were generated in. */
function migrationsFolder(): string {
  const here = fileURLToPath(new URL('./migrations', import.meta.url));
  if (existsSync(here)) return here;
  return join(
    fileURLToPath(new URL('../../../../', import.meta.url)),
    'src',
    'service',
    'ledger',
    'migrations',
  );
}
