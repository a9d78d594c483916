import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What happened to a deadline, for the referral's timeline. */
@Entity('deadline_events')
@Check('CHK_deadline_events_event', `"event" IN ('opened', 'met', 'breached', 'escalated', 'cancelled')`)
@Index('IDX_deadline_events_referral', ['referralId', 'at'])
export class DeadlineEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) referralId: string;
  @Column({ type: 'uuid' }) deadlineId: string;
  @Column({ type: 'varchar', length: 16 }) kind: string;
  @Column({ type: 'timestamptz' }) dueAt: Date;
  @Column({ type: 'varchar', length: 16 }) event: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
}
