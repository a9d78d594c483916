import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { DownwardCriterion, Tier, UpwardIndication } from '../../domain/catalogue/condition.js';
import { CatalogueVersionEntity } from './catalogue-version.entity.js';

/** The columns of a condition, shared by published rows and the draft. */
export class CatalogueConditionColumns {
  @Column({ type: 'varchar', length: 200 }) nameZh: string;
  @Column({ type: 'varchar', length: 200 }) nameEn: string;
  /** Full pinyin without tones or spaces (`gaoxueya`), and its initials (`gxy`), for search. */
  @Column({ type: 'varchar', length: 1000 }) pinyin: string;
  @Column({ type: 'varchar', length: 200 }) pinyinInitials: string;
  @Column({ type: 'text', array: true }) icd10: string[];
  @Column({ type: 'varchar', length: 100 }) category: string;
  @Column({ type: 'varchar', length: 16 }) tier: Tier;
  @Column({ type: 'boolean' }) grassrootsFirst: boolean;
  @Column({ type: 'jsonb' }) upwardIndications: UpwardIndication[];
  @Column({ type: 'jsonb' }) downwardCriteria: DownwardCriterion[];
  @Column({ type: 'boolean', default: false }) verified: boolean;
  @Column({ type: 'text', default: '' }) source: string;
  @Column({ type: 'text', default: '' }) note: string;
}

/** One condition of one published version; rows are written once, with their version, and never change. */
@Entity('catalogue_conditions')
@Check('CHK_catalogue_conditions_tier', `"tier" IN ('township', 'county')`)
// A condition's history across versions (indication codes are never reused).
@Index('IDX_catalogue_conditions_code', ['code'])
export class CatalogueConditionEntity {
  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'PK_catalogue_conditions' }) version: number;
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_catalogue_conditions' }) code: string;
  @Column(() => CatalogueConditionColumns, { prefix: false }) fields: CatalogueConditionColumns;
  @ManyToOne(() => CatalogueVersionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'version', foreignKeyConstraintName: 'FK_catalogue_conditions_version' })
  catalogueVersion?: Relation<CatalogueVersionEntity>;
}
