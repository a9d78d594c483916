import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { InstitutionEntity } from './institution.entity.js';

/** An admin's webhook subscription: which events go to which URL, signed with its secret. */
@Entity('webhook_subscriptions')
@Index('IDX_webhook_subscriptions_created', ['createdAt', 'id'])
export class WebhookSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_webhook_subscriptions' }) id: string;
  @Column({ type: 'varchar', length: 2048 }) url: string;
  /** Event names (`referral.submitted`, …); the dispatcher matches with `= ANY(events)`. */
  @Column({ type: 'text', array: true }) events: string[];
  /** The HMAC key of `X-Referral-Signature`; never returned by the API. */
  @Column({ type: 'varchar', length: 256 }) secret: string;
  /** When set, only referrals where this institution is a party. */
  @Index('IDX_webhook_subscriptions_institution')
  @Column({ type: 'uuid', nullable: true }) institutionId: string | null;
  @ManyToOne(() => InstitutionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_webhook_subscriptions_institution' })
  institution?: Relation<InstitutionEntity>;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
