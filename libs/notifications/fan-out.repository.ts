import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventFanOut } from './fan-out-plan.js';

/** What the fan-out statement did for one event. */
export interface EventWritten {
  outboxId: string;
  /** Rows this statement wrote, by channel (0 for what an earlier dispatch already wrote). */
  inbox: number;
  sms: number;
  webhooks: number;
  /** Its text messages and webhook deliveries still to send: new ones, and any left queued by an interrupted dispatch. */
  queued: { id: string; channel: 'sms' | 'webhook'; userId: string | null }[];
}

/**
 * One statement, so one atomic round trip and one commit for a whole batch of events: the inbox entries and text
 * messages, the webhook deliveries (subscriptions to each event, limited to referrals where their institution, if
 * any, is a party), and the batch's text messages and deliveries still queued from an earlier, interrupted
 * dispatch. The unique indexes on (event, channel, recipient) make a redelivered event write nothing new; the rows
 * go in key order, so two batches racing over the same events cannot deadlock. The same statement marks the
 * batch's outbox rows fanned out (every id asked for, found or not), which is how QueueLossSweep tells an event the
 * queue lost from one it delivered. The batch travels as one JSON
 * document and the answer is one row per event: on this machine the driver's per-element array encoding and
 * per-row decoding cost more than the SQL.
 */
const WRITE_SQL = `
  WITH batch AS (
    SELECT * FROM json_to_recordset($1::json) AS b(
      "outboxId" uuid, "referralId" uuid, event text, "inboxState" text, "sendState" text, inbox uuid[], sms uuid[],
      title text, body text, "fromInstitutionId" uuid, "toInstitutionId" uuid)
  ), fanned_out AS (
    UPDATE outbox_events o SET fanned_out_at = clock_timestamp()
      FROM (SELECT id FROM outbox_events WHERE id = ANY($2::uuid[]) AND fanned_out_at IS NULL ORDER BY id FOR NO KEY UPDATE) e
     WHERE o.id = e.id
  ), to_users AS (
    INSERT INTO notifications (outbox_event_id, referral_id, event, channel, user_id, state, title, body)
    SELECT b."outboxId", b."referralId", b.event, r.channel, r.user_id,
           CASE r.channel WHEN 'inbox' THEN b."inboxState" ELSE b."sendState" END,
           CASE r.channel WHEN 'inbox' THEN b.title END, CASE r.channel WHEN 'inbox' THEN b.body END
      FROM batch b
      CROSS JOIN LATERAL (SELECT 'inbox' AS channel, u AS user_id FROM unnest(b.inbox) u
                          UNION ALL SELECT 'sms', u FROM unnest(b.sms) u) r
     ORDER BY b."outboxId", r.channel, r.user_id
    ON CONFLICT (outbox_event_id, channel, user_id) WHERE user_id IS NOT NULL DO NOTHING
    RETURNING id, outbox_event_id, channel, user_id, state
  ), to_hooks AS (
    INSERT INTO notifications (outbox_event_id, referral_id, event, channel, webhook_id, state)
    SELECT b."outboxId", b."referralId", b.event, 'webhook', w.id, b."sendState"
      FROM batch b
      JOIN webhook_subscriptions w
        ON b.event = ANY(w.events) AND (w.institution_id IS NULL OR w.institution_id IN (b."fromInstitutionId", b."toInstitutionId"))
     ORDER BY b."outboxId", w.id
    ON CONFLICT (outbox_event_id, webhook_id) WHERE webhook_id IS NOT NULL DO NOTHING
    RETURNING id, outbox_event_id, channel, user_id, state
  ), touched AS (
    SELECT id, outbox_event_id, channel, user_id, state, true AS fresh FROM to_users
    UNION ALL SELECT id, outbox_event_id, channel, user_id, state, true FROM to_hooks
    UNION ALL SELECT id, outbox_event_id, channel, user_id, state, false FROM notifications
               WHERE outbox_event_id IN (SELECT "outboxId" FROM batch) AND channel IN ('sms', 'webhook') AND state = 'queued'
  )
  SELECT outbox_event_id AS "outboxId",
         (count(*) FILTER (WHERE fresh AND channel = 'inbox'))::int AS inbox,
         (count(*) FILTER (WHERE fresh AND channel = 'sms'))::int AS sms,
         (count(*) FILTER (WHERE fresh AND channel = 'webhook'))::int AS webhooks,
         coalesce(json_agg(json_build_object('id', id, 'channel', channel, 'userId', user_id))
                    FILTER (WHERE state = 'queued' AND channel <> 'inbox'), '[]') AS queued
    FROM touched GROUP BY outbox_event_id`;

/** Writes what a fan-out plans, and the outcome of the text messages it sent. */
@Injectable()
export class FanOutRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * By outbox id; an event that wrote nothing and has nothing queued is absent. `outboxIds`: every event the batch
   * was asked to fan out, the planned ones and those with nothing to plan, all marked fanned out.
   */
  async write(events: EventFanOut[], outboxIds: string[]): Promise<Map<string, EventWritten>> {
    if (outboxIds.length === 0) return new Map();
    const rows: EventWritten[] = await this.dataSource.query(WRITE_SQL, [JSON.stringify(events), outboxIds]);
    return new Map(rows.map((r) => [r.outboxId, r]));
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
