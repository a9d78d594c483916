import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { ConditionChange } from '../../domain/catalogue/diff.js';
import { UserEntity } from './user.entity.js';

/** A published catalogue version: immutable once written (the seed is version 1, each publish adds 1). */
@Entity('catalogue_versions')
@Check('CHK_catalogue_versions_version', `"version" >= 1`)
@Check('CHK_catalogue_versions_counts', `"change_count" >= 0 AND "condition_count" >= 0`)
export class CatalogueVersionEntity {
  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'PK_catalogue_versions' }) version: number;
  @Column({ type: 'timestamptz', default: () => 'now()' }) publishedAt: Date;
  /** Null only for a seed loaded before any admin existed. */
  @Column({ type: 'uuid', nullable: true }) publishedBy: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'published_by', foreignKeyConstraintName: 'FK_catalogue_versions_published_by' })
  publisher?: Relation<UserEntity>;
  @Column({ type: 'text', default: '' }) note: string;
  /** The diff against the previous version, as the contract's `changes`. */
  @Column({ type: 'jsonb' }) changes: ConditionChange[];
  @Column({ type: 'int' }) changeCount: number;
  @Column({ type: 'int' }) conditionCount: number;
}
