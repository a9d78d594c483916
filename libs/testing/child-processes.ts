import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** What a fault test may ask of a spawned process. */
export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  user?: string;
  /** Lines of output kept for failure messages. */
  keepLines?: number;
}

// Every process the fault tests start, across test files (Jest gives each file its own module instances).
const LIVE_KEY = Symbol.for('referral-engine.test-children');
const live: Set<TestChild> = ((globalThis as Record<symbol, unknown>)[LIVE_KEY] ??= new Set<TestChild>()) as Set<TestChild>;
if (!(globalThis as Record<symbol, unknown>)[Symbol.for('referral-engine.test-children.exit-hook')]) {
  (globalThis as Record<symbol, unknown>)[Symbol.for('referral-engine.test-children.exit-hook')] = true;
  // The last resort when a test's own clean-up never ran (Jest exiting early): nothing outlives the run.
  process.once('exit', () => {
    for (const child of live) child.killNow();
  });
}

/**
 * A process a fault test started. It is spawned through `setpriv --pdeathsig SIGKILL`, which execs the command
 * (same pid) with the kernel's parent-death signal set: even if Jest itself is SIGKILLed, the child dies with it.
 */
export class TestChild {
  private readonly lines: string[] = [];
  private partial = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedNow = false;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
    private readonly keepLines: number,
  ) {
    const collect = (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      if (this.lines.length > keepLines) this.lines.splice(0, this.lines.length - keepLines);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitedNow = true;
        live.delete(this);
        resolve({ code, signal });
      });
    });
    live.add(this);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return !this.exitedNow;
  }

  /** The last lines of output, for a failure message. */
  tail(n = 40): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-n).join('\n');
  }

  /** The kept lines of output that match (the worker logs one JSON line per sweep that changed something). */
  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l));
  }

  /** Resolves when a line of output matches; rejects if the process exits first or `timeoutMs` passes. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((l) => pattern.test(l))) {
      if (!this.alive) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** Sends `signal` and waits (bounded) for the exit; SIGKILL if the process ignores a gentler signal. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill(signal);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      this.killNow();
      await this.exited;
    }
  }

  /** Synchronous SIGKILL, for exit hooks. */
  killNow(): void {
    if (!this.alive) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions = {}): TestChild {
  const identity = options.user ? ['--reuid', options.user, '--regid', options.user, '--init-groups'] : [];
  const proc = spawn('setpriv', [...identity, '--pdeathsig', 'SIGKILL', command, ...args], {
    cwd: options.cwd,
    // A clean environment: nothing of Jest's (or the developer's DATABASE_URL) leaks into the engine.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new TestChild(name, proc, options.keepLines ?? 200);
}


/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
