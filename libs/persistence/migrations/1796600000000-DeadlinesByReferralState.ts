import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every transition looks up the open deadlines of its own referral (`referral_id = $1 AND state = 'open'`). With
 * only `(referral_id)` and the sweeper's partial `(due_at) WHERE state = 'open'` to choose from, the planner
 * combined the two in a BitmapAnd whenever its statistics undercounted open deadlines, reading every open deadline
 * in the community on each transition. One index on `(referral_id, state)` answers that lookup alone and still
 * serves "all deadlines of a referral" (the timeline) by its prefix, so it replaces `(referral_id)`.
 */
export class DeadlinesByReferralState1796600000000 implements MigrationInterface {
  name = 'DeadlinesByReferralState1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_referral_state" ON "referral_deadlines" ("referral_id", "state")`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_referral"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_referral_deadlines_referral" ON "referral_deadlines" ("referral_id")`);
    await queryRunner.query(`DROP INDEX "public"."IDX_referral_deadlines_referral_state"`);
  }
}
