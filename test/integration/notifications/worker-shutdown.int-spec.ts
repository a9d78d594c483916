import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { WorkerModule } from '../../../apps/worker/worker.module.js';
import { intoDispatchJobs } from '../../../libs/notifications/dispatch-jobs.js';
import { NotificationProducer } from '../../../libs/notifications/notification-producer.js';
import { QueueName } from '../../../libs/queue/queue-names.js';
import { createCommunity } from '../../../libs/testing/fixtures.js';
import { createReferral, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';
import { inboxRows, outboxIds, subscribe, waitFor } from './notification-helpers.js';

// The test holds a row lock from a second session, which the embedded stack (one PostgreSQL session) cannot.
const onServerStack = (process.env.TEST_STACK ?? 'postgres') === 'postgres';

(onServerStack ? describe : describe.skip)('stopping a worker while a fan-out job runs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('waits for the job: its inbox entries are written and its webhook delivery queued before the queues close', async () => {
    const c = await createCommunity(t);
    await subscribe(t, c.admin, { url: 'http://127.0.0.1:9/hook', events: ['referral.submitted'], secret: 'shutdown-secret' });
    const referral = await createReferral(t, c.townshipDoctor, upReferral(c));
    const [id] = await outboxIds(t, referral.id);
    // The test plays the relay, and holds the event's outbox row so that the fan-out statement waits for it.
    const [job] = intoDispatchJobs([{ id, correlationId: null }]);
    await t.dataSource.query(`UPDATE outbox_events SET dispatched_at = now(), dispatch_job_id = $2 WHERE id = $1`, [id, job.jobId]);
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT id FROM outbox_events WHERE id = $1 FOR SHARE`, [id]);

    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(t.config), { logger: false });
    const notifications = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    try {
      await t.app.get(NotificationProducer).dispatch([job]);
      await waitFor('the fan-out to wait for the row', async () => {
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%fanned_out_at%'`,
        );
        return n > 0;
      });
      const closing = worker.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.commitTransaction();
      await closing;
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }

    expect(await (await notifications.getJob(job.jobId))!.getState()).toBe('completed');
    expect(await inboxRows(t, referral.id, 'referral.submitted')).toHaveLength(2);
    const [delivery]: { id: string }[] = await t.dataSource.query(`SELECT id FROM notifications WHERE outbox_event_id = $1 AND channel = 'webhook'`, [id]);
    expect(await t.app.get<Queue>(getQueueToken(QueueName.Webhooks)).getJob(delivery.id)).toBeDefined();
  });
});
