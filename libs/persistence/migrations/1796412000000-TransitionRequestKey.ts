import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History rows record the Idempotency-Key of the request that made them (`<user id> <key> <first claimed at>`, unique: see RequestKey), written in the
 * change's own statement: a retry whose first attempt died after its commit finds the change there and answers
 * with it, instead of trying again and meeting the new version.
 */
export class TransitionRequestKey1796412000000 implements MigrationInterface {
  name = 'TransitionRequestKey1796412000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "referral_transitions" ADD "request_key" character varying(300)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_referral_transitions_request_key" ON "referral_transitions"  ("request_key") WHERE "request_key" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_referral_transitions_request_key"`);
    await queryRunner.query(`ALTER TABLE "referral_transitions" DROP COLUMN "request_key"`);
  }
}
