import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Transactional outbox: written in the same transaction as the state change it announces; the worker's relay
 * claims undispatched rows (FOR UPDATE SKIP LOCKED) and enqueues them in batches, one job per batch.
 */
@Entity('outbox_events')
@Index('IDX_outbox_events_pending', ['createdAt'], { where: `"dispatched_at" IS NULL` })
// A referral's events, and the version of its latest status change (the supersession check) in one index probe.
// Handed to the queue, not yet fanned out: what the queue-loss sweep looks through (and outbox_in_flight counts).
@Index('IDX_outbox_events_in_flight', ['dispatchedAt'], { where: `"fanned_out_at" IS NULL AND "dispatched_at" IS NOT NULL` })
@Index('IDX_outbox_events_referral_version', ['referralId', 'referralVersion'])
export class OutboxEventEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', nullable: true }) referralId: string | null;
  /** Webhook event name, e.g. `referral.submitted`, `referral.deadline_breached`. */
  @Column({ type: 'varchar', length: 64 }) event: string;
  /** The referral's status and version right after the change: a later status supersedes pending deliveries. */
  @Column({ type: 'varchar', length: 16, nullable: true }) referralStatus: string | null;
  @Column({ type: 'integer', nullable: true }) referralVersion: number | null;
  @Column({ type: 'jsonb', default: () => `'{}'` }) payload: Record<string, unknown>;
  @Column({ type: 'varchar', length: 128, nullable: true }) correlationId: string | null;
  /**
   * When the row was written, not when its transaction began (clock_timestamp, not now()): the write path inserts
   * it in the statement that makes and commits the change, so this is the closest the database records to the commit.
   */
  @CreateDateColumn({ type: 'timestamptz', default: () => 'clock_timestamp()' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) dispatchedAt: Date | null;
  /** The queue job that carries the event to the fan-out (set with dispatchedAt; NULL: a job under this row's id). */
  @Column({ type: 'varchar', length: 64, nullable: true }) dispatchJobId: string | null;
  /** When the fan-out statement wrote this event's inbox entries and deliveries (set by that statement). */
  @Column({ type: 'timestamptz', nullable: true }) fannedOutAt: Date | null;
  /** How often the event was handed to the queue again because it had not come out (see QueueLossSweep). */
  @Column({ type: 'integer', default: 0 }) redispatches: number;
}
