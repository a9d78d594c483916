import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A stored response per (user, Idempotency-Key), kept at least 24 hours. */
@Entity('idempotency_keys')
@Check('CHK_idempotency_keys_state', `"state" IN ('running', 'done')`)
@Index('IDX_idempotency_keys_created', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @PrimaryColumn({ type: 'varchar', length: 128 }) key: string;
  @Column({ type: 'varchar', length: 64 }) fingerprint: string;
  @Column({ type: 'varchar', length: 8 }) state: string;
  /** While running: until when the owner holds it; a crashed owner's lease lapses and a retry takes over. */
  @Column({ type: 'timestamptz' }) leaseUntil: Date;
  @Column({ type: 'integer', nullable: true }) responseStatus: number | null;
  @Column({ type: 'jsonb', nullable: true }) responseBody: unknown;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
