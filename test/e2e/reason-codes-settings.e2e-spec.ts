import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createCommunity, type Community } from '../../libs/testing/fixtures.js';
import { act, createReferral, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

const DEFAULTS = {
  emergency: { respondWithinMinutes: 15, arriveWithinMinutes: 240 },
  urgent: { respondWithinMinutes: 60, arriveWithinMinutes: 4320 },
  routine: { respondWithinMinutes: 360, arriveWithinMinutes: 20160 },
  followUpWithinDays: 14,
  expireAfterDays: 30,
  escalation: [
    { afterMinutes: 0, notify: 'coordinator' },
    { afterMinutes: 60, notify: 'admin' },
  ],
};

describe('return reason codes and deadline settings (admin-editable)', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
  });
  afterAll(async () => t?.close());

  it('seeds the six reason codes, readable by anyone signed in', async () => {
    const res = await t.http.get('/api/v1/reason-codes').set(bearer(c.townshipDoctor));
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((r: { code: string }) => r.code)).toEqual([
      'capacity_full',
      'information_incomplete',
      'manageable_at_grassroots',
      'wrong_department',
      'patient_declined',
      'other',
    ]);
    expect(res.body.items[0]).toEqual({ code: 'capacity_full', labelZh: '床位或号源已满', labelEn: 'Capacity full', active: true });
  });

  it('lets admins add and retire codes; a retired code can no longer be used to return', async () => {
    const created = await t.http.post('/api/v1/reason-codes').set(bearer(c.admin)).send({ code: 'equipment_down', labelZh: '设备故障', labelEn: 'Equipment down' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ code: 'equipment_down', labelZh: '设备故障', labelEn: 'Equipment down', active: true });
    expect((await t.http.post('/api/v1/reason-codes').set(bearer(c.admin)).send({ code: 'equipment_down', labelZh: 'x', labelEn: 'x' })).status).toBe(409);
    expect((await t.http.post('/api/v1/reason-codes').set(bearer(c.countyCoordinator)).send({ code: 'mine', labelZh: 'x', labelEn: 'x' })).status).toBe(403);
    expect((await t.http.post('/api/v1/reason-codes').set(bearer(c.admin)).send({ code: 'Bad Code!', labelZh: 'x', labelEn: 'x' })).status).toBe(400);

    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    const retired = await t.http.patch('/api/v1/reason-codes/equipment_down').set(bearer(c.admin)).send({ active: false });
    expect(retired.status).toBe(200);
    expect(retired.body.active).toBe(false);
    const refused = await act(t, c.countyCoordinator, r, 'return', { reasonCode: 'equipment_down' });
    expect(refused.status).toBe(400);
    expect((await t.http.patch('/api/v1/reason-codes/no_such').set(bearer(c.admin)).send({ active: false })).status).toBe(404);
  });

  it('serves the contract defaults and lets only admins replace them', async () => {
    const read = await t.http.get('/api/v1/settings/deadlines').set(bearer(c.admin));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(DEFAULTS);
    expect((await t.http.get('/api/v1/settings/deadlines').set(bearer(c.countyCoordinator))).status).toBe(403);
    expect((await t.http.put('/api/v1/settings/deadlines').set(bearer(c.countyCoordinator)).send(DEFAULTS)).status).toBe(403);

    const faster = { ...DEFAULTS, routine: { respondWithinMinutes: 30, arriveWithinMinutes: 600 } };
    const put = await t.http.put('/api/v1/settings/deadlines').set(bearer(c.admin)).send(faster);
    expect(put.status).toBe(200);
    expect((await t.http.get('/api/v1/settings/deadlines').set(bearer(c.admin))).body).toEqual(faster);
    // New settings apply to deadlines opened afterwards.
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    const minutes = (Date.parse(r.deadlines[0].dueAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
  });

  it.each([
    ['a missing field', { ...DEFAULTS, expireAfterDays: undefined }],
    ['a zero respond time', { ...DEFAULTS, urgent: { respondWithinMinutes: 0, arriveWithinMinutes: 10 } }],
    ['a fraction', { ...DEFAULTS, followUpWithinDays: 1.5 }],
    ['a negative escalation delay', { ...DEFAULTS, escalation: [{ afterMinutes: -1, notify: 'admin' }] }],
    ['an unknown escalation target', { ...DEFAULTS, escalation: [{ afterMinutes: 0, notify: 'everyone' }] }],
    ['an extra key', { ...DEFAULTS, surprise: true }],
  ])('refuses %s with 400 and keeps the settings', async (_, body) => {
    const before = (await t.http.get('/api/v1/settings/deadlines').set(bearer(c.admin))).body;
    const res = await t.http.put('/api/v1/settings/deadlines').set(bearer(c.admin)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.fields.length).toBeGreaterThan(0);
    expect((await t.http.get('/api/v1/settings/deadlines').set(bearer(c.admin))).body).toEqual(before);
  });
});
