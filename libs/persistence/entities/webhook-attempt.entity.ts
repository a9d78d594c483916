import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { NotificationEntity } from './notification.entity.js';

/** Every attempt of a webhook delivery: when, the HTTP status if any, the transport error if any. */
@Entity('webhook_attempts')
@Index('IDX_webhook_attempts_notification', ['notificationId', 'id'])
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_webhook_attempts' }) id: string;
  @Column({ type: 'uuid' }) notificationId: string;
  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'FK_webhook_attempts_notification' })
  notification?: Relation<NotificationEntity>;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Column({ type: 'integer', nullable: true }) httpStatus: number | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
}
