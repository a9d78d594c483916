import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { ReferralEntity } from './referral.entity.js';

/** A running clock on a referral (respond, arrive, follow_up); opened, met or cancelled by transitions. */
@Entity('referral_deadlines')
@Check('CHK_referral_deadlines_kind', `"kind" IN ('respond', 'arrive', 'follow_up')`)
@Check('CHK_referral_deadlines_state', `"state" IN ('open', 'met', 'breached', 'cancelled')`)
@Index('IDX_referral_deadlines_referral_state', ['referralId', 'state'])
@Index('IDX_referral_deadlines_open_due', ['dueAt'], { where: `"state" = 'open'` })
export class ReferralDeadlineEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) referralId: string;
  @ManyToOne(() => ReferralEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id', foreignKeyConstraintName: 'FK_referral_deadlines_referral' })
  referral?: Relation<ReferralEntity>;
  @Column({ type: 'varchar', length: 16 }) kind: string;
  @Column({ type: 'timestamptz' }) dueAt: Date;
  @Column({ type: 'varchar', length: 16, default: 'open' }) state: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) openedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) breachedAt: Date | null;
  /** How many escalation steps have run (each runs once). */
  @Column({ type: 'integer', default: 0 }) escalationsDone: number;
}
