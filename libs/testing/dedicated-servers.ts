import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, spawnChild, waitUntil, type TestChild } from './child-processes.js';
import { reachable } from './test-stack.js';

/**
 * Redis and PostgreSQL servers of the test's own, on free ports of 127.0.0.1, so a test can kill and restart them
 * while other people use the machine's. Both run in the foreground as children of the test (never daemonised), so
 * they die with it; their files live in a temp dir named after the run, which the faults' global setup removes
 * once that run has ended.
 */
export const FAULTS_TMP_PREFIX = 'referral-faults-';

const runDir = () => mkdtempSync(join(tmpdir(), `${FAULTS_TMP_PREFIX}${process.env.TEST_RUN_ID ?? process.pid}-`));

/**
 * A redis-server of the test's own. `durable`: an append-only file (fsync every second), as docker/compose.yaml
 * runs it in production, so a crash and restart keep the queued jobs; otherwise no snapshots and no append-only
 * file, so a restart comes back empty.
 */
export class DedicatedRedis {
  private child: TestChild | undefined;
  private constructor(
    readonly port: number,
    private readonly persistence: string[],
    private readonly dir: string,
  ) {}

  static async start(options: { durable: boolean }): Promise<DedicatedRedis> {
    const persistence = options.durable ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''] : ['--save', '', '--appendonly', 'no'];
    const redis = new DedicatedRedis(await freePort(), persistence, runDir());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts on the same port, with the same files. */
  async restart(): Promise<void> {
    if (this.child?.alive) throw new Error('redis is still running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--daemonize', 'no', '--dir', this.dir, ...this.persistence];
    this.child = spawnChild('redis', 'redis-server', args);
    await this.child.waitForLine(/Ready to accept connections/, 10_000);
  }

  /** A crash: SIGKILL, no shutdown. */
  async kill(): Promise<void> {
    await this.child?.stop('SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The newest PostgreSQL of the machine's Debian layout (/usr/lib/postgresql/<version>/bin). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/**
 * A PostgreSQL cluster made with initdb in a temp dir (owned by `postgres`: the server refuses to run as root),
 * trust authentication, listening on 127.0.0.1 only, its socket in the data dir. The server runs in the foreground
 * rather than through `pg_ctl start`, which daemonises it (it would outlive a test run that dies); `stop` sends the
 * signals `pg_ctl stop -m immediate|fast` sends.
 */
export class DedicatedPostgres {
  private child: TestChild | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<DedicatedPostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    const dir = runDir();
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
    const initdb = spawnChild('initdb', join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { user: 'postgres' });
    const { code } = await initdb.exited;
    if (code !== 0) throw new Error(`initdb failed (${code}):\n${initdb.tail()}`);
    const server = new DedicatedPostgres(await freePort(), dir, bin);
    await server.restart();
    return server;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** (Re)starts on the same port and data dir; resolves once it accepts connections (crash recovery included). */
  async restart(): Promise<void> {
    if (this.child?.alive) throw new Error('postgres is still running');
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', join(this.dir, 'data'), '-c', 'listen_addresses=127.0.0.1'];
    this.child = spawnChild('postgres', join(this.bin, 'postgres'), args, { user: 'postgres' });
    await waitUntil('the dedicated PostgreSQL to accept connections', () => this.accepts(), 30_000, 100);
  }

  private async accepts(): Promise<boolean> {
    if (!this.child?.alive) throw new Error(`postgres exited:\n${this.child?.tail()}`);
    if (!(await reachable(this.adminUrl, 500))) return false;
    const client = new pg.Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false; // still starting up or recovering
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * `pg_ctl stop -m immediate` (SIGQUIT: every backend quits at once, no checkpoint; the next start recovers from
   * WAL) or `-m fast` (SIGINT: roll back sessions, checkpoint, exit).
   */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.child?.stop(mode === 'immediate' ? 'SIGQUIT' : 'SIGINT', 15_000);
  }

  async destroy(): Promise<void> {
    await this.child?.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
