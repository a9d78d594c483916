import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { UserEntity } from './user.entity.js';

export const CATALOGUE_AUDIT_ACTIONS = ['create', 'update', 'delete', 'import', 'publish', 'seed'] as const;
export type CatalogueAuditAction = (typeof CATALOGUE_AUDIT_ACTIONS)[number];

/** Every edit of the draft and every publish: who, when, what changed. Append-only. */
@Entity('catalogue_audit_log')
@Check('CHK_catalogue_audit_log_action', `"action" IN ('create', 'update', 'delete', 'import', 'publish', 'seed')`)
@Index('IDX_catalogue_audit_log_at', ['at', 'id'])
export class CatalogueAuditEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_catalogue_audit_log' }) id: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Index('IDX_catalogue_audit_log_actor')
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'FK_catalogue_audit_log_actor' })
  actor?: Relation<UserEntity>;
  @Column({ type: 'varchar', length: 16 }) action: CatalogueAuditAction;
  @Index('IDX_catalogue_audit_log_condition')
  @Column({ type: 'varchar', length: 64, nullable: true }) conditionCode: string | null;
  /** The version a publish created (or the seed loaded). */
  @Column({ type: 'int', nullable: true }) version: number | null;
  /** What changed: changed field names with before/after values, import counts, a publish's change list. */
  @Column({ type: 'jsonb' }) details: Record<string, unknown>;
}
