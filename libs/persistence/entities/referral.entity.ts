import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn, type Relation } from 'typeorm';
import type { Patient } from '../../domain/referral/patient.js';
import type { Direction, ReferralStatus, Urgency } from '../../domain/referral/referral-status.js';
import { InstitutionEntity } from './institution.entity.js';

/** One referral (转诊单), upward or downward. Its `status` is written only by the referral write path. */
@Entity('referrals')
@Unique('UQ_referrals_number', ['number'])
@Check('CHK_referrals_direction', `"direction" IN ('up', 'down')`)
@Check('CHK_referrals_urgency', `"urgency" IN ('routine', 'urgent', 'emergency')`)
@Check(
  'CHK_referrals_status',
  `"status" IN ('draft', 'submitted', 'returned', 'accepted', 'arrived', 'completed', 'cancelled', 'no_show', 'expired')`,
)
// 一个患者在同一转出机构最多一张未结束的上转单: enforced by the database, not only in code.
@Index('UQ_referrals_open_up_per_patient', ['fromInstitutionId', 'patientKey'], {
  unique: true,
  where: `"direction" = 'up' AND "status" IN ('draft', 'submitted', 'returned', 'accepted', 'arrived')`,
})
// Worklists: emergency first, then the earliest open deadline, then age, per institution and box.
@Index('IDX_referrals_incoming_worklist', ['toInstitutionId', 'priority', 'dueSort', 'createdAt', 'id'])
@Index('IDX_referrals_outgoing_worklist', ['fromInstitutionId', 'priority', 'dueSort', 'createdAt', 'id'])
// The same, filtered by status ("what needs action now": submitted), without scanning other statuses.
@Index('IDX_referrals_incoming_status_worklist', ['toInstitutionId', 'status', 'priority', 'dueSort', 'createdAt', 'id'])
@Index('IDX_referrals_outgoing_status_worklist', ['fromInstitutionId', 'status', 'priority', 'dueSort', 'createdAt', 'id'])
@Index('IDX_referrals_parent', ['parentReferralId'])
@Index('IDX_referrals_patient_id_last4', ['patientIdLast4'])
// Name search is a prefix match on a text_pattern_ops index, created by hand in the migration (TypeORM cannot
// declare operator classes); synchronize: false keeps the schema diff from dropping it.
@Index('IDX_referrals_patient_name_prefix', { synchronize: false })
export class ReferralEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 32 }) number: string;
  @Column({ type: 'varchar', length: 8 }) direction: Direction;
  @Column({ type: 'varchar', length: 16 }) urgency: Urgency;
  @Column({ type: 'varchar', length: 16 }) status: ReferralStatus;
  @Column({ type: 'integer', default: 1 }) version: number;
  /** 0 for emergencies, 1 otherwise: the first worklist sort key. */
  @Column({ type: 'smallint' }) priority: number;
  /** The earliest open deadline, or 'infinity' when none: the second worklist sort key. */
  @Column({ type: 'timestamptz', default: () => `'infinity'` }) dueSort: Date;
  @Column({ type: 'uuid' }) fromInstitutionId: string;
  @ManyToOne(() => InstitutionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_institution_id', foreignKeyConstraintName: 'FK_referrals_from_institution' })
  fromInstitution?: Relation<InstitutionEntity>;
  @Column({ type: 'uuid' }) toInstitutionId: string;
  @ManyToOne(() => InstitutionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_institution_id', foreignKeyConstraintName: 'FK_referrals_to_institution' })
  toInstitution?: Relation<InstitutionEntity>;
  @Column({ type: 'varchar', length: 200, nullable: true }) toDepartment: string | null;
  @Column({ type: 'uuid' }) authorId: string;
  @Column({ type: 'jsonb' }) patient: Patient;
  /** `id:<resident id>` or `hr:<health record no>`: the duplicate-open-referral key. */
  @Column({ type: 'varchar', length: 100 }) patientKey: string;
  @Column({ type: 'varchar', length: 100 }) patientName: string;
  @Column({ type: 'varchar', length: 4, nullable: true }) patientIdLast4: string | null;
  @Column({ type: 'varchar', length: 32 }) diagnosisIcd10: string;
  @Column({ type: 'text' }) diagnosisText: string;
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'jsonb', default: () => `'[]'` }) indications: string[];
  @Column({ type: 'jsonb', nullable: true }) override: { justification: string } | null;
  @Column({ type: 'jsonb', nullable: true }) gate: Record<string, unknown> | null;
  @Column({ type: 'jsonb' }) consent: Record<string, unknown>;
  @Column({ type: 'text', nullable: true }) history: string | null;
  @Column({ type: 'text', nullable: true }) allergies: string | null;
  @Column({ type: 'text', nullable: true }) treatmentSoFar: string | null;
  @Column({ type: 'uuid', nullable: true }) parentReferralId: string | null;
  @ManyToOne(() => ReferralEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_referral_id', foreignKeyConstraintName: 'FK_referrals_parent' })
  parentReferral?: Relation<ReferralEntity>;
  @Column({ type: 'jsonb', nullable: true }) handover: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) appointment: Record<string, unknown> | null;
  @Column({ type: 'timestamptz', nullable: true }) arrivedAt: Date | null;
  @Column({ type: 'jsonb', nullable: true }) returnReason: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) outcome: Record<string, unknown> | null;
  /** When the referral was last submitted (or resubmitted): expiry and time-to-accept run from here. */
  @Column({ type: 'timestamptz', nullable: true }) lastSubmittedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) acceptedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
