import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ENGINE_CONFIG } from '../../libs/config/config.module.js';
import type { EngineConfig } from '../../libs/config/engine-config.js';
import { queueBackendKind } from '../../libs/queue/queue-connection.js';
import { groupByJob, jobOfEachEvent } from '../../libs/notifications/dispatch-jobs.js';
import { NotificationProducer } from '../../libs/notifications/notification-producer.js';
import { withTimeout } from '../../libs/queue/with-timeout.js';
import { PeriodicTask } from './periodic-task.js';

const SWEEP_BATCH = 500;
/** The rows stay locked while the queue is asked: a Redis that is away fails the pass instead of holding them. */
const QUEUE_TIMEOUT_MS = 10_000;
/** An event whose job keeps failing is retried this often, then left for an operator (`outbox_in_flight` shows it). */
export const MAX_REDISPATCHES = 10;

/**
 * The relay marks an outbox row dispatched once the queue has its job, and the fan-out statement marks it fanned
 * out. A Redis restarted without its data (no append-only file) forgets the jobs it held in between: without this
 * sweep their inbox entries would never be written. Every QUEUE_LOSS_SWEEP_S (30 s) it takes the rows dispatched
 * over that long ago and not fanned out, asks the queue about the job each row names, and hands their events to it
 * again: a job that failed every attempt is retried, the events of a job that is gone go out in new jobs (recorded
 * on their rows); a job still waiting in a long backlog is left alone. Webhook deliveries still queued whose job is gone
 * are added again the same way. Several workers share the rows through FOR UPDATE SKIP LOCKED, held while they ask
 * the queue.
 *
 * Only with Redis: BullMQ's PostgreSQL backend keeps its jobs in the same database as the outbox, so it cannot lose
 * them apart from it.
 */
@Injectable()
export class QueueLossSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueLossSweep.name);
  private readonly periodic = new PeriodicTask(
    () => this.sweep(),
    (e) => this.logger.warn({ err: (e as Error).message }, 'queue-loss sweep failed; will try again'),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: NotificationProducer,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (queueBackendKind(this.config) === 'redis') this.periodic.start(this.config.queue.lossSweepSeconds * 1000);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass over events and deliveries; answers how many of each went to the queue again. */
  async sweep(olderThanSeconds = this.config.queue.lossSweepSeconds): Promise<{ events: number; deliveries: number }> {
    const events = await this.redispatchEvents(olderThanSeconds);
    const deliveries = await this.redeliverWebhooks(olderThanSeconds);
    if (events + deliveries > 0) this.logger.warn({ events, deliveries }, 'handed work the queue had lost to it again');
    return { events, deliveries };
  }

  private redispatchEvents(olderThanSeconds: number): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows: { id: string; correlation_id: string | null; job_id: string }[] = await tx.query(
        `SELECT id, correlation_id, coalesce(dispatch_job_id, id::text) AS job_id FROM outbox_events
          WHERE fanned_out_at IS NULL AND dispatched_at IS NOT NULL AND dispatched_at < clock_timestamp() - make_interval(secs => $1)
            AND redispatches < $2
          ORDER BY dispatched_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [olderThanSeconds, MAX_REDISPATCHES, SWEEP_BATCH],
      );
      if (rows.length === 0) return 0;
      const jobs = groupByJob(rows.map((r) => ({ id: r.id, correlationId: r.correlation_id, jobId: r.job_id })));
      const { handed, added } = await withTimeout(this.producer.redispatch(jobs), QUEUE_TIMEOUT_MS, 'the queue did not answer');
      if (handed.length > 0) {
        await tx.query(
          `UPDATE outbox_events o SET redispatches = redispatches + 1, dispatch_job_id = coalesce(m.job, o.dispatch_job_id)
             FROM unnest($1::uuid[]) AS h(id) LEFT JOIN json_to_recordset($2::json) AS m(id uuid, job text) ON m.id = h.id
            WHERE o.id = h.id`,
          [handed, jobOfEachEvent(added)],
        );
      }
      return handed.length;
    });
  }

  private redeliverWebhooks(olderThanSeconds: number): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows: { id: string; correlation_id: string | null }[] = await tx.query(
        `SELECT n.id, o.correlation_id FROM notifications n JOIN outbox_events o ON o.id = n.outbox_event_id
          WHERE n.channel = 'webhook' AND n.state = 'queued' AND n.created_at < clock_timestamp() - make_interval(secs => $1)
          ORDER BY n.created_at LIMIT $2 FOR UPDATE OF n SKIP LOCKED`,
        [olderThanSeconds, SWEEP_BATCH],
      );
      if (rows.length === 0) return 0;
      const added = await withTimeout(this.producer.redeliver(rows.map((r) => ({ id: r.id, correlationId: r.correlation_id }))), QUEUE_TIMEOUT_MS, 'the queue did not answer');
      return added.length;
    });
  }
}
