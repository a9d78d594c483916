import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1795463021784 implements MigrationInterface {
  name = 'Notifications1795463021784';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" character varying(2048) NOT NULL, "events" text array NOT NULL, "secret" character varying(256) NOT NULL, "institution_id" uuid, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_webhook_subscriptions" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_subscriptions_institution" ON "webhook_subscriptions"  ("institution_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_subscriptions_created" ON "webhook_subscriptions"  ("created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "outbox_event_id" uuid NOT NULL, "referral_id" uuid, "event" character varying(64) NOT NULL, "channel" character varying(8) NOT NULL, "user_id" uuid, "webhook_id" uuid, "state" character varying(16) NOT NULL, "title" text, "body" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_notifications_recipient" CHECK (("channel" = 'webhook' AND "webhook_id" IS NOT NULL AND "user_id" IS NULL) OR ("channel" <> 'webhook' AND "user_id" IS NOT NULL AND "webhook_id" IS NULL)), CONSTRAINT "CHK_notifications_state" CHECK ("state" IN ('queued', 'sent', 'delivered', 'read', 'failed', 'superseded')), CONSTRAINT "CHK_notifications_channel" CHECK ("channel" IN ('inbox', 'webhook', 'sms')), CONSTRAINT "PK_notifications" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_referral" ON "notifications"  ("referral_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_webhook" ON "notifications"  ("webhook_id", "created_at", "id") WHERE "webhook_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_unread" ON "notifications"  ("user_id") WHERE "channel" = 'inbox' AND "state" <> 'superseded' AND "read_at" IS NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_inbox" ON "notifications"  ("user_id", "created_at", "id") WHERE "channel" = 'inbox' AND "state" <> 'superseded'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_notifications_event_webhook" ON "notifications"  ("outbox_event_id", "webhook_id") WHERE "webhook_id" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_notifications_event_user" ON "notifications"  ("outbox_event_id", "channel", "user_id") WHERE "user_id" IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE "webhook_attempts" ("id" BIGSERIAL NOT NULL, "notification_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "http_status" integer, "error" character varying(500), CONSTRAINT "PK_webhook_attempts" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_attempts_notification" ON "webhook_attempts"  ("notification_id", "id") `);
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "FK_webhook_subscriptions_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_notifications_outbox_event" FOREIGN KEY ("outbox_event_id") REFERENCES "outbox_events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_notifications_referral" FOREIGN KEY ("referral_id") REFERENCES "referrals"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_notifications_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_notifications_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_attempts" ADD CONSTRAINT "FK_webhook_attempts_notification" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_attempts" DROP CONSTRAINT "FK_webhook_attempts_notification"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_notifications_webhook"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_notifications_user"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_notifications_referral"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_notifications_outbox_event"`);
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" DROP CONSTRAINT "FK_webhook_subscriptions_institution"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_attempts_notification"`);
    await queryRunner.query(`DROP TABLE "webhook_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_notifications_event_user"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_notifications_event_webhook"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_inbox"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_unread"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_webhook"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_referral"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_subscriptions_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_subscriptions_institution"`);
    await queryRunner.query(`DROP TABLE "webhook_subscriptions"`);
  }
}
