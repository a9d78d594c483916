import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import { QueueLossSweep } from '../../../apps/worker/queue-loss-sweep.js';
import { WorkerModule } from '../../../apps/worker/worker.module.js';
import { intoDispatchJobs, type DispatchJob } from '../../../libs/notifications/dispatch-jobs.js';
import { NotificationDispatcher } from '../../../libs/notifications/notification-dispatcher.service.js';
import { NotificationProducer } from '../../../libs/notifications/notification-producer.js';
import { JobName, QueueName } from '../../../libs/queue/queue-names.js';
import { createCommunity, type Community } from '../../../libs/testing/fixtures.js';
import { createReferral, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';
import { inboxRows, outboxIds, subscribe, waitFor, WebhookReceiver } from './notification-helpers.js';

// The sweep exists for Redis, which can lose jobs apart from the database (the PostgreSQL backend cannot).
const withRedis = process.env.TEST_QUEUE === 'redis';

(withRedis ? describe : describe.skip)('the queue-loss sweep: work handed to a Redis that then forgot it', () => {
  let t: TestApp;
  let c: Community;
  let worker: INestApplicationContext | undefined;
  const receiver = new WebhookReceiver([200]);

  beforeAll(async () => {
    await receiver.start();
    // No worker until the end: the test plays the relay and the lost queue by hand.
    t = await createTestApp({ withWorker: false });
    c = await createCommunity(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await receiver.stop();
  });

  const outboxRow = async (id: string) =>
    (await t.dataSource.query(`SELECT dispatched_at, fanned_out_at, redispatches, dispatch_job_id FROM outbox_events WHERE id = $1`, [id]))[0] as {
      dispatched_at: Date | null;
      fanned_out_at: Date | null;
      redispatches: number;
      dispatch_job_id: string | null;
    };
  /** Marks events as the relay does once the queue has their job, a minute ago. */
  const markDispatched = (ids: string[], jobId: string | null) =>
    t.dataSource.query(`UPDATE outbox_events SET dispatched_at = now() - interval '1 minute', dispatch_job_id = $2 WHERE id = ANY($1::uuid[])`, [ids, jobId]);
  const submittedEvent = async () => {
    const referral = await createReferral(t, c.townshipDoctor, upReferral(c));
    const [id] = await outboxIds(t, referral.id);
    return { referral, id };
  };

  it('re-sends events and webhook deliveries whose jobs are gone or failed, leaves queued jobs alone, and fans each out once', async () => {
    const producer = t.app.get(NotificationProducer);
    const sweep = new QueueLossSweep(t.dataSource, producer, t.config);
    const notifications = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const webhooks = t.app.get<Queue>(getQueueToken(QueueName.Webhooks));
    await subscribe(t, c.admin, { url: receiver.url, events: ['referral.submitted'], secret: 'loss-secret', institutionId: c.township.id });

    // Lost: dispatched by a version that gave each event a job under its own id (no job named on the row); Redis has none.
    const lost = await submittedEvent();
    await markDispatched([lost.id], null);
    // A lost batch: two events whose rows name one job that Redis no longer has.
    const batch = [await submittedEvent(), await submittedEvent()];
    await markDispatched(batch.map((e) => e.id), 'forgotten-claim.0');
    // Failed: its job failed every attempt (a worker of the test's own that throws, before any other job is queued).
    const failed = await submittedEvent();
    const [failedJob] = intoDispatchJobs([{ id: failed.id, correlationId: null }]);
    await failJob(notifications, failedJob);
    await markDispatched([failed.id], failedJob.jobId);
    // Waiting: handed over just as long ago, and its job is still in the queue (no worker runs to take it).
    const waiting = await submittedEvent();
    const [waitingJob] = intoDispatchJobs([{ id: waiting.id, correlationId: null }]);
    await producer.dispatch([waitingJob]);
    await markDispatched([waiting.id], waitingJob.jobId);
    // Fanned out, but its webhook delivery's job was lost before a worker took it.
    const delivered = await submittedEvent();
    await t.app.get(NotificationDispatcher).dispatchMany([delivered.id]);
    const [delivery]: { id: string }[] = await t.dataSource.query(`SELECT id FROM notifications WHERE outbox_event_id = $1 AND channel = 'webhook'`, [delivered.id]);
    expect(await webhooks.remove(delivery.id)).toBe(1);
    await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '1 minute' WHERE id = $1`, [delivery.id]);
    expect((await outboxRow(delivered.id)).fanned_out_at).not.toBeNull();

    // Younger than the threshold, nothing counts as lost.
    expect(await sweep.sweep(120)).toEqual({ events: 0, deliveries: 0 });
    expect(await sweep.sweep(30)).toEqual({ events: 4, deliveries: 1 });
    // The lost events went out in one new job, which their rows now name; the failed job waits for its retry.
    const resent = await Promise.all([lost, ...batch].map((e) => outboxRow(e.id)));
    expect(new Set(resent.map((r) => r.dispatch_job_id)).size).toBe(1);
    expect(resent.map((r) => r.redispatches)).toEqual([1, 1, 1]);
    const newJob = await notifications.getJob(resent[0].dispatch_job_id!);
    expect(newJob?.data.events.map((e: { outboxId: string }) => e.outboxId).sort()).toEqual([lost.id, ...batch.map((e) => e.id)].sort());
    expect(await (await notifications.getJob(failedJob.jobId))!.getState()).toBe('waiting');
    expect((await outboxRow(failed.id))).toMatchObject({ redispatches: 1, dispatch_job_id: failedJob.jobId });
    expect(await webhooks.getJob(delivery.id)).toBeDefined();
    expect((await outboxRow(waiting.id)).redispatches).toBe(0);

    // A worker drains the queue: each event fanned out once, the webhook delivered once.
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(t.config), { logger: false });
    for (const e of [lost, ...batch, waiting, failed]) {
      await waitFor('the event in the inbox', async () => (await inboxRows(t, e.referral.id, 'referral.submitted')).length === 2);
      await waitFor('the event marked fanned out', async () => (await outboxRow(e.id)).fanned_out_at !== null);
    }
    await waitFor('six webhook deliveries', async () => receiver.requests.length === 6);
    expect(receiver.bodies().map((b) => b.referral.id).sort()).toEqual([lost, ...batch, waiting, failed, delivered].map((e) => e.referral.id).sort());

    // Nothing is left to re-send, however often the sweep runs.
    expect(await sweep.sweep(0)).toEqual({ events: 0, deliveries: 0 });
    expect((await inboxRows(t, lost.referral.id, 'referral.submitted')).length).toBe(2);
  });
});

/** Adds the job and has a throwaway worker of the same queue fail it for good. */
async function failJob(queue: Queue, job: DispatchJob): Promise<void> {
  const failing = new Worker(
    queue.name,
    async () => {
      throw new UnrecoverableError('the test fails this job');
    },
    { connection: queue.opts.connection, prefix: queue.opts.prefix, autorun: false },
  );
  const done = new Promise<void>((resolve) => failing.on('failed', () => resolve()));
  await queue.add(JobName.DispatchEvents, { events: job.events.map((e) => ({ outboxId: e.id })) }, { jobId: job.jobId, attempts: 1 });
  void failing.run();
  await done;
  await failing.close();
}
