import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { WebhookDeliveryService, type AttemptOutcome } from '../../libs/notifications/webhook-delivery.service.js';
import { JobName, QueueName, type JobPayloads } from '../../libs/queue/queue-names.js';
import { isUuid } from './job-payload.js';

/** One webhook attempt per run; BullMQ's backoff schedules the retries, the service decides which failures retry. */
// Short locks, as for the fan-out: a crashed worker's deliveries go back to the queue within seconds, not a minute;
// a running attempt (WEBHOOK_TIMEOUT_MS, 5 s by default) renews its lock every 5 s however long it takes.
@Processor(QueueName.Webhooks, { concurrency: 16, drainDelay: 1, lockDuration: 10_000, stalledInterval: 5_000 })
export class WebhookDeliveryProcessor extends WorkerHost {
  constructor(private readonly deliveries: WebhookDeliveryService) {
    super();
  }

  async process(job: Job<JobPayloads[typeof JobName.DeliverWebhook]>): Promise<AttemptOutcome> {
    if (job.name !== JobName.DeliverWebhook || !isUuid(job.data?.deliveryId)) throw new UnrecoverableError(`unexpected job ${job.name}`);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.deliveries.attempt(job.data.deliveryId, { final });
  }
}
