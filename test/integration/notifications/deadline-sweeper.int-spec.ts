import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeadlineSweeper } from '../../../libs/notifications/deadline-sweeper.service.js';
import { bearer, createCommunity, type Community } from '../../../libs/testing/fixtures.js';
import { actOk, createReferral, handover, patient, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';
import { inbox, inboxRows, subscribe, waitFor, WebhookReceiver } from './notification-helpers.js';

const MINUTE = 60_000;

describe('the deadline sweeper', () => {
  let t: TestApp;
  let c: Community;
  let sweeper: DeadlineSweeper;
  const receiver = new WebhookReceiver([200]);

  const deadline = async (referralId: string, kind: string) =>
    (await t.dataSource.query(`SELECT id, state, breached_at, escalations_done FROM referral_deadlines WHERE referral_id = $1 AND kind = $2`, [referralId, kind]))[0];
  const deadlineEvents = async (referralId: string) =>
    (await t.dataSource.query(`SELECT kind, event FROM deadline_events WHERE referral_id = $1 ORDER BY id`, [referralId])).map(
      (e: { kind: string; event: string }) => `${e.kind}:${e.event}`,
    );
  const outbox = async (referralId: string) =>
    (await t.dataSource.query(`SELECT event, payload FROM outbox_events WHERE referral_id = $1 ORDER BY created_at`, [referralId])) as {
      event: string;
      payload: Record<string, unknown>;
    }[];
  const transitions = async (referralId: string, action: string) =>
    (await t.dataSource.query(`SELECT actor FROM referral_transitions WHERE referral_id = $1 AND action = $2`, [referralId, action])) as { actor: unknown }[];
  const passDue = (referralId: string, kind: string, minutesAgo = 1) =>
    t.dataSource.query(`UPDATE referral_deadlines SET due_at = now() - make_interval(mins => $3) WHERE referral_id = $1 AND kind = $2 AND state = 'open'`, [
      referralId,
      kind,
      minutesAgo,
    ]);

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp();
    c = await createCommunity(t);
    sweeper = t.app.get(DeadlineSweeper);
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('breaches a passed respond deadline and runs each escalation step once, even with two sweepers at once', async () => {
    await subscribe(t, c.admin, { url: receiver.url, events: ['referral.deadline_breached'], secret: 'escalation-secret' });
    const r = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'urgent', patient: patient() }));
    await passDue(r.id, 'respond');

    // Step 0 (afterMinutes 0, the destination's coordinators) runs with the breach.
    await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    const breached = await deadline(r.id, 'respond');
    expect(breached).toMatchObject({ state: 'breached', escalations_done: 1 });
    expect(await deadlineEvents(r.id)).toEqual(['respond:opened', 'respond:breached', 'respond:escalated']);
    expect((await outbox(r.id)).filter((o) => o.event === 'referral.deadline_breached').map((o) => o.payload)).toEqual([
      { deadlineId: breached.id, step: 0, notify: 'coordinator' },
    ]);
    const rows = await waitFor('the escalation in the inbox', async () => {
      const all = await inboxRows(t, r.id, 'referral.deadline_breached');
      return all.length > 0 && all;
    });
    expect(rows.map((x) => x.user_id)).toEqual([c.countyCoordinator.user.id]);
    const entry = (await inbox(t, c.countyCoordinator)).find((n) => n.referralId === r.id && n.event === 'referral.deadline_breached');
    expect(entry?.title).toMatch(/超时/);

    // Running again, now or until the next step is due, changes nothing.
    const at = (minutes: number) => new Date(new Date(breached.breached_at).getTime() + minutes * MINUTE);
    await sweeper.sweep();
    await Promise.all([sweeper.sweep(at(59)), sweeper.sweep(at(59))]);
    expect((await deadline(r.id, 'respond')).escalations_done).toBe(1);

    // Step 1 (afterMinutes 60, all admins) runs once, however many sweepers race for it.
    await Promise.all([sweeper.sweep(at(61)), sweeper.sweep(at(61)), sweeper.sweep(at(61))]);
    await sweeper.sweep(at(600));
    expect((await deadline(r.id, 'respond')).escalations_done).toBe(2);
    expect(await deadlineEvents(r.id)).toEqual(['respond:opened', 'respond:breached', 'respond:escalated', 'respond:escalated']);
    await waitFor('the admin escalation', async () => (await inbox(t, c.admin)).some((n) => n.referralId === r.id));
    expect((await inbox(t, c.admin)).filter((n) => n.referralId === r.id)).toHaveLength(1);
    expect((await inboxRows(t, r.id, 'referral.deadline_breached')).map((x) => x.user_id).sort()).toEqual([c.countyCoordinator.user.id, c.admin.user.id].sort());

    // Webhooks subscribed to referral.deadline_breached hear of both steps.
    const bodies = await waitFor('two escalation webhooks', async () => {
      const mine = receiver.bodies().filter((b) => b.referral.id === r.id);
      return mine.length === 2 && mine;
    });
    expect(bodies.map((b) => b.escalation.notify).sort()).toEqual(['admin', 'coordinator']);
    expect(bodies.every((b) => b.event === 'referral.deadline_breached' && b.referral.status === 'submitted')).toBe(true);

    // The timeline shows the breach and the escalations.
    const timeline = await t.http.get(`/api/v1/referrals/${r.id}/timeline?limit=100`).set(bearer(c.countyCoordinator));
    const deadlineItems = timeline.body.items.filter((i: { type: string }) => i.type === 'deadline').map((i: { event: string }) => i.event);
    expect(deadlineItems).toEqual(['opened', 'breached', 'escalated', 'escalated']);
  });

  it('stops escalating once the referral is answered', async () => {
    let r = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient() }));
    await passDue(r.id, 'respond');
    await sweeper.sweep();
    const breached = await deadline(r.id, 'respond');
    expect(breached.escalations_done).toBe(1);
    r = await actOk(t, c.countyCoordinator, r, 'accept', { department: '心内科' });
    await sweeper.sweep(new Date(new Date(breached.breached_at).getTime() + 120 * MINUTE));
    expect((await deadline(r.id, 'respond')).escalations_done).toBe(1);
  });

  it('moves an accepted referral whose arrive deadline passed to no_show through the write path, once', async () => {
    let r = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient() }));
    r = await actOk(t, c.countyCoordinator, r, 'accept', { department: '心内科' });
    await passDue(r.id, 'arrive');
    await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    await sweeper.sweep();

    const view = await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.townshipDoctor));
    expect(view.body).toMatchObject({ status: 'no_show', version: r.version + 1 });
    expect(view.body.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'arrive', state: 'breached' })]));
    expect(await transitions(r.id, 'no_show')).toEqual([{ actor: null }]);
    const rows = await waitFor('the no-show notice', async () => {
      const all = await inboxRows(t, r.id, 'referral.no_show');
      return all.length === 2 && all;
    });
    expect(rows.map((x) => x.user_id).sort()).toEqual([c.townshipDoctor.user.id, c.townshipCoordinator.user.id].sort());
  });

  it('expires a referral still submitted expireAfterDays after its last submit, once', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient() }));
    await t.dataSource.query(`UPDATE referrals SET last_submitted_at = now() - interval '31 days' WHERE id = $1`, [r.id]);
    await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    await sweeper.sweep();
    const view = await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.townshipDoctor));
    expect(view.body.status).toBe('expired');
    expect(await transitions(r.id, 'expire')).toEqual([{ actor: null }]);
    expect(view.body.deadlines).toEqual([expect.objectContaining({ kind: 'respond', state: 'cancelled' })]);
    await waitFor('the expiry notice', async () => (await inboxRows(t, r.id, 'referral.expired')).length === 2);
  });

  it('honours new settings: a shorter expiry applies on the next sweep', async () => {
    const settings = (await t.http.get('/api/v1/settings/deadlines').set(bearer(c.admin))).body;
    const r = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient() }));
    await t.dataSource.query(`UPDATE referrals SET last_submitted_at = now() - interval '2 days' WHERE id = $1`, [r.id]);
    await sweeper.sweep();
    expect((await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.townshipDoctor))).body.status).toBe('submitted');
    const put = await t.http.put('/api/v1/settings/deadlines').set(bearer(c.admin)).send({ ...settings, expireAfterDays: 1 });
    expect(put.status).toBe(200);
    try {
      await sweeper.sweep();
      expect((await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.townshipDoctor))).body.status).toBe('expired');
    } finally {
      await t.http.put('/api/v1/settings/deadlines').set(bearer(c.admin)).send(settings);
    }
  });

  it('breaches a passed follow-up deadline without escalating or changing the referral', async () => {
    const p = patient();
    let up = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: p }));
    up = await actOk(t, c.countyCoordinator, up, 'accept', { department: '心内科' });
    up = await actOk(t, c.countyDoctor, up, 'arrive');
    up = await actOk(t, c.countyDoctor, up, 'complete', { outcome: { diagnosis: '原发性高血压', summary: '血压达标' } });
    let down = await createReferral(t, c.countyDoctor, {
      direction: 'down',
      urgency: 'routine',
      patient: p,
      toInstitutionId: c.township.id,
      diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
      reason: '病情稳定，转回基层管理',
      consent: { obtained: true, by: 'patient' },
      parentReferralId: up.id,
      handover: handover(),
    });
    down = await actOk(t, c.townshipCoordinator, down, 'accept', { department: '全科' });
    down = await actOk(t, c.townshipDoctor, down, 'arrive');
    down = await actOk(t, c.townshipDoctor, down, 'complete', { outcome: { familyDoctor: '赵家庭医生', summary: '已建立随访计划' } });
    await passDue(down.id, 'follow_up');
    await sweeper.sweep();
    await sweeper.sweep();
    expect(await deadline(down.id, 'follow_up')).toMatchObject({ state: 'breached', escalations_done: 0 });
    expect((await deadlineEvents(down.id)).filter((e: string) => e.startsWith('follow_up'))).toEqual(['follow_up:opened', 'follow_up:breached']);
    const view = await t.http.get(`/api/v1/referrals/${down.id}`).set(bearer(c.countyDoctor));
    expect(view.body).toMatchObject({ status: 'completed', version: down.version });
    expect((await outbox(down.id)).map((o) => o.event)).not.toContain('referral.deadline_breached');
  });
});
