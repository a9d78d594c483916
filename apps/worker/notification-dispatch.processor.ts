import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { NotificationDispatcher, type DispatchResult } from '../../libs/notifications/notification-dispatcher.service.js';
import { CoalescingBatcher } from '../../libs/queue/coalescing-batcher.js';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';
import { isUuid } from './job-payload.js';

/**
 * Jobs running at once. A job mostly waits (for its batch's statements, then for BullMQ to move it), so several keep
 * the fan-out statements full while a backlog drains; a quiet queue runs one or two at a time whatever the figure.
 */
export const DISPATCH_CONCURRENCY = 128;
/** Events in one fan-out statement at most, and two statements in flight: one writes while the next gathers. */
const BATCHING = { maxBatch: 128, maxConcurrent: 2 };
/** A job carries the relay's batch (DISPATCH_JOB_EVENTS); more than this is not a job the engine made. */
const MAX_EVENTS_PER_JOB = 1000;

/** What a dispatch job did, summed over its events. */
export interface DispatchJobResult extends Omit<DispatchResult, 'superseded'> {
  events: number;
  superseded: number;
}

/**
 * Fans the outbox events a job carries out to inbox, SMS and webhook deliveries. The relay puts a batch of events in
 * each job, and the events of the jobs running side by side share their statements (see CoalescingBatcher). An
 * event that fails (a text message the provider refused) fails the job once the others are done: its retry repeats
 * only what is still undone, since fanning an event out again writes nothing new.
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

  async process(job: Job): Promise<DispatchJobResult> {
    const ids = outboxIdsOf(job);
    const outcomes = await Promise.allSettled(ids.map((id) => this.batcher.run(id)));
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${ids.length} events failed; first: ${String(failed[0].reason?.message ?? failed[0].reason)}`);
    const result: DispatchJobResult = { events: ids.length, superseded: 0, inbox: 0, sms: 0, webhooks: 0 };
    for (const o of outcomes as PromiseFulfilledResult<DispatchResult>[]) {
      result.superseded += Number(o.value.superseded);
      result.inbox += o.value.inbox;
      result.sms += o.value.sms;
      result.webhooks += o.value.webhooks;
    }
    return result;
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'dispatch attempt failed');
  }
}

/** The outbox ids a job carries; a payload the engine would not have written is refused for good. */
function outboxIdsOf(job: Job): string[] {
  if (job.name === JobName.DispatchEvents) {
    const events: unknown = job.data?.events;
    if (Array.isArray(events) && events.length > 0 && events.length <= MAX_EVENTS_PER_JOB && events.every((e) => isUuid(e?.outboxId))) {
      return [...new Set(events.map((e: { outboxId: string }) => e.outboxId))];
    }
  } else if (job.name === JobName.DispatchEvent && isUuid(job.data?.outboxId)) {
    return [job.data.outboxId];
  }
  throw new UnrecoverableError(`unexpected job ${job.name}`);
}
