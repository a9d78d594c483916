import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NotificationDispatcher } from '../../../libs/notifications/notification-dispatcher.service.js';
import { SMS_PROVIDER, type SmsProvider } from '../../../libs/notifications/sms-provider.js';
import { createCommunity, createUser, loginAdmin, type Community } from '../../../libs/testing/fixtures.js';
import { actOk, createReferral, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';
import { deliveries, duplicates, inboxRows, outboxIds, subscribe, WebhookReceiver } from './notification-helpers.js';

describe('the batched fan-out: many events per statement, each exactly once', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    // No worker: the test dispatches by hand, as the worker's batches do.
    t = await createTestApp({ withWorker: false });
    c = await createCommunity(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes every event of a batch once, however the batches overlap, repeat or race', async () => {
    const referrals = await Promise.all([1, 2, 3, 4].map(() => createReferral(t, c.townshipDoctor, upReferral(c))));
    await actOk(t, c.countyCoordinator, referrals[0], 'accept', { department: '心内科' });
    const ids = (await Promise.all(referrals.map((r) => outboxIds(t, r.id)))).flat();
    expect(ids).toHaveLength(5);

    const dispatcher = t.app.get(NotificationDispatcher);
    const first = await dispatcher.dispatchMany([...ids, ids[0]]);
    expect([...first.keys()].sort()).toEqual([...ids].sort());
    // Four submissions to the county's coordinator and doctor, one acceptance to the township's doctor and coordinator.
    expect([...first.values()].reduce((n, r) => n + (r instanceof Error ? NaN : r.inbox), 0)).toBe(10);

    await Promise.all([dispatcher.dispatchMany(ids), dispatcher.dispatchMany([...ids].reverse()), dispatcher.dispatch(ids[2]), dispatcher.dispatchMany(ids.slice(1, 3))]);
    const again = await dispatcher.dispatchMany(ids);
    expect([...again.values()].every((r) => !(r instanceof Error) && r.inbox === 0)).toBe(true);
    expect(await duplicates(t, ids)).toBe(0);
    const rows: { n: number }[] = await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE outbox_event_id = ANY($1::uuid[]) AND channel = 'inbox'`, [ids]);
    expect(rows[0].n).toBe(10);
    // The first referral's submission was superseded by its acceptance before anything was dispatched.
    expect((await inboxRows(t, referrals[0].id, 'referral.submitted')).map((r) => r.state)).toEqual(['superseded', 'superseded']);
    expect((await inboxRows(t, referrals[1].id, 'referral.submitted')).map((r) => r.state)).toEqual(['delivered', 'delivered']);
  });

  it('gives each event of a mixed batch its own channels: texts for an emergency, a delivery per matching webhook', async () => {
    const receiver = await new WebhookReceiver([200]).start();
    try {
      const hook = await subscribe(t, c.admin, { url: receiver.url, events: ['referral.submitted'], secret: 'batch-secret', institutionId: c.township.id });
      const emergency = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency' }));
      const routine = await createReferral(t, c.townshipDoctor, upReferral(c));
      const ids = [...(await outboxIds(t, emergency.id)), ...(await outboxIds(t, routine.id))];
      const results = await t.app.get(NotificationDispatcher).dispatchMany(ids);
      expect(results.get(ids[0])).toEqual({ superseded: false, inbox: 2, sms: 2, webhooks: 1 });
      expect(results.get(ids[1])).toEqual({ superseded: false, inbox: 2, sms: 0, webhooks: 1 });
      const sms: { state: string }[] = await t.dataSource.query(`SELECT state FROM notifications WHERE referral_id = $1 AND channel = 'sms'`, [emergency.id]);
      expect(sms.map((s) => s.state)).toEqual(['sent', 'sent']);
      expect((await deliveries(t, c.admin, hook.id)).map((d) => [d.referralId, d.state]).sort()).toEqual(
        [
          [emergency.id, 'pending'],
          [routine.id, 'pending'],
        ].sort(),
      );
    } finally {
      await receiver.stop();
    }
  });

  it("fails only the event whose text message the provider refused; its retry sends what is left, once", async () => {
    const provider = t.app.get<SmsProvider>(SMS_PROVIDER);
    const failing = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency' }));
    const fine = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency' }));
    const [failingId] = await outboxIds(t, failing.id);
    const [fineId] = await outboxIds(t, fine.id);
    const sent: string[] = [];
    let refuse = true;
    const spy = jest.spyOn(provider, 'send').mockImplementation(async (m) => {
      if (m.referralId === failing.id && refuse) {
        refuse = false;
        throw new Error('gateway busy');
      }
      sent.push(`${m.referralId}:${m.userId}`);
    });
    try {
      const dispatcher = t.app.get(NotificationDispatcher);
      const results = await dispatcher.dispatchMany([failingId, fineId]);
      expect(results.get(failingId)).toMatchObject({ message: 'gateway busy' });
      expect(results.get(fineId)).toMatchObject({ inbox: 2, sms: 2 });
      expect((await inboxRows(t, failing.id)).length).toBe(2);

      await expect(dispatcher.dispatch(failingId)).resolves.toMatchObject({ inbox: 0, sms: 0 });
      await dispatcher.dispatch(failingId);
      expect(sent.filter((s) => s.startsWith(failing.id)).sort()).toEqual([`${failing.id}:${c.countyDoctor.user.id}`, `${failing.id}:${c.countyCoordinator.user.id}`].sort());
      expect(sent.filter((s) => s.startsWith(fine.id))).toHaveLength(2);
      const states: { state: string }[] = await t.dataSource.query(`SELECT state FROM notifications WHERE referral_id = $1 AND channel = 'sms'`, [failing.id]);
      expect(states.map((s) => s.state)).toEqual(['sent', 'sent']);
    } finally {
      spy.mockRestore();
    }
  });

  it('reads the recipients at dispatch: a coordinator moved to another institution hears nothing more from the old one', async () => {
    const admin = await loginAdmin(t);
    const leaving = await createUser(t, admin, 'coordinator', c.county.id, '调离的协调员');
    const before = await createReferral(t, c.townshipDoctor, upReferral(c));
    const dispatcher = t.app.get(NotificationDispatcher);
    await dispatcher.dispatchMany(await outboxIds(t, before.id));
    expect((await inboxRows(t, before.id)).map((r) => r.user_id)).toContain(leaving.user.id);

    await t.dataSource.query(`UPDATE users SET institution_id = $2 WHERE id = $1`, [leaving.user.id, c.otherTownship.id]);
    const after = await createReferral(t, c.townshipDoctor, upReferral(c));
    await dispatcher.dispatchMany(await outboxIds(t, after.id));
    expect((await inboxRows(t, after.id)).map((r) => r.user_id).sort()).toEqual([c.countyDoctor.user.id, c.countyCoordinator.user.id].sort());
  });
});
