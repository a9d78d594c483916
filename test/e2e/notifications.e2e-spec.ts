import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyWebhookSignature } from '../../libs/notifications/webhook-signature.js';
import { bearer, createCommunity, type Community } from '../../libs/testing/fixtures.js';
import { actOk, createReferral, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';
import { deliveries, inbox, inboxRows, subscribe, waitFor, WebhookReceiver } from '../integration/notifications/notification-helpers.js';

describe('notifications through HTTP: inbox, webhooks, timeline', () => {
  let t: TestApp;
  let c: Community;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (statuses?: number[]) => {
    const r = await new WebhookReceiver(statuses).start();
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
  });
  afterAll(async () => {
    for (const r of receivers) await r.stop();
    await t?.close();
  });

  it('tells exactly the right people: the destination of a submission, the author and origin coordinators of an answer', async () => {
    const body = upReferral(c);
    const up = await createReferral(t, c.townshipDoctor, body);
    const submitted = await waitFor('submitted inbox entries', async () => {
      const rows = await inboxRows(t, up.id, 'referral.submitted');
      return rows.length >= 2 && rows;
    });
    expect(submitted.map((r) => r.user_id).sort()).toEqual([c.countyDoctor.user.id, c.countyCoordinator.user.id].sort());

    // The county coordinator sees it in the inbox, the patient masked.
    const entry = await waitFor('the coordinator inbox entry', async () => (await inbox(t, c.countyCoordinator)).find((n) => n.referralId === up.id));
    expect(entry).toMatchObject({ event: 'referral.submitted', readAt: null });
    expect(entry.title).toContain(body.patient.name);
    expect(entry.title).toContain(`${body.patient.idNumber.slice(0, 3)}***********${body.patient.idNumber.slice(-4)}`);
    expect(`${entry.title} ${entry.body}`).not.toContain(body.patient.idNumber);
    expect(`${entry.title} ${entry.body}`).not.toContain(body.patient.phone);
    expect(await inbox(t, c.townshipDoctor)).toEqual([]);

    await actOk(t, c.countyCoordinator, up, 'accept', { department: '心内科' });
    const accepted = await waitFor('accepted inbox entries', async () => {
      const rows = await inboxRows(t, up.id, 'referral.accepted');
      return rows.length >= 2 && rows;
    });
    expect(accepted.map((r) => r.user_id).sort()).toEqual([c.townshipDoctor.user.id, c.townshipCoordinator.user.id].sort());
    // Nobody else hears of it: the other township, and the county (who acted) get nothing about the acceptance.
    expect(await inbox(t, c.otherTownshipDoctor)).toEqual([]);
    expect((await inbox(t, c.countyDoctor)).map((n) => n.event)).toEqual(['referral.submitted']);
  });

  it('also texts the destination about an emergency, through the SMS provider', async () => {
    const up = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency' }));
    const sms = await waitFor('the text messages', async () => {
      const rows: { user_id: string; state: string }[] = await t.dataSource.query(
        `SELECT user_id, state FROM notifications WHERE referral_id = $1 AND channel = 'sms' ORDER BY user_id`,
        [up.id],
      );
      return rows.length === 2 && rows.every((r) => r.state === 'sent') && rows;
    });
    expect(sms.map((r) => r.user_id).sort()).toEqual([c.countyDoctor.user.id, c.countyCoordinator.user.id].sort());
    const routine = await createReferral(t, c.townshipDoctor, upReferral(c));
    await waitFor('the routine inbox entries', async () => (await inboxRows(t, routine.id)).length === 2);
    expect(await t.dataSource.query(`SELECT 1 FROM notifications WHERE referral_id = $1 AND channel = 'sms'`, [routine.id])).toEqual([]);
  });

  it('reads an entry idempotently, keeps others out, filters unread and counts', async () => {
    const up = await createReferral(t, c.townshipDoctor, upReferral(c));
    const entry = await waitFor('an inbox entry', async () => (await inbox(t, c.countyDoctor, '?unread=true')).find((n) => n.referralId === up.id));
    const before = await t.http.get('/api/v1/inbox/unread-count').set(bearer(c.countyDoctor));
    expect(before.status).toBe(200);
    expect(before.body.count).toBeGreaterThanOrEqual(1);

    const first = await t.http.post(`/api/v1/inbox/${entry.id}/read`).set(bearer(c.countyDoctor));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: entry.id, referralId: up.id, event: 'referral.submitted', readAt: expect.any(String) });
    const again = await t.http.post(`/api/v1/inbox/${entry.id}/read`).set(bearer(c.countyDoctor));
    expect(again.status).toBe(200);
    expect(again.body.readAt).toBe(first.body.readAt);

    const stranger = await t.http.post(`/api/v1/inbox/${entry.id}/read`).set(bearer(c.countyCoordinator));
    expect(stranger.status).toBe(404);
    expect(stranger.body.code).toBe('NOT_FOUND');
    expect((await t.http.post('/api/v1/inbox/not-a-uuid/read').set(bearer(c.countyDoctor))).status).toBe(404);

    expect((await inbox(t, c.countyDoctor, '?unread=true')).map((n) => n.id)).not.toContain(entry.id);
    expect((await inbox(t, c.countyDoctor)).map((n) => n.id)).toContain(entry.id);
    const after = await t.http.get('/api/v1/inbox/unread-count').set(bearer(c.countyDoctor));
    expect(after.body.count).toBe(before.body.count - 1);
    expect((await t.http.get('/api/v1/inbox?unread=maybe').set(bearer(c.countyDoctor))).status).toBe(400);
  });

  it('pages the inbox newest first with a signed cursor', async () => {
    const all = await inbox(t, c.countyDoctor, '?limit=100');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const page1 = await t.http.get('/api/v1/inbox?limit=1').set(bearer(c.countyDoctor));
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t.http.get(`/api/v1/inbox?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`).set(bearer(c.countyDoctor));
    expect(page2.body.items[0].id).toBe(all[1].id);
    expect(page1.body.items[0].id).toBe(all[0].id);
    expect(Date.parse(all[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(all[1].createdAt));
    expect((await t.http.get('/api/v1/inbox?cursor=forged.cursor').set(bearer(c.countyDoctor))).status).toBe(400);
    expect((await t.http.get('/api/v1/inbox?limit=0').set(bearer(c.countyDoctor))).status).toBe(400);
  });

  it('registers webhooks for admins only, checks events and hosts, and never returns the secret', async () => {
    const r = await receiver();
    const ok = { url: r.url, events: ['referral.submitted'], secret: 'whsec-test-0001' };
    expect((await t.http.post('/api/v1/webhooks').set(bearer(c.countyCoordinator)).send(ok)).status).toBe(403);
    expect((await t.http.get('/api/v1/webhooks').set(bearer(c.countyCoordinator))).status).toBe(403);

    const unknown = await t.http.post('/api/v1/webhooks').set(bearer(c.admin)).send({ ...ok, events: ['referral.teleported'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.details.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'events' })]));

    const foreign = await t.http.post('/api/v1/webhooks').set(bearer(c.admin)).send({ ...ok, url: 'https://example.com/hook' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.details.fields).toEqual([expect.objectContaining({ field: 'url' })]);
    expect((await t.http.post('/api/v1/webhooks').set(bearer(c.admin)).send({ ...ok, url: 'ftp://127.0.0.1/x' })).status).toBe(400);
    expect((await t.http.post('/api/v1/webhooks').set(bearer(c.admin)).send({ url: r.url, events: ['referral.submitted'] })).status).toBe(400);

    const created = await t.http.post('/api/v1/webhooks').set(bearer(c.admin)).send({ ...ok, institutionId: c.otherTownship.id });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), url: r.url, events: ['referral.submitted'], institutionId: c.otherTownship.id, createdAt: expect.any(String) });
    expect(JSON.stringify(created.body)).not.toContain('whsec');
    const listed = await t.http.get('/api/v1/webhooks').set(bearer(c.admin));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((w: { id: string }) => w.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain('whsec');
    expect((await t.http.get(`/api/v1/webhooks/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/deliveries`).set(bearer(c.admin))).status).toBe(404);
  });

  it('delivers a correctly signed POST with the masked referral, and logs the attempt', async () => {
    const r = await receiver([200]);
    const secret = 'whsec-signing-key-1234';
    const hook = await subscribe(t, c.admin, { url: r.url, events: ['referral.submitted', 'referral.accepted'], secret, institutionId: c.county.id });
    const body = upReferral(c);
    const up = await createReferral(t, c.townshipDoctor, body);
    const committedAt = Date.now();

    const req = await waitFor('the webhook POST', async () => r.requests[0], 10_000);
    expect(req.at - committedAt).toBeLessThan(5000);
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    const ts = String(req.headers['x-referral-timestamp']);
    expect(ts).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifyWebhookSignature(secret, ts, req.raw, String(req.headers['x-referral-signature']))).toBe(true);
    expect(verifyWebhookSignature('wrong-secret', ts, req.raw, String(req.headers['x-referral-signature']))).toBe(false);
    expect(req.headers['x-referral-event']).toBe('referral.submitted');

    const payload = JSON.parse(req.raw.toString('utf8'));
    expect(req.headers['x-referral-delivery']).toBe(payload.id);
    expect(payload).toEqual({
      id: expect.any(String),
      event: 'referral.submitted',
      occurredAt: expect.any(String),
      referral: {
        id: up.id,
        number: up.number,
        direction: 'up',
        urgency: 'routine',
        status: 'submitted',
        version: 1,
        fromInstitutionId: c.township.id,
        toInstitutionId: c.county.id,
        patient: expect.objectContaining({ name: body.patient.name, phone: '138****5678' }),
      },
    });
    expect(payload.referral.patient.idNumber).toMatch(/^\d{3}\*{11}[\dX]{4}$/);
    expect(req.raw.toString('utf8')).not.toContain(body.patient.idNumber);

    const log = await waitFor('the delivered state', async () => {
      const items = await deliveries(t, c.admin, hook.id);
      return items[0]?.state === 'delivered' && items;
    });
    expect(log).toEqual([
      { id: payload.id, event: 'referral.submitted', referralId: up.id, state: 'delivered', createdAt: expect.any(String), attempts: [{ at: expect.any(String), httpStatus: 200, error: null }] },
    ]);

    // The timeline shows the delivery and the inbox entries.
    const timeline = await t.http.get(`/api/v1/referrals/${up.id}/timeline?limit=100`).set(bearer(c.townshipDoctor));
    expect(timeline.status).toBe(200);
    const notes = timeline.body.items.filter((i: { type: string }) => i.type === 'notification');
    expect(notes).toEqual(
      expect.arrayContaining([
        { type: 'notification', at: expect.any(String), notificationId: payload.id, channel: 'webhook', recipient: { webhookId: hook.id }, event: 'referral.submitted', state: 'delivered' },
        { type: 'notification', at: expect.any(String), notificationId: expect.any(String), channel: 'inbox', recipient: { userId: c.countyDoctor.user.id }, event: 'referral.submitted', state: 'delivered' },
      ]),
    );
  });

  it('retries a receiver that answers 500 and then 200, with the same delivery id', async () => {
    const r = await receiver([500, 200]);
    const hook = await subscribe(t, c.admin, { url: r.url, events: ['referral.submitted'], secret: 'retry-secret', institutionId: c.township.id });
    await createReferral(t, c.townshipDoctor, upReferral(c));
    const log = await waitFor('the retried delivery', async () => {
      const items = await deliveries(t, c.admin, hook.id);
      return items[0]?.state === 'delivered' && items;
    }, 20_000);
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1].at - r.requests[0].at).toBeLessThan(10_000);
    expect(r.requests[0].headers['x-referral-delivery']).toBe(r.requests[1].headers['x-referral-delivery']);
    expect(log[0].attempts.map((a) => a.httpStatus)).toEqual([500, 200]);
    expect(log[0].attempts[0].error).toMatch(/500/);
  });

  it('does not retry a receiver that answers 400: one attempt, failed, on the timeline', async () => {
    const r = await receiver([400]);
    const hook = await subscribe(t, c.admin, { url: r.url, events: ['referral.submitted'], secret: 'reject-secret', institutionId: c.township.id });
    const up = await createReferral(t, c.townshipDoctor, upReferral(c));
    const log = await waitFor('the failed delivery', async () => {
      const items = await deliveries(t, c.admin, hook.id);
      return items[0]?.state === 'failed' && items;
    });
    expect(log[0].attempts).toEqual([{ at: expect.any(String), httpStatus: 400, error: 'HTTP 400' }]);
    // Give a wrongly scheduled retry the time it would need to show up.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(r.requests).toHaveLength(1);
    const timeline = await t.http.get(`/api/v1/referrals/${up.id}/timeline?limit=100`).set(bearer(c.townshipDoctor));
    expect(timeline.body.items).toContainEqual(expect.objectContaining({ type: 'notification', channel: 'webhook', recipient: { webhookId: hook.id }, state: 'failed' }));
  });

  it('treats a redirect as a permanent failure and does not follow it', async () => {
    const r = await receiver([302]);
    const hook = await subscribe(t, c.admin, { url: r.url, events: ['referral.submitted'], secret: 'redirect-secret', institutionId: c.township.id });
    await createReferral(t, c.townshipDoctor, upReferral(c));
    const log = await waitFor('the failed delivery', async () => {
      const items = await deliveries(t, c.admin, hook.id);
      return items[0]?.state === 'failed' && items;
    });
    expect(log[0].attempts).toEqual([{ at: expect.any(String), httpStatus: 302, error: expect.stringMatching(/redirect/) }]);
    expect(r.requests).toHaveLength(1);
  });

  it('describes the inbox and webhook endpoints in the OpenAPI document', async () => {
    const doc = await t.http.get('/docs-json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/v1/inbox', '/api/v1/inbox/unread-count', '/api/v1/inbox/{id}/read', '/api/v1/webhooks', '/api/v1/webhooks/{id}/deliveries']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const schemas = JSON.stringify(doc.body.components.schemas);
    expect(schemas).toContain('referral.deadline_breached');
    expect(doc.body.components.schemas.WebhookDto.properties).not.toHaveProperty('secret');
  });
});
