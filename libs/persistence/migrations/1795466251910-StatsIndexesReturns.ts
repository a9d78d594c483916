import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StatsIndexesReturns1795466251910 implements MigrationInterface {
  name = 'StatsIndexesReturns1795466251910';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_stats"`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_stats_referral" ON "referral_deadlines"  ("referral_id", "state", "kind") WHERE "state" = 'breached' OR "kind" = 'follow_up'`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_transitions_returns" ON "referral_transitions"  ("referral_id") WHERE "action" = 'return'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_transitions_returns"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_stats_referral"`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_stats" ON "referral_deadlines"  ("state", "kind", "referral_id") WHERE "state" = 'breached' OR "kind" = 'follow_up'`);
  }
}
