import { expect } from '@jest/globals';
import type pg from 'pg';
import type { TransitionLedger } from './care-loop-load.js';
import { sleep } from './child-processes.js';

/**
 * The inbox recipients of every outbox event, written from the contract's words rather than from the engine's
 * code (libs/domain/notifications/recipients.ts), so the two must agree: submissions and cancellations go to the
 * destination's coordinators and doctors; answers to the author and the origin's coordinators; an escalation step
 * to the destination's coordinators or to every admin, as its payload says.
 */
const EXPECTED_INBOX = `
  SELECT o.id AS outbox_event_id, u.id AS user_id
    FROM outbox_events o
    JOIN referrals r ON r.id = o.referral_id
    JOIN users u ON
      (o.event IN ('referral.submitted', 'referral.cancelled')
        AND u.institution_id = r.to_institution_id AND u.role IN ('coordinator', 'county_doctor', 'township_doctor'))
   OR (o.event IN ('referral.accepted', 'referral.returned', 'referral.arrived', 'referral.completed', 'referral.no_show', 'referral.expired')
        AND (u.id = r.author_id OR (u.institution_id = r.from_institution_id AND u.role = 'coordinator')))
   OR (o.event = 'referral.deadline_breached' AND o.payload->>'notify' = 'coordinator'
        AND u.institution_id = r.to_institution_id AND u.role = 'coordinator')
   OR (o.event = 'referral.deadline_breached' AND o.payload->>'notify' = 'admin' AND u.role = 'admin')`;

const ACTUAL_INBOX = `SELECT outbox_event_id, user_id FROM notifications WHERE channel = 'inbox'`;

/** Counts read straight from PostgreSQL after a fault; every "bad" figure must be 0. */
export interface FaultCounts {
  referrals: number;
  /** History rows (referral_transitions). */
  transitions: number;
  events: number;
  /** Outbox rows the history and the escalations call for: one per non-draft transition and per escalation step. */
  expectedEvents: number;
  undispatched: number;
  /** Events handed to the queue whose fan-out has not committed (in flight, or lost by the queue). */
  notFannedOut: number;
  /** Events the queue-loss sweep handed to the queue again, in all. */
  redispatches: number;
  inbox: number;
  expectedInbox: number;
  /** (event, recipient) pairs the contract wants and the inbox lacks. */
  missingInbox: number;
  /** Inbox rows nobody should have got. */
  unexpectedInbox: number;
  /** (event, recipient) pairs in the inbox more than once. */
  duplicateInbox: number;
  /** Referrals whose status is not the `to` of their latest history row. */
  statusMismatches: number;
  /** Referrals whose version is not their number of history rows (each change +1, creation 1; no PATCH here). */
  versionMismatches: number;
  /** Transitions a client saw succeed (2xx) that the history lacks. */
  lostTransitions: number;
}

const n = async (sql: pg.ClientBase, text: string, params: unknown[] = []) => Number((await sql.query(text, params)).rows[0].n);

/**
 * Every count from one snapshot (one REPEATABLE READ transaction on one connection): read side by side on separate
 * connections, a batch committing between two of them made the inbox count disagree with the expected recipients.
 */
export async function readFaultCounts(pool: pg.Pool, ledger?: TransitionLedger): Promise<FaultCounts> {
  const sql = await pool.connect();
  try {
    await sql.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const counts = await readCounts(sql, ledger);
    await sql.query('COMMIT');
    return counts;
  } finally {
    sql.release();
  }
}

async function readCounts(sql: pg.PoolClient, ledger?: TransitionLedger): Promise<FaultCounts> {
  const seen = ledger?.seen ?? [];
  const [referrals, transitions, events, expectedEvents, undispatched, notFannedOut, redispatches, inbox, expectedInbox, missingInbox, unexpectedInbox, duplicateInbox, statusMismatches, versionMismatches, lostTransitions] =
    await Promise.all([
      n(sql, `SELECT count(*) AS n FROM referrals`),
      n(sql, `SELECT count(*) AS n FROM referral_transitions`),
      n(sql, `SELECT count(*) AS n FROM outbox_events`),
      n(sql, `SELECT (SELECT count(*) FROM referral_transitions WHERE to_status <> 'draft') + (SELECT count(*) FROM deadline_events WHERE event = 'escalated') AS n`),
      n(sql, `SELECT count(*) AS n FROM outbox_events WHERE dispatched_at IS NULL`),
      n(sql, `SELECT count(*) AS n FROM outbox_events WHERE dispatched_at IS NOT NULL AND fanned_out_at IS NULL`),
      n(sql, `SELECT coalesce(sum(redispatches), 0) AS n FROM outbox_events`),
      n(sql, `SELECT count(*) AS n FROM notifications WHERE channel = 'inbox'`),
      n(sql, `SELECT count(*) AS n FROM (${EXPECTED_INBOX}) e`),
      n(sql, `SELECT count(*) AS n FROM ((${EXPECTED_INBOX}) EXCEPT (${ACTUAL_INBOX})) m`),
      n(sql, `SELECT count(*) AS n FROM ((${ACTUAL_INBOX}) EXCEPT (${EXPECTED_INBOX})) u`),
      n(sql, `SELECT count(*) AS n FROM (${ACTUAL_INBOX} GROUP BY outbox_event_id, user_id HAVING count(*) > 1) d`),
      n(
        sql,
        `SELECT count(*) AS n FROM referrals r
           LEFT JOIN LATERAL (SELECT to_status FROM referral_transitions h WHERE h.referral_id = r.id ORDER BY h.id DESC LIMIT 1) last ON true
          WHERE last.to_status IS DISTINCT FROM r.status`,
      ),
      n(sql, `SELECT count(*) AS n FROM referrals r WHERE r.version <> (SELECT count(*) FROM referral_transitions h WHERE h.referral_id = r.id)`),
      n(
        sql,
        `WITH seen AS (SELECT s.referral_id, s.action, count(*) AS times FROM unnest($1::uuid[], $2::text[]) AS s(referral_id, action) GROUP BY 1, 2)
         SELECT count(*) AS n FROM seen
          WHERE seen.times > (SELECT count(*) FROM referral_transitions h WHERE h.referral_id = seen.referral_id AND h.action = seen.action)`,
        [seen.map((t) => t.referralId), seen.map((t) => t.action)],
      ),
    ]);
  return { referrals, transitions, events, expectedEvents, undispatched, notFannedOut, redispatches, inbox, expectedInbox, missingInbox, unexpectedInbox, duplicateInbox, statusMismatches, versionMismatches, lostTransitions };
}

/** The events whose inbox entries are (partly) missing, with when they were handed to the queue. */
export async function eventsMissingInbox(sql: pg.Pool): Promise<{ id: string; dispatchedAt: Date | null; missing: number }[]> {
  const { rows } = await sql.query(
    `SELECT m.outbox_event_id AS id, o.dispatched_at AS "dispatchedAt", count(*)::int AS missing
       FROM ((${EXPECTED_INBOX}) EXCEPT (${ACTUAL_INBOX})) m JOIN outbox_events o ON o.id = m.outbox_event_id
      GROUP BY 1, 2`,
  );
  return rows;
}

/**
 * Waits (bounded) until the notification pipeline has caught up: by default every outbox event dispatched and
 * every inbox entry the contract wants present. Returns the counts either way; the caller's assertions say what
 * was wrong.
 */
export async function waitForDelivery(
  sql: pg.Pool,
  ledger: TransitionLedger | undefined,
  timeoutMs: number,
  caughtUp: (counts: FaultCounts) => boolean | Promise<boolean> = (c) => c.undispatched === 0 && c.notFannedOut === 0 && c.missingInbox === 0,
): Promise<FaultCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await readFaultCounts(sql, ledger);
    if ((await caughtUp(counts)) || Date.now() > deadline) return counts;
    await sleep(250);
  }
}

/** The invariants every fault test ends with. */
export function expectConsistent(counts: FaultCounts): void {
  expect({
    undispatched: counts.undispatched,
    notFannedOut: counts.notFannedOut,
    missingInbox: counts.missingInbox,
    unexpectedInbox: counts.unexpectedInbox,
    duplicateInbox: counts.duplicateInbox,
    statusMismatches: counts.statusMismatches,
    versionMismatches: counts.versionMismatches,
    lostTransitions: counts.lostTransitions,
  }).toEqual({ undispatched: 0, notFannedOut: 0, missingInbox: 0, unexpectedInbox: 0, duplicateInbox: 0, statusMismatches: 0, versionMismatches: 0, lostTransitions: 0 });
  expect(counts.events).toBe(counts.expectedEvents);
  expect(counts.inbox).toBe(counts.expectedInbox);
}

/** The one-line summary the issue note quotes. */
export function faultSummary(label: string, counts: FaultCounts, extra = ''): string {
  return (
    `[faults] ${label}: ${counts.transitions} transitions, ${counts.events} events (${counts.undispatched} undispatched), ` +
    `${counts.redispatches} re-sent by the queue-loss sweep, ${counts.inbox} inbox rows (${counts.expectedInbox} expected, ${counts.missingInbox} missing, ${counts.duplicateInbox} duplicates), ` +
    `${counts.lostTransitions} lost, ${counts.statusMismatches} status mismatches${extra ? `; ${extra}` : ''}`
  );
}
