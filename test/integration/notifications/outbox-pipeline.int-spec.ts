import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../../apps/worker/worker.module.js';
import { NotificationDispatcher } from '../../../libs/notifications/notification-dispatcher.service.js';
import { WebhookDeliveryService } from '../../../libs/notifications/webhook-delivery.service.js';
import { createCommunity, type Community } from '../../../libs/testing/fixtures.js';
import { actOk, createReferral, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';
import { deliveries, inbox, inboxRows, subscribe, waitFor, WebhookReceiver } from './notification-helpers.js';

const pendingOutbox = (t: TestApp, referralId: string) =>
  t.dataSource.query(`SELECT id, event FROM outbox_events WHERE referral_id = $1 AND dispatched_at IS NULL ORDER BY created_at`, [referralId]);

describe('the outbox pipeline: relay, fan-out, supersession, redelivery', () => {
  let t: TestApp;
  let c: Community;
  let worker: INestApplicationContext | undefined;
  const receiver = new WebhookReceiver([200]);

  beforeAll(async () => {
    await receiver.start();
    // The API alone, as when the worker (or the queue) is down: transitions must still be accepted.
    t = await createTestApp({ withWorker: false });
    c = await createCommunity(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await receiver.stop();
  });

  it('accepts transitions while no worker runs, and delivers everything once a worker starts on the same database', async () => {
    const hook = await subscribe(t, c.admin, { url: receiver.url, events: ['referral.submitted', 'referral.cancelled'], secret: 'pipeline-secret' });

    // A: submitted and still waiting. B: submitted, then cancelled before anything was delivered.
    const a = await createReferral(t, c.townshipDoctor, upReferral(c));
    let b = await createReferral(t, c.townshipDoctor, upReferral(c));
    b = await actOk(t, c.townshipDoctor, b, 'cancel', { comment: '患者改去市医院' });
    expect(b.status).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await pendingOutbox(t, a.id)).map((o: { event: string }) => o.event)).toEqual(['referral.submitted']);
    expect((await pendingOutbox(t, b.id)).map((o: { event: string }) => o.event)).toEqual(['referral.submitted', 'referral.cancelled']);
    expect(await inboxRows(t, a.id)).toEqual([]);

    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(t.config), { logger: false });

    // A's submission reaches the county's coordinator and doctor; B's "please accept" is superseded by its cancellation.
    await waitFor('the cancellation in the inbox', async () => (await inboxRows(t, b.id, 'referral.cancelled')).length === 2);
    await waitFor('A in the inbox', async () => (await inboxRows(t, a.id, 'referral.submitted')).length === 2);
    expect(await pendingOutbox(t, a.id)).toEqual([]);
    expect(await pendingOutbox(t, b.id)).toEqual([]);
    expect((await inboxRows(t, b.id, 'referral.submitted')).map((r) => r.state)).toEqual(['superseded', 'superseded']);
    const coordinatorInbox = await inbox(t, c.countyCoordinator);
    expect(coordinatorInbox.filter((n) => n.referralId === b.id).map((n) => n.event)).toEqual(['referral.cancelled']);
    expect(coordinatorInbox.filter((n) => n.referralId === a.id).map((n) => n.event)).toEqual(['referral.submitted']);

    // The webhook: A's submission and B's cancellation are delivered; B's submission is superseded, never sent.
    const log = await waitFor('two delivered webhooks', async () => {
      const items = await deliveries(t, c.admin, hook.id);
      return items.filter((d) => d.state === 'delivered').length === 2 && items;
    });
    const byKey = Object.fromEntries(log.map((d) => [`${d.referralId === a.id ? 'a' : 'b'}:${d.event}`, d]));
    expect(byKey['a:referral.submitted'].state).toBe('delivered');
    expect(byKey['b:referral.cancelled'].state).toBe('delivered');
    expect(byKey['b:referral.submitted']).toMatchObject({ state: 'superseded', attempts: [] });
    expect(receiver.bodies().map((x) => `${x.referral.id === a.id ? 'a' : 'b'}:${x.event}`).sort()).toEqual(['a:referral.submitted', 'b:referral.cancelled']);

    // The timeline says so too.
    const timeline = await t.http.get(`/api/v1/referrals/${b.id}/timeline?limit=100`).set({ Authorization: `Bearer ${c.townshipDoctor.token}` });
    const states = timeline.body.items
      .filter((i: { type: string }) => i.type === 'notification')
      .map((i: { channel: string; event: string; state: string }) => `${i.channel}:${i.event}:${i.state}`)
      .sort();
    expect(states).toEqual([
      'inbox:referral.cancelled:delivered',
      'inbox:referral.cancelled:delivered',
      'inbox:referral.submitted:superseded',
      'inbox:referral.submitted:superseded',
      'webhook:referral.cancelled:delivered',
      'webhook:referral.submitted:superseded',
    ]);
  });

  it('creates no duplicates when the same outbox event is dispatched again, directly or through the relay', async () => {
    const a = await createReferral(t, c.townshipDoctor, upReferral(c));
    await waitFor('the first fan-out', async () => (await inboxRows(t, a.id)).length === 2);
    // Its webhook too (on the embedded stack's polling queue it can come a second after the inbox).
    await waitFor('the first webhook delivery', async () => receiver.bodies().some((x) => x.referral.id === a.id));
    const [{ id: outboxId }] = await t.dataSource.query(`SELECT id FROM outbox_events WHERE referral_id = $1`, [a.id]);
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE outbox_event_id = $1`, [outboxId]))[0].n;
    const before = await count();

    const dispatcher = t.app.get(NotificationDispatcher);
    const again = await dispatcher.dispatch(outboxId);
    expect(again).toMatchObject({ inbox: 0, webhooks: 0 });
    await Promise.all([dispatcher.dispatch(outboxId), dispatcher.dispatch(outboxId)]);

    // As if the relay crashed after enqueuing and before marking: it relays the row again.
    await t.dataSource.query(`UPDATE outbox_events SET dispatched_at = NULL WHERE id = $1`, [outboxId]);
    await waitFor('the relay to take it again', async () => (await pendingOutbox(t, a.id)).length === 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count()).toBe(before);
    expect((await inbox(t, c.countyDoctor)).filter((n) => n.referralId === a.id)).toHaveLength(1);
    expect(receiver.bodies().filter((x) => x.referral.id === a.id)).toHaveLength(1);
  });

  it('supersedes a queued webhook delivery whose referral moved on before the attempt', async () => {
    const slow = await new WebhookReceiver([200]).start();
    try {
      const hook = await subscribe(t, c.admin, { url: slow.url, events: ['referral.submitted'], secret: 's', institutionId: c.township.id });
      await worker?.close();
      worker = undefined;
      let r = await createReferral(t, c.townshipDoctor, upReferral(c));
      const [{ id: outboxId }] = await t.dataSource.query(`SELECT id FROM outbox_events WHERE referral_id = $1`, [r.id]);
      await t.app.get(NotificationDispatcher).dispatch(outboxId);
      const [queued] = await deliveries(t, c.admin, hook.id);
      expect(queued.state).toBe('pending');

      r = await actOk(t, c.countyCoordinator, r, 'accept', { department: '心内科' });
      expect(await t.app.get(WebhookDeliveryService).attempt(queued.id, { final: false })).toBe('superseded');
      expect(slow.requests).toHaveLength(0);
      expect((await deliveries(t, c.admin, hook.id))[0]).toMatchObject({ id: queued.id, state: 'superseded', attempts: [] });
    } finally {
      await slow.stop();
    }
  });

  it('marks a delivery failed after its last retryable attempt, recording every attempt', async () => {
    const down = await new WebhookReceiver([503]).start();
    try {
      const hook = await subscribe(t, c.admin, { url: down.url, events: ['referral.submitted'], secret: 's', institutionId: c.township.id });
      const r = await createReferral(t, c.townshipDoctor, upReferral(c));
      const [{ id: outboxId }] = await t.dataSource.query(`SELECT id FROM outbox_events WHERE referral_id = $1`, [r.id]);
      await t.app.get(NotificationDispatcher).dispatch(outboxId);
      const [queued] = await deliveries(t, c.admin, hook.id);
      const service = t.app.get(WebhookDeliveryService);
      await expect(service.attempt(queued.id, { final: false })).rejects.toThrow(/503/);
      expect((await deliveries(t, c.admin, hook.id))[0].state).toBe('pending');
      expect(await service.attempt(queued.id, { final: true })).toBe('failed');
      const [failed] = await deliveries(t, c.admin, hook.id);
      expect(failed).toMatchObject({ state: 'failed', attempts: [{ httpStatus: 503, error: 'HTTP 503' }, { httpStatus: 503, error: 'HTTP 503' }] });
      expect(down.requests).toHaveLength(2);
      expect(down.requests[0].headers['x-referral-delivery']).toBe(down.requests[1].headers['x-referral-delivery']);
      // A stray further attempt does nothing.
      expect(await service.attempt(queued.id, { final: true })).toBe('skipped');
    } finally {
      await down.stop();
    }
  });
});

describe('with the queue unreachable', () => {
  let t: TestApp;
  let worker: INestApplicationContext | undefined;
  // BullMQ reports every failed reconnect on console.error when a queue has no error listener: expected here.
  let quiet: { mockRestore(): void } | undefined;

  beforeAll(async () => {
    quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // Nothing listens on port 1: every queue call from this process would fail or wait.
    t = await createTestApp({ withWorker: false, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    quiet?.mockRestore();
  });

  it('still accepts transitions, and the notifications arrive once a worker with a working queue runs', async () => {
    const c = await createCommunity(t);
    let r = await createReferral(t, c.townshipDoctor, upReferral(c));
    r = await actOk(t, c.countyDoctor, r, 'accept', { department: '心内科' });
    expect(r.status).toBe('accepted');
    expect(await inboxRows(t, r.id)).toEqual([]);

    const redisUrl = process.env.TEST_QUEUE === 'redis' ? (process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...t.config, queue: { ...t.config.queue, redisUrl } }), { logger: false });
    const rows = await waitFor('the acceptance in the origin inbox', async () => {
      const all = await inboxRows(t, r.id, 'referral.accepted');
      return all.length === 2 && all;
    });
    expect(rows.map((x) => x.user_id).sort()).toEqual([c.townshipDoctor.user.id, c.townshipCoordinator.user.id].sort());
    expect((await inboxRows(t, r.id, 'referral.submitted')).map((x) => x.state)).toEqual(['superseded', 'superseded']);
  });
});
