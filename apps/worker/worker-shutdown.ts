import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { WorkerHost } from '@nestjs/bullmq';
import { DeadlineSweepProcessor } from './deadline-sweep.processor.js';
import { HousekeepingProcessor } from './housekeeping.processor.js';
import { NotificationDispatchProcessor } from './notification-dispatch.processor.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';

/**
 * Lets the running jobs finish before what they use goes away. Nest closes the queues (and the database pool) in
 * onApplicationShutdown, in no order that waits for the processors' jobs: a fan-out job still running then enqueued
 * its webhook deliveries on a closed queue, which BullMQ's PostgreSQL backend never answers, and shutdown hung.
 * Closing the processors' workers here, in beforeApplicationShutdown, waits for their running jobs while the queues
 * and the database are still open (closing them again later is a no-op).
 */
@Injectable()
export class WorkerShutdown implements BeforeApplicationShutdown {
  private readonly hosts: WorkerHost[];

  constructor(dispatch: NotificationDispatchProcessor, webhooks: WebhookDeliveryProcessor, deadlines: DeadlineSweepProcessor, housekeeping: HousekeepingProcessor) {
    this.hosts = [dispatch, webhooks, deadlines, housekeeping];
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.worker.close()));
  }
}
