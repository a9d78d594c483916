import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

/** The few `pg` calls the bench makes (the package ships no type declarations). */
export interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
interface PgModule {
  Client: new (options: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
}
const pg = createRequire(import.meta.url)('pg') as PgModule;

export async function withPgClient<T>(url: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresVersion(adminUrl: string): Promise<string> {
  return withPgClient(adminUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
}

/** The URL of the same server with another database name. */
export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty database named `<prefix>_<random>`; returns its name. */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  await withPgClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return name;
}

/** Drops the database, disconnecting whoever is still on it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  await withPgClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
