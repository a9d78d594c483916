import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One failed login; counted per username over a sliding window for the contract's login rate limit. */
@Entity('login_failures')
@Index('IDX_login_failures_username_at', ['username', 'attemptedAt'])
export class LoginFailureEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'varchar', length: 200 }) username: string;
  @Column({ name: 'attempted_at', type: 'timestamptz', default: () => 'now()' }) attemptedAt: Date;
}
