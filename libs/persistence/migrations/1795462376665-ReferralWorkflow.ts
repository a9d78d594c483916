import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReferralWorkflow1795462376665 implements MigrationInterface {
  name = 'ReferralWorkflow1795462376665';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Human-readable referral numbers (ZZ-yyyymmdd-000123) draw from one sequence: unique across processes.
    await queryRunner.query(`CREATE SEQUENCE "referral_number_seq"`);
    await queryRunner.query(`CREATE TABLE "deadline_events" ("id" BIGSERIAL NOT NULL, "referral_id" uuid NOT NULL, "deadline_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "event" character varying(16) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_deadline_events_event" CHECK ("event" IN ('opened', 'met', 'breached', 'escalated', 'cancelled')), CONSTRAINT "PK_454e8eb5a8da91cc48d7962bd11" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_deadline_events_referral" ON "deadline_events"  ("referral_id", "at") `);
    await queryRunner.query(`CREATE TABLE "idempotency_keys" ("user_id" uuid NOT NULL, "key" character varying(128) NOT NULL, "fingerprint" character varying(64) NOT NULL, "state" character varying(8) NOT NULL, "lease_until" TIMESTAMP WITH TIME ZONE NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_idempotency_keys_state" CHECK ("state" IN ('running', 'done')), CONSTRAINT "PK_392b1af86f210d98d3f0c764728" PRIMARY KEY ("user_id", "key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_keys_created" ON "idempotency_keys"  ("created_at") `);
    await queryRunner.query(`CREATE TABLE "outbox_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid, "event" character varying(64) NOT NULL, "referral_status" character varying(16), "referral_version" integer, "payload" jsonb NOT NULL DEFAULT '{}', "correlation_id" character varying(128), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_events_referral" ON "outbox_events"  ("referral_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_events_pending" ON "outbox_events"  ("created_at") WHERE "dispatched_at" IS NULL`);
    await queryRunner.query(`CREATE TABLE "reason_codes" ("code" character varying(64) NOT NULL, "label_zh" character varying(200) NOT NULL, "label_en" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10a9f60ddba7bc9f6396a38eaae" PRIMARY KEY ("code"))`);
    await queryRunner.query(`CREATE TABLE "referrals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "number" character varying(32) NOT NULL, "direction" character varying(8) NOT NULL, "urgency" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "version" integer NOT NULL DEFAULT '1', "priority" smallint NOT NULL, "due_sort" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT 'infinity', "from_institution_id" uuid NOT NULL, "to_institution_id" uuid NOT NULL, "to_department" character varying(200), "author_id" uuid NOT NULL, "patient" jsonb NOT NULL, "patient_key" character varying(100) NOT NULL, "patient_name" character varying(100) NOT NULL, "patient_id_last4" character varying(4), "diagnosis_icd10" character varying(32) NOT NULL, "diagnosis_text" text NOT NULL, "reason" text NOT NULL, "indications" jsonb NOT NULL DEFAULT '[]', "override" jsonb, "gate" jsonb, "consent" jsonb NOT NULL, "history" text, "allergies" text, "treatment_so_far" text, "parent_referral_id" uuid, "handover" jsonb, "appointment" jsonb, "arrived_at" TIMESTAMP WITH TIME ZONE, "return_reason" jsonb, "outcome" jsonb, "last_submitted_at" TIMESTAMP WITH TIME ZONE, "accepted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_referrals_number" UNIQUE ("number"), CONSTRAINT "CHK_referrals_status" CHECK ("status" IN ('draft', 'submitted', 'returned', 'accepted', 'arrived', 'completed', 'cancelled', 'no_show', 'expired')), CONSTRAINT "CHK_referrals_urgency" CHECK ("urgency" IN ('routine', 'urgent', 'emergency')), CONSTRAINT "CHK_referrals_direction" CHECK ("direction" IN ('up', 'down')), CONSTRAINT "PK_ea9980e34f738b6252817326c08" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_parent" ON "referrals"  ("parent_referral_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_outgoing_worklist" ON "referrals"  ("from_institution_id", "priority", "due_sort", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_incoming_worklist" ON "referrals"  ("to_institution_id", "priority", "due_sort", "created_at", "id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_referrals_open_up_per_patient" ON "referrals"  ("from_institution_id", "patient_key") WHERE "direction" = 'up' AND "status" IN ('draft', 'submitted', 'returned', 'accepted', 'arrived')`);
    await queryRunner.query(`CREATE TABLE "referral_deadlines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'open', "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, "breached_at" TIMESTAMP WITH TIME ZONE, "escalations_done" integer NOT NULL DEFAULT '0', CONSTRAINT "CHK_referral_deadlines_state" CHECK ("state" IN ('open', 'met', 'breached', 'cancelled')), CONSTRAINT "CHK_referral_deadlines_kind" CHECK ("kind" IN ('respond', 'arrive', 'follow_up')), CONSTRAINT "PK_89db14d6f42e1b0310623fc6a1b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_open_due" ON "referral_deadlines"  ("due_at") WHERE "state" = 'open'`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_referral" ON "referral_deadlines"  ("referral_id") `);
    await queryRunner.query(`CREATE TABLE "referral_transitions" ("id" BIGSERIAL NOT NULL, "referral_id" uuid NOT NULL, "from_status" character varying(16), "to_status" character varying(16) NOT NULL, "action" character varying(16) NOT NULL, "actor" jsonb, "reason" text, "catalogue_version" integer, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3b5828182b4ff9ea0725db4d6bb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_referral_transitions_referral" ON "referral_transitions"  ("referral_id", "id") `);
    await queryRunner.query(`CREATE TABLE "settings" ("key" character varying(64) NOT NULL, "value" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c8639b7626fa94ba8265628f214" PRIMARY KEY ("key"))`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD CONSTRAINT "FK_referrals_from_institution" FOREIGN KEY ("from_institution_id") REFERENCES "institutions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD CONSTRAINT "FK_referrals_to_institution" FOREIGN KEY ("to_institution_id") REFERENCES "institutions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD CONSTRAINT "FK_referrals_parent" FOREIGN KEY ("parent_referral_id") REFERENCES "referrals"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referral_deadlines" ADD CONSTRAINT "FK_referral_deadlines_referral" FOREIGN KEY ("referral_id") REFERENCES "referrals"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "referral_transitions" ADD CONSTRAINT "FK_referral_transitions_referral" FOREIGN KEY ("referral_id") REFERENCES "referrals"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "referral_transitions" DROP CONSTRAINT "FK_referral_transitions_referral"`);
    await queryRunner.query(`ALTER TABLE "referral_deadlines" DROP CONSTRAINT "FK_referral_deadlines_referral"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP CONSTRAINT "FK_referrals_parent"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP CONSTRAINT "FK_referrals_to_institution"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP CONSTRAINT "FK_referrals_from_institution"`);
    await queryRunner.query(`DROP TABLE "settings"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_transitions_referral"`);
    await queryRunner.query(`DROP TABLE "referral_transitions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_referral"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_open_due"`);
    await queryRunner.query(`DROP TABLE "referral_deadlines"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_referrals_open_up_per_patient"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_incoming_worklist"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_outgoing_worklist"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_parent"`);
    await queryRunner.query(`DROP TABLE "referrals"`);
    await queryRunner.query(`DROP TABLE "reason_codes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_events_pending"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_events_referral"`);
    await queryRunner.query(`DROP TABLE "outbox_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_idempotency_keys_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_deadline_events_referral"`);
    await queryRunner.query(`DROP TABLE "deadline_events"`);
    await queryRunner.query(`DROP SEQUENCE "referral_number_seq"`);
  }
}
