import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import type { NotificationChannel, NotificationState } from '../../domain/notifications/notification-events.js';
import { OutboxEventEntity } from './outbox-event.entity.js';
import { ReferralEntity } from './referral.entity.js';
import { UserEntity } from './user.entity.js';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';

/**
 * One notification per (outbox event, recipient, channel): an inbox entry, a text message or a webhook delivery
 * (whose id is the `X-Referral-Delivery` header). The partial unique indexes make redelivered events harmless.
 */
@Entity('notifications')
@Check('CHK_notifications_channel', `"channel" IN ('inbox', 'webhook', 'sms')`)
@Check('CHK_notifications_state', `"state" IN ('queued', 'sent', 'delivered', 'read', 'failed', 'superseded')`)
@Check(
  'CHK_notifications_recipient',
  `("channel" = 'webhook' AND "webhook_id" IS NOT NULL AND "user_id" IS NULL) OR ("channel" <> 'webhook' AND "user_id" IS NOT NULL AND "webhook_id" IS NULL)`,
)
@Index('UQ_notifications_event_user', ['outboxEventId', 'channel', 'userId'], { unique: true, where: `"user_id" IS NOT NULL` })
@Index('UQ_notifications_event_webhook', ['outboxEventId', 'webhookId'], { unique: true, where: `"webhook_id" IS NOT NULL` })
// The inbox, newest first, without superseded entries; and its unread count.
@Index('IDX_notifications_inbox', ['userId', 'createdAt', 'id'], { where: `"channel" = 'inbox' AND "state" <> 'superseded'` })
@Index('IDX_notifications_unread', ['userId'], { where: `"channel" = 'inbox' AND "state" <> 'superseded' AND "read_at" IS NULL` })
@Index('IDX_notifications_webhook', ['webhookId', 'createdAt', 'id'], { where: `"webhook_id" IS NOT NULL` })
// Deliveries not yet finished: what the queue-loss sweep looks through when the queue may have lost their jobs.
@Index('IDX_notifications_webhook_queued', ['createdAt'], { where: `"channel" = 'webhook' AND "state" = 'queued'` })
@Index('IDX_notifications_referral', ['referralId', 'createdAt'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_notifications' }) id: string;
  @Column({ type: 'uuid' }) outboxEventId: string;
  @ManyToOne(() => OutboxEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'outbox_event_id', foreignKeyConstraintName: 'FK_notifications_outbox_event' })
  outboxEvent?: Relation<OutboxEventEntity>;
  @Column({ type: 'uuid', nullable: true }) referralId: string | null;
  @ManyToOne(() => ReferralEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id', foreignKeyConstraintName: 'FK_notifications_referral' })
  referral?: Relation<ReferralEntity>;
  @Column({ type: 'varchar', length: 64 }) event: string;
  @Column({ type: 'varchar', length: 8 }) channel: NotificationChannel;
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_notifications_user' })
  user?: Relation<UserEntity>;
  @Column({ type: 'uuid', nullable: true }) webhookId: string | null;
  @ManyToOne(() => WebhookSubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'FK_notifications_webhook' })
  webhook?: Relation<WebhookSubscriptionEntity>;
  @Column({ type: 'varchar', length: 16 }) state: NotificationState;
  /** Inbox and SMS text (patient masked); null for webhooks, whose body is built at delivery. */
  @Column({ type: 'text', nullable: true }) title: string | null;
  @Column({ type: 'text', nullable: true }) body: string | null;
  /** When the row was written (clock_timestamp): a batched fan-out writes many events' rows in one transaction. */
  @CreateDateColumn({ type: 'timestamptz', default: () => 'clock_timestamp()' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) readAt: Date | null;
}
