// Starts the built engine the way a newcomer does (embedded PGlite, demo data) on a free port, for the browser
// suite; stops it again. Logs go to a file in the run's temp dir, shown when something fails.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startEngine(dir) {
  const main = join(REPO, 'dist/apps/engine/main.js');
  for (const file of [main, join(REPO, 'dist/web/index.html')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  }
  const port = await freePort();
  const logFile = join(dir, 'engine.log');
  const env = { ...process.env, PGLITE_DIR: join(dir, 'pglite'), PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'true', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [main], { cwd: REPO, env, stdio: ['ignore', out, out] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) {
        ready = true;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n') : '');
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  if (!ready) {
    await stop();
    throw new Error(`the engine did not become ready within 120 s; its log:\n${log()}`);
  }
  return { base, stop, log };
}
