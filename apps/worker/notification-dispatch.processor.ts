import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { NotificationDispatcher, type DispatchResult } from '../../libs/notifications/notification-dispatcher.service.js';
import { JobName, QueueName, type JobPayloads } from '../../libs/queue/queue-names.js';
import { isUuid } from './job-payload.js';

/** Fans each relayed outbox event out to inbox, SMS and webhook deliveries. */
// A crashed worker's running jobs go back to the queue once their lock lapses and a stalled-job check runs: with
// BullMQ's defaults (30 s + 30 s) that delayed those events' inbox entries by up to a minute (test/faults).
@Processor(QueueName.Notifications, { concurrency: 16, drainDelay: 1, lockDuration: 10_000, stalledInterval: 5_000 })
export class NotificationDispatchProcessor extends WorkerHost {
  private readonly logger = new Logger(NotificationDispatchProcessor.name);

  constructor(private readonly dispatcher: NotificationDispatcher) {
    super();
  }

  async process(job: Job<JobPayloads[typeof JobName.DispatchEvent]>): Promise<DispatchResult> {
    if (job.name !== JobName.DispatchEvent || !isUuid(job.data?.outboxId)) throw new UnrecoverableError(`unexpected job ${job.name}`);
    return this.dispatcher.dispatch(job.data.outboxId);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'dispatch attempt failed');
  }
}
