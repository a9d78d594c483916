import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { QueueName } from './queue-names.js';
import { queueConnection } from './queue-connection.js';

/** Defaults set once: bounded retention, exponential backoff. Per-job options override them. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 1000, age: 24 * 3600 },
  removeOnFail: { count: 5000, age: 7 * 24 * 3600 },
} as const;

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ENGINE_CONFIG],
      useFactory: async (config: EngineConfig) => ({
        connection: (await queueConnection(config)) as never,
        prefix: config.queue.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue({ name: QueueName.Notifications }, { name: QueueName.Maintenance }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
