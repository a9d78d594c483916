import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';

/** Registers the repeatable maintenance jobs (idempotent: a scheduler id per job, however many workers start). */
@Injectable()
export class WorkerScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(JobName.Housekeeping, { every: 10 * 60_000 }, { name: JobName.Housekeeping, data: {} });
    // The contract wants the deadline engine at least every 30 s.
    await this.deadlines.upsertJobScheduler(JobName.SweepDeadlines, { every: 15_000 }, { name: JobName.SweepDeadlines, data: {}, opts: { attempts: 1 } });
  }
}
