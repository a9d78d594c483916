import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';

/** Registers the repeatable maintenance jobs (idempotent: a scheduler id per job, however many workers start). */
@Injectable()
export class WorkerScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(JobName.Housekeeping, { every: 10 * 60_000 }, { name: JobName.Housekeeping, data: {} });
  }
}
