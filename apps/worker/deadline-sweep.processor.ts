import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { DeadlineSweeper, type SweepResult } from '../../libs/notifications/deadline-sweeper.service.js';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';

/** The repeatable deadline sweep (every 15 s, see WorkerScheduler). */
@Processor(QueueName.Deadlines, { concurrency: 1, drainDelay: 1 })
export class DeadlineSweepProcessor extends WorkerHost {
  constructor(private readonly sweeper: DeadlineSweeper) {
    super();
  }

  async process(job: Job): Promise<SweepResult> {
    if (job.name !== JobName.SweepDeadlines) throw new UnrecoverableError(`unexpected job ${job.name}`);
    return this.sweeper.sweep();
  }
}
