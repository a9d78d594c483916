import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AuthService } from '../../libs/identity/auth.service.js';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';

/** Periodic clean-up jobs; thin: each job calls one service. */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class HousekeepingProcessor extends WorkerHost {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (job.name === JobName.Housekeeping) await this.auth.purgeOldFailures();
  }
}
