/**
 * The one aggregate statement behind every statistics endpoint. It reads the referrals in scope once (created in
 * the period, ever submitted, the institution a party), gives each a group key, and returns per group and side:
 * counts by direction/status/gate outcome, return reasons, deadline figures and time quantiles. The database
 * aggregates; the service only assembles the few result rows. Formulas: README.md, "Statistics: definitions".
 */

export type Grouping = 'all' | 'institution' | 'condition' | 'month';

export interface StatsQueryScope {
  from: Date | null;
  to: Date | null;
  institutionId: string | null;
}

/** Group key per referral; by institution a referral counts twice, once for each party, with its side. */
const GROUP_SQL: Record<Grouping, string> = {
  all: `SELECT ''::text AS k, ''::text AS side, s.* FROM s`,
  institution: `SELECT s.from_institution_id::text AS k, 'referrer'::text AS side, s.* FROM s
                UNION ALL
                SELECT s.to_institution_id::text AS k, 'receiver'::text AS side, s.* FROM s`,
  // Same rule as conditionGroupKey() in libs/domain/stats/groups.ts.
  condition: `SELECT CASE
                WHEN s.direction = 'up' AND coalesce(s.condition_code, '') <> '' THEN 'c:' || s.condition_code
                WHEN s.diagnosis_icd10 ~ '^[A-Za-z]' THEN 'l:' || upper(left(s.diagnosis_icd10, 1))
                ELSE 'u:' END AS k, ''::text AS side, s.*
              FROM s`,
  // Calendar months in UTC+8 (China has no daylight saving): same as monthKeyOf() in libs/domain/stats/period.ts.
  month: `SELECT to_char((s.created_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') AS k, ''::text AS side, s.* FROM s`,
};

/** One row of the statement's result: which part, which group and side, and the part's values. */
export interface StatsResultRow {
  part: 'counts' | 'reasons' | 'deadlines' | 'durations';
  k: string;
  side: string;
  v: Record<string, unknown>;
}

export function statsStatement(grouping: Grouping, scope: StatsQueryScope): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = ['r.last_submitted_at IS NOT NULL'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (scope.from) add('r.created_at >= ?::timestamptz', scope.from.toISOString());
  if (scope.to) add('r.created_at < ?::timestamptz', scope.to.toISOString());
  if (scope.institutionId) add('(r.from_institution_id = ?::uuid OR r.to_institution_id = ?::uuid)', scope.institutionId);

  const sql = `
    WITH s AS MATERIALIZED (
      SELECT r.id, r.direction, r.status, r.gate ->> 'outcome' AS outcome, r.gate ->> 'conditionCode' AS condition_code,
             r.accepted_at IS NOT NULL AS accepted, r.return_reason IS NOT NULL AS returned, r.arrived_at,
             r.created_at, r.from_institution_id, r.to_institution_id, r.diagnosis_icd10
        FROM referrals r
       WHERE ${where.join(' AND ')}
    ),
    g AS MATERIALIZED (${GROUP_SQL[grouping]}),
    counts AS (
      SELECT g.k, g.side, g.direction, g.status, g.outcome,
             count(*)::int AS n,
             count(*) FILTER (WHERE g.accepted OR g.returned)::int AS answered,
             count(*) FILTER (WHERE g.accepted)::int AS accepted,
             count(*) FILTER (WHERE g.returned)::int AS returned,
             -- A care loop: this upward referral has a downward child the township has taken over (completed).
             count(*) FILTER (WHERE g.direction = 'up' AND g.status IN ('arrived', 'completed') AND EXISTS (
               SELECT 1 FROM referrals c WHERE c.parent_referral_id = g.id AND c.direction = 'down' AND c.status = 'completed'
             ))::int AS loops
        FROM g
       GROUP BY g.k, g.side, g.direction, g.status, g.outcome
    ),
    reasons AS (
      -- Every return transition counts (a referral returned twice counts twice); its reason is '<code>' or '<code>: comment'.
      SELECT g.k, g.side, btrim(split_part(t.reason, ':', 1)) AS code, count(*)::int AS n
        FROM g JOIN referral_transitions t ON t.referral_id = g.id AND t.action = 'return'
       WHERE g.returned AND t.reason IS NOT NULL
       GROUP BY 1, 2, 3
    ),
    deadlines AS (
      SELECT g.k, g.side,
             count(*) FILTER (WHERE d.state = 'breached')::int AS breaches,
             coalesce(sum(d.escalations_done) FILTER (WHERE d.state = 'breached'), 0)::int AS escalations,
             count(*) FILTER (WHERE d.kind = 'follow_up' AND d.state = 'met')::int AS follow_up_met,
             count(*) FILTER (WHERE d.kind = 'follow_up' AND d.state = 'breached')::int AS follow_up_breached
        FROM g JOIN referral_deadlines d ON d.referral_id = g.id
       WHERE d.state = 'breached' OR d.kind = 'follow_up'
       GROUP BY 1, 2
    ),
    moments AS (
      -- Per accepted or arrived referral: its acceptance, its arrival transition and every (re)submission.
      SELECT t.referral_id,
             min(t.at) FILTER (WHERE t.action = 'accept') AS accept_at,
             min(t.at) FILTER (WHERE t.action = 'arrive') AS arrive_at,
             array_agg(t.at) FILTER (WHERE t.action IN ('submit', 'resubmit')) AS submits
        FROM referral_transitions t
       WHERE t.referral_id IN (SELECT s.id FROM s WHERE s.accepted OR s.arrived_at IS NOT NULL)
         AND t.action IN ('submit', 'resubmit', 'accept', 'arrive')
       GROUP BY t.referral_id
    ),
    spans AS (
      SELECT m.referral_id, m.accept_at,
             -- The last (re)submission before the answer: before the acceptance, or before an emergency arrival.
             (SELECT max(v) FROM unnest(m.submits) v WHERE v <= coalesce(m.accept_at, m.arrive_at)) AS submit_at
        FROM moments m
    ),
    minutes AS (
      SELECT g.k,
             CASE WHEN sp.accept_at IS NOT NULL AND sp.submit_at IS NOT NULL
                  THEN (extract(epoch FROM sp.accept_at - sp.submit_at) / 60)::float8 END AS to_accept,
             CASE WHEN g.arrived_at IS NOT NULL AND coalesce(sp.accept_at, sp.submit_at) IS NOT NULL
                  THEN (extract(epoch FROM g.arrived_at - coalesce(sp.accept_at, sp.submit_at)) / 60)::float8 END AS to_arrive
        FROM g JOIN spans sp ON sp.referral_id = g.id
    ),
    durations AS (
      SELECT k,
             count(to_accept)::int AS accept_n,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY to_accept) AS accept_p50,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY to_accept) AS accept_p90,
             count(to_arrive)::int AS arrive_n,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY to_arrive) AS arrive_p50,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY to_arrive) AS arrive_p90
        FROM minutes
       GROUP BY k
    )
    SELECT 'counts' AS part, k, side, jsonb_build_object('direction', direction, 'status', status, 'outcome', outcome, 'n', n,
           'answered', answered, 'accepted', accepted, 'returned', returned, 'loops', loops) AS v FROM counts
    UNION ALL
    SELECT 'reasons', k, side, jsonb_build_object('code', code, 'n', n) FROM reasons
    UNION ALL
    SELECT 'deadlines', k, side, jsonb_build_object('breaches', breaches, 'escalations', escalations,
           'followUpMet', follow_up_met, 'followUpBreached', follow_up_breached) FROM deadlines
    UNION ALL
    SELECT 'durations', k, '', jsonb_build_object('acceptN', accept_n, 'acceptP50', accept_p50, 'acceptP90', accept_p90,
           'arriveN', arrive_n, 'arriveP50', arrive_p50, 'arriveP90', arrive_p90) FROM durations`;
  return { sql, params };
}
