import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QueueLossSweep } from '../../../apps/worker/queue-loss-sweep.js';
import { WorkerModule } from '../../../apps/worker/worker.module.js';
import { NotificationDispatcher } from '../../../libs/notifications/notification-dispatcher.service.js';
import { NotificationProducer } from '../../../libs/notifications/notification-producer.js';
import { QueueName } from '../../../libs/queue/queue-names.js';
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
    (await t.dataSource.query(`SELECT dispatched_at, fanned_out_at, redispatches FROM outbox_events WHERE id = $1`, [id]))[0] as {
      dispatched_at: Date | null;
      fanned_out_at: Date | null;
      redispatches: number;
    };

  it('re-sends events and webhook deliveries whose jobs are gone, leaves queued jobs alone, and fans each out once', async () => {
    const sweep = new QueueLossSweep(t.dataSource, t.app.get(NotificationProducer), t.config);
    const notifications = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const webhooks = t.app.get<Queue>(getQueueToken(QueueName.Webhooks));
    await subscribe(t, c.admin, { url: receiver.url, events: ['referral.submitted'], secret: 'loss-secret', institutionId: c.township.id });

    // Lost: marked dispatched a minute ago, as the relay does once Redis has the job, but Redis has none.
    const lost = await createReferral(t, c.townshipDoctor, upReferral(c));
    const [lostId] = await outboxIds(t, lost.id);
    await t.dataSource.query(`UPDATE outbox_events SET dispatched_at = now() - interval '1 minute' WHERE id = $1`, [lostId]);
    // Waiting: handed over just as long ago, and its job is still in the queue (no worker runs to take it).
    const waiting = await createReferral(t, c.townshipDoctor, upReferral(c));
    const [waitingId] = await outboxIds(t, waiting.id);
    await t.app.get(NotificationProducer).dispatch([{ id: waitingId, correlationId: null }]);
    await t.dataSource.query(`UPDATE outbox_events SET dispatched_at = now() - interval '1 minute' WHERE id = $1`, [waitingId]);
    // Fanned out, but its webhook delivery's job was lost before a worker took it.
    const delivered = await createReferral(t, c.townshipDoctor, upReferral(c));
    const [deliveredId] = await outboxIds(t, delivered.id);
    await t.app.get(NotificationDispatcher).dispatchMany([deliveredId]);
    const [delivery]: { id: string }[] = await t.dataSource.query(`SELECT id FROM notifications WHERE outbox_event_id = $1 AND channel = 'webhook'`, [deliveredId]);
    expect(await webhooks.remove(delivery.id)).toBe(1);
    await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '1 minute' WHERE id = $1`, [delivery.id]);
    expect((await outboxRow(deliveredId)).fanned_out_at).not.toBeNull();

    // Younger than the threshold, nothing counts as lost.
    expect(await sweep.sweep(120)).toEqual({ events: 0, deliveries: 0 });
    expect(await sweep.sweep(30)).toEqual({ events: 1, deliveries: 1 });
    expect(await notifications.getJob(lostId)).toBeDefined();
    expect(await webhooks.getJob(delivery.id)).toBeDefined();
    expect((await outboxRow(lostId)).redispatches).toBe(1);
    expect((await outboxRow(waitingId)).redispatches).toBe(0);

    // A worker drains the queue: each event fanned out once, the webhook delivered once.
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(t.config), { logger: false });
    for (const [referral, id] of [
      [lost, lostId],
      [waiting, waitingId],
    ] as const) {
      await waitFor('the event in the inbox', async () => (await inboxRows(t, referral.id, 'referral.submitted')).length === 2);
      await waitFor('the event marked fanned out', async () => (await outboxRow(id)).fanned_out_at !== null);
    }
    await waitFor('three webhook deliveries', async () => receiver.requests.length === 3);
    expect(receiver.bodies().map((b) => b.referral.id).sort()).toEqual([lost.id, waiting.id, delivered.id].sort());

    // Nothing is left to re-send, however often the sweep runs.
    expect(await sweep.sweep(0)).toEqual({ events: 0, deliveries: 0 });
    expect((await inboxRows(t, lost.id, 'referral.submitted')).length).toBe(2);
  });
});
