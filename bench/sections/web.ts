import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makeResidentId } from '../../libs/domain/referral/resident-id.js';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { CleanupScope } from '../lib/cleanup.js';
import { EngineClient } from '../lib/engine-client.js';
import { table } from '../lib/markdown.js';
import { freePort } from '../lib/net.js';
import { distPath, REPO_ROOT } from '../lib/paths.js';
import { childEnv, NodeProcess } from '../lib/processes.js';
import { formatMs, formatSpread, median } from '../lib/stats.js';

/**
 * Web console: what a browser downloads (the built bundle, raw / gzip / the brotli copy the API serves), and how
 * long the worklist takes to show its rows in headless Chromium, from navigation start, against an engine started
 * like in the foundation section (embedded, demo data) with a filled worklist.
 */
export const webSection: BenchSection = { name: 'web', run: runWeb };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const WEB_DIR = distPath('web');
const TOKEN_KEY = 'referral.token';

interface Asset { file: string; raw: number; gzip: number; brotli: number | null; initial: boolean }

/** One page load: milliseconds from navigation start (the browser's own clock) and bytes over the wire. */
interface Load { rowsMs: number; fcpMs: number | null; domContentLoadedMs: number; worklistApiMs: number | null; transferBytes: number }

interface Network { label: string; latencyMs: number; downloadMbit: number; uploadMbit: number }
const THROTTLED: Network = { label: 'throttled: 10 Mbit/s down, 5 Mbit/s up, 40 ms RTT (a township line)', latencyMs: 40, downloadMbit: 10, uploadMbit: 5 };

interface Plan { referrals: number; rounds: number }

async function runWeb(ctx: BenchContext): Promise<string> {
  // Six rounds per line keep the whole bench within its 10 minutes (with ten the section took 38 s on a quiet machine,
  // 86 s on a busy one); the table shows the spread.
  const plan: Plan = ctx.quick ? { referrals: 20, rounds: 2 } : { referrals: 60, rounds: 6 };
  if (!existsSync(join(WEB_DIR, 'index.html'))) throw new Error(`${WEB_DIR}/index.html is missing: run npm run build (it builds the console too)`);
  const assets = await bundleAssets();
  if (!existsSync(CHROMIUM)) {
    return render({ plan, assets, skipped: `${CHROMIUM} is not installed (apt-get install chromium), so no page was loaded` });
  }

  const dir = join(ctx.workDir, 'web');
  await mkdir(dir, { recursive: true });
  const scope = new CleanupScope();
  try {
    const port = await freePort();
    const dataDir = join(dir, 'pglite');
    scope.defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
    const env = childEnv({ PGLITE_DIR: dataDir, DEMO_DATA: 'true', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    ctx.log('starting the engine (embedded, demo data)');
    const engine = NodeProcess.start('web-engine', distPath('apps/engine/main.js'), env, join(dir, 'engine.log'), REPO_ROOT);
    scope.defer('stop the engine', () => engine.stop().then(() => undefined));
    const base = `http://127.0.0.1:${port}`;
    await engine.waitForHttp200(`${base}/health/ready`, 120_000);

    ctx.log(`filling the worklist: ${plan.referrals} upward referrals from the township`);
    const client = new EngineClient(base);
    await fillWorklist(client, plan.referrals);
    const token = await client.login('county.coordinator', 'demo12345');

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    scope.defer('close the browser', () => browser.close());
    const version = browser.version();
    const run = async (label: string, network: Network | null) => {
      const cold: Load[] = [];
      const warm: Load[] = [];
      for (let i = 0; i < plan.rounds; i++) {
        const context = await signedInContext(browser, token);
        try {
          const page = await context.newPage();
          if (network) await throttle(page, network);
          cold.push(await loadWorklist(page, base));
          warm.push(await loadWorklist(page, base)); // same context: hashed assets from the HTTP cache
        } finally {
          await context.close();
        }
      }
      ctx.log(`  ${label}: rows after ${formatMs(median(cold.map((l) => l.rowsMs)))} cold, ${formatMs(median(warm.map((l) => l.rowsMs)))} warm`);
      return { label, cold, warm };
    };
    const local = await run('loopback', null);
    const throttled = await run(THROTTLED.label, THROTTLED);
    return render({ plan, assets, browser: version, runs: [local, throttled] });
  } finally {
    const failures = await scope.close();
    for (const failure of failures) ctx.log(`cleanup failed: ${failure}`);
  }
}

/** Every file of the build; `initial` marks what index.html loads before the first render (entry + preloads). */
async function bundleAssets(): Promise<Asset[]> {
  const html = await readFile(join(WEB_DIR, 'index.html'), 'utf8');
  const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]));
  const files = ['index.html', ...(await readdir(join(WEB_DIR, 'assets'))).filter((f) => !/\.(gz|br)$/.test(f)).map((f) => `assets/${f}`)];
  return Promise.all(
    files.map(async (file) => {
      const data = await readFile(join(WEB_DIR, file));
      const br = join(WEB_DIR, `${file}.br`);
      return {
        file,
        raw: data.length,
        gzip: gzipSync(data).length,
        brotli: existsSync(br) ? (await stat(br)).size : null,
        initial: file === 'index.html' || initial.has(file),
      };
    }),
  );
}

async function fillWorklist(client: EngineClient, count: number): Promise<void> {
  const token = await client.login('town.doctor', 'demo12345');
  const institutions = await client.call<{ items: { id: string; level: string }[] }>('GET', '/api/v1/institutions?limit=100', token);
  const county = institutions.items.find((i) => i.level === 'county');
  if (!county) throw new Error('the demo community has no county hospital');
  const names = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
  for (let i = 0; i < count; i++) {
    const birth = `19${40 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;
    await client.call('POST', '/api/v1/referrals', token, {
      direction: 'up',
      urgency: i % 7 === 0 ? 'emergency' : i % 3 === 0 ? 'urgent' : 'routine',
      patient: { name: `${names[i % names.length]}测试${i}`, gender: 'male', birthDate: birth, idNumber: makeResidentId('500101', birth, String(101 + 2 * (i % 400)).padStart(3, '0')) },
      toInstitutionId: county.id,
      toDepartment: '心内科',
      diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
      reason: '规律服药3个月血压仍未达标',
      indications: ['hypertension.up.14'],
      consent: { obtained: true, by: 'patient' },
    });
  }
}

/** A fresh context (empty cache) already holding the access token, so the load measured is the worklist's. */
async function signedInContext(browser: Browser, token: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  await context.addInitScript(([key, value]) => (globalThis as any).localStorage.setItem(key, value), [TOKEN_KEY, token] as const);
  return context;
}

async function throttle(page: Page, n: Network): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: n.latencyMs,
    downloadThroughput: (n.downloadMbit * 1e6) / 8,
    uploadThroughput: (n.uploadMbit * 1e6) / 8,
  });
}

async function loadWorklist(page: Page, base: string): Promise<Load> {
  await page.goto(`${base}/?box=incoming`, { waitUntil: 'commit' });
  // Page code reaches the DOM through `globalThis` (this file is compiled without the DOM's types); functions, not
  // strings, because the console's CSP forbids eval.
  // Polled on every animation frame: the first frame in which the worklist has rows.
  const rowsMs = await (
    await page.waitForFunction(
      () => {
        const g = globalThis as any;
        return g.document.querySelector('[data-testid="worklist-row"]') ? g.performance.now() : null;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    )
  ).jsonValue();
  const metrics = await page.evaluate(() => {
    const p = (globalThis as any).performance;
    const nav = p.getEntriesByType('navigation')[0];
    const fcp = p.getEntriesByName('first-contentful-paint')[0];
    const resources: any[] = p.getEntriesByType('resource');
    const worklist = resources.find((r) => String(r.name).includes('/api/v1/referrals?'));
    return {
      fcpMs: fcp ? (fcp.startTime as number) : null,
      domContentLoadedMs: nav ? (nav.domContentLoadedEventEnd as number) : 0,
      worklistApiMs: worklist ? (worklist.duration as number) : null,
      transferBytes: ((nav ? nav.transferSize : 0) as number) + resources.reduce((sum: number, r) => sum + (r.transferSize || 0), 0),
    };
  });
  return { rowsMs: rowsMs as number, ...metrics };
}

interface RunResult { label: string; cold: Load[]; warm: Load[] }
interface Findings { plan: Plan; assets: Asset[]; browser?: string; runs?: RunResult[]; skipped?: string }

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function render(f: Findings): string {
  const sum = (list: Asset[], pick: (a: Asset) => number) => list.reduce((s, a) => s + pick(a), 0);
  const initial = f.assets.filter((a) => a.initial);
  const lazy = f.assets.filter((a) => !a.initial).sort((a, b) => b.gzip - a.gzip);
  const sizeRow = (label: string, list: Asset[]) => [label, String(list.length), kib(sum(list, (a) => a.raw)), kib(sum(list, (a) => a.gzip)), kib(sum(list, (a) => a.brotli ?? a.gzip))];
  const lines: string[] = [
    '## Web console: bundle size and time to first render of the worklist',
    '',
    'Sizes are read from the build output (`dist/web`, Vite production build): raw, gzip (zlib level 6, computed here) and the brotli copy `npm run build:web` writes beside each file, which the API serves to browsers that accept it. *Initial* is what `index.html` loads before the first render (the entry script and the chunks it preloads); the other pages (referral detail, forms, admin, statistics) are separate chunks loaded when first opened.',
    '',
    table(
      ['files', 'count', 'raw', 'gzip', 'served (brotli)'],
      [sizeRow('initial (index.html + entry + preloads)', initial), sizeRow('loaded later, when a page is opened', lazy), sizeRow('all', f.assets)],
      ['left', 'right', 'right', 'right', 'right'],
    ),
    '',
    'Largest files:',
    '',
    table(
      ['file', 'initial', 'raw', 'gzip', 'brotli'],
      [...f.assets]
        .sort((a, b) => b.gzip - a.gzip)
        .slice(0, 6)
        .map((a) => [`\`${a.file.replace(/-[\w-]{8}\.js$/, '-….js')}\``, a.initial ? 'yes' : '', kib(a.raw), kib(a.gzip), a.brotli === null ? '' : kib(a.brotli)]),
      ['left', 'left', 'right', 'right', 'right'],
    ),
    '',
  ];
  if (f.skipped || !f.runs) {
    lines.push(`Time to first render: **not measured**: ${f.skipped}.`);
    return lines.join('\n');
  }
  const spread = (loads: Load[], pick: (l: Load) => number | null) => {
    const values = loads.map(pick).filter((v): v is number => v !== null);
    return values.length ? formatSpread(values) : 'n/a';
  };
  const rows = f.runs.flatMap((r) =>
    (['cold', 'warm'] as const).map((kind) => {
      const loads = r[kind];
      return [
        r.label,
        kind === 'cold' ? 'cold: new browser context, empty cache' : 'warm: reload, assets from the HTTP cache',
        spread(loads, (l) => l.fcpMs),
        spread(loads, (l) => l.domContentLoadedMs),
        `**${spread(loads, (l) => l.rowsMs)}**`,
        spread(loads, (l) => l.worklistApiMs),
        kib(median(loads.map((l) => l.transferBytes))),
      ];
    }),
  );
  lines.push(
    `Time to first render: headless Chromium ${f.browser} (Debian's, driven by playwright-core) loads \`/?box=incoming\` signed in as \`county.coordinator\` (the token placed in localStorage before the page starts), against the embedded engine (\`dist/apps/engine/main.js\`, \`DEMO_DATA=true\`) holding ${f.plan.referrals} incoming upward referrals (the worklist shows the first 20). Times are from navigation start by the page's own clock; *rows* is the first animation frame in which the worklist table has rows (sign-in check \`GET /me\`, institutions and \`GET /referrals\` included). ${f.plan.rounds} rounds per line; median (min–max). The throttled lines use Chromium's network emulation (DevTools protocol).`,
    '',
    table(
      ['network', 'load', 'first contentful paint', 'DOMContentLoaded', 'worklist rows shown', '`GET /referrals` (in the page)', 'bytes transferred'],
      rows,
      ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
  );
  const coldLocal = median(f.runs[0].cold.map((l) => l.rowsMs));
  const coldThrottled = median(f.runs[1].cold.map((l) => l.rowsMs));
  const warmLocal = median(f.runs[0].warm.map((l) => l.rowsMs));
  lines.push(
    `**In short:** the first screen needs ${kib(sum(initial, (a) => a.brotli ?? a.gzip))} over the wire (${kib(sum(initial, (a) => a.gzip))} gzip, ${kib(sum(initial, (a) => a.raw))} raw); the worklist shows its rows ${formatMs(coldLocal)} after navigation start with an empty cache on loopback, ${formatMs(warmLocal)} with a warm cache, and ${formatMs(coldThrottled)} cold on a 10 Mbit/s, 40 ms line.`,
  );
  return lines.join('\n');
}
