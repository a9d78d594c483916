import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FanOutPlan } from './fan-out-plan.js';

/** A notification row the fan-out wrote, or one of its events' rows still queued from an interrupted dispatch. */
export interface FanOutRow {
  id: string;
  outbox_event_id: string;
  channel: 'inbox' | 'sms' | 'webhook';
  user_id: string | null;
  state: string;
  /** Written by this statement (false: found queued from an earlier attempt). */
  fresh: boolean;
}

/**
 * One statement, so one atomic round trip and one commit for a whole batch of events: the inbox entries and text
 * messages, the webhook deliveries (subscriptions to each event, limited to referrals where their institution, if
 * any, is a party), and the batch's text messages and deliveries still queued from an earlier, interrupted
 * dispatch. The unique indexes on (event, channel, recipient) make a redelivered event write nothing new.
 */
const WRITE_SQL = `
  WITH to_users AS (
    INSERT INTO notifications (outbox_event_id, referral_id, event, channel, user_id, state, title, body)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[])
    ON CONFLICT (outbox_event_id, channel, user_id) WHERE user_id IS NOT NULL DO NOTHING
    RETURNING id, outbox_event_id, channel, user_id, state
  ), to_hooks AS (
    INSERT INTO notifications (outbox_event_id, referral_id, event, channel, webhook_id, state)
    SELECT e.outbox_event_id, e.referral_id, e.event, 'webhook', w.id, e.state
      FROM unnest($9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::uuid[], $14::uuid[])
             AS e(outbox_event_id, referral_id, event, state, from_institution_id, to_institution_id)
      JOIN webhook_subscriptions w
        ON e.event = ANY(w.events) AND (w.institution_id IS NULL OR w.institution_id IN (e.from_institution_id, e.to_institution_id))
     ORDER BY e.outbox_event_id, w.id
    ON CONFLICT (outbox_event_id, webhook_id) WHERE webhook_id IS NOT NULL DO NOTHING
    RETURNING id, outbox_event_id, channel, user_id, state
  )
  SELECT id, outbox_event_id, channel, user_id, state, true AS fresh FROM to_users
  UNION ALL SELECT id, outbox_event_id, channel, user_id, state, true FROM to_hooks
  UNION ALL SELECT id, outbox_event_id, channel, user_id, state, false FROM notifications
             WHERE outbox_event_id = ANY($9::uuid[]) AND channel IN ('sms', 'webhook') AND state = 'queued'`;

/** Writes what a fan-out plans, and the outcome of the text messages it sent. */
@Injectable()
export class FanOutRepository {
  constructor(private readonly dataSource: DataSource) {}

  async write(plan: FanOutPlan): Promise<FanOutRow[]> {
    if (plan.events.length === 0) return [];
    const u = plan.userRows;
    const e = plan.events;
    return this.dataSource.query(WRITE_SQL, [
      u.map((r) => r.outboxId),
      u.map((r) => r.referralId),
      u.map((r) => r.event),
      u.map((r) => r.channel),
      u.map((r) => r.userId),
      u.map((r) => r.state),
      u.map((r) => r.title),
      u.map((r) => r.body),
      e.map((r) => r.outboxId),
      e.map((r) => r.referralId),
      e.map((r) => r.event),
      e.map((r) => r.state),
      e.map((r) => r.fromInstitutionId),
      e.map((r) => r.toInstitutionId),
    ]);
  }

  /** Text messages the provider took become `sent`; those of events that moved on, `superseded` (one statement). */
  async finishSms(sent: string[], superseded: string[]): Promise<void> {
    if (sent.length === 0 && superseded.length === 0) return;
    await this.dataSource.query(
      `UPDATE notifications SET state = CASE WHEN id = ANY($1::uuid[]) THEN 'sent' ELSE 'superseded' END, updated_at = now()
        WHERE id = ANY($1::uuid[] || $2::uuid[]) AND state = 'queued'`,
      [sent, superseded],
    );
  }
}
