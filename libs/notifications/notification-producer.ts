import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { WEBHOOK_RETRY } from '../domain/notifications/webhook-policy.js';
import { JobName, QueueName, type JobPayloads } from '../queue/queue-names.js';
import { intoDispatchJobs, type DispatchJob } from './dispatch-jobs.js';

/**
 * The one place that enqueues notification jobs, always with a jobId the database rows record (the dispatch job
 * named on outbox rows, the delivery id), so enqueuing the same thing twice is harmless.
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

  /** Fan-out jobs, each under the id its outbox rows record (see dispatch-jobs.ts), so adding one twice is harmless. */
  async dispatch(jobs: DispatchJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.notifications.addBulk(
      jobs.map(({ jobId, events }) => {
        const data: JobPayloads[typeof JobName.DispatchEvents] = {
          events: events.map((e) => ({ outboxId: e.id, ...(e.correlationId ? { correlationId: e.correlationId } : {}) })),
        };
        return { name: JobName.DispatchEvents, data, opts: { jobId } };
      }),
    );
  }

  /**
   * Hands events to the queue again that it was given but never fanned out, grouped by the job their rows name: a
   * job that failed all its attempts is retried; the events of a job the queue no longer has (a Redis restarted
   * without its data), or that ended without them, go in new jobs; a job still waiting or running is left alone.
   * Answers the ids handed over, and the new jobs (whose ids their rows must now record).
   */
  async redispatch(jobs: DispatchJob[]): Promise<{ handed: string[]; added: DispatchJob[] }> {
    const states = await Promise.all(
      jobs.map(async ({ jobId }) => {
        const job = await this.notifications.getJob(jobId);
        return { job, state: job ? await job.getState() : 'missing' };
      }),
    );
    const retried = jobs.filter((_, i) => states[i].state === 'failed');
    await Promise.all(states.map(({ job, state }) => (state === 'failed' ? job!.retry('failed') : undefined)));
    const gone = jobs.filter((_, i) => ['missing', 'completed', 'unknown'].includes(states[i].state));
    const added = intoDispatchJobs(gone.flatMap((j) => j.events));
    await this.dispatch(added);
    return { handed: [...retried, ...added].flatMap((j) => j.events.map((e) => e.id)), added };
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
