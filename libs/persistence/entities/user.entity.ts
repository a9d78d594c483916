import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { InstitutionEntity } from './institution.entity.js';

export const ROLES = ['admin', 'township_doctor', 'county_doctor', 'coordinator'] as const;
export type Role = (typeof ROLES)[number];

@Entity('users')
@Unique('UQ_users_username', ['username'])
@Check('CHK_users_role', `"role" IN ('admin', 'township_doctor', 'county_doctor', 'coordinator')`)
@Check('CHK_users_institution', `("role" = 'admin') OR ("institution_id" IS NOT NULL)`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 64 }) username: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 255 }) passwordHash: string;
  @Column({ name: 'display_name', type: 'varchar', length: 100 }) displayName: string;
  @Column({ type: 'varchar', length: 32 }) role: Role;
  @Index('IDX_users_institution')
  @Column({ name: 'institution_id', type: 'uuid', nullable: true }) institutionId: string | null;
  @ManyToOne(() => InstitutionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_users_institution' })
  institution?: Relation<InstitutionEntity>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
