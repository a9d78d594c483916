// Global setup of the faults project (plain ESM, like global-setup.mjs, which it runs first). The fault tests start
// the built processes (dist/apps/api/main.js, dist/apps/worker/main.js), so on a fresh clone, or after an edit,
// `npm test` builds the server code first: `tsc -p tsconfig.build.json` only (the web console is not needed).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharedGlobalSetup, { alive } from './global-setup.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
// tsc rewrites nothing when no output changes (a touched file, a checkout), so the stamp says when it last ran.
const stamp = join(repo, 'dist', '.server-build-stamp');
const entryPoints = ['dist/apps/api/main.js', 'dist/apps/worker/main.js'].map((p) => join(repo, p));
const sources = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(repo, p));

/** Newest mtime of the server's TypeScript sources (no web console, no specs). */
function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return /\.ts$/.test(path) && !/\.spec\.ts$/.test(path) ? st.mtimeMs : /tsconfig.*\.json$/.test(path) ? st.mtimeMs : 0;
  if (path === join(repo, 'apps', 'web')) return 0;
  return readdirSync(path).reduce((m, name) => (name === 'node_modules' ? m : Math.max(m, newest(join(path, name)))), 0);
}

function buildServerIfStale() {
  const built = entryPoints.every((p) => existsSync(p)) ? (statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0) : 0;
  if (built > Math.max(...sources.map(newest))) return;
  // An incremental tsc trusts its build info and never re-emits outputs deleted since: start afresh then.
  if (!entryPoints.every((p) => existsSync(p))) rmSync(join(repo, 'dist', '.tsbuildinfo'), { force: true });
  const started = Date.now();
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
  const output = `${tsc.stdout ?? ''}${tsc.stderr ?? ''}`.trim();
  // tsc emits despite type errors. Errors in the server code fail the run; errors elsewhere in the build (bench/)
  // are reported, but do not stop tests of processes that do not load that code.
  const serverErrors = output.split('\n').filter((line) => /^(apps|libs)\/.*error TS/.test(line));
  if (tsc.status !== 0 && (serverErrors.length > 0 || !entryPoints.every((p) => existsSync(p)))) {
    throw new Error(`faults: building the server (tsc -p tsconfig.build.json) failed:\n${output}`);
  }
  if (output) console.warn(`\n[faults] tsc -p tsconfig.build.json reported errors outside apps/ and libs/:\n${output}`);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  console.log(`\n[faults] built the server code into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Temp dirs of dedicated PostgreSQL clusters left by runs that died (their servers died with them). */
function removeLeftoverDirs() {
  for (const name of readdirSync(tmpdir())) {
    const m = /^referral-faults-(\d+)-/.exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

export default async function faultsGlobalSetup() {
  await sharedGlobalSetup();
  // On the embedded stack the fault tests skip themselves (there are no servers to kill): nothing to build.
  if (process.env.TEST_STACK === 'postgres' && process.env.TEST_QUEUE === 'redis') buildServerIfStale();
  removeLeftoverDirs();
}
