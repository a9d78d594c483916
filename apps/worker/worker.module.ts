import { Module, type DynamicModule } from '@nestjs/common';
import type { EngineConfig } from '../../libs/config/engine-config.js';
import { CoreModule } from '../../libs/core.module.js';
import { HousekeepingProcessor } from './housekeeping.processor.js';
import { NotificationsModule } from '../../libs/notifications/notifications.module.js';
import { DeadlineSweepProcessor } from './deadline-sweep.processor.js';
import { NotificationDispatchProcessor } from './notification-dispatch.processor.js';
import { OutboxRelay } from './outbox-relay.js';
import { QueueLossSweep } from './queue-loss-sweep.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { WorkerScheduler } from './worker-scheduler.js';
import { WorkerShutdown } from './worker-shutdown.js';

const WORKER_PROVIDERS = [
  HousekeepingProcessor,
  WorkerScheduler,
  OutboxRelay,
  QueueLossSweep,
  NotificationDispatchProcessor,
  WebhookDeliveryProcessor,
  DeadlineSweepProcessor,
  WorkerShutdown,
];

/**
 * The worker process: BullMQ processors, the outbox relay and the deadline sweeper. Registered only here, so an
 * API-only process never consumes jobs.
 */
@Module({})
export class WorkerModule {
  /** Standalone worker process (its own core). */
  static forRoot(config?: EngineConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config), NotificationsModule],
      providers: WORKER_PROVIDERS,
    };
  }

  /** Inside an app that already has the core (npm start, tests). */
  static forFeature(): DynamicModule {
    return {
      module: WorkerModule,
      imports: [NotificationsModule],
      providers: WORKER_PROVIDERS,
    };
  }
}
