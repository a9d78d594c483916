import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { IdempotencyService } from '../../libs/idempotency/idempotency.service.js';
import { AuthService } from '../../libs/identity/auth.service.js';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';

/** Periodic clean-up jobs; thin: each job calls one service. */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class HousekeepingProcessor extends WorkerHost {
  constructor(
    private readonly auth: AuthService,
    private readonly idempotency: IdempotencyService,
  ) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (job.name !== JobName.Housekeeping) return;
    await this.auth.purgeOldFailures();
    await this.idempotency.purgeExpired();
  }
}
