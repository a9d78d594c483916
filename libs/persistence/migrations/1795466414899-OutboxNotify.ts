import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the outbox relay when a transaction that wrote outbox rows commits (NOTIFY is delivered at commit, once per
 * transaction), so the relay need not poll fast. Written by hand: TypeORM does not model triggers.
 */
export class OutboxNotify1795466414899 implements MigrationInterface {
  name = 'OutboxNotify1795466414899';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "notify_outbox_events"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('outbox_events', ''); RETURN NULL; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "TRG_outbox_events_notify" AFTER INSERT ON "outbox_events" FOR EACH STATEMENT EXECUTE FUNCTION "notify_outbox_events"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_outbox_events_notify" ON "outbox_events"`);
    await queryRunner.query(`DROP FUNCTION "notify_outbox_events"()`);
  }
}
