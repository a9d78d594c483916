import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox and notification rows record when they were written (clock_timestamp) rather than when their transaction
 * began; the supersession check's "latest status change of this referral" becomes one probe of a composite index
 * (it replaces the single-column one). Written by hand: TypeORM's generated version also dropped and rebuilt every
 * index on `created_at`, which a default change does not need.
 */
export class NotificationWriteTimes1796353189285 implements MigrationInterface {
  name = 'NotificationWriteTimes1796353189285';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_events" ALTER COLUMN "created_at" SET DEFAULT clock_timestamp()`);
    await queryRunner.query(`ALTER TABLE "notifications" ALTER COLUMN "created_at" SET DEFAULT clock_timestamp()`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_events_referral_version" ON "outbox_events"  ("referral_id", "referral_version") `);
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_events_referral"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_outbox_events_referral" ON "outbox_events" ("referral_id") `);
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_events_referral_version"`);
    await queryRunner.query(`ALTER TABLE "notifications" ALTER COLUMN "created_at" SET DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "outbox_events" ALTER COLUMN "created_at" SET DEFAULT now()`);
  }
}
