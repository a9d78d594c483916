import type { DeadlineEffects } from '../domain/referral/deadlines.js';
import type { ReferralStatus } from '../domain/referral/referral-status.js';
import type { TransitionRecord } from './referral-writer.js';
import { childrenJson, deadlinesJson } from './referral-rows.js';

/** Positional parameters ($1, $2, …) appended after those of a statement TypeORM built. */
export class SqlParams {
  readonly values: unknown[];
  constructor(initial: unknown[]) {
    this.values = [...initial];
  }
  /** The placeholder of a new parameter. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Announced to notification channels; a draft concerns nobody but its author. */
const eventFor = (to: ReferralStatus): string | null => (to === 'draft' ? null : `referral.${to}`);

/**
 * Wraps the referral's own INSERT or UPDATE (which must end in `RETURNING <every column>` and matches one row, or
 * none when its version check fails) into one statement that also closes and opens deadlines (with their timeline
 * events), appends the history row and the outbox row. Every part reads `target`, so when the version check fails
 * nothing at all is written. Answers the referral as it is after the change, with its deadlines and children (the
 * view the caller answers with, so no read follows the write), or no row.
 *
 * The statement's snapshot predates its own writes: the deadlines it answers are the ones it saw, with the states
 * `closed` gave them, plus the ones `opened` inserted.
 */
export function recordChangeSql(
  targetSql: string,
  columns: (alias: string) => string,
  p: SqlParams,
  t: TransitionRecord,
  effects: DeadlineEffects,
  now: Date,
  newVersion: number,
): [string, unknown[]] {
  const at = p.add(now);
  const closing = [...effects.meet, ...effects.cancel];
  const event = eventFor(t.to);
  const parts = [`target AS (${targetSql})`];
  if (closing.length > 0) {
    parts.push(`closed AS (
      UPDATE referral_deadlines d SET state = CASE WHEN d.kind = ANY(${p.add(effects.meet)}::text[]) THEN 'met' ELSE 'cancelled' END, closed_at = ${at}
        FROM target WHERE d.referral_id = target.id AND d.state = 'open' AND d.kind = ANY(${p.add(closing)}::text[])
        RETURNING d.id, d.referral_id, d.kind, d.due_at, d.state)`);
  }
  if (effects.open.length > 0) {
    parts.push(`opened AS (
      INSERT INTO referral_deadlines (referral_id, kind, due_at, state, opened_at)
        SELECT target.id, o.kind, o.due_at, 'open', ${at}
          FROM target, unnest(${p.add(effects.open.map((d) => d.kind))}::text[], ${p.add(effects.open.map((d) => d.dueAt))}::timestamptz[]) AS o(kind, due_at)
        RETURNING id, referral_id, kind, due_at, opened_at)`);
  }
  const deadlineEvents = [
    ...(closing.length > 0 ? [`SELECT referral_id, id, kind, due_at, state, ${at}::timestamptz FROM closed`] : []),
    ...(effects.open.length > 0 ? [`SELECT referral_id, id, kind, due_at, 'opened', ${at}::timestamptz FROM opened`] : []),
  ];
  if (deadlineEvents.length > 0) {
    parts.push(`deadline_log AS (
      INSERT INTO deadline_events (referral_id, deadline_id, kind, due_at, event, at) ${deadlineEvents.join(' UNION ALL ')})`);
  }
  // History and outbox together: never one without the other.
  parts.push(`history AS (
    INSERT INTO referral_transitions (referral_id, from_status, to_status, action, actor, reason, catalogue_version, at, request_key)
      SELECT target.id, ${p.add(t.from)}::text, ${p.add(t.to)}::text, ${p.add(t.action)}::text, ${p.add(t.actor ? JSON.stringify(t.actor) : null)}::jsonb,
             ${p.add(t.reason)}::text, ${p.add(t.catalogueVersion)}::int, ${at}, ${p.add(t.requestKey ?? null)}::text FROM target)`);
  if (event) {
    parts.push(`outbox AS (
      INSERT INTO outbox_events (referral_id, event, referral_status, referral_version, payload, correlation_id)
        SELECT target.id, ${p.add(event)}::text, ${p.add(t.to)}::text, ${p.add(newVersion)}::int, ${p.add(
          JSON.stringify({ action: t.action, from: t.from, actor: t.actor }),
        )}::jsonb, ${p.add(t.correlationId ?? null)}::text FROM target)`);
  }
  const deadlinesAfter =
    `SELECT d.id, d.kind, d.due_at, ${closing.length > 0 ? 'coalesce(c.state, d.state)' : 'd.state'} AS state, d.opened_at FROM referral_deadlines d` +
    `${closing.length > 0 ? ' LEFT JOIN closed c ON c.id = d.id' : ''} WHERE d.referral_id = target.id` +
    `${effects.open.length > 0 ? ` UNION ALL SELECT o.id, o.kind, o.due_at, 'open', o.opened_at FROM opened o` : ''}`;
  const answer = `SELECT ${columns('target')}, ${deadlinesJson(deadlinesAfter)} AS related_deadlines, ${childrenJson('target.id')} AS related_children FROM target`;
  return [`WITH ${parts.join(',\n')}\n${answer}`, p.values];
}
