import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { audienceFor, recipientsOf, wantsSms } from '../domain/notifications/recipients.js';
import { renderNotification, type TemplateContext } from '../domain/notifications/templates.js';
import { EventFactsRepository, type EventFacts } from './event-facts.repository.js';
import { NotificationProducer } from './notification-producer.js';
import { maskName, SMS_PROVIDER, type SmsProvider } from './sms-provider.js';

export interface DispatchResult {
  superseded: boolean;
  inbox: number;
  sms: number;
  webhooks: number;
}

const NOTHING: DispatchResult = { superseded: false, inbox: 0, sms: 0, webhooks: 0 };

/**
 * Fans one outbox event out: inbox entries for its recipients, text messages where they matter, and a delivery
 * per matching webhook subscription. Idempotent: the unique indexes on (event, recipient, channel) turn a
 * redelivered event into no new rows, and deliveries are enqueued under their own id.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly facts: EventFactsRepository,
    private readonly producer: NotificationProducer,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
  ) {}

  async dispatch(outboxId: string): Promise<DispatchResult> {
    const facts = await this.facts.load(outboxId, { withCandidates: true });
    if (!facts) return NOTHING;
    const r = facts.referral;
    const recipients = recipientsOf(audienceFor(facts.event, facts.payload), facts.candidates, r);
    const withSms = wantsSms(facts.event, r.urgency) ? recipients : [];
    const { title, body } = renderNotification(facts.event, this.templateContext(facts));

    // One statement, so one atomic round trip: the inbox entries, the text messages and the webhook deliveries
    // (subscriptions to this event, limited to referrals where their institution, if any, is a party). It answers
    // with the new rows and with rows of this event still queued from an interrupted earlier dispatch.
    const rows: { id: string; channel: string; user_id: string | null; state: string; fresh: boolean }[] = await this.dataSource.query(
      `WITH inbox AS (
         INSERT INTO notifications (outbox_event_id, referral_id, event, channel, user_id, state, title, body)
         SELECT $1, $2, $3, 'inbox', u, $4, $5, $6 FROM unnest($7::uuid[]) AS u
         ON CONFLICT (outbox_event_id, channel, user_id) WHERE user_id IS NOT NULL DO NOTHING
         RETURNING id, channel, user_id, state
       ), sms AS (
         INSERT INTO notifications (outbox_event_id, referral_id, event, channel, user_id, state)
         SELECT $1, $2, $3, 'sms', u, $8 FROM unnest($9::uuid[]) AS u
         ON CONFLICT (outbox_event_id, channel, user_id) WHERE user_id IS NOT NULL DO NOTHING
         RETURNING id, channel, user_id, state
       ), hooks AS (
         INSERT INTO notifications (outbox_event_id, referral_id, event, channel, webhook_id, state)
         SELECT $1, $2, $3, 'webhook', w.id, $8 FROM webhook_subscriptions w
          WHERE $3::text = ANY(w.events) AND (w.institution_id IS NULL OR w.institution_id IN ($10, $11))
         ON CONFLICT (outbox_event_id, webhook_id) WHERE webhook_id IS NOT NULL DO NOTHING
         RETURNING id, channel, user_id, state
       )
       SELECT id, channel, user_id, state, true AS fresh FROM inbox
       UNION ALL SELECT id, channel, user_id, state, true FROM sms
       UNION ALL SELECT id, channel, user_id, state, true FROM hooks
       UNION ALL SELECT id, channel, user_id, state, false FROM notifications
                  WHERE outbox_event_id = $1 AND channel IN ('sms', 'webhook') AND state = 'queued'`,
      [
        facts.outboxId,
        r.id,
        facts.event,
        facts.superseded ? 'superseded' : 'delivered',
        title,
        body,
        recipients,
        facts.superseded ? 'superseded' : 'queued',
        withSms,
        r.fromInstitutionId,
        r.toInstitutionId,
      ],
    );
    const count = (channel: string) => rows.filter((x) => x.fresh && x.channel === channel).length;
    const result = { superseded: facts.superseded, inbox: count('inbox'), sms: count('sms'), webhooks: count('webhook') };

    const queued = (channel: string) => rows.filter((x) => x.channel === channel && x.state === 'queued');
    await this.sendSms(facts, queued('sms'));
    // Deliveries check supersession again before every attempt.
    await this.producer.deliver(queued('webhook').map((x) => x.id), facts.correlationId);
    this.logger.debug({ outboxId, event: facts.event, referralId: r.id, ...result }, 'event dispatched');
    return result;
  }

  private templateContext(facts: EventFacts, patientName?: string): TemplateContext {
    const r = facts.referral;
    return {
      number: r.number,
      direction: r.direction,
      urgency: r.urgency,
      patient: { name: patientName ?? r.patient.name, idNumber: r.patient.idNumber },
      fromName: r.fromName,
      toName: r.toName,
      action: facts.payload.action ?? null,
      reasonLabel: r.returnReason?.labelZh ?? null,
      notify: facts.payload.notify,
    };
  }

  /** Sends the text messages still queued for this event (or supersedes them), each once it reached the provider. */
  private async sendSms(facts: EventFacts, pending: { id: string; user_id: string | null }[]): Promise<void> {
    if (pending.length === 0) return;
    if (facts.superseded) {
      await this.dataSource.query(`UPDATE notifications SET state = 'superseded', updated_at = now() WHERE id = ANY($1::uuid[]) AND state = 'queued'`, [
        pending.map((p) => p.id),
      ]);
      return;
    }
    // Text messages leave the system: the patient's name is masked too.
    const { title } = renderNotification(facts.event, this.templateContext(facts, maskName(facts.referral.patient.name)));
    for (const p of pending) {
      await this.sms.send({ userId: p.user_id!, referralId: facts.referral.id, text: `【转诊】${title}` });
      await this.dataSource.query(`UPDATE notifications SET state = 'sent', updated_at = now() WHERE id = $1 AND state = 'queued'`, [p.id]);
    }
  }
}
