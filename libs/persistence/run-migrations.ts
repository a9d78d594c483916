import type { DataSource } from 'typeorm';

/** Arbitrary but fixed: the advisory lock every engine process takes around migrations and seeding. */
export const SCHEMA_LOCK_KEY = 7_041_977;

/**
 * Runs pending migrations while holding a session advisory lock on a dedicated connection, so that several API
 * and worker processes starting together migrate once and the others wait, then find nothing to do.
 */
export async function runMigrationsLocked(ds: DataSource): Promise<void> {
  await withSchemaLock(ds, () => ds.runMigrations({ transaction: 'each' }));
}

export async function withSchemaLock<T>(ds: DataSource, work: () => Promise<T>): Promise<T> {
  const lockRunner = ds.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    return await work();
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}
