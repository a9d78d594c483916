import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { ReferralEntity } from './referral.entity.js';

/** The referral's history: one row per transition, appended in the transition's transaction. */
@Entity('referral_transitions')
@Index('IDX_referral_transitions_referral', ['referralId', 'id'])
@Index('UQ_referral_transitions_request_key', ['requestKey'], { unique: true, where: `"request_key" IS NOT NULL` })
export class ReferralTransitionEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) referralId: string;
  @ManyToOne(() => ReferralEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id', foreignKeyConstraintName: 'FK_referral_transitions_referral' })
  referral?: Relation<ReferralEntity>;
  @Column({ type: 'varchar', length: 16, nullable: true }) fromStatus: string | null;
  @Column({ type: 'varchar', length: 16 }) toStatus: string;
  @Column({ type: 'varchar', length: 16 }) action: string;
  /** `{ id, displayName, role, institutionId }` as it was at the time; null = the deadline engine. */
  @Column({ type: 'jsonb', nullable: true }) actor: Record<string, unknown> | null;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ type: 'integer', nullable: true }) catalogueVersion: number | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  /** `<user id> <Idempotency-Key> <claimed at>` of the request that made the change, when it carried one (see RequestKey). */
  @Column({ type: 'varchar', length: 300, nullable: true }) requestKey: string | null;
}
