import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const INSTITUTION_LEVELS = ['county', 'township', 'village'] as const;
export type InstitutionLevel = (typeof INSTITUTION_LEVELS)[number];

@Entity('institutions')
@Unique('UQ_institutions_code', ['code'])
@Check('CHK_institutions_level', `"level" IN ('county', 'township', 'village')`)
export class InstitutionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 64 }) code: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'varchar', length: 16 }) level: InstitutionLevel;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
