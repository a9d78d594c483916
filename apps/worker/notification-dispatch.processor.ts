import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { NotificationDispatcher, type DispatchResult } from '../../libs/notifications/notification-dispatcher.service.js';
import { CoalescingBatcher } from '../../libs/queue/coalescing-batcher.js';
import { JobName, QueueName, type JobPayloads } from '../../libs/queue/queue-names.js';
import { isUuid } from './job-payload.js';

/**
 * Jobs running at once. A job mostly waits (for its batch's statements, then for BullMQ to move it), so many of
 * them keep the batches full while a backlog drains: the bench drained one 25 % faster at 128 than at 64. Each is
 * a job, and a lock, in Redis; a quiet queue runs one or two at a time whatever the figure.
 */
export const DISPATCH_CONCURRENCY = 128;
/** Two batches in flight: one writes while the next gathers the jobs that arrive meanwhile. */
const BATCHING = { maxBatch: DISPATCH_CONCURRENCY, maxConcurrent: 2 };

/**
 * Fans each relayed outbox event out to inbox, SMS and webhook deliveries. One job per event (jobId = outbox id),
 * but the jobs running side by side share their round trips to PostgreSQL: see CoalescingBatcher.
 */
// A crashed worker's running jobs go back to the queue once their lock lapses and a stalled-job check runs: with
// BullMQ's defaults (30 s + 30 s) that delayed those events' inbox entries by up to a minute (test/faults).
@Processor(QueueName.Notifications, { concurrency: DISPATCH_CONCURRENCY, drainDelay: 1, lockDuration: 10_000, stalledInterval: 5_000 })
export class NotificationDispatchProcessor extends WorkerHost {
  private readonly logger = new Logger(NotificationDispatchProcessor.name);
  private readonly batcher: CoalescingBatcher<DispatchResult>;

  constructor(dispatcher: NotificationDispatcher) {
    super();
    this.batcher = new CoalescingBatcher((ids) => dispatcher.dispatchMany(ids), BATCHING);
  }

  async process(job: Job<JobPayloads[typeof JobName.DispatchEvent]>): Promise<DispatchResult> {
    if (job.name !== JobName.DispatchEvent || !isUuid(job.data?.outboxId)) throw new UnrecoverableError(`unexpected job ${job.name}`);
    return this.batcher.run(job.data.outboxId);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'dispatch attempt failed');
  }
}
