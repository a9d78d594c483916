import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ENGINE_CONFIG } from '../../libs/config/config.module.js';
import type { EngineConfig } from '../../libs/config/engine-config.js';
import { queueBackendKind } from '../../libs/queue/queue-connection.js';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';
import { PeriodicTask } from './periodic-task.js';

/**
 * Registers the repeatable maintenance jobs (idempotent: a scheduler id per job, however many workers start), and
 * with Redis registers them again when they have gone: without that, a Redis restarted without its data would stop
 * the deadline sweep until some worker restarted.
 */
@Injectable()
export class WorkerScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerScheduler.name);
  /** A failed check (Redis away) is simply tried again next time. */
  private readonly periodic = new PeriodicTask(() => this.registerMissing(), () => undefined);

  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: Queue,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.register();
    if (queueBackendKind(this.config) !== 'redis') return;
    // As often as the queue-loss sweep looks for lost jobs (QUEUE_LOSS_SWEEP_S, 30 s).
    this.periodic.start(this.config.queue.lossSweepSeconds * 1000);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  /** Answers the schedulers it had to register again. */
  async registerMissing(): Promise<string[]> {
    const [housekeeping, sweep] = await Promise.all([
      this.maintenance.getJobScheduler(JobName.Housekeeping),
      this.deadlines.getJobScheduler(JobName.SweepDeadlines),
    ]);
    const missing = [...(housekeeping ? [] : [JobName.Housekeeping]), ...(sweep ? [] : [JobName.SweepDeadlines])];
    if (missing.length === 0) return [];
    await this.register();
    this.logger.warn({ missing }, 'repeatable jobs had gone from the queue; registered again');
    return missing;
  }

  private async register(): Promise<void> {
    await this.maintenance.upsertJobScheduler(JobName.Housekeeping, { every: 10 * 60_000 }, { name: JobName.Housekeeping, data: {} });
    // The contract wants the deadline engine at least every 30 s.
    await this.deadlines.upsertJobScheduler(JobName.SweepDeadlines, { every: 15_000 }, { name: JobName.SweepDeadlines, data: {}, opts: { attempts: 1 } });
  }
}
