import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Admin settings as JSON documents by key (e.g. `deadlines`). */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) key: string;
  @Column({ type: 'jsonb' }) value: unknown;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
