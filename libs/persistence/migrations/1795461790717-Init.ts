import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795461790717 implements MigrationInterface {
  name = 'Init1795461790717';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "institutions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "level" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_institutions_code" UNIQUE ("code"), CONSTRAINT "CHK_institutions_level" CHECK ("level" IN ('county', 'township', 'village')), CONSTRAINT "PK_0be7539dcdba335470dc05e9690" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "login_failures" ("id" BIGSERIAL NOT NULL, "username" character varying(200) NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8211e8ec810fd7f976b98ce97a0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_login_failures_username_at" ON "login_failures"  ("username", "attempted_at") `);
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "password_hash" character varying(255) NOT NULL, "display_name" character varying(100) NOT NULL, "role" character varying(32) NOT NULL, "institution_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_users_username" UNIQUE ("username"), CONSTRAINT "CHK_users_institution" CHECK (("role" = 'admin') OR ("institution_id" IS NOT NULL)), CONSTRAINT "CHK_users_role" CHECK ("role" IN ('admin', 'township_doctor', 'county_doctor', 'coordinator')), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_users_institution" ON "users"  ("institution_id") `);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_users_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_users_institution"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_users_institution"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_login_failures_username_at"`);
    await queryRunner.query(`DROP TABLE "login_failures"`);
    await queryRunner.query(`DROP TABLE "institutions"`);
  }
}
