import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, spawnChild, waitUntil, type TestChild } from './child-processes.js';
import { postgresBinDir } from './dedicated-servers.js';
import { EngineHttp, signIn } from './engine-http.js';
import type { SignedIn } from './fixtures.js';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, withDatabase } from './test-stack.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN = { username: 'admin', password: 'admin-password' };

/**
 * Why the fault tests cannot run here, or undefined when they can: they need the real PostgreSQL and Redis (the
 * embedded stack has no processes to kill), the PostgreSQL and Redis server binaries, and util-linux's setpriv.
 */
export function faultsUnavailable(): string | undefined {
  if (process.env.TEST_STACK !== 'postgres' || process.env.TEST_QUEUE !== 'redis') return 'they need the machine\'s PostgreSQL and Redis (the run uses the embedded stack)';
  const missing = ['/usr/bin/setpriv', '/usr/bin/redis-server'].filter((p) => !existsSync(p));
  if (!postgresBinDir()) missing.push('/usr/lib/postgresql/<version>/bin/postgres');
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

/** An API process and the client that talks to it. */
export interface ApiProcess {
  child: TestChild;
  port: number;
  http: EngineHttp;
}

/**
 * One test file's engine: its own database and queue prefix, the built API and worker processes it starts, and a
 * pool for the invariant checks, which read PostgreSQL directly. `close()` kills the processes, drops the database
 * and deletes the prefix's Redis keys, whatever the test did before.
 */
export class FaultStack {
  readonly sql: pg.Pool;
  private readonly children: TestChild[] = [];
  /** After close() nothing starts: a test that timed out may still be running when its clean-up is. */
  private closed = false;

  private constructor(
    private readonly pgAdminUrl: string,
    readonly database: string,
    readonly redisUrl: string,
    readonly queuePrefix: string,
  ) {
    this.sql = new pg.Pool({ connectionString: this.databaseUrl, max: 4, connectionTimeoutMillis: 5000 });
    // While PostgreSQL is down (on purpose) idle connections fail; that must not crash the test process.
    this.sql.on('error', () => undefined);
  }

  /** A fresh, empty database: the first engine process migrates it (under the advisory lock, as in production). */
  static async create(options: { pgAdminUrl?: string; redisUrl?: string } = {}): Promise<FaultStack> {
    const suffix = randomBytes(5).toString('hex');
    // referral_t_<run pid>_…: the shared global setup drops it if this run dies before its clean-up.
    const database = `referral_t_${process.env.TEST_RUN_ID ?? process.pid}_f${suffix}`;
    const pgAdminUrl = options.pgAdminUrl ?? TEST_PG_ADMIN_URL;
    const admin = new pg.Client({ connectionString: pgAdminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    return new FaultStack(pgAdminUrl, database, options.redisUrl ?? TEST_REDIS_URL, `tf${suffix}`);
  }

  get databaseUrl(): string {
    return withDatabase(this.pgAdminUrl, this.database);
  }

  /** The production shape of the configuration, on loopback, with test secrets. */
  private env(extra: Record<string, string>): Record<string, string> {
    if (this.closed) throw new Error('the fault stack is closed');
    return {
      NODE_ENV: 'test',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.queuePrefix,
      JWT_SECRET: 'fault-test-secret-0123456789abcdef',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      // Work a Redis restarted empty lost is re-sent after this long (30 s in production; a test cannot wait that).
      QUEUE_LOSS_SWEEP_S: '2',
      ...extra,
    };
  }

  /** `node dist/apps/api/main.js` on a free port (or `port`, to restart in place); resolves when /health/ready is 200. */
  async startApi(name = 'api', port?: number): Promise<ApiProcess> {
    const listen = port ?? (await freePort());
    const child = spawnChild(name, process.execPath, ['dist/apps/api/main.js'], { cwd: REPO, env: this.env({ PORT: String(listen), HOST: '127.0.0.1' }) });
    this.children.push(child);
    const http = new EngineHttp(`http://127.0.0.1:${listen}`);
    await waitUntil(
      `${name} to be ready`,
      async () => {
        if (!child.alive) throw new Error(`${name} exited during start:\n${child.tail()}`);
        return (await http.get('/health/ready', undefined, 2000)).status === 200;
      },
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${child.tail()}`);
    });
    return { child, port: listen, http };
  }

  /** `node dist/apps/worker/main.js`; resolves when it logs that it started (its relay and processors run). */
  async startWorker(name = 'worker'): Promise<TestChild> {
    // Info level for the one start-up line the test waits for; the worker logs little else.
    const child = spawnChild(name, process.execPath, ['dist/apps/worker/main.js'], { cwd: REPO, env: this.env({ LOG_LEVEL: 'info' }) });
    this.children.push(child);
    await child.waitForLine(/referral engine worker started/, 30_000);
    return child;
  }

  signInAdmin(http: EngineHttp): Promise<SignedIn> {
    return signIn(http, ADMIN.username, ADMIN.password);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.children.map((c) => c.stop('SIGKILL')));
    await this.sql.end().catch(() => undefined);
    const admin = new pg.Client({ connectionString: this.pgAdminUrl, connectionTimeoutMillis: 5000 });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
    } catch {
      // a dedicated server that is gone already takes its databases with it
    } finally {
      await admin.end().catch(() => undefined);
    }
    // A dedicated Redis dies with its test, keys and all.
    if (this.redisUrl === TEST_REDIS_URL) await deleteQueueKeys(this.redisUrl, this.queuePrefix);
  }
}

/** Deletes this prefix's BullMQ keys (SCAN + UNLINK of `<prefix>:*` only: the machine's Redis is shared). */
async function deleteQueueKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 10_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (e) {
    console.warn(`[faults] could not delete the Redis keys ${prefix}:* (${(e as Error).message})`);
  } finally {
    redis.disconnect();
  }
}
