import { join } from 'node:path';
import type { CleanupScope } from './cleanup.js';
import { freePort } from './net.js';
import { distPath, REPO_ROOT } from './paths.js';
import { childEnv, NodeProcess } from './processes.js';

/** The credentials every bench-started engine gets (its first admin, token secret). */
export const BENCH_ADMIN = { username: 'admin', password: 'bench-admin-password' };

export interface StartedEngine { proc: NodeProcess; base: string }

/**
 * Starts an engine entry point (`apps/api/main.js`: server-mode API alone; `apps/engine/main.js`: API and worker,
 * embedded when `env` names no DATABASE_URL) on a free port, without demo data, and waits for `/health/ready`.
 * Its stop is registered on `scope`.
 */
export async function startEngine(
  name: string,
  script: 'apps/api/main.js' | 'apps/engine/main.js',
  env: Record<string, string>,
  dir: string,
  scope: CleanupScope,
): Promise<StartedEngine> {
  const port = await freePort();
  const proc = NodeProcess.start(
    name,
    distPath(script),
    childEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: 'bench-secret-0123456789abcdef',
      ADMIN_USERNAME: BENCH_ADMIN.username,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    }),
    join(dir, `${name}.log`),
    REPO_ROOT,
  );
  scope.defer(`stop ${name}`, () => proc.stop().then(() => undefined));
  const base = `http://127.0.0.1:${port}`;
  await proc.waitForHttp200(`${base}/health/ready`, 120_000);
  return { proc, base };
}
