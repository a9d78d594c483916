import { Inject, Injectable, Logger } from '@nestjs/common';
import { renderNotification } from '../domain/notifications/templates.js';
import { EventFactsRepository, type EventFacts } from './event-facts.repository.js';
import { planFanOut, templateContextOf } from './fan-out-plan.js';
import { FanOutRepository, type FanOutRow } from './fan-out.repository.js';
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
    const written = groupBy(await this.rows.write(planFanOut([...facts.values()])), (row) => row.outbox_event_id);

    const results = new Map<string, DispatchResult | Error>(ids.map((id) => [id, NOTHING]));
    const sent: string[] = [];
    const superseded: string[] = [];
    const deliveries: { id: string; correlationId: string | null }[] = [];
    for (const event of facts.values()) {
      const rows = written.get(event.outboxId) ?? [];
      const fresh = (channel: string) => rows.filter((x) => x.fresh && x.channel === channel).length;
      const queued = (channel: string) => rows.filter((x) => x.channel === channel && x.state === 'queued');
      results.set(event.outboxId, { superseded: event.superseded, inbox: fresh('inbox'), sms: fresh('sms'), webhooks: fresh('webhook') });
      const failure = await this.sendSms(event, queued('sms'), event.superseded ? superseded : sent);
      if (failure) results.set(event.outboxId, failure);
      // Deliveries check supersession again before every attempt.
      for (const d of queued('webhook')) deliveries.push({ id: d.id, correlationId: event.correlationId });
    }
    await this.rows.finishSms(sent, superseded);
    await this.producer.deliver(deliveries);
    this.logger.debug({ events: ids.length, found: facts.size, rows: [...written.values()].reduce((n, r) => n + r.length, 0) }, 'events dispatched');
    return results;
  }

  /**
   * Sends the event's text messages still queued (or, when it was superseded, only collects them), adding the ids
   * the provider took to `done`; answers the first refusal, after which the event's other messages wait for its retry.
   * They are marked sent once per batch: a crash before that resends them (at least once, as a gateway expects).
   */
  private async sendSms(facts: EventFacts, pending: FanOutRow[], done: string[]): Promise<Error | undefined> {
    if (pending.length === 0) return undefined;
    if (facts.superseded) {
      done.push(...pending.map((p) => p.id));
      return undefined;
    }
    // Text messages leave the system: the patient's name is masked too.
    const { title } = renderNotification(facts.event, templateContextOf(facts, maskName(facts.referral.patient.name)));
    for (const p of pending) {
      try {
        await this.sms.send({ userId: p.user_id!, referralId: facts.referral.id, text: `【转诊】${title}` });
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
      done.push(p.id);
    }
    return undefined;
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
