import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { CleanupScope } from '../lib/cleanup.js';
import { EngineClient } from '../lib/engine-client.js';
import { table } from '../lib/markdown.js';
import { freePort } from '../lib/net.js';
import { distPath, REPO_ROOT } from '../lib/paths.js';
import { createScratchDatabase, databaseUrl, dropDatabase, withPgClient } from '../lib/postgres.js';
import { childEnv, NodeProcess } from '../lib/processes.js';
import { deleteKeysWithPrefix } from '../lib/redis.js';
import { formatInt, formatMs, percentile } from '../lib/stats.js';

/**
 * Statistics: `GET /stats/summary` latency through HTTP as the referrals table grows to 10k / 100k / 1M rows (with
 * their history and deadlines), for an admin (every institution) and for the county hospital, all time and the
 * last 30 days, next to a plain indexed `count(*)` of the same referrals measured in the same run; and the
 * `/metrics` scrape that reads the business gauges.
 */
export const statsSection: BenchSection = { name: 'stats', run: runStats };

const ADMIN = { username: 'admin', password: 'bench-admin-password' };
const PASSWORD = 'bench-password-1';
const TOWNSHIPS = 20;

export interface Ids { county: string; townships: string[]; author: string }
interface Row { rows: number; who: string; period: string; p50: number; p99: number; samples: number; baseline: number }

async function runStats(ctx: BenchContext): Promise<string> {
  const plan = ctx.quick
    ? { sizes: [10_000], samples: (_: number) => 20 }
    : { sizes: [10_000, 100_000, 1_000_000], samples: (size: number) => (size >= 1_000_000 ? 7 : size >= 100_000 ? 15 : 30) };
  const dir = join(ctx.workDir, 'stats');
  await mkdir(dir, { recursive: true });
  const scope = new CleanupScope();
  const tag = `bench_stats_${randomBytes(3).toString('hex')}`;
  try {
    const database = await createScratchDatabase(ctx.pgAdminUrl, tag);
    const dbUrl = databaseUrl(ctx.pgAdminUrl, database);
    scope.defer(`drop ${database}`, () => dropDatabase(ctx.pgAdminUrl, database));
    if (ctx.redisUrl) scope.defer('queue keys', () => deleteKeysWithPrefix(ctx.redisUrl!, tag).then(() => undefined));
    const port = await freePort();
    const api = NodeProcess.start(
      'api',
      distPath('apps/api/main.js'),
      childEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: dbUrl,
        ...(ctx.redisUrl ? { REDIS_URL: ctx.redisUrl } : {}),
        QUEUE_PREFIX: tag,
        JWT_SECRET: 'bench-secret-0123456789abcdef',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        DEMO_DATA: 'false',
        LOG_LEVEL: 'warn',
      }),
      join(dir, 'api.log'),
      REPO_ROOT,
    );
    scope.defer('stop api', () => api.stop().then(() => undefined));
    const base = `http://127.0.0.1:${port}`;
    await api.waitForHttp200(`${base}/health/ready`, 120_000);

    ctx.log(`seeding 1 county hospital and ${TOWNSHIPS} township centres`);
    const http = new EngineClient(base);
    const admin = await http.login(ADMIN.username, ADMIN.password);
    const ids = await seed(http, admin, dbUrl);
    const coordinator = await http.login('bench.county.coordinator', PASSWORD);

    const rows: Row[] = [];
    const scrapes: { rows: number; p50: number }[] = [];
    const loads: { rows: number; seconds: number }[] = [];
    for (const size of plan.sizes) {
      ctx.log(`growing referrals (with history and deadlines) to ${formatInt(size)}`);
      const t0 = performance.now();
      await grow(dbUrl, ids, size);
      loads.push({ rows: size, seconds: (performance.now() - t0) / 1000 });
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const cases: [string, string, string, string, string | null][] = [
        ['admin (all institutions)', 'all time', '/api/v1/stats/summary', admin, null],
        ['admin (all institutions)', 'last 30 days', `/api/v1/stats/summary?from=${encodeURIComponent(since)}`, admin, since],
        ['county hospital coordinator', 'all time', '/api/v1/stats/summary', coordinator, null],
        ['county hospital coordinator', 'last 30 days', `/api/v1/stats/summary?from=${encodeURIComponent(since)}`, coordinator, since],
      ];
      for (const [who, period, path, token, from] of cases) {
        ctx.log(`${formatInt(size)}: ${who}, ${period}`);
        const client = new EngineClient(base);
        await client.call('GET', path, token);
        client.latencies.length = 0;
        const n = plan.samples(size);
        for (let i = 0; i < n; i++) await client.call('GET', path, token);
        const baseline = await countBaseline(dbUrl, who.startsWith('admin') ? null : ids.county, from, n);
        rows.push({ rows: size, who, period, p50: percentile(client.latencies, 50), p99: percentile(client.latencies, 99), samples: n, baseline });
      }
      scrapes.push({ rows: size, p50: await scrapeLatency(`${base}/metrics`, 10) });
    }

    return [
      '## Statistics',
      '',
      `\`GET /api/v1/stats/summary\` through HTTP against one API process (server mode, PostgreSQL${ctx.redisUrl ? ' + Redis' : ''}), sequential requests, after one warm-up. The referrals table is grown with one \`INSERT … SELECT generate_series\` per table: referrals spread over 3 years, 1 county hospital and ${TOWNSHIPS} townships, 5 % downward, every status, gate outcomes, ~15 % returned; their history (submit, return, resubmit, accept, arrive, terminal: ~3 transitions per referral) and deadlines (one respond per referral, 5 % breached; follow-ups of completed downward referrals). Baseline: \`SELECT count(*)\` of the same referrals (ever submitted, the same period and institution) on the same indexes, median of as many runs, measured in the same run — the cost of merely finding the rows, next to the cost of the figures.`,
      '',
      table(
        ['referrals in table', 'caller', 'period', 'requests', 'p50', 'p99', 'count(*) baseline (p50)'],
        rows.map((r) => [formatInt(r.rows), r.who, r.period, String(r.samples), formatMs(r.p50), formatMs(r.p99), formatMs(r.baseline)]),
        ['right', 'left', 'left', 'right', 'right', 'right', 'right'],
      ),
      '',
      `\`/metrics\` scrape (business gauges: open referrals by status, breached deadlines, notifications by channel and state, outbox lag), p50 of 10: ${scrapes.map((s) => `${formatMs(s.p50)} at ${formatInt(s.rows)}`).join(', ')}.`,
      '',
      `Loading the synthetic rows (not part of the measurement): ${loads.map((l) => `${l.seconds.toFixed(0)} s to ${formatInt(l.rows)}`).join(', ')}.`,
      '',
      'One statement answers a summary: it reads the referrals in scope once into a narrow working set (times come from the referral’s own `last_submitted_at`/`accepted_at`/`arrived_at`), aggregates counts and time quantiles from it, and reaches return transitions and breached or follow-up deadlines through partial indexes. A period or one institution reads only its rows (`IDX_referrals_stats_*`); "all time, every institution" reads the whole table and grows linearly with it. The synthetic `created_at` values are scattered over the table independently of insertion order, the worst case for a period query (30 days = ~2.7 % of the rows, spread over every page); a table written in time order keeps a period’s rows together.',
    ].join('\n');
  } finally {
    const failures = await scope.close();
    if (failures.length) ctx.log(`cleanup problems: ${failures.join('; ')}`);
  }
}

/** The community through the API; the author of synthetic referrals is any township doctor. */
async function seed(http: EngineClient, admin: string, dbUrl: string): Promise<Ids> {
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

const STATUSES = `ARRAY['draft','submitted','returned','accepted','accepted','arrived','completed','completed','completed','completed',
  'completed','completed','completed','completed','completed','cancelled','cancelled','cancelled','no_show','expired']`;
const CONDITIONS = `ARRAY['hypertension','diabetes_type2','copd','coronary_heart_disease','cerebral_infarction','chronic_kidney_disease',NULL,'gastritis_duodenitis']`;
const ICD10 = `ARRAY['I10','E11.9','J44.1','I25.1','I63.9','N18.3','S72.0','K29.7']`;
const REASONS = `ARRAY['capacity_full','information_incomplete','manageable_at_grassroots','wrong_department','patient_declined','other']`;

/**
 * Grows the referral tables to `target` referrals in three INSERT … SELECT statements. Every property comes from a
 * different part of a multiplicative hash of the row number, so direction, township, status and condition are
 * independent. Large batches load with the tables' secondary indexes dropped and rebuilt after (a bulk load, as a
 * restore would do), and without per-row foreign-key triggers.
 */
export async function grow(url: string, ids: Ids, target: number): Promise<void> {
  await withPgClient(url, async (db) => {
    const have = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM referrals')).rows[0].n);
    if (have >= target) return;
    const [lo, hi] = [have + 1, target];
    const bulk = hi - lo >= 50_000;
    await db.query(`SET maintenance_work_mem = '256MB'`);
    await db.query(`SET session_replication_role = replica`);
    const indexes = bulk
      ? (
          await db.query<{ name: string; def: string }>(
            `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
              WHERE i.schemaname = 'public' AND i.tablename IN ('referrals', 'referral_transitions', 'referral_deadlines')
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
          )
        ).rows
      : [];
    for (const ix of indexes) await db.query(`DROP INDEX "${ix.name}"`);
    const range = `r.number BETWEEN 'BS' || lpad($1::text, 10, '0') AND 'BS' || lpad($2::text, 10, '0')`;
    await db.query(
      `INSERT INTO referrals (number, direction, urgency, status, version, priority, from_institution_id, to_institution_id,
         author_id, patient, patient_key, patient_name, diagnosis_icd10, diagnosis_text, reason, consent, gate,
         last_submitted_at, accepted_at, return_reason, arrived_at, created_at, updated_at)
       SELECT 'BS' || lpad(g::text, 10, '0'), x.dir, CASE WHEN x.h % 50 = 7 THEN 'emergency' ELSE 'routine' END, x.status, 1,
         CASE WHEN x.h % 50 = 7 THEN 0 ELSE 1 END,
         CASE WHEN x.dir = 'up' THEN x.town ELSE $3::uuid END, CASE WHEN x.dir = 'up' THEN $3::uuid ELSE x.town END,
         $5::uuid, jsonb_build_object('name', '患者' || g, 'gender', 'unknown', 'birthDate', '1960-01-01', 'healthRecordNo', 'HR' || g),
         'hr:BS' || g, '患者' || g, (${ICD10})[1 + x.c], '诊断', 'bench', '{"obtained": true, "by": "patient"}',
         CASE WHEN x.dir = 'up' AND x.status <> 'draft' THEN jsonb_build_object('catalogueVersion', 1, 'conditionCode', (${CONDITIONS})[1 + x.c],
           'outcome', CASE WHEN x.c = 6 THEN 'not_in_catalogue' WHEN x.h % 50 = 7 THEN 'emergency_bypass' WHEN x.h % 17 = 3 THEN 'override' ELSE 'indication_cited' END) END,
         CASE WHEN x.status <> 'draft' THEN x.created END,
         CASE WHEN x.status IN ('accepted', 'arrived', 'completed', 'no_show') THEN x.created + (5 + x.h % 240) * interval '1 minute' END,
         CASE WHEN x.status = 'returned' OR (x.h % 9 = 4 AND x.status <> 'draft') THEN jsonb_build_object('code', (${REASONS})[1 + x.h % 6]) END,
         CASE WHEN x.status IN ('arrived', 'completed') THEN x.created + (35 + x.h % 240 + x.h % 2880) * interval '1 minute' END,
         x.created, x.created
       FROM generate_series($1::int, $2::int) g
       CROSS JOIN LATERAL (SELECT (g::bigint * 2654435761) % 4294967296 AS h) hash
       CROSS JOIN LATERAL (SELECT hash.h,
         CASE WHEN (hash.h / 7) % 20 = 0 THEN 'down' ELSE 'up' END AS dir,
         (${STATUSES})[1 + (hash.h / 140) % 20] AS status,
         ($4::uuid[])[1 + (hash.h / 2800) % ${TOWNSHIPS}] AS town,
         ((hash.h / 56000) % 8)::int AS c,
         now() - ((g::bigint * 7919) % (3 * 365 * 1440)) * interval '1 minute' - (g % 60) * interval '1 second' AS created) x`,
      [lo, hi, ids.county, ids.townships, ids.author],
    );
    await db.query(
      `INSERT INTO referral_transitions (referral_id, from_status, to_status, action, reason, at)
       SELECT r.id, v.f, v.t, v.a, v.reason, v.at FROM referrals r CROSS JOIN LATERAL (
         SELECT NULL::varchar AS f, 'submitted'::varchar AS t, 'submit'::varchar AS a, NULL::text AS reason, r.created_at AS at WHERE r.last_submitted_at IS NOT NULL
         UNION ALL SELECT 'submitted', 'returned', 'return', r.return_reason ->> 'code', r.created_at + interval '2 minutes' WHERE r.return_reason IS NOT NULL
         UNION ALL SELECT 'returned', 'submitted', 'resubmit', NULL, r.created_at + interval '4 minutes' WHERE r.return_reason IS NOT NULL AND r.status <> 'returned'
         UNION ALL SELECT 'submitted', 'accepted', 'accept', NULL, r.accepted_at WHERE r.accepted_at IS NOT NULL
         UNION ALL SELECT 'accepted', 'arrived', 'arrive', NULL, r.arrived_at WHERE r.arrived_at IS NOT NULL
         UNION ALL SELECT 'arrived', 'completed', 'complete', NULL, r.arrived_at + interval '1 day' WHERE r.status = 'completed'
         UNION ALL SELECT 'submitted', r.status, CASE r.status WHEN 'cancelled' THEN 'cancel' WHEN 'no_show' THEN 'no_show' ELSE 'expire' END,
           NULL, r.created_at + interval '3 days' WHERE r.status IN ('cancelled', 'no_show', 'expired')
       ) v WHERE ${range}`,
      [lo, hi],
    );
    await db.query(
      `INSERT INTO referral_deadlines (referral_id, kind, due_at, state, opened_at, breached_at, escalations_done)
       SELECT r.id, 'respond', r.created_at + interval '6 hours',
         CASE WHEN right(r.number, 10)::int % 20 = 1 THEN 'breached' WHEN r.status = 'submitted' THEN 'open' ELSE 'met' END,
         r.created_at, CASE WHEN right(r.number, 10)::int % 20 = 1 THEN r.created_at + interval '6 hours' END,
         CASE WHEN right(r.number, 10)::int % 20 = 1 THEN 1 ELSE 0 END
       FROM referrals r WHERE ${range} AND r.last_submitted_at IS NOT NULL
       UNION ALL
       SELECT r.id, 'follow_up', r.arrived_at + interval '15 days', CASE WHEN r.arrived_at + interval '15 days' < now() THEN 'breached' ELSE 'open' END,
         r.arrived_at + interval '1 day', CASE WHEN r.arrived_at + interval '15 days' < now() THEN r.arrived_at + interval '15 days' END, 0
       FROM referrals r WHERE ${range} AND r.direction = 'down' AND r.status = 'completed'`,
      [lo, hi],
    );
    await db.query(`SET session_replication_role = DEFAULT`);
    for (const ix of indexes) await db.query(ix.def);
    await db.query('VACUUM (ANALYZE) referrals, referral_transitions, referral_deadlines');
  });
}
