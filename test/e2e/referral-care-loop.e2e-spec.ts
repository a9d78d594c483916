import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createCommunity, type Community } from '../../libs/testing/fixtures.js';
import { act, actOk, createReferral, handover, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

describe('the care loop through HTTP: up, return, resubmit, accept, arrive, complete, down, take over', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
  });
  afterAll(async () => t?.close());

  it('walks one patient around the whole loop', async () => {
    // 1. The gate refuses a grassroots-first condition without an indication, and says which would qualify.
    const refused = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).send(upReferral(c, { indications: [] }));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('GATE_NOT_SATISFIED');
    expect(refused.body.details.conditionCode).toBe('hypertension');
    expect(refused.body.details.indications).toEqual(
      expect.arrayContaining([{ code: 'hypertension.up.14', text: expect.stringContaining('2~3个月'), emergency: false }]),
    );

    // 2. Citing an upward indication passes: submitted, judged by catalogue version 1, respond clock running.
    const body = upReferral(c);
    let up = await createReferral(t, c.townshipDoctor, body);
    expect(up).toMatchObject({
      direction: 'up',
      status: 'submitted',
      version: 1,
      fromInstitution: { id: c.township.id, name: '城关镇卫生院' },
      toInstitution: { id: c.county.id, name: '县人民医院' },
      gate: { catalogueVersion: 1, conditionCode: 'hypertension', outcome: 'indication_cited' },
      patient: body.patient,
      parentReferralId: null,
      childReferralIds: [],
      handover: null,
      returnReason: null,
      deadlines: [{ kind: 'respond', dueAt: expect.any(String), state: 'open' }],
    });
    expect(up.number).toMatch(/^ZZ\d{8}-\d{6}$/);
    expect(up.allowedActions).toEqual(['cancel']);

    // 3. The county sees it in its incoming worklist (patient masked) with accept/return/cancel-free actions.
    const incoming = await t.http.get('/api/v1/referrals?box=incoming').set(bearer(c.countyCoordinator));
    expect(incoming.status).toBe(200);
    const listed = incoming.body.items.find((r: { id: string }) => r.id === up.id);
    expect(listed.patient.idNumber).toMatch(/^\d{3}\*{11}[\dX]{4}$/);
    expect(listed.patient.phone).toBe('138****5678');
    expect(listed.allowedActions).toEqual(expect.arrayContaining(['accept', 'return']));
    expect(listed.allowedActions).not.toContain('cancel');

    // 4. The county returns it with a coded reason.
    up = await actOk(t, c.countyCoordinator, up, 'return', { reasonCode: 'information_incomplete', comment: '请补充近3个月血压记录' });
    expect(up).toMatchObject({
      status: 'returned',
      version: 2,
      returnReason: { code: 'information_incomplete', labelZh: '转诊资料不完整', comment: '请补充近3个月血压记录', by: { displayName: '王协调员' } },
    });
    expect(up.deadlines).toEqual([expect.objectContaining({ kind: 'respond', state: 'met' })]);

    // 5. The township fixes it (PATCH) and resubmits.
    const patched = await t.http
      .patch(`/api/v1/referrals/${up.id}`)
      .set(bearer(c.townshipDoctor))
      .send({ version: up.version, history: '高血压10年；近3个月血压 165/100 左右' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 3, history: '高血压10年；近3个月血压 165/100 左右' });
    up = await actOk(t, c.townshipDoctor, patched.body, 'resubmit');
    expect(up).toMatchObject({ status: 'submitted', version: 4 });

    // 6. Accept with a department and appointment, the patient arrives, the county completes with an outcome.
    up = await actOk(t, c.countyCoordinator, up, 'accept', { department: '心内科', appointmentAt: '2026-12-01T09:30:00+08:00' });
    expect(up).toMatchObject({ status: 'accepted', appointment: { department: '心内科', at: '2026-12-01T01:30:00.000Z' } });
    expect(up.deadlines.map((d: { kind: string; state: string }) => `${d.kind}:${d.state}`)).toEqual(
      expect.arrayContaining(['respond:met', 'respond:met', 'arrive:open']),
    );
    up = await actOk(t, c.countyDoctor, up, 'arrive');
    expect(up.status).toBe('arrived');
    expect(up.arrivedAt).toEqual(expect.any(String));
    up = await actOk(t, c.countyDoctor, up, 'complete', { outcome: { diagnosis: '原发性高血压 2级', summary: '调整方案后血压达标', recommendations: '下转基层随访' } });
    expect(up).toMatchObject({ status: 'completed', outcome: { diagnosis: '原发性高血压 2级', summary: '调整方案后血压达标' }, allowedActions: [] });

    // 7. The county doctor refers the patient back down with a handover, continuing the same care loop.
    const downBody = {
      direction: 'down',
      urgency: 'routine',
      patient: body.patient,
      toInstitutionId: c.township.id,
      diagnosis: { icd10: 'I10.x00', text: '原发性高血压 2级' },
      reason: '病情稳定，转回基层管理',
      consent: { obtained: true, by: 'patient' },
      parentReferralId: up.id,
      handover: handover(),
    };
    let down = await createReferral(t, c.countyDoctor, downBody);
    expect(down).toMatchObject({ direction: 'down', status: 'submitted', gate: null, parentReferralId: up.id, handover: downBody.handover });
    const parent = await t.http.get(`/api/v1/referrals/${up.id}`).set(bearer(c.townshipDoctor));
    expect(parent.body.childReferralIds).toEqual([down.id]);

    // 8. The township takes over: accept, arrive, complete with the family doctor; the 2-week follow-up starts.
    down = await actOk(t, c.townshipCoordinator, down, 'accept', { department: '全科' });
    down = await actOk(t, c.townshipDoctor, down, 'arrive');
    down = await actOk(t, c.townshipDoctor, down, 'complete', { outcome: { familyDoctor: '赵家庭医生', summary: '已建立随访计划' } });
    expect(down).toMatchObject({ status: 'completed', outcome: { familyDoctor: '赵家庭医生' } });
    const followUp = down.deadlines.find((d: { kind: string }) => d.kind === 'follow_up');
    expect(followUp.state).toBe('open');
    const days = (Date.parse(followUp.dueAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThan(14.1);

    // 9. The timeline tells the story in order.
    const timeline = await t.http.get(`/api/v1/referrals/${up.id}/timeline?limit=100`).set(bearer(c.townshipDoctor));
    expect(timeline.status).toBe(200);
    const transitions = timeline.body.items.filter((i: { type: string }) => i.type === 'transition');
    expect(transitions.map((i: { action: string; from: string | null; to: string }) => `${i.action}:${i.from}->${i.to}`)).toEqual([
      'submit:null->submitted',
      'return:submitted->returned',
      'resubmit:returned->submitted',
      'accept:submitted->accepted',
      'arrive:accepted->arrived',
      'complete:arrived->completed',
    ]);
    expect(transitions[1]).toMatchObject({ actor: { displayName: '王协调员', role: 'coordinator', institutionId: c.county.id }, reason: expect.stringContaining('information_incomplete') });
    expect(timeline.body.items.some((i: { type: string; event: string }) => i.type === 'deadline' && i.event === 'opened')).toBe(true);
  });
});
