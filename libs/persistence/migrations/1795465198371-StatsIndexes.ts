import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StatsIndexes1795465198371 implements MigrationInterface {
  name = 'StatsIndexes1795465198371';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_referrals_stats_created" ON "referrals"  ("created_at") WHERE "last_submitted_at" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_stats_from_created" ON "referrals"  ("from_institution_id", "created_at") WHERE "last_submitted_at" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_stats_to_created" ON "referrals"  ("to_institution_id", "created_at") WHERE "last_submitted_at" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_open_status" ON "referrals"  ("status", "direction") WHERE "status" IN ('draft', 'submitted', 'returned', 'accepted', 'arrived')`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_stats" ON "referral_deadlines"  ("state", "kind", "referral_id") WHERE "state" = 'breached' OR "kind" = 'follow_up'`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_channel_state" ON "notifications"  ("channel", "state") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_channel_state"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_stats"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_open_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_stats_to_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_stats_from_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_stats_created"`);
  }
}
