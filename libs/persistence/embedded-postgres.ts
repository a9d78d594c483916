import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The embedded default: PGlite (PostgreSQL in WASM) served in-process through pglite-socket, so TypeORM and
 * BullMQ's Postgres backend talk to it through the ordinary `pg` driver. Only a configuration of the same code.
 */
export interface EmbeddedPostgres { url: string; stop(): Promise<void> }

// Memoize the promise: TypeORM's and BullMQ's factories ask for it concurrently and must share one instance.
let embedded: Promise<EmbeddedPostgres> | undefined;

// Connections are cheap here (one socket each; PGlite runs one query at a time): room for the TypeORM pool plus
// every BullMQ queue and worker (a small pool and a LISTEN client each).
export const EMBEDDED_MAX_CONNECTIONS = 200;

export function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  embedded ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const location = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir);
    if (!location.startsWith('memory://')) mkdirSync(location, { recursive: true });
    const db = await PGlite.create(location);
    // Every client shares one PGlite session, so session settings are made once here.
    await db.exec('SET search_path TO public, bullmq');
    const server = new PGLiteSocketServer({ db: keepExtendedQueriesTogether(db), host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_MAX_CONNECTIONS });
    await server.start();
    const port = (server as unknown as { port: number }).port;
    return {
      url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await server.stop();
        await db.close();
        embedded = undefined;
      },
    };
  })();
  return embedded;
}

export async function stopEmbeddedPostgres(): Promise<void> {
  if (!embedded) return;
  const running = await embedded;
  await running.stop();
}

// Extended-protocol messages that leave a query half-done until the client's Sync.
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

/**
 * pglite-socket queues protocol messages from all clients into one session and keeps a client's messages together
 * only inside a transaction. A parameterised query outside one (Parse, Bind, Execute, Sync) could then interleave
 * with another client's and fail with "unnamed prepared statement does not exist". Reporting "in transaction"
 * from a Parse until its Sync makes the queue keep those messages together too.
 */
function keepExtendedQueriesTogether<T extends { isInTransaction(): boolean; execProtocolRawStream(...args: never[]): Promise<unknown> }>(db: T): T {
  let midExtendedQuery = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'isInTransaction') return () => target.isInTransaction() || midExtendedQuery;
      if (prop === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: unknown) => {
          try {
            return await (target.execProtocolRawStream as (m: Uint8Array, o: unknown) => Promise<unknown>)(message, options);
          } finally {
            midExtendedQuery = EXTENDED.has(message[0]);
          }
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
