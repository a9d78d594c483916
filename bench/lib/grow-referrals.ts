import os from 'node:os';
import { withPgClient, type PgClient } from './postgres.js';

/** The institutions synthetic referrals run between, and the user recorded as their author. */
export interface GrowIds { county: string; townships: string[]; author: string }

const STATUSES = `ARRAY['draft','submitted','returned','accepted','accepted','arrived','completed','completed','completed','completed',
  'completed','completed','completed','completed','completed','cancelled','cancelled','cancelled','no_show','expired']`;
const CONDITIONS = `ARRAY['hypertension','diabetes_type2','copd','coronary_heart_disease','cerebral_infarction','chronic_kidney_disease',NULL,'gastritis_duodenitis']`;
const ICD10 = `ARRAY['I10','E11.9','J44.1','I25.1','I63.9','N18.3','S72.0','K29.7']`;
const REASONS = `ARRAY['capacity_full','information_incomplete','manageable_at_grassroots','wrong_department','patient_declined','other']`;

/**
 * Grows the referral tables to `target` referrals in three INSERT … SELECT statements: referrals over 3 years
 * between the county and the townships (5 % downward, every status, gate outcomes, ~15 % returned, 90 % of the
 * patients with a resident ID's last 4 digits for search), their history and their deadlines. Every property
 * comes from a different part of a multiplicative hash of the row number, so direction, township, status and
 * condition are independent. Large batches load with the tables' secondary indexes dropped and rebuilt after (a
 * bulk load, as a restore would do), without per-row foreign-key triggers, in one session per core.
 */
export async function growReferrals(url: string, ids: GrowIds, target: number): Promise<void> {
  const have = await withPgClient(url, async (db) => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM referrals')).rows[0].n));
  if (have >= target) return;
  const [lo, hi] = [have + 1, target];
  const bulk = hi - lo >= 50_000;
  const indexes = bulk ? await withPgClient(url, dropSecondaryIndexes) : [];
  // PostgreSQL runs each of these statements on one core: one session per core loads its share of the range.
  const lanes = bulk ? Math.min(4, os.availableParallelism()) : 1;
  const step = Math.ceil((hi - lo + 1) / lanes);
  const ranges = Array.from({ length: lanes }, (_, k) => [lo + k * step, Math.min(hi, lo + (k + 1) * step - 1)] as const).filter(([a, b]) => a <= b);
  await Promise.all(ranges.map(([a, b]) => withPgClient(url, (db) => load(db, ids, a, b))));
  await Promise.all(
    Array.from({ length: lanes }, (_, k) =>
      withPgClient(url, async (db) => {
        await db.query(`SET maintenance_work_mem = '256MB'`);
        for (const ix of indexes.filter((_, i) => i % lanes === k)) await db.query(ix.def);
      }),
    ),
  );
  await withPgClient(url, (db) => db.query('VACUUM (ANALYZE) referrals, referral_transitions, referral_deadlines'));
  // Flush what growing wrote now, rather than in a checkpoint in the middle of the measurements that follow (a
  // checkpoint's writes stalled single requests: p99 of the same query moved 12 → 27 ms between runs).
  await withPgClient(url, (db) => db.query('CHECKPOINT'));
}

/** Drops the tables' indexes that back no constraint; returns their definitions to rebuild them. */
async function dropSecondaryIndexes(db: PgClient): Promise<{ name: string; def: string }[]> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename IN ('referrals', 'referral_transitions', 'referral_deadlines')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const ix of rows) await db.query(`DROP INDEX "${ix.name}"`);
  return rows;
}

/** Referrals numbered lo..hi, then their history and deadlines, without per-row foreign-key triggers. */
async function load(db: PgClient, ids: GrowIds, lo: number, hi: number): Promise<void> {
  await db.query(`SET session_replication_role = replica`);
  const range = `r.number BETWEEN 'BS' || lpad($1::text, 10, '0') AND 'BS' || lpad($2::text, 10, '0')`;
  await db.query(
    `INSERT INTO referrals (number, direction, urgency, status, version, priority, from_institution_id, to_institution_id,
       author_id, patient, patient_key, patient_name, patient_id_last4, diagnosis_icd10, diagnosis_text, reason, consent, gate,
       last_submitted_at, accepted_at, return_reason, arrived_at, created_at, updated_at)
     SELECT 'BS' || lpad(g::text, 10, '0'), x.dir, CASE WHEN x.h % 50 = 7 THEN 'emergency' ELSE 'routine' END, x.status, 1,
       CASE WHEN x.h % 50 = 7 THEN 0 ELSE 1 END,
       CASE WHEN x.dir = 'up' THEN x.town ELSE $3::uuid END, CASE WHEN x.dir = 'up' THEN $3::uuid ELSE x.town END,
       $5::uuid, jsonb_build_object('name', '患者' || g, 'gender', 'unknown', 'birthDate', '1960-01-01', 'healthRecordNo', 'HR' || g),
       'hr:BS' || g, '患者' || g, CASE WHEN x.h % 10 <> 0 THEN lpad(((x.h / 13) % 10000)::text, 4, '0') END, (${ICD10})[1 + x.c], '诊断', 'bench', '{"obtained": true, "by": "patient"}',
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
       ($4::uuid[])[1 + (hash.h / 2800) % ${ids.townships.length}] AS town,
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
}
