import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { CatalogueConditionColumns } from './catalogue-condition.entity.js';
import { UserEntity } from './user.entity.js';

/** The admins' working copy of the whole catalogue; publishing freezes it as the next version. */
@Entity('catalogue_draft_conditions')
@Check('CHK_catalogue_draft_conditions_tier', `"tier" IN ('township', 'county')`)
export class CatalogueDraftConditionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_catalogue_draft_conditions' }) code: string;
  @Column(() => CatalogueConditionColumns, { prefix: false }) fields: CatalogueConditionColumns;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Index('IDX_catalogue_draft_conditions_updated_by')
  @Column({ type: 'uuid', nullable: true }) updatedBy: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'FK_catalogue_draft_conditions_updated_by' })
  updater?: Relation<UserEntity>;
}
