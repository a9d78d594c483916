import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Coded return reasons (退回原因), admin-editable; retired codes stay for history. */
@Entity('reason_codes')
export class ReasonCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) code: string;
  @Column({ type: 'varchar', length: 200 }) labelZh: string;
  @Column({ type: 'varchar', length: 200 }) labelEn: string;
  @Column({ type: 'boolean', default: true }) active: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
