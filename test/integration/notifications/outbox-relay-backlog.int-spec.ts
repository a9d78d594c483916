import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { RELAY_BATCH } from '../../../apps/worker/outbox-relay.js';
import { WorkerModule } from '../../../apps/worker/worker.module.js';
import { DISPATCH_JOB_EVENTS } from '../../../libs/notifications/dispatch-jobs.js';
import { QueueName } from '../../../libs/queue/queue-names.js';
import { createCommunity } from '../../../libs/testing/fixtures.js';
import { createReferral, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';
import { duplicates, outboxIds, waitFor } from './notification-helpers.js';

describe('a backlog larger than one relay claim', () => {
  let t: TestApp;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('is relayed by several claims in flight, in batched jobs, and fanned out exactly once per (event, recipient)', async () => {
    const c = await createCommunity(t);
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    // Copies of a real, current event: the relay's claims, not the write path, are under test.
    const events = RELAY_BATCH * 3 + 17;
    const ids: string[] = (
      await t.dataSource.query(
        `INSERT INTO outbox_events (referral_id, event, referral_status, referral_version, payload)
         SELECT o.referral_id, o.event, o.referral_status, o.referral_version, o.payload
           FROM generate_series(1, $2) g, outbox_events o WHERE o.referral_id = $1
         RETURNING id`,
        [r.id, events - 1],
      )
    )
      .map((x: { id: string }) => x.id)
      .concat(await outboxIds(t, r.id));
    expect(new Set(ids).size).toBe(events);

    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(t.config), { logger: false });
    await waitFor(
      'every event in the inbox',
      async () => (await t.dataSource.query(`SELECT count(DISTINCT outbox_event_id)::int AS n FROM notifications WHERE channel = 'inbox'`))[0].n === events,
      60_000,
      200,
    );
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE dispatched_at IS NULL`))[0].n).toBe(0);
    expect(await duplicates(t, ids)).toBe(0);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE channel = 'inbox'`))[0].n).toBe(events * 2);

    // The events went in jobs of at most DISPATCH_JOB_EVENTS, and each row names the job that carried it.
    const carried: { job: string | null; ids: string[] }[] = await t.dataSource.query(
      `SELECT dispatch_job_id AS job, array_agg(id::text ORDER BY id) AS ids FROM outbox_events GROUP BY dispatch_job_id`,
    );
    expect(carried.every((c) => c.job !== null && c.ids.length <= DISPATCH_JOB_EVENTS)).toBe(true);
    expect(carried.length).toBeGreaterThanOrEqual(Math.ceil(events / DISPATCH_JOB_EVENTS));
    const queue = worker.get<Queue>(getQueueToken(QueueName.Notifications));
    for (const { job, ids } of carried) {
      const held = await queue.getJob(job!);
      expect(held?.data.events.map((e: { outboxId: string }) => e.outboxId).sort()).toEqual(ids);
    }
  });
});
