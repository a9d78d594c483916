import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { DEADLINE_BREACHED_EVENT } from '../domain/notifications/notification-events.js';
import { judgeAttempt, webhookUrlProblem, type AttemptResult } from '../domain/notifications/webhook-policy.js';
import { maskPatient } from '../domain/referral/masking.js';
import { EventFactsRepository, type EventFacts } from './event-facts.repository.js';
import { signWebhook } from './webhook-signature.js';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'superseded' | 'skipped';

/** A retryable failure: BullMQ schedules the next attempt with the webhook backoff. */
export class WebhookRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookRetryableError';
  }
}

/** The delivery body as the contract describes it; the patient is masked. */
export function webhookBody(deliveryId: string, facts: EventFacts) {
  const r = facts.referral;
  return {
    id: deliveryId,
    event: facts.event,
    occurredAt: facts.occurredAt.toISOString(),
    referral: {
      id: r.id,
      number: r.number,
      direction: r.direction,
      urgency: r.urgency,
      status: facts.announced.status,
      version: facts.announced.version,
      fromInstitutionId: r.fromInstitutionId,
      toInstitutionId: r.toInstitutionId,
      patient: maskPatient(r.patient),
    },
    ...(facts.event === DEADLINE_BREACHED_EVENT
      ? { escalation: { deadlineId: facts.payload.deadlineId ?? null, step: facts.payload.step ?? null, notify: facts.payload.notify ?? null } }
      : {}),
  };
}

/**
 * One attempt of one webhook delivery. Every attempt is recorded; a delivery about a state the referral has left is
 * superseded instead of sent; 2xx delivers; timeouts, network errors, 5xx, 408 and 429 throw a retryable error
 * (until the last attempt, which marks it failed); redirects and other 4xx fail it for good (UnrecoverableError).
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly facts: EventFactsRepository,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  async attempt(deliveryId: string, options: { final: boolean }): Promise<AttemptOutcome> {
    const [delivery]: { state: string; outbox_event_id: string; url: string; secret: string; webhook_id: string }[] = await this.dataSource.query(
      `SELECT n.state, n.outbox_event_id, n.webhook_id, w.url, w.secret
         FROM notifications n JOIN webhook_subscriptions w ON w.id = n.webhook_id
        WHERE n.id = $1 AND n.channel = 'webhook'`,
      [deliveryId],
    );
    if (!delivery || delivery.state !== 'queued') return 'skipped';
    const facts = await this.facts.load(delivery.outbox_event_id);
    if (!facts) return 'skipped';
    if (facts.superseded) {
      await this.finish(deliveryId, 'superseded');
      return 'superseded';
    }

    // The allow-list may have changed since registration: check again before every call.
    const hostProblem = webhookUrlProblem(delivery.url, this.config.webhooks.allowedHosts, this.config.nodeEnv === 'production');
    if (hostProblem) {
      await this.record(deliveryId, null, hostProblem, 'failed');
      throw new UnrecoverableError(hostProblem);
    }

    const raw = JSON.stringify(webhookBody(deliveryId, facts));
    const { result, error } = await this.post(delivery.url, facts.event, deliveryId, delivery.secret, raw);
    const httpStatus = 'httpStatus' in result ? result.httpStatus : null;
    const verdict = judgeAttempt(result);
    if (verdict === 'delivered') {
      await this.record(deliveryId, httpStatus, error, 'delivered');
      return 'delivered';
    }
    if (verdict === 'permanent' || options.final) {
      await this.record(deliveryId, httpStatus, error, 'failed');
      this.logger.warn({ deliveryId, webhookId: delivery.webhook_id, event: facts.event, error }, 'webhook delivery failed');
      if (verdict === 'permanent') throw new UnrecoverableError(error ?? 'permanent failure');
      return 'failed';
    }
    await this.record(deliveryId, httpStatus, error);
    throw new WebhookRetryableError(error ?? 'retryable failure');
  }

  private async post(url: string, event: string, deliveryId: string, secret: string, raw: string): Promise<{ result: AttemptResult; error: string | null }> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'referral-engine-webhooks/1',
          'X-Referral-Event': event,
          'X-Referral-Delivery': deliveryId,
          'X-Referral-Timestamp': String(timestamp),
          'X-Referral-Signature': signWebhook(secret, timestamp, raw),
        },
        body: raw,
      });
      // The answer's body is not needed; release the connection.
      await res.body?.cancel().catch(() => undefined);
      const status = res.status;
      const error = status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? `redirect not followed (HTTP ${status})` : `HTTP ${status}`;
      return { result: { httpStatus: status }, error };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        return { result: { failure: 'timeout' }, error: `timeout after ${this.config.webhooks.timeoutMs} ms` };
      }
      const detail = err.cause?.code ?? err.cause?.message ?? err.message;
      return { result: { failure: 'network' }, error: `network error: ${detail}`.slice(0, 500) };
    }
  }

  /** Records the attempt and, when it ends the delivery, its final state: one statement, so never one without the other. */
  private async record(deliveryId: string, httpStatus: number | null, error: string | null, final?: 'delivered' | 'failed'): Promise<void> {
    await this.dataSource.query(
      `WITH attempt AS (INSERT INTO webhook_attempts (notification_id, http_status, error) VALUES ($1, $2, $3))
       UPDATE notifications SET state = $4, updated_at = now() WHERE id = $1 AND state = 'queued' AND $4::text IS NOT NULL`,
      [deliveryId, httpStatus, error?.slice(0, 500) ?? null, final ?? null],
    );
  }

  private async finish(deliveryId: string, state: 'superseded'): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET state = $2, updated_at = now() WHERE id = $1 AND state = 'queued'`, [deliveryId, state]);
  }
}
