#!/usr/bin/env node
// `npm run build:web`: builds the console into dist/web with Vite, unless the last build is newer than every
// source (apps/web, the shared domain rules it imports, package-lock.json), so `npm start` stays quick.
// `--force` always builds.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const stamp = join(repo, 'dist', '.web-build-stamp');
const sources = [join(repo, 'apps/web'), join(repo, 'libs/domain/referral/resident-id.ts'), join(repo, 'libs/domain/catalogue/icd10.ts'), join(repo, 'package-lock.json')];

function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => (name === 'node_modules' ? m : Math.max(m, newest(join(path, name)))), st.mtimeMs);
}

/** Pre-compressed copies beside each text asset: the API serves .br or .gz to browsers that accept them. */
function compressAll(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) compressAll(path);
    else if (/\.(js|css|html|svg|json)$/.test(name)) {
      const data = readFileSync(path);
      writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
      writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    }
  }
}

const force = process.argv.includes('--force');
const built = existsSync(join(repo, 'dist/web/index.html')) ? statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0 : 0;
if (!force && built > Math.max(...sources.map(newest))) {
  console.log('web console: dist/web is up to date (use npm run build:web -- --force to rebuild)');
} else {
  const { build } = await import('vite');
  const started = Date.now();
  await build({ configFile: join(repo, 'apps/web/vite.config.ts'), logLevel: 'warn' });
  compressAll(join(repo, 'dist/web'));
  writeFileSync(stamp, new Date().toISOString() + '\n');
  console.log(`web console: built dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
