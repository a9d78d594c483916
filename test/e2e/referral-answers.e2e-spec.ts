import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApiApp } from '../../apps/api/bootstrap.js';
import { bearer, createCommunity, type Community, type SignedIn } from '../../libs/testing/fixtures.js';
import { act, actOk, createReferral, handover, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

/**
 * The write path answers with the referral as its own statement left it (no read after the write): the deadlines it
 * closed and opened, its children, its new version. Every answer must be exactly what a fresh read shows the same
 * user, through every action and both directions.
 */
describe('every create and action answers the referral exactly as a fresh GET shows it', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
    c = await createCommunity(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function expectFresh(answer: Record<string, any>, who: SignedIn): Promise<{ id: string; version: number } & Record<string, any>> {
    const read = await t.http.get(`/api/v1/referrals/${answer.id}`).set(bearer(who));
    expect(read.status).toBe(200);
    expect(answer).toEqual(read.body);
    return answer as { id: string; version: number };
  }

  it('up: submit, return, resubmit, accept, arrive, complete; down with a parent: accept, arrive, complete', async () => {
    let up = await expectFresh(await createReferral(t, c.townshipDoctor, upReferral(c)), c.townshipDoctor);
    expect(up.deadlines.map((d: { kind: string; state: string }) => `${d.kind}:${d.state}`)).toEqual(['respond:open']);
    up = await expectFresh(await actOk(t, c.countyCoordinator, up, 'return', { reasonCode: 'information_incomplete', comment: '补充血压记录' }), c.countyCoordinator);
    expect(up.deadlines.map((d: { kind: string; state: string }) => `${d.kind}:${d.state}`)).toEqual(['respond:met']);
    up = await expectFresh(await actOk(t, c.townshipDoctor, up, 'resubmit'), c.townshipDoctor);
    expect(up.deadlines.map((d: { kind: string; state: string }) => `${d.kind}:${d.state}`)).toEqual(['respond:met', 'respond:open']);
    up = await expectFresh(await actOk(t, c.countyCoordinator, up, 'accept', { department: '心内科', appointmentAt: '2026-12-20T09:30:00+08:00' }), c.countyCoordinator);
    expect(up.deadlines.map((d: { kind: string; state: string }) => `${d.kind}:${d.state}`)).toEqual(['respond:met', 'respond:met', 'arrive:open']);
    up = await expectFresh(await actOk(t, c.countyDoctor, up, 'arrive'), c.countyDoctor);
    up = await expectFresh(await actOk(t, c.countyDoctor, up, 'complete', { outcome: { diagnosis: '高血压 2级', summary: '好转' } }), c.countyDoctor);
    expect(up).toMatchObject({ status: 'completed', version: 6, allowedActions: [], childReferralIds: [] });

    let down = await expectFresh(
      await createReferral(t, c.countyDoctor, {
        direction: 'down',
        urgency: 'routine',
        patient: up.patient,
        toInstitutionId: c.township.id,
        diagnosis: { icd10: 'I10.x00', text: '原发性高血压 2级' },
        reason: '病情稳定，转回基层管理',
        consent: { obtained: true, by: 'patient' },
        parentReferralId: up.id,
        handover: handover(),
      }),
      c.countyDoctor,
    );
    const parent = await t.http.get(`/api/v1/referrals/${up.id}`).set(bearer(c.countyDoctor));
    expect(parent.body.childReferralIds).toEqual([down.id]);
    down = await expectFresh(await actOk(t, c.townshipCoordinator, down, 'accept', { department: '全科' }), c.townshipCoordinator);
    down = await expectFresh(await actOk(t, c.townshipDoctor, down, 'arrive'), c.townshipDoctor);
    down = await expectFresh(await actOk(t, c.townshipDoctor, down, 'complete', { outcome: { familyDoctor: '赵家庭医生', summary: '已建立随访' } }), c.townshipDoctor);
    expect(down.deadlines.map((d: { kind: string }) => d.kind)).toContain('follow_up');
  });

  it('a draft, submitted, then cancelled; an emergency that arrives before acceptance', async () => {
    let draft = await expectFresh(await createReferral(t, c.townshipDoctor, { ...upReferral(c), submit: false }), c.townshipDoctor);
    expect(draft).toMatchObject({ status: 'draft', deadlines: [] });
    draft = await expectFresh(await actOk(t, c.townshipDoctor, draft, 'submit'), c.townshipDoctor);
    draft = await expectFresh(await actOk(t, c.townshipDoctor, draft, 'cancel', { comment: '患者改去市医院' }), c.townshipDoctor);
    expect(draft.deadlines.map((d: { kind: string; state: string }) => `${d.kind}:${d.state}`)).toEqual(['respond:cancelled']);

    let emergency = await expectFresh(
      await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency', indications: [], diagnosis: { icd10: 'I21.9', text: '急性心肌梗死' } })),
      c.townshipDoctor,
    );
    emergency = await expectFresh(await actOk(t, c.countyDoctor, emergency, 'arrive'), c.countyDoctor);
    expect(emergency.status).toBe('arrived');
  });
});

/**
 * Each API process remembers the referrals it last wrote (RecentReferrals) and acts on the remembered row when the
 * body names its version. Another process may have moved the referral on meanwhile: the answer must still be what
 * the database's row gives, and the change must happen once.
 */
(process.env.TEST_STACK === 'embedded' ? describe.skip : describe)('two API processes on one database: remembered rows never outvote the database', () => {
  let t: TestApp;
  let other: NestFastifyApplication;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
    other = await createApiApp({ config: t.config, withWorker: false, quiet: true, swaggerUi: false, webConsole: false });
    await other.init();
    await other.getHttpAdapter().getInstance().ready();
    c = await createCommunity(t);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('answers 409 VERSION_CONFLICT for the version this process wrote once the other process has moved on, whatever the body', async () => {
    const created = await createReferral(t, c.townshipDoctor, upReferral(c));
    // The other process accepts it: version 2 there, while this one remembers version 1.
    const accepted = await request(other.getHttpServer())
      .post(`/api/v1/referrals/${created.id}/actions/accept`)
      .set(bearer(c.countyCoordinator))
      .send({ version: created.version, department: '心内科' });
    expect(accepted.status).toBe(200);

    const again = await act(t, c.countyCoordinator, created, 'accept', { department: '神经内科' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('VERSION_CONFLICT');
    // Refused on the remembered row (return needs a reason code), yet answered as the current row says.
    const badReturn = await act(t, c.countyCoordinator, created, 'return', {});
    expect([badReturn.status, badReturn.body.code]).toEqual([409, 'VERSION_CONFLICT']);
    // Illegal on the remembered row too (arrive needs acceptance first): still the version conflict.
    const early = await act(t, c.countyDoctor, created, 'arrive');
    expect([early.status, early.body.code]).toEqual([409, 'VERSION_CONFLICT']);

    const history = await t.http.get(`/api/v1/referrals/${created.id}/timeline`).set(bearer(c.countyCoordinator));
    const transitions = history.body.items.filter((i: { type: string }) => i.type === 'transition').map((i: { action: string }) => i.action);
    expect(transitions).toEqual(['submit', 'accept']);
    const read = await t.http.get(`/api/v1/referrals/${created.id}`).set(bearer(c.countyCoordinator));
    expect(read.body).toMatchObject({ status: 'accepted', version: 2, appointment: { department: '心内科' } });
    // Read again, the row is remembered at version 2, and the next action goes through.
    const arrived = await actOk(t, c.countyDoctor, read.body, 'arrive');
    expect(arrived).toMatchObject({ status: 'arrived', version: 3 });
  });
});
