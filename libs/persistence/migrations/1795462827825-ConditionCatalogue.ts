import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConditionCatalogue1795462827825 implements MigrationInterface {
  name = 'ConditionCatalogue1795462827825';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "catalogue_audit_log" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" uuid, "action" character varying(16) NOT NULL, "condition_code" character varying(64), "version" integer, "details" jsonb NOT NULL, CONSTRAINT "CHK_catalogue_audit_log_action" CHECK ("action" IN ('create', 'update', 'delete', 'import', 'publish', 'seed')), CONSTRAINT "PK_catalogue_audit_log" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_catalogue_audit_log_actor" ON "catalogue_audit_log"  ("actor_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_catalogue_audit_log_condition" ON "catalogue_audit_log"  ("condition_code") `);
    await queryRunner.query(`CREATE INDEX "IDX_catalogue_audit_log_at" ON "catalogue_audit_log"  ("at", "id") `);
    await queryRunner.query(`CREATE TABLE "catalogue_versions" ("version" integer NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_by" uuid, "note" text NOT NULL DEFAULT '', "changes" jsonb NOT NULL, "change_count" integer NOT NULL, "condition_count" integer NOT NULL, CONSTRAINT "CHK_catalogue_versions_counts" CHECK ("change_count" >= 0 AND "condition_count" >= 0), CONSTRAINT "CHK_catalogue_versions_version" CHECK ("version" >= 1), CONSTRAINT "PK_catalogue_versions" PRIMARY KEY ("version"))`);
    await queryRunner.query(`CREATE TABLE "catalogue_conditions" ("version" integer NOT NULL, "code" character varying(64) NOT NULL, "name_zh" character varying(200) NOT NULL, "name_en" character varying(200) NOT NULL, "pinyin" character varying(1000) NOT NULL, "pinyin_initials" character varying(200) NOT NULL, "icd10" text array NOT NULL, "category" character varying(100) NOT NULL, "tier" character varying(16) NOT NULL, "grassroots_first" boolean NOT NULL, "upward_indications" jsonb NOT NULL, "downward_criteria" jsonb NOT NULL, "verified" boolean NOT NULL DEFAULT false, "source" text NOT NULL DEFAULT '', "note" text NOT NULL DEFAULT '', CONSTRAINT "CHK_catalogue_conditions_tier" CHECK ("tier" IN ('township', 'county')), CONSTRAINT "PK_catalogue_conditions" PRIMARY KEY ("version", "code"))`);
    await queryRunner.query(`CREATE INDEX "IDX_catalogue_conditions_code" ON "catalogue_conditions"  ("code") `);
    await queryRunner.query(`CREATE TABLE "catalogue_draft_conditions" ("code" character varying(64) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by" uuid, "name_zh" character varying(200) NOT NULL, "name_en" character varying(200) NOT NULL, "pinyin" character varying(1000) NOT NULL, "pinyin_initials" character varying(200) NOT NULL, "icd10" text array NOT NULL, "category" character varying(100) NOT NULL, "tier" character varying(16) NOT NULL, "grassroots_first" boolean NOT NULL, "upward_indications" jsonb NOT NULL, "downward_criteria" jsonb NOT NULL, "verified" boolean NOT NULL DEFAULT false, "source" text NOT NULL DEFAULT '', "note" text NOT NULL DEFAULT '', CONSTRAINT "CHK_catalogue_draft_conditions_tier" CHECK ("tier" IN ('township', 'county')), CONSTRAINT "PK_catalogue_draft_conditions" PRIMARY KEY ("code"))`);
    await queryRunner.query(`CREATE INDEX "IDX_catalogue_draft_conditions_updated_by" ON "catalogue_draft_conditions"  ("updated_by") `);
    await queryRunner.query(`ALTER TABLE "catalogue_audit_log" ADD CONSTRAINT "FK_catalogue_audit_log_actor" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "catalogue_versions" ADD CONSTRAINT "FK_catalogue_versions_published_by" FOREIGN KEY ("published_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "catalogue_conditions" ADD CONSTRAINT "FK_catalogue_conditions_version" FOREIGN KEY ("version") REFERENCES "catalogue_versions"("version") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "catalogue_draft_conditions" ADD CONSTRAINT "FK_catalogue_draft_conditions_updated_by" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Added by hand: published versions never change, whatever code runs against the database.
    await queryRunner.query(`CREATE FUNCTION "catalogue_published_is_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'published catalogue versions never change (% on %)', TG_OP, TG_TABLE_NAME; END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_catalogue_versions_immutable" BEFORE UPDATE OR DELETE ON "catalogue_versions" FOR EACH ROW EXECUTE FUNCTION "catalogue_published_is_immutable"()`);
    await queryRunner.query(`CREATE TRIGGER "TRG_catalogue_conditions_immutable" BEFORE UPDATE OR DELETE ON "catalogue_conditions" FOR EACH ROW EXECUTE FUNCTION "catalogue_published_is_immutable"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_catalogue_conditions_immutable" ON "catalogue_conditions"`);
    await queryRunner.query(`DROP TRIGGER "TRG_catalogue_versions_immutable" ON "catalogue_versions"`);
    await queryRunner.query(`DROP FUNCTION "catalogue_published_is_immutable"()`);
    await queryRunner.query(`ALTER TABLE "catalogue_draft_conditions" DROP CONSTRAINT "FK_catalogue_draft_conditions_updated_by"`);
    await queryRunner.query(`ALTER TABLE "catalogue_conditions" DROP CONSTRAINT "FK_catalogue_conditions_version"`);
    await queryRunner.query(`ALTER TABLE "catalogue_versions" DROP CONSTRAINT "FK_catalogue_versions_published_by"`);
    await queryRunner.query(`ALTER TABLE "catalogue_audit_log" DROP CONSTRAINT "FK_catalogue_audit_log_actor"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_catalogue_draft_conditions_updated_by"`);
    await queryRunner.query(`DROP TABLE "catalogue_draft_conditions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_catalogue_conditions_code"`);
    await queryRunner.query(`DROP TABLE "catalogue_conditions"`);
    await queryRunner.query(`DROP TABLE "catalogue_versions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_catalogue_audit_log_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_catalogue_audit_log_condition"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_catalogue_audit_log_actor"`);
    await queryRunner.query(`DROP TABLE "catalogue_audit_log"`);
  }
}
