import { createPostgresBackend, setDefaultBackendFactory } from 'bullmq';
import type { EngineConfig } from '../config/engine-config.js';
import { resolveDatabaseUrl } from '../persistence/data-source-options.js';

export type QueueBackendKind = 'redis' | 'postgres';

export function queueBackendKind(config: EngineConfig): QueueBackendKind {
  return config.queue.redisUrl ? 'redis' : 'postgres';
}

/** ioredis options from a redis:// URL; BullMQ workers need maxRetriesPerRequest: null. */
export function redisOptionsFromUrl(redisUrl: string) {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  };
}

/**
 * The BullMQ connection: Redis when REDIS_URL is set, else BullMQ's own PostgreSQL backend on the engine's
 * database (schema `bullmq`, or one per `QUEUE_PREFIX` on a PostgreSQL server, so parallel suites do not share queues).
 */
export async function queueConnection(config: EngineConfig): Promise<unknown> {
  if (config.queue.redisUrl) {
    setDefaultBackendFactory(undefined);
    return redisOptionsFromUrl(config.queue.redisUrl);
  }
  setDefaultBackendFactory(createPostgresBackend as never);
  // PGlite serves every client from one session, whose search_path (public, bullmq: embedded-postgres.ts) decides
  // where the backend's functions are found; each embedded engine has its own PGlite, so it needs no schema apart.
  const schema =
    config.embedded || config.queue.prefix === 'referral' ? 'bullmq' : `bullmq_${config.queue.prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  return { connectionString: await resolveDatabaseUrl(config), max: config.embedded ? 2 : 4, migrate: true, schema, connectionTimeoutMillis: config.embedded ? 60_000 : 5000 };
}
