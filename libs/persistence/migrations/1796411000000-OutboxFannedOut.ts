import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows record when their fan-out committed (`fanned_out_at`, written by the fan-out statement itself), so the
 * queue-loss sweep can find events handed to the queue that never came out of it (a Redis restarted without its
 * data) and hand them over again; likewise webhook deliveries still queued (`IDX_notifications_webhook_queued`).
 * Rows already dispatched before this migration count as fanned out: the engine had no way to tell, and re-fanning
 * them would only write nothing (the unique indexes) after a slow scan.
 */
export class OutboxFannedOut1796411000000 implements MigrationInterface {
  name = 'OutboxFannedOut1796411000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_events" ADD "fanned_out_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "outbox_events" ADD "redispatches" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`UPDATE "outbox_events" SET "fanned_out_at" = "dispatched_at" WHERE "dispatched_at" IS NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_events_in_flight" ON "outbox_events"  ("dispatched_at") WHERE "fanned_out_at" IS NULL AND "dispatched_at" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_notifications_webhook_queued" ON "notifications"  ("created_at") WHERE "channel" = 'webhook' AND "state" = 'queued'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_webhook_queued"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_events_in_flight"`);
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP COLUMN "redispatches"`);
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP COLUMN "fanned_out_at"`);
  }
}
