import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { CleanupScope } from '../lib/cleanup.js';
import { EngineClient } from '../lib/engine-client.js';
import { BENCH_ADMIN, startEngine } from '../lib/engine-process.js';
import { growReferrals, type GrowIds } from '../lib/grow-referrals.js';
import { takeDatabase, type GrownDatabase } from '../lib/handover.js';
import { table } from '../lib/markdown.js';
import { createScratchDatabase, databaseUrl, dropDatabase, withPgClient } from '../lib/postgres.js';
import { deleteKeysWithPrefix } from '../lib/redis.js';
import { formatInt, formatMs, percentile } from '../lib/stats.js';

/**
 * Statistics: `GET /stats/summary` latency through HTTP as the referrals table grows to 10k / 100k / 1M rows (with
 * their history and deadlines), for an admin (every institution) and for the county hospital, all time and the
 * last 30 days, next to a plain indexed `count(*)` of the same referrals measured in the same run; and the
 * `/metrics` scrape that reads the business gauges.
 */
export const statsSection: BenchSection = { name: 'stats', run: runStats };

const PASSWORD = 'bench-password-1';
const CASE_BUDGET_MS = 8_000;
const TOWNSHIPS = 20;

interface Row { rows: number; who: string; period: string; p50: number; p99: number; samples: number; baseline: number }

/** Where one size is measured: an API process on a database grown to that size, signed in. */
interface Target { base: string; dbUrl: string; ids: GrowIds; admin: string; coordinator: string; reused?: GrownDatabase }

async function runStats(ctx: BenchContext): Promise<string> {
  const plan = ctx.quick
    ? { sizes: [10_000], samples: (_: number) => 20 }
    : { sizes: [10_000, 100_000, 1_000_000], samples: (size: number) => (size >= 1_000_000 ? 5 : size >= 100_000 ? 15 : 30) };
  const dir = join(ctx.workDir, 'stats');
  await mkdir(dir, { recursive: true });
  const scope = new CleanupScope();
  const tag = `bench_stats_${randomBytes(3).toString('hex')}`;
  const largest = plan.sizes[plan.sizes.length - 1];
  try {
    if (ctx.redisUrl) scope.defer('queue keys', () => deleteKeysWithPrefix(ctx.redisUrl!, tag).then(() => undefined));
    const engineEnv = (dbUrl: string) => ({ DATABASE_URL: dbUrl, ...(ctx.redisUrl ? { REDIS_URL: ctx.redisUrl } : {}), QUEUE_PREFIX: tag });
    const signIn = async (base: string, dbUrl: string, ids: GrowIds, reused?: GrownDatabase): Promise<Target> => {
      const http = new EngineClient(base);
      return { base, dbUrl, ids, reused, admin: await http.login(BENCH_ADMIN.username, BENCH_ADMIN.password), coordinator: await http.login('bench.county.coordinator', PASSWORD) };
    };

    // The referrals section, when it ran before in this run, leaves its database grown to the largest size by the
    // same generator: measured as it is instead of growing another.
    const shared = takeDatabase(`referrals:${largest}`, scope);
    let own: Target | undefined;
    const ownTarget = async (): Promise<Target> => {
      if (own) return own;
      const database = await createScratchDatabase(ctx.pgAdminUrl, tag);
      const dbUrl = databaseUrl(ctx.pgAdminUrl, database);
      scope.defer(`drop ${database}`, () => dropDatabase(ctx.pgAdminUrl, database));
      const { base } = await startEngine('api', 'apps/api/main.js', engineEnv(dbUrl), dir, scope);
      ctx.log(`seeding 1 county hospital and ${TOWNSHIPS} township centres`);
      return (own = await signIn(base, dbUrl, await seed(base, dbUrl)));
    };

    const rows: Row[] = [];
    const scrapes: { rows: number; p50: number }[] = [];
    const loads: { rows: number; seconds: number }[] = [];
    const townships = new Set<number>();
    for (const size of plan.sizes) {
      let target: Target;
      if (size === largest && shared) {
        ctx.log(`${formatInt(size)}: the referrals section's database (${shared.note})`);
        const { base } = await startEngine('api-shared', 'apps/api/main.js', engineEnv(shared.url), dir, scope);
        target = await signIn(base, shared.url, shared.ids, shared);
      } else {
        target = await ownTarget();
        ctx.log(`growing referrals (with history and deadlines) to ${formatInt(size)}`);
        const t0 = performance.now();
        await growReferrals(target.dbUrl, target.ids, size);
        loads.push({ rows: size, seconds: (performance.now() - t0) / 1000 });
      }
      townships.add(target.ids.townships.length);
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const cases: [string, string, string, string, string | null][] = [
        ['admin (all institutions)', 'all time', '/api/v1/stats/summary', target.admin, null],
        ['admin (all institutions)', 'last 30 days', `/api/v1/stats/summary?from=${encodeURIComponent(since)}`, target.admin, since],
        ['county hospital coordinator', 'all time', '/api/v1/stats/summary', target.coordinator, null],
        ['county hospital coordinator', 'last 30 days', `/api/v1/stats/summary?from=${encodeURIComponent(since)}`, target.coordinator, since],
      ];
      for (const [who, period, path, token, from] of cases) {
        ctx.log(`${formatInt(size)}: ${who}, ${period}`);
        const client = new EngineClient(target.base);
        await client.call('GET', path, token);
        client.latencies.length = 0;
        // At least 3 requests, then more until the planned count or CASE_BUDGET_MS (a slow case gets fewer).
        const started = performance.now();
        for (let i = 0; i < plan.samples(size) && (i < 3 || performance.now() - started < CASE_BUDGET_MS); i++) await client.call('GET', path, token);
        const n = client.latencies.length;
        const baseline = await countBaseline(target.dbUrl, who.startsWith('admin') ? null : target.ids.county, from, n);
        rows.push({ rows: size, who, period, p50: percentile(client.latencies, 50), p99: percentile(client.latencies, 99), samples: n, baseline });
      }
      scrapes.push({ rows: size, p50: await scrapeLatency(`${target.base}/metrics`, 10) });
    }

    return [
      '## Statistics',
      '',
      `\`GET /api/v1/stats/summary\` through HTTP against one API process (server mode, PostgreSQL${ctx.redisUrl ? ' + Redis' : ''}), sequential requests after one warm-up (the planned count, fewer when a case has used 8 s after its third request). The referrals table is grown with one \`INSERT … SELECT generate_series\` per table: referrals spread over 3 years, 1 county hospital and ${[...townships].join(' or ')} townships, 5 % downward, every status, gate outcomes, ~15 % returned; their history (submit, return, resubmit, accept, arrive, terminal: ~3 transitions per referral) and deadlines (one respond per referral, 5 % breached; follow-ups of completed downward referrals). Baseline: \`SELECT count(*)\` of the same referrals (ever submitted, the same period and institution) on the same indexes, median of as many runs, measured in the same run — the cost of merely finding the rows, next to the cost of the figures.`,
      ...(shared
        ? ['', `At ${formatInt(largest)} referrals the figures are measured on the referrals section's database of this run (grown by the same generator, not grown a second time): ${shared.note}, so they also fall in the last 30 days.`]
        : []),
      '',
      table(
        ['referrals in table', 'caller', 'period', 'requests', 'p50', 'p99', 'count(*) baseline (p50)'],
        rows.map((r) => [formatInt(r.rows), r.who, r.period, String(r.samples), formatMs(r.p50), formatMs(r.p99), formatMs(r.baseline)]),
        ['right', 'left', 'left', 'right', 'right', 'right', 'right'],
      ),
      '',
      `\`/metrics\` scrape (business gauges: open referrals by status, breached deadlines, notifications by channel and state, outbox lag), p50 of 10: ${scrapes.map((s) => `${formatMs(s.p50)} at ${formatInt(s.rows)}`).join(', ')}.`,
      '',
      ...(loads.length > 0
        ? [`Loading the synthetic rows (not part of the measurement): ${loads.map((l) => `${l.seconds.toFixed(0)} s to ${formatInt(l.rows)}`).join(', ')}${shared ? ` (${formatInt(largest)}: grown by the referrals section)` : ''}.`, '']
        : []),
      'One statement answers a summary: it reads the referrals in scope once into a narrow working set (times come from the referral’s own `last_submitted_at`/`accepted_at`/`arrived_at`), aggregates counts and time quantiles from it, and reaches return transitions and breached or follow-up deadlines through partial indexes. A period or one institution reads only its rows (`IDX_referrals_stats_*`); "all time, every institution" reads the whole table and grows linearly with it. The synthetic `created_at` values are scattered over the table independently of insertion order, the worst case for a period query (30 days = ~2.7 % of the rows, spread over every page); a table written in time order keeps a period’s rows together.',
      '',
      `**In short:** ${inShort(rows)}.`,
    ].join('\n');
  } finally {
    const failures = await scope.close();
    if (failures.length) ctx.log(`cleanup problems: ${failures.join('; ')}`);
  }
}

/** How the admin's all-time summary and the county's last 30 days grow from the smallest to the largest table. */
function inShort(rows: Row[]): string {
  const [small, large] = [rows[0].rows, rows[rows.length - 1].rows];
  const pick = (size: number, who: string, period: string) => rows.find((r) => r.rows === size && r.who.startsWith(who) && r.period === period)!;
  const growth = (who: string, period: string, label: string) => {
    const [a, b] = [pick(small, who, period), pick(large, who, period)];
    return `${label} ${formatMs(a.p50)} → ${formatMs(b.p50)} p50 (count(*) alone ${formatMs(b.baseline)} at ${formatInt(large)})`;
  };
  return small === large
    ? `at ${formatInt(small)} referrals the admin's all-time summary takes ${formatMs(pick(small, 'admin', 'all time').p50)} p50, the county's last 30 days ${formatMs(pick(small, 'county', 'last 30 days').p50)}`
    : `from ${formatInt(small)} to ${formatInt(large)} referrals: ${growth('admin', 'all time', "the admin's all-time summary")}; ${growth('county', 'last 30 days', "the county's last 30 days")}`;
}

/** The community through the API; the author of synthetic referrals is any township doctor. */
async function seed(base: string, dbUrl: string): Promise<GrowIds> {
  const http = new EngineClient(base);
  const admin = await http.login(BENCH_ADMIN.username, BENCH_ADMIN.password);
  const institution = (code: string, name: string, level: string) => http.call<{ id: string }>('POST', '/api/v1/institutions', admin, { code, name, level });
  const user = (username: string, role: string, institutionId: string) =>
    http.call('POST', '/api/v1/users', admin, { username, password: PASSWORD, displayName: username, role, institutionId });
  const county = (await institution('bench-county', '基准县人民医院', 'county')).id;
  const townships: string[] = [];
  for (let i = 1; i <= TOWNSHIPS; i++) townships.push((await institution(`bench-town-${i}`, `基准镇卫生院${i}`, 'township')).id);
  await user('bench.county.coordinator', 'coordinator', county);
  await user('bench.town.doctor', 'township_doctor', townships[0]);
  const author = await withPgClient(dbUrl, async (db) => (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'bench.town.doctor'`)).rows[0].id);
  return { county, townships, author };
}

/** /metrics answers Prometheus text, not JSON: timed with a bare fetch. */
async function scrapeLatency(url: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200 || !text.includes('referrals_open')) throw new Error(`/metrics answered ${res.status} without the business gauges`);
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

/** Median time of the plain count over the same referrals, on the statistics' indexes. */
async function countBaseline(dbUrl: string, institutionId: string | null, from: string | null, runs: number): Promise<number> {
  return withPgClient(dbUrl, async (db) => {
    const where = ['last_submitted_at IS NOT NULL'];
    const params: unknown[] = [];
    if (from) where.push(`created_at >= $${params.push(from)}`);
    if (institutionId) where.push(`(from_institution_id = $${params.push(institutionId)} OR to_institution_id = $${params.length})`);
    const sql = `SELECT count(*) FROM referrals WHERE ${where.join(' AND ')}`;
    await db.query(sql, params);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await db.query(sql, params);
      times.push(performance.now() - t0);
    }
    return percentile(times, 50);
  });
}
