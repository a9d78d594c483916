import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WorklistSearchIndexes1795462926765 implements MigrationInterface {
  name = 'WorklistSearchIndexes1795462926765';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_referrals_patient_id_last4" ON "referrals"  ("patient_id_last4") `);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_outgoing_status_worklist" ON "referrals"  ("from_institution_id", "status", "priority", "due_sort", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_referrals_incoming_status_worklist" ON "referrals"  ("to_institution_id", "status", "priority", "due_sort", "created_at", "id") `);
    // Hand-written: prefix search on patient names (LIKE 'q%') needs the pattern operator class.
    await queryRunner.query(`CREATE INDEX "IDX_referrals_patient_name_prefix" ON "referrals" ("patient_name" text_pattern_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_patient_name_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_incoming_status_worklist"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_outgoing_status_worklist"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referrals_patient_id_last4"`);
  }
}
