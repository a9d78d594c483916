import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { makeResidentId } from '../../libs/domain/referral/resident-id.js';
import { CleanupScope } from '../lib/cleanup.js';
import { EngineClient } from '../lib/engine-client.js';
import { codeBlock, table } from '../lib/markdown.js';
import { freePort } from '../lib/net.js';
import { distPath, REPO_ROOT } from '../lib/paths.js';
import { pgbenchTpcB } from '../lib/pgbench.js';
import { createScratchDatabase, databaseUrl, dropDatabase, withPgClient } from '../lib/postgres.js';
import { childEnv, NodeProcess } from '../lib/processes.js';
import { deleteKeysWithPrefix } from '../lib/redis.js';
import { formatInt, formatLatency, percentile } from '../lib/stats.js';

/**
 * Referral workflow: transitions per second through HTTP (submit + accept + arrive + complete) at 10/50/200
 * concurrent clients against pgbench TPC-B on the same PostgreSQL, and worklist latency with the referrals
 * table grown to 10k / 100k / 1M rows (with the query plan).
 */
export const referralsSection: BenchSection = { name: 'referrals', run: runReferrals };

const ADMIN = { username: 'admin', password: 'bench-admin-password' };
const PASSWORD = 'bench-password-1';
const TOWNSHIPS = 20;

interface Community { county: string; townships: string[]; townDoctors: string[]; countyCoordinator: string; countyDoctor: string }
interface LoadLevel { clients: number; transitions: number; seconds: number; p50: number; p99: number; errors: number }
interface WorklistRow { rows: number; query: string; p50: number; p99: number }

async function runReferrals(ctx: BenchContext): Promise<string> {
  const plan = ctx.quick
    ? { levels: [10, 50], seconds: 3, pgbenchS: 5, sizes: [10_000], samples: 50 }
    : { levels: [10, 50, 200], seconds: 10, pgbenchS: 15, sizes: [10_000, 100_000, 1_000_000], samples: 200 };
  const dir = join(ctx.workDir, 'referrals');
  await mkdir(dir, { recursive: true });
  const scope = new CleanupScope();
  const tag = `bench_referrals_${randomBytes(3).toString('hex')}`;
  try {
    ctx.log(`pgbench TPC-B baseline (${plan.pgbenchS} s)`);
    const pgbenchTps = await pgbenchTpcB(ctx.pgAdminUrl, plan.pgbenchS);

    const database = await createScratchDatabase(ctx.pgAdminUrl, tag);
    scope.defer(`drop ${database}`, () => dropDatabase(ctx.pgAdminUrl, database));
    if (ctx.redisUrl) scope.defer('queue keys', () => deleteKeysWithPrefix(ctx.redisUrl!, tag).then(() => undefined));
    const port = await freePort();
    const api = NodeProcess.start(
      'api',
      distPath('apps/api/main.js'),
      childEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl(ctx.pgAdminUrl, database),
        ...(ctx.redisUrl ? { REDIS_URL: ctx.redisUrl } : {}),
        QUEUE_PREFIX: tag,
        JWT_SECRET: 'bench-secret-0123456789abcdef',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        DEMO_DATA: 'false',
        LOG_LEVEL: 'warn',
        DB_POOL_SIZE: '20',
      }),
      join(dir, 'api.log'),
      REPO_ROOT,
    );
    scope.defer('stop api', () => api.stop().then(() => undefined));
    const base = `http://127.0.0.1:${port}`;
    await api.waitForHttp200(`${base}/health/ready`, 120_000);

    ctx.log('seeding 1 county hospital, 20 township centres, 200 users');
    const http = new EngineClient(base);
    const community = await seedCommunity(http);

    const levels: LoadLevel[] = [];
    for (const clients of plan.levels) {
      ctx.log(`transitions with ${clients} concurrent clients for ${plan.seconds} s`);
      levels.push(await transitionLoad(base, community, clients, plan.seconds));
    }

    const worklists: WorklistRow[] = [];
    let plan1M = '';
    for (const size of plan.sizes) {
      ctx.log(`growing referrals to ${formatInt(size)} rows`);
      await growReferrals(databaseUrl(ctx.pgAdminUrl, database), community, size);
      const coordinator = await http.login('bench.county.coordinator', PASSWORD);
      const town = await http.login('bench.town.doctor.1', PASSWORD);
      const queries: [string, string, string][] = [
        ['incoming, first page', '/api/v1/referrals?box=incoming&limit=20', coordinator],
        ['incoming, status=submitted', '/api/v1/referrals?box=incoming&status=submitted&limit=20', coordinator],
        ['incoming, q=patient name prefix', `/api/v1/referrals?box=incoming&q=${encodeURIComponent('患者12345')}&limit=20`, coordinator],
        ['outgoing (one township)', '/api/v1/referrals?box=outgoing&limit=20', town],
      ];
      for (const [label, path, token] of queries) {
        const client = new EngineClient(base);
        for (let i = 0; i < 5; i++) await client.call('GET', path, token);
        client.latencies.length = 0;
        for (let i = 0; i < plan.samples; i++) await client.call('GET', path, token);
        worklists.push({ rows: size, query: label, p50: percentile(client.latencies, 50), p99: percentile(client.latencies, 99) });
      }
      if (size === plan.sizes[plan.sizes.length - 1]) plan1M = await explainWorklist(databaseUrl(ctx.pgAdminUrl, database), community.county);
    }

    const best = levels.find((l) => l.clients === 50) ?? levels[levels.length - 1];
    return [
      '## Referral workflow',
      '',
      `Transitions through HTTP: each client loops create-and-submit (上转, gate judged) → accept → arrive → complete on its own referral, against one API process (\`dist/apps/api/main.js\`, server mode: PostgreSQL${ctx.redisUrl ? ' + Redis' : ''}) seeded with 1 county hospital, ${TOWNSHIPS} township centres and 200 users. Baseline: pgbench TPC-B (scale 1, \`-c 4 -j 2 -T ${plan.pgbenchS}\`) on the same PostgreSQL in the same run: **${pgbenchTps.toFixed(0)} tps**.`,
      '',
      table(
        ['clients', 'transitions', 'transitions/s', 'ratio to pgbench TPC-B', 'p50', 'p99', 'errors'],
        levels.map((l) => [
          String(l.clients),
          formatInt(l.transitions),
          (l.transitions / l.seconds).toFixed(0),
          `${(l.transitions / l.seconds / pgbenchTps).toFixed(2)}×`,
          formatLatency(l.p50),
          formatLatency(l.p99),
          String(l.errors),
        ]),
        ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
      `At 50 clients: ${(best.transitions / best.seconds).toFixed(0)} transitions/s = ${(best.transitions / best.seconds / pgbenchTps).toFixed(2)}× pgbench TPC-B (goal ≥ 0.7×). Each transition is one HTTP request doing a transaction of several statements (conditional update, history row, deadline rows, outbox row) plus the reads that build the response; the load generator shares the 2 cores with the API and PostgreSQL.`,
      '',
      `### Worklist latency as the table grows (${plan.samples} sequential requests each, through HTTP)`,
      '',
      table(
        ['referrals in table', 'query', 'p50', 'p99'],
        worklists.map((w) => [formatInt(w.rows), w.query, formatLatency(w.p50), formatLatency(w.p99)]),
        ['right', 'left', 'right', 'right'],
      ),
      '',
      `Query plan of the incoming worklist's first page at ${formatInt(plan.sizes[plan.sizes.length - 1])} rows (\`EXPLAIN ANALYZE\`):`,
      '',
      codeBlock(plan1M),
    ].join('\n');
  } finally {
    const failures = await scope.close();
    if (failures.length) ctx.log(`cleanup problems: ${failures.join('; ')}`);
  }
}

async function seedCommunity(http: EngineClient): Promise<Community> {
  const admin = await http.login(ADMIN.username, ADMIN.password);
  const institution = (code: string, name: string, level: string) => http.call<{ id: string }>('POST', '/api/v1/institutions', admin, { code, name, level });
  const user = (username: string, role: string, institutionId: string) =>
    http.call('POST', '/api/v1/users', admin, { username, password: PASSWORD, displayName: username, role, institutionId });
  const county = (await institution('bench-county', '基准县人民医院', 'county')).id;
  const townships: string[] = [];
  for (let i = 1; i <= TOWNSHIPS; i++) townships.push((await institution(`bench-town-${i}`, `基准镇卫生院${i}`, 'township')).id);
  await user('bench.county.coordinator', 'coordinator', county);
  await user('bench.county.doctor', 'county_doctor', county);
  // 200 users in all: 9 per township (doctors and coordinators) and the rest at the county.
  let made = 2;
  for (let i = 1; i <= TOWNSHIPS; i++) {
    await user(`bench.town.doctor.${i}`, 'township_doctor', townships[i - 1]);
    made++;
    for (let j = 1; j <= 8; j++, made++) await user(`bench.town${i}.staff${j}`, j <= 5 ? 'township_doctor' : 'coordinator', townships[i - 1]);
  }
  for (let k = made + 1; k <= 200; k++) await user(`bench.county.staff${k}`, k % 2 ? 'county_doctor' : 'coordinator', county);
  return {
    county,
    townships,
    townDoctors: await Promise.all(townships.map((_, i) => http.login(`bench.town.doctor.${i + 1}`, PASSWORD))),
    countyCoordinator: await http.login('bench.county.coordinator', PASSWORD),
    countyDoctor: await http.login('bench.county.doctor', PASSWORD),
  };
}

let patientSeq = 0;
function benchPatient() {
  patientSeq++;
  const seq = String(patientSeq % 1000).padStart(3, '0');
  const region = String(110000 + Math.floor(patientSeq / 1000) % 890000).padStart(6, '1');
  const idNumber = makeResidentId(region, '1960-05-05', seq);
  return { name: `压测患者${patientSeq}`, gender: Number(seq[2]) % 2 === 1 ? 'male' : 'female', birthDate: '1960-05-05', idNumber };
}

async function transitionLoad(base: string, c: Community, clients: number, seconds: number): Promise<LoadLevel> {
  const http = new EngineClient(base);
  const end = performance.now() + seconds * 1000;
  let transitions = 0;
  const worker = async (n: number) => {
    const doctor = c.townDoctors[n % c.townDoctors.length];
    while (performance.now() < end) {
      try {
        let r = await http.call('POST', '/api/v1/referrals', doctor, {
          direction: 'up',
          urgency: 'routine',
          patient: benchPatient(),
          toInstitutionId: c.county,
          diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
          reason: '血压控制不佳',
          indications: ['hypertension.up.14'],
          consent: { obtained: true, by: 'patient' },
        });
        transitions++;
        r = await http.call('POST', `/api/v1/referrals/${r.id}/actions/accept`, c.countyCoordinator, { version: r.version, department: '心内科' });
        transitions++;
        r = await http.call('POST', `/api/v1/referrals/${r.id}/actions/arrive`, c.countyDoctor, { version: r.version });
        transitions++;
        await http.call('POST', `/api/v1/referrals/${r.id}/actions/complete`, c.countyDoctor, { version: r.version, outcome: { diagnosis: '高血压', summary: '好转' } });
        transitions++;
      } catch {
        // counted in http.errors
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, i) => worker(i)));
  const elapsed = (performance.now() - t0) / 1000;
  return { clients, transitions, seconds: elapsed, p50: percentile(http.latencies, 50), p99: percentile(http.latencies, 99), errors: http.errors };
}

/** Grows the referrals table to `target` rows with synthetic referrals spread over the townships (one SQL). */
async function growReferrals(url: string, c: Community, target: number): Promise<void> {
  await withPgClient(url, async (db) => {
    const have = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM referrals')).rows[0].n);
    if (have >= target) return;
    const author = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'bench.town.doctor.1'`)).rows[0].id;
    await db.query(
      `INSERT INTO referrals (number, direction, urgency, status, version, priority, due_sort, from_institution_id, to_institution_id,
         author_id, patient, patient_key, patient_name, patient_id_last4, diagnosis_icd10, diagnosis_text, reason, indications, consent,
         created_at, updated_at)
       SELECT 'BZ' || lpad(g::text, 10, '0'), 'up',
         CASE WHEN g % 50 = 0 THEN 'emergency' ELSE 'routine' END,
         (ARRAY['submitted','accepted','completed','cancelled','returned','arrived'])[1 + g % 6], 1,
         CASE WHEN g % 50 = 0 THEN 0 ELSE 1 END,
         CASE WHEN g % 6 IN (0, 1) THEN now() + (g % 10000) * interval '1 minute' ELSE 'infinity' END,
         ($1::uuid[])[1 + g % ${TOWNSHIPS}], $2::uuid, $3::uuid,
         jsonb_build_object('name', '患者' || g, 'gender', 'unknown', 'birthDate', '1960-01-01', 'healthRecordNo', 'HR' || g),
         'hr:BZ' || g, '患者' || g, lpad((g % 10000)::text, 4, '0'), 'I10', '高血压', 'bench', '[]'::jsonb,
         '{"obtained": true, "by": "patient"}'::jsonb, now() - g * interval '1 second', now()
       FROM generate_series($4::int, $5::int) g`,
      [c.townships, c.county, author, have + 1, target],
    );
    await db.query('ANALYZE referrals');
  });
}

async function explainWorklist(url: string, county: string): Promise<string> {
  return withPgClient(url, async (db) => {
    const rows = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING ON, SUMMARY ON)
       SELECT r.id, r.priority, r.due_sort::text, r.created_at::text FROM referrals r
       WHERE r.to_institution_id = $1 AND r.status <> 'draft'
       ORDER BY r.priority, r.due_sort, r.created_at, r.id LIMIT 21`,
      [county],
    );
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
