import { Inject, Injectable, Logger } from '@nestjs/common';
import { renderNotification } from '../domain/notifications/templates.js';
import { EventFactsRepository, type EventFacts } from './event-facts.repository.js';
import { planFanOut, templateContextOf } from './fan-out-plan.js';
import { FanOutRepository, type EventWritten } from './fan-out.repository.js';
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
 * Fans outbox events out: inbox entries for their recipients, text messages where they matter, and a delivery per
 * matching webhook subscription. A batch costs the same round trips as one event (read the facts, write every row
 * in one statement, then the text messages' outcome and one enqueue of the deliveries), so the worker hands it
 * whatever events its jobs bring at once. Idempotent: the unique indexes on (event, recipient, channel) turn a
 * redelivered event into no new rows, and deliveries are enqueued under their own id.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(
    private readonly facts: EventFactsRepository,
    private readonly rows: FanOutRepository,
    private readonly producer: NotificationProducer,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
  ) {}

  async dispatch(outboxId: string): Promise<DispatchResult> {
    const result = (await this.dispatchMany([outboxId])).get(outboxId)!;
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Every event of the batch, by outbox id: its result, or the error that concerns it alone (a text message the
   * provider refused; retrying the event resends only what is still queued). A failed statement fails the batch.
   */
  async dispatchMany(outboxIds: string[]): Promise<Map<string, DispatchResult | Error>> {
    const ids = [...new Set(outboxIds)];
    const facts = await this.facts.loadMany(ids, { withCandidates: true });
    const written = await this.rows.write(planFanOut([...facts.values()]), ids);

    const results = new Map<string, DispatchResult | Error>(ids.map((id) => [id, NOTHING]));
    const sent: string[] = [];
    const superseded: string[] = [];
    const deliveries: { id: string; correlationId: string | null }[] = [];
    for (const event of facts.values()) {
      const w = written.get(event.outboxId);
      results.set(event.outboxId, { superseded: event.superseded, inbox: w?.inbox ?? 0, sms: w?.sms ?? 0, webhooks: w?.webhooks ?? 0 });
      const queued = w?.queued ?? [];
      const failure = await this.sendSms(event, queued.filter((q) => q.channel === 'sms'), event.superseded ? superseded : sent);
      if (failure) results.set(event.outboxId, failure);
      // Deliveries check supersession again before every attempt.
      for (const d of queued) if (d.channel === 'webhook') deliveries.push({ id: d.id, correlationId: event.correlationId });
    }
    await this.rows.finishSms(sent, superseded);
    await this.producer.deliver(deliveries);
    this.logger.debug({ events: ids.length, found: facts.size, deliveries: deliveries.length }, 'events dispatched');
    return results;
  }

  /**
   * Sends the event's text messages still queued (or, when it was superseded, only collects them), adding the ids
   * the provider took to `done`; answers the first refusal, after which the event's other messages wait for its retry.
   * They are marked sent once per batch: a crash before that resends them (at least once, as a gateway expects).
   */
  private async sendSms(facts: EventFacts, pending: EventWritten['queued'], done: string[]): Promise<Error | undefined> {
    if (pending.length === 0) return undefined;
    if (facts.superseded) {
      done.push(...pending.map((p) => p.id));
      return undefined;
    }
    // Text messages leave the system: the patient's name is masked too.
    const { title } = renderNotification(facts.event, templateContextOf(facts, maskName(facts.referral.patient.name)));
    for (const p of pending) {
      try {
        await this.sms.send({ userId: p.userId!, referralId: facts.referral.id, text: `【转诊】${title}` });
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
      done.push(p.id);
    }
    return undefined;
  }
}
