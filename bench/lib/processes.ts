import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Configuration the engine reads; stripped from the inherited environment so every start is explicit. */
const ENGINE_VARIABLES = [
  'PORT', 'HOST', 'DATABASE_URL', 'REDIS_URL', 'PGLITE_DIR', 'JWT_SECRET', 'JWT_TTL_SECONDS', 'ADMIN_USERNAME',
  'ADMIN_PASSWORD', 'DEMO_DATA', 'WEBHOOK_ALLOWED_HOSTS', 'WEBHOOK_TIMEOUT_MS', 'LOG_LEVEL', 'NODE_ENV',
  'QUEUE_PREFIX', 'QUEUE_DRAIN_DELAY_S', 'DB_POOL_SIZE', 'CORS_ORIGINS',
];

/** The runner's environment without engine configuration, plus `overrides`. */
export function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ENGINE_VARIABLES) delete env[name];
  return { ...env, ...overrides };
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null }
export interface StopResult extends Exit {
  /** From SIGTERM until the process exited. */
  ms: number;
  /** True when it did not exit in time and was killed. */
  forced: boolean;
}

const live = new Set<ChildProcess>();
// Last resort if the runner exits without cleaning up (uncaught error, process.exit in a signal handler).
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A Node.js child process whose output goes to a log file (nothing passes through the runner). */
export class NodeProcess {
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
    /** performance.now() just before spawn. */
    readonly spawnedAt: number,
  ) {
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  static start(name: string, script: string, env: NodeJS.ProcessEnv, logFile: string, cwd: string): NodeProcess {
    const fd = openSync(logFile, 'a');
    try {
      const spawnedAt = performance.now();
      const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', fd, fd] });
      return new NodeProcess(name, logFile, child, spawnedAt);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Polls `url` until it answers 200; returns the milliseconds since spawn. Fails, with the end of the log, when
   * the process exits first or `timeoutMs` passes.
   */
  async waitForHttp200(url: string, timeoutMs: number, pollMs = 25): Promise<number> {
    const deadline = this.spawnedAt + timeoutMs;
    while (performance.now() < deadline) {
      if (this.exit) throw new Error(`${this.name} exited (${describeExit(this.exit)}) before ${url} answered 200\n${await this.logTail()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - this.spawnedAt;
      } catch {
        // not listening yet
      }
      await sleep(pollMs);
    }
    throw new Error(`${this.name}: ${url} did not answer 200 within ${Math.round(timeoutMs / 1000)} s\n${await this.logTail()}`);
  }

  /** SIGTERM, then waits for exit; SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 15_000): Promise<StopResult> {
    if (this.exit) return { ...this.exit, ms: 0, forced: false };
    const t0 = performance.now();
    this.child.kill('SIGTERM');
    const grace = new AbortController();
    const exited = await Promise.race([this.exited, sleep(graceMs, undefined, { signal: grace.signal }).catch(() => undefined)]);
    grace.abort();
    if (exited) return { ...exited, ms: performance.now() - t0, forced: false };
    this.child.kill('SIGKILL');
    const killed = await this.exited;
    return { ...killed, ms: performance.now() - t0, forced: true };
  }

  /** The last lines of the log, for error messages. */
  async logTail(bytes = 3000): Promise<string> {
    try {
      const handle = await open(this.logFile, 'r');
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, bytes);
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, size - length);
        return `--- last ${length} bytes of ${relative(process.cwd(), this.logFile)} ---\n${buffer.toString('utf8')}`;
      } finally {
        await handle.close();
      }
    } catch {
      return `(no log at ${this.logFile})`;
    }
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
