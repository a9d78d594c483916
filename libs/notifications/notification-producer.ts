import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { WEBHOOK_RETRY } from '../domain/notifications/webhook-policy.js';
import { JobName, QueueName, type JobPayloads } from '../queue/queue-names.js';

/**
 * The one place that enqueues notification jobs, always with a jobId derived from the database row (outbox event
 * id, delivery id), so enqueuing the same thing twice is harmless.
 */
@Injectable()
export class NotificationProducer {
  private readonly logger = new Logger(NotificationProducer.name);
  private lastErrorLogged = 0;

  constructor(
    @InjectQueue(QueueName.Notifications) private readonly notifications: Queue,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
  ) {
    // Without a listener BullMQ prints every failed reconnect to the console; once a minute in the log is enough
    // (the outbox keeps the events meanwhile).
    for (const queue of [notifications, webhooks]) queue.on('error', (err) => this.queueError(queue.name, err));
  }

  private queueError(queue: string, err: Error): void {
    if (Date.now() - this.lastErrorLogged < 60_000) return;
    this.lastErrorLogged = Date.now();
    this.logger.warn({ queue, err: err.message }, 'queue unreachable; notifications wait in the outbox');
  }

  /** Fan-out jobs for outbox events: jobId = outbox event id. */
  async dispatch(events: { id: string; correlationId: string | null }[]): Promise<void> {
    if (events.length === 0) return;
    await this.notifications.addBulk(
      events.map((e) => {
        const data: JobPayloads[typeof JobName.DispatchEvent] = { outboxId: e.id, ...(e.correlationId ? { correlationId: e.correlationId } : {}) };
        return { name: JobName.DispatchEvent, data, opts: { jobId: e.id } };
      }),
    );
  }

  /**
   * Hands events to the queue again that it was given but never fanned out: a job the queue no longer has (a Redis
   * restarted without its data) is added again, one that failed all its attempts is retried; one still waiting or
   * running is left alone. Answers the ids it handed over.
   */
  async redispatch(events: { id: string; correlationId: string | null }[]): Promise<string[]> {
    const jobs = await Promise.all(events.map((e) => this.notifications.getJob(e.id)));
    const missing = events.filter((_, i) => !jobs[i]);
    const failed = await Promise.all(jobs.map(async (job) => (job && (await job.isFailed()) ? job : undefined)));
    await Promise.all(failed.map((job) => job?.retry('failed')));
    await this.dispatch(missing);
    return [...missing.map((e) => e.id), ...failed.flatMap((job) => (job?.id ? [job.id] : []))];
  }

  /** Deliveries the queue no longer has (see redispatch) are added again; answers the ids it added. */
  async redeliver(deliveries: { id: string; correlationId: string | null }[]): Promise<string[]> {
    const jobs = await Promise.all(deliveries.map((d) => this.webhooks.getJob(d.id)));
    const missing = deliveries.filter((_, i) => !jobs[i]);
    await this.deliver(missing);
    return missing.map((d) => d.id);
  }

  /** One job per webhook delivery (jobId = delivery id), retried on the webhook schedule. */
  async deliver(deliveries: { id: string; correlationId: string | null }[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.webhooks.addBulk(
      deliveries.map(({ id, correlationId }) => {
        const data: JobPayloads[typeof JobName.DeliverWebhook] = { deliveryId: id, ...(correlationId ? { correlationId } : {}) };
        return { name: JobName.DeliverWebhook, data, opts: { jobId: id, attempts: WEBHOOK_RETRY.attempts, backoff: { ...WEBHOOK_RETRY.backoff } } };
      }),
    );
  }
}
