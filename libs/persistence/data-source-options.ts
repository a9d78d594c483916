import type { DataSourceOptions } from 'typeorm';
import type { EngineConfig } from '../config/engine-config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

/** The database URL the engine uses: the configured PostgreSQL, or the embedded PGlite started on demand. */
export async function resolveDatabaseUrl(config: EngineConfig): Promise<string> {
  if (config.database.url) return config.database.url;
  return (await startEmbeddedPostgres(config.database.pgliteDir)).url;
}

/** The one source of TypeORM options, shared by the app, the migration CLI and the tests. */
export function buildDataSourceOptions(url: string, poolSize: number, embedded = false): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+ and PGlite: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // PGlite serves one query at a time, so a new connection may wait behind a long transaction (the seed).
    connectTimeoutMS: embedded ? 60_000 : 5000,
    namingStrategy: new SnakeNamingStrategy(),
    poolSize,
    // Fail fast instead of hanging when the database is gone: the API answers 503 and recovers by itself.
    // PGlite shares one session between clients, so it gets no per-connection settings.
    extra: embedded
      ? { connectionTimeoutMillis: 60_000 }
      : { connectionTimeoutMillis: 5000, statement_timeout: 30000, idle_in_transaction_session_timeout: 60000, application_name: 'referral-engine' },
    // TypeORM's logger prints query parameters, which carry patient data: errors surface through our filter instead.
    logging: false,
  };
}
