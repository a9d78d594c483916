import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox events travel to the fan-out in batches, one queue job per batch: each row records the job that carries
 * it (`dispatch_job_id`, written by the relay's claim), so the queue-loss sweep can ask the queue about that job.
 * Rows dispatched before this migration were carried by a job of their own, under the row's id (NULL here).
 */
export class OutboxDispatchJob1796500000000 implements MigrationInterface {
  name = 'OutboxDispatchJob1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_events" ADD "dispatch_job_id" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP COLUMN "dispatch_job_id"`);
  }
}
