import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { CleanupScope } from '../../lib/cleanup.js';
import { distPath, REPO_ROOT } from '../../lib/paths.js';
import type { Community } from './community.js';
import type { FromLoadProcess, ToLoadProcess } from './load-process.js';
import type { LoadOutcome, LoadShare } from './steady-load.js';

/** What the load processes did together. */
export interface LoadResult {
  transitions: number;
  errors: number;
  /** From the scheduled start until the last process's last transition returned. */
  seconds: number;
  /** CPU time the load processes used, in ms. */
  cpuMs: number;
  startedAt: Date;
}

/**
 * `shares` load processes (bench/sections/notifications/load-process.ts), each with its share of a schedule of
 * `rate` transitions per second for `seconds`. They boot first; the schedule starts once every one is ready.
 */
export async function runLoadProcesses(
  scope: CleanupScope,
  options: { env: NodeJS.ProcessEnv; logFile: string; community: Community; rate: number; seconds: number; shares: number; chains: number },
): Promise<LoadResult> {
  const fd = openSync(options.logFile, 'a');
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < options.shares; i++) {
      const child = fork(distPath('bench/sections/notifications/load-process.js'), [], { cwd: REPO_ROOT, env: options.env, stdio: ['ignore', fd, fd, 'ipc'] });
      scope.defer(`stop load process ${i}`, () => void child.kill('SIGKILL'));
      children.push(child);
    }
  } finally {
    closeSync(fd);
  }
  const inboxes = children.map((child, i) => messages(child, `load process ${i}`));
  children.forEach((child, i) => {
    const share: LoadShare = { rate: options.rate, seconds: options.seconds, share: i, shares: options.shares, chains: options.chains, firstPatient: 1_000_000 * (i + 1) };
    child.send({ kind: 'plan', community: options.community, share } satisfies ToLoadProcess);
  });
  await Promise.all(inboxes.map((inbox) => inbox.expect('ready', 120_000)));
  const startAt = Date.now() + 200;
  for (const child of children) child.send({ kind: 'go', startAt } satisfies ToLoadProcess);
  const outcomes: LoadOutcome[] = await Promise.all(
    inboxes.map(async (inbox) => ((await inbox.expect('done', options.seconds * 1000 + 120_000)) as Extract<FromLoadProcess, { kind: 'done' }>).outcome),
  );
  return {
    transitions: outcomes.reduce((n, o) => n + o.transitions, 0),
    errors: outcomes.reduce((n, o) => n + o.errors, 0),
    seconds: (Math.max(...outcomes.map((o) => o.endedAt)) - startAt) / 1000,
    cpuMs: outcomes.reduce((n, o) => n + o.cpuMs, 0),
    startedAt: new Date(startAt),
  };
}

/** The messages of one child, awaited in order; a failure report, an exit or a timeout rejects. */
function messages(child: ChildProcess, name: string) {
  const queue: FromLoadProcess[] = [];
  let wake: (() => void) | undefined;
  let gone: string | undefined;
  child.on('message', (m) => {
    queue.push(m as FromLoadProcess);
    wake?.();
  });
  child.once('exit', (code, signal) => {
    gone = `${name} exited (${signal ?? `code ${code}`})`;
    wake?.();
  });
  return {
    async expect(kind: FromLoadProcess['kind'], timeoutMs: number): Promise<FromLoadProcess> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = queue.shift();
        if (m?.kind === 'failed') throw new Error(`${name} failed: ${m.message}`);
        if (m) {
          if (m.kind !== kind) throw new Error(`${name}: expected ${kind}, got ${m.kind}`);
          return m;
        }
        if (gone) throw new Error(`${gone} before sending ${kind}`);
        if (Date.now() > deadline) throw new Error(`${name} sent no ${kind} within ${timeoutMs / 1000} s`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
        wake = undefined;
      }
    },
  };
}
