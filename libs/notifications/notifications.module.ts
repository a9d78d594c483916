import { BullModule } from '@nestjs/bullmq';
import { Module, type OnModuleInit } from '@nestjs/common';
import { QueueName } from '../queue/queue-names.js';
import { ReferralTimeline } from '../referrals/referral-timeline.service.js';
import { ReferralsModule } from '../referrals/referrals.module.js';
import { DeadlineSweeper } from './deadline-sweeper.service.js';
import { EventFactsRepository } from './event-facts.repository.js';
import { FanOutRepository } from './fan-out.repository.js';
import { InboxService } from './inbox.service.js';
import { NotificationDispatcher } from './notification-dispatcher.service.js';
import { NotificationProducer } from './notification-producer.js';
import { NOTIFICATION_TIMELINE_SOURCE } from './notification-timeline.js';
import { LogSmsProvider, SMS_PROVIDER } from './sms-provider.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhooksService } from './webhooks.service.js';

/** The queues only notifications use (the notifications queue itself is registered by the QueueModule). */
const queues = BullModule.registerQueue({ name: QueueName.Webhooks }, { name: QueueName.Deadlines });

/**
 * Notifications and deadlines: the inbox, webhook subscriptions and deliveries, the SMS channel, the fan-out of
 * outbox events and the deadline sweeper. Passive services only: the processors, the outbox relay and the sweep
 * schedule live in the worker module.
 */
@Module({
  imports: [ReferralsModule, queues],
  providers: [
    EventFactsRepository,
    FanOutRepository,
    NotificationProducer,
    NotificationDispatcher,
    WebhookDeliveryService,
    WebhooksService,
    InboxService,
    DeadlineSweeper,
    { provide: SMS_PROVIDER, useClass: LogSmsProvider },
  ],
  // ReferralsModule too: the worker's processors (sweeper, housekeeping) use its services.
  exports: [queues, ReferralsModule, NotificationProducer, NotificationDispatcher, WebhookDeliveryService, WebhooksService, InboxService, DeadlineSweeper, SMS_PROVIDER],
})
export class NotificationsModule implements OnModuleInit {
  constructor(private readonly timeline: ReferralTimeline) {}

  onModuleInit(): void {
    this.timeline.addSource(NOTIFICATION_TIMELINE_SOURCE);
  }
}
