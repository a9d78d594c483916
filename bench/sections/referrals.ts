import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { CleanupScope } from '../lib/cleanup.js';
import { RELATED_SELECT } from '../../libs/referrals/referral-rows.js';
import { FULL, QUICK, seedCommunity, type Community, type Shape } from '../lib/community.js';
import { EngineClient } from '../lib/engine-client.js';
import { startEngine } from '../lib/engine-process.js';
import { growReferrals } from '../lib/grow-referrals.js';
import { offerDatabase } from '../lib/handover.js';
import { codeBlock, table } from '../lib/markdown.js';
import { REPO_ROOT } from '../lib/paths.js';
import { pgbenchTpcB, type PgbenchResult } from '../lib/pgbench.js';
import { createScratchDatabase, databaseUrl, dropDatabase, withPgClient } from '../lib/postgres.js';
import { deleteKeysWithPrefix } from '../lib/redis.js';
import { formatInt, formatMs, percentile } from '../lib/stats.js';
import { lineChartSvg } from '../lib/svg-chart.js';
import { perSecond, transitionLoad, type LoadLevel } from '../lib/transition-load.js';
import { measureCpu, measureOneRead, renderCpuBudget, type CpuShare } from './referrals/cpu-budget.js';

/**
 * Referral workflow: transitions per second through HTTP (submit + accept + arrive + complete) at 10/50/200
 * concurrent clients against one API process, two API processes on the same PostgreSQL and Redis, and the
 * embedded engine (PGlite), next to pgbench TPC-B on the same PostgreSQL; then worklist and search latency
 * (worklist `q`, catalogue `q`) with the referrals table grown to 10k / 100k / 1M rows, with query plans.
 * Writes the latency-against-load chart beside the results file.
 */
export const referralsSection: BenchSection = { name: 'referrals', run: runReferrals };

interface Plan { shape: Shape; levels: number[]; embeddedLevels: number[]; seconds: number; warmupS: number; pgbenchS: number; sizes: number[]; samples: number }
interface Lookup { kind: 'worklist' | 'search'; label: string; path: (i: number) => string; token: string }
interface LookupRow { rows: number; kind: Lookup['kind']; label: string; p50: number; p99: number }
interface Loads { one: LoadLevel[]; two: LoadLevel[]; embedded: LoadLevel[] }
/** The CPU budget: the one-API load at CPU_CLIENTS clients, and the one-read control. */
interface Budget { clients: number; transitions: CpuShare; oneRead: CpuShare }
const CPU_CLIENTS = 50;

const CATALOGUE_QUERIES = ['gxy', '高血压', 'tnb', 'I10', 'gaoxueya', '糖尿病', 'copd', 'E11'];

async function runReferrals(ctx: BenchContext): Promise<string> {
  const plan: Plan = ctx.quick
    ? { shape: QUICK, levels: [10, 50], embeddedLevels: [10], seconds: 2, warmupS: 1, pgbenchS: 3, sizes: [10_000], samples: 50 }
    : { shape: FULL, levels: [10, 50, 200], embeddedLevels: [10, 50], seconds: 6, warmupS: 2, pgbenchS: 10, sizes: [10_000, 100_000, 1_000_000], samples: 300 };
  const dir = join(ctx.workDir, 'referrals');
  await mkdir(dir, { recursive: true });
  const scope = new CleanupScope();
  const tag = `bench_referrals_${randomBytes(3).toString('hex')}`;
  let handedOver = false;
  try {
    ctx.log(`pgbench TPC-B baseline (${plan.pgbenchS} s)`);
    const pgbench = await pgbenchTpcB(ctx.pgAdminUrl, plan.pgbenchS);

    const database = await createScratchDatabase(ctx.pgAdminUrl, tag);
    const dbUrl = databaseUrl(ctx.pgAdminUrl, database);
    scope.defer(`drop ${database}`, () => (handedOver ? undefined : dropDatabase(ctx.pgAdminUrl, database)));
    if (ctx.redisUrl) scope.defer('queue keys', () => deleteKeysWithPrefix(ctx.redisUrl!, tag).then(() => undefined));
    const dataDir = join(dir, 'pglite');
    scope.defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
    const env = { DATABASE_URL: dbUrl, ...(ctx.redisUrl ? { REDIS_URL: ctx.redisUrl } : {}), QUEUE_PREFIX: tag, DB_POOL_SIZE: '20' };
    // Starting and seeding are not measured: all three processes start and are seeded at once.
    ctx.log(`starting the embedded engine and two API processes on one database; seeding each (${plan.shape.townships} townships, ${plan.shape.users} users)`);
    const [embedded, api, second] = await Promise.all([
      startEngine('embedded', 'apps/engine/main.js', { PGLITE_DIR: dataDir }, dir, scope),
      startEngine('api-1', 'apps/api/main.js', env, dir, scope),
      startEngine('api-2', 'apps/api/main.js', env, dir, scope),
    ]);
    const [embeddedCommunity, community] = await Promise.all([seedCommunity(embedded.base, plan.shape), seedCommunity(api.base, plan.shape)]);

    // Embedded first, then stopped: its worker would compete with the server-mode runs. The APIs idle meanwhile.
    const loads: Loads = { one: [], two: [], embedded: [] };
    await transitionLoad([embedded.base], embeddedCommunity, 10, plan.warmupS);
    for (const clients of plan.embeddedLevels) {
      ctx.log(`transitions with ${clients} clients: embedded (${plan.seconds} s)`);
      loads.embedded.push(await transitionLoad([embedded.base], embeddedCommunity, clients, plan.seconds));
    }
    await embedded.proc.stop();

    let transitionsCpu: CpuShare | undefined;
    await transitionLoad([api.base, second.base], community, 10, plan.warmupS);
    for (const clients of plan.levels) {
      ctx.log(`transitions with ${clients} clients: one API, then two APIs (${plan.seconds} s each)`);
      const one = await measureCpu(dbUrl, api.proc.pid, () => transitionLoad([api.base], community, clients, plan.seconds), (l) => l.transitions);
      loads.one.push(one.result);
      if (clients === CPU_CLIENTS) transitionsCpu = one.share;
      loads.two.push(await transitionLoad([api.base, second.base], community, clients, plan.seconds));
    }
    await second.proc.stop();
    const organic = await countReferrals(dbUrl);
    ctx.log(`one-read control: GET /referrals/{id} (${plan.seconds} s)`);
    const sample = await withPgClient(dbUrl, async (db) => (await db.query<{ id: string }>(`SELECT id FROM referrals WHERE status = 'completed' LIMIT 1`)).rows[0].id);
    const oneRead = await measureOneRead(api.base, dbUrl, api.proc.pid, community.countyCoordinator, sample, plan.seconds);
    const budget: Budget | undefined = transitionsCpu && { clients: CPU_CLIENTS, transitions: transitionsCpu, oneRead };

    const author = await withPgClient(dbUrl, async (db) => (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'bench.town.doctor.1'`)).rows[0].id);
    const ids = { county: community.county, townships: community.townships, author };
    // A real referral number (the load's first), for the number search.
    const number = await withPgClient(dbUrl, async (db) => (await db.query<{ number: string }>(`SELECT number FROM referrals ORDER BY created_at LIMIT 1`)).rows[0].number);
    const lookups: LookupRow[] = [];
    const growth: { rows: number; seconds: number }[] = [];
    const plans: string[] = [];
    for (const size of plan.sizes) {
      ctx.log(`growing referrals (with history and deadlines) to ${formatInt(size)} rows, then worklists and searches`);
      const t0 = performance.now();
      await growReferrals(dbUrl, ids, size);
      // The bulk insert's dirty pages would otherwise be written out by a checkpoint during the measurement.
      await withPgClient(dbUrl, (db) => db.query('CHECKPOINT'));
      growth.push({ rows: size, seconds: (performance.now() - t0) / 1000 });
      for (const lookup of lookupsFor(community, number)) {
        const { p50, p99 } = await sequentialLatency(api.base, lookup, plan.samples);
        lookups.push({ rows: size, kind: lookup.kind, label: lookup.label, p50, p99 });
      }
      if (size === plan.sizes[plan.sizes.length - 1]) plans.push(...(await explainPlans(dbUrl, community.county)));
    }

    const largest = plan.sizes[plan.sizes.length - 1];
    offerDatabase(`referrals:${largest}`, { url: dbUrl, referrals: largest, ids, note: `${formatInt(organic)} of its referrals were created through the API by the referrals section's load, all in the last few minutes` }, () =>
      dropDatabase(ctx.pgAdminUrl, database),
    );
    handedOver = true;

    const chart = await writeChart(ctx, loads);
    return render({ plan, pgbench, budget, redis: Boolean(ctx.redisUrl), loads, lookups, growth, plans, chart });
  } finally {
    const failures = await scope.close();
    if (failures.length) ctx.log(`cleanup problems: ${failures.join('; ')}`);
  }
}

const countReferrals = (url: string) => withPgClient(url, async (db) => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM referrals')).rows[0].n));

/** The worklists and searches measured at each size; search terms rotate so no single row answers them all. */
function lookupsFor(c: Community, number: string): Lookup[] {
  const spread = (i: number, range: number) => (i * 7919) % range;
  const incoming = (q: string) => `/api/v1/referrals?box=incoming&q=${encodeURIComponent(q)}&limit=20`;
  return [
    { kind: 'worklist', label: 'incoming, first page', path: () => '/api/v1/referrals?box=incoming&limit=20', token: c.countyCoordinator },
    { kind: 'worklist', label: 'incoming, status=submitted', path: () => '/api/v1/referrals?box=incoming&status=submitted&limit=20', token: c.countyCoordinator },
    { kind: 'worklist', label: 'outgoing (one township)', path: () => '/api/v1/referrals?box=outgoing&limit=20', token: c.townDoctors[0] },
    { kind: 'search', label: 'worklist `q` = patient name prefix (患者NNNN)', path: (i) => incoming(`患者${1000 + spread(i, 9000)}`), token: c.countyCoordinator },
    { kind: 'search', label: 'worklist `q` = referral number', path: () => incoming(number), token: c.countyCoordinator },
    { kind: 'search', label: 'worklist `q` = resident ID last 4', path: (i) => incoming(String(spread(i, 10_000)).padStart(4, '0')), token: c.countyCoordinator },
    {
      kind: 'search',
      label: 'catalogue `GET /catalogue/conditions?q=` (44 conditions)',
      path: (i) => `/api/v1/catalogue/conditions?q=${encodeURIComponent(CATALOGUE_QUERIES[i % CATALOGUE_QUERIES.length])}&limit=20`,
      token: c.townDoctors[0],
    },
  ];
}

async function sequentialLatency(base: string, lookup: Lookup, samples: number): Promise<{ p50: number; p99: number }> {
  const client = new EngineClient(base);
  for (let i = 0; i < 5; i++) await client.call('GET', lookup.path(i), lookup.token);
  client.latencies.length = 0;
  for (let i = 0; i < samples; i++) await client.call('GET', lookup.path(i + 5), lookup.token);
  return { p50: percentile(client.latencies, 50), p99: percentile(client.latencies, 99) };
}

/**
 * EXPLAIN ANALYZE of the worklist's first page and of a `q` search, as the API runs them: the page's keys in a
 * MATERIALIZED CTE, then its rows with their deadlines and children (the API lists every column where this reads `r.*`).
 */
async function explainPlans(url: string, county: string): Promise<string[]> {
  const worklist = (filter: string) =>
    `WITH page AS MATERIALIZED (SELECT r.id FROM referrals r WHERE r.to_institution_id = $1 AND r.status <> 'draft' ${filter}
       ORDER BY r.priority, r.due_sort, r.created_at, r.id LIMIT 21)
     SELECT r.*, r.due_sort::text AS due_key, r.created_at::text AS created_key, ${RELATED_SELECT}
       FROM page JOIN referrals r ON r.id = page.id ORDER BY r.priority, r.due_sort, r.created_at, r.id`;
  return withPgClient(url, async (db) => {
    const explain = async (title: string, sql: string, params: unknown[]) => {
      const rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING ON, SUMMARY ON) ${sql}`, params);
      return `*${title}:*\n\n${codeBlock(rows.rows.map((r) => r['QUERY PLAN']).join('\n'))}`;
    };
    return [
      await explain('incoming worklist, first page', worklist(''), [county]),
      await explain('incoming worklist, `q=0427` (number, ID last 4 or name prefix)', worklist('AND (r.number = $2 OR r.patient_id_last4 = $2 OR r.patient_name LIKE $3)'), [county, '0427', '0427%']),
      await explain('incoming worklist, `q=患者4321` (a name prefix: ~111 rows at 1M)', worklist('AND (r.number = $2 OR r.patient_id_last4 = $2 OR r.patient_name LIKE $3)'), [county, '患者4321', '患者4321%']),
    ];
  });
}

/** bench/latency-vs-load.svg (bench/out/ for --quick, beside RESULTS.quick.md); returns its name. */
async function writeChart(ctx: BenchContext, loads: Loads): Promise<string> {
  const file = ctx.quick ? join(REPO_ROOT, 'bench', 'out', 'latency-vs-load.svg') : join(REPO_ROOT, 'bench', 'latency-vs-load.svg');
  const series = (label: string, color: string, levels: LoadLevel[]) => [
    { label: `${label}, p50`, color, points: levels.map((l) => ({ x: l.clients, y: l.p50 })) },
    { label: `${label}, p99`, color, dashed: true, points: levels.map((l) => ({ x: l.clients, y: l.p99 })) },
  ];
  const svg = lineChartSvg({
    title: 'Referral transitions: latency per request against concurrent clients',
    subtitle: `create-and-submit → accept → arrive → complete through HTTP; ${new Date().toISOString().slice(0, 10)}, ${os.availableParallelism()} cores shared with the servers`,
    xLabel: 'concurrent clients (log scale)',
    yLabel: 'latency per request (log scale)',
    xTicks: [...new Set([...loads.one, ...loads.two, ...loads.embedded].map((l) => l.clients))].sort((a, b) => a - b),
    formatY: (v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`),
    series: [
      ...series('one API process', '#1f5fbf', loads.one),
      ...series('two API processes', '#d0561b', loads.two),
      ...series('embedded (PGlite)', '#2a9a3c', loads.embedded),
    ],
  });
  await writeFile(file, svg);
  ctx.log(`wrote ${relative(REPO_ROOT, file)}`);
  return 'latency-vs-load.svg';
}

interface Findings { plan: Plan; pgbench: PgbenchResult; budget?: Budget; redis: boolean; loads: Loads; lookups: LookupRow[]; growth: { rows: number; seconds: number }[]; plans: string[]; chart: string }

function render(f: Findings): string {
  const { plan, loads } = f;
  const pgbenchTps = f.pgbench.tps;
  const rate = (l: LoadLevel | undefined) => (l ? perSecond(l).toFixed(0) : '—');
  const times = (a: LoadLevel | undefined, b: LoadLevel | undefined) => (a && b ? `${(perSecond(a) / perSecond(b)).toFixed(2)}×` : '—');
  const at = (levels: LoadLevel[], clients: number) => levels.find((l) => l.clients === clients);
  const server = `PostgreSQL${f.redis ? ' + Redis' : ", queue on BullMQ's Postgres backend"}`;
  const targets: [string, LoadLevel[]][] = [
    [`one API process (server mode, ${server})`, loads.one],
    ['two API processes, clients spread over both (same database and queue)', loads.two],
    ['embedded engine (one process: API + worker, PGlite)', loads.embedded],
  ];
  const loadRows = targets.flatMap(([label, levels]) =>
    levels.map((l) => [label, String(l.clients), formatInt(l.transitions), rate(l), `${(perSecond(l) / pgbenchTps).toFixed(2)}×`, formatMs(l.p50), formatMs(l.p99), String(l.errors)]),
  );
  const glance = plan.levels.map((clients) => {
    const [one, two, emb] = [at(loads.one, clients), at(loads.two, clients), at(loads.embedded, clients)];
    return [String(clients), rate(one), rate(two), times(two, one), rate(emb), times(emb, one)];
  });

  const sizes = [...new Set(f.lookups.map((l) => l.rows))];
  const pivot = (kind: LookupRow['kind']) => {
    const labels = [...new Set(f.lookups.filter((l) => l.kind === kind).map((l) => l.label))];
    return table(
      ['query', ...sizes.map((s) => `${formatInt(s)} rows: p50 / p99`), ...(sizes.length > 1 ? [`p50 at ${formatInt(sizes[sizes.length - 1])} / at ${formatInt(sizes[0])}`] : [])],
      labels.map((label) => {
        const cells = sizes.map((s) => f.lookups.find((l) => l.rows === s && l.label === label)!);
        const growth = sizes.length > 1 ? [`${(cells[cells.length - 1].p50 / cells[0].p50).toFixed(1)}×`] : [];
        return [label, ...cells.map((c) => `${formatMs(c.p50)} / ${formatMs(c.p99)}`), ...growth];
      }),
      ['left', ...sizes.map(() => 'right' as const), 'right'],
    );
  };
  const catalogueLabel = f.lookups.find((l) => l.label.startsWith('catalogue'))?.label;
  /** The slowest p99 of a kind of query at each size: `9.2 ms → 26 ms`. */
  const worst = (kind: LookupRow['kind']) =>
    [sizes[0], sizes[sizes.length - 1]]
      .filter((size, i, all) => i === 0 || size !== all[0])
      .map((size) => formatMs(Math.max(...f.lookups.filter((l) => l.kind === kind && l.label !== catalogueLabel && l.rows === size).map((l) => l.p99))))
      .join(' → ');

  const ref = at(loads.one, 50) ?? loads.one[loads.one.length - 1];
  const refTwo = at(loads.two, ref.clients);
  const refEmb = at(loads.embedded, ref.clients) ?? loads.embedded[loads.embedded.length - 1];
  const summary = [
    `at ${ref.clients} clients one API process does ${rate(ref)} transitions/s (${(perSecond(ref) / pgbenchTps).toFixed(2)}× pgbench TPC-B; goal ≥ 0.7×), p99 ${formatMs(ref.p99)}`,
    `two API processes ${rate(refTwo)}/s (${times(refTwo, ref)} one)`,
    refEmb ? `the embedded engine ${rate(refEmb)}/s at ${refEmb.clients} clients (${times(refEmb, at(loads.one, refEmb.clients))} server mode)` : 'embedded not measured',
    sizes.length > 1
      ? `from ${formatInt(sizes[0])} to ${formatInt(sizes[sizes.length - 1])} referrals the slowest worklist p99 goes ${worst('worklist')} and the slowest worklist search p99 ${worst('search')}`
      : `at ${formatInt(sizes[0])} referrals the slowest worklist p99 is ${worst('worklist')} and the slowest worklist search p99 ${worst('search')}`,
  ];

  return [
    '## Referral workflow',
    '',
    `Seed: 1 county hospital, ${plan.shape.townships} township centres and ${plan.shape.users} users created through the API (the catalogue seed: 44 conditions). Transitions through HTTP: each client loops create-and-submit (上转, gate judged) → accept → arrive → complete on its own referral, one transition per request; no step starts after the ${plan.seconds} s window and the requests still running then are counted, so the window is measured, not assumed. Each target gets a ${plan.warmupS} s warm-up at 10 clients first. Targets: one API process (\`dist/apps/api/main.js\`, ${server}, pool 20, no worker running); two such processes on the same database and queue with client *i* on process *i* mod 2 (one/two alternate at each client count); the embedded engine (\`dist/apps/engine/main.js\` without \`DATABASE_URL\`/\`REDIS_URL\`: PGlite in the process on a fresh data directory, the queue on BullMQ's Postgres backend on it, and the worker's outbox relay and notification fan-out in the same process, as \`npm start\` runs). Baseline, measured in the same run: pgbench TPC-B (scale 1, \`-c 4 -j 2 -T ${plan.pgbenchS}\`) on the same PostgreSQL: **${pgbenchTps.toFixed(0)} tps**.`,
    '',
    table(
      ['target', 'clients', 'transitions', 'transitions/s', 'ratio to pgbench TPC-B', 'p50', 'p99', 'errors'],
      loadRows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    'Transitions per second side by side:',
    '',
    table(['clients', 'one API', 'two APIs', 'two / one', 'embedded', 'embedded / one API'], glance, ['right', 'right', 'right', 'right', 'right', 'right']),
    '',
    ...(f.budget ? [renderCpuBudget(f.pgbench, f.budget.transitions, f.budget.oneRead, f.budget.clients), ''] : []),
    `![p50 and p99 latency per request against concurrent clients](${f.chart})`,
    '',
    `[${f.chart}](${f.chart}): p50 (solid) and p99 (dashed) per request against concurrent clients, log–log. Each transition does the write path's work in one transaction (conditional update, history row, deadline rows, outbox row) plus the reads that build the response. The load generator runs in the benchmark process on the same ${os.availableParallelism()} cores as the API processes and PostgreSQL, so a second API process adds a process to schedule, not a core: the two-process figure shows what sharing costs or gains on this machine, not what a second machine would add.`,
    '',
    `### Worklists and search as the table grows (${plan.samples} sequential requests per query and size, through HTTP)`,
    '',
    `The referrals table is grown between sizes with \`INSERT … SELECT generate_series\` (the statistics section's generator: 3 years, every status, history and deadlines, 90 % of patients with resident-ID digits), on top of the referrals the load above created; the county coordinator reads the incoming worklist, a township doctor its outgoing one. Search terms rotate: a name prefix 患者NNNN matches ~1, ~11 and ~111 rows at 10,000, 100,000 and 1,000,000 (the synthetic patients are 患者1, 患者2, …); the ID's last 4 digits ~0.009 % of the rows (~90 at 1,000,000); the referral number one row. Each query reads the three matching indexes, then the county's rows among the matches. The catalogue search does not read referrals: it is the control row, which the data cannot move, so where it moves the machine did (the catalogue section measures it at 10,000 conditions). The last column compares medians: the p99 of ${plan.samples} requests moves with whatever else the machine runs, the median much less.`,
    '',
    pivot('worklist'),
    '',
    pivot('search'),
    '',
    `Growing the table (not measured): ${f.growth.map((g) => `${g.seconds.toFixed(0)} s to ${formatInt(g.rows)}`).join(', ')}.`,
    '',
    `Query plans at ${formatInt(sizes[sizes.length - 1])} rows (\`EXPLAIN ANALYZE\`, the API's statements):`,
    '',
    f.plans.join('\n\n'),
    '',
    `**In short:** ${summary.join('; ')}.`,
  ].join('\n');
}
