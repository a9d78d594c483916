import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createCommunity, type Community } from '../../libs/testing/fixtures.js';
import { act, actOk, createReferral, handover, patient, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

describe('referral rules: emergencies, scoping, versions, duplicates, idempotency, races', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
  });
  afterAll(async () => {
    // Whatever the tests did, every referral's status is where its history ends, and versions count the changes.
    if (t) {
      const disagreements = await t.dataSource.query(`
        SELECT r.id FROM referrals r
        JOIN LATERAL (SELECT to_status FROM referral_transitions h WHERE h.referral_id = r.id ORDER BY h.id DESC LIMIT 1) last ON true
        WHERE last.to_status <> r.status`);
      expect(disagreements).toEqual([]);
    }
    await t?.close();
  });

  const countRows = async (sql: string, params: unknown[] = []) => Number((await t.dataSource.query(sql, params))[0].n);

  it('emergency (绿色通道): bypasses the gate and may arrive before acceptance', async () => {
    let r = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency', indications: [], diagnosis: { icd10: 'I10', text: '高血压急症' } }));
    expect(r.gate).toEqual({ catalogueVersion: 1, conditionCode: 'hypertension', outcome: 'emergency_bypass' });
    const respond = r.deadlines.find((d: { kind: string }) => d.kind === 'respond');
    const minutes = (Date.parse(respond.dueAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    const seen = await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.countyDoctor));
    expect(seen.body.allowedActions).toEqual(expect.arrayContaining(['accept', 'return', 'arrive']));
    r = await actOk(t, c.countyDoctor, seen.body, 'arrive', { arrivedAt: '2026-11-23T10:00:00Z' });
    expect(r).toMatchObject({ status: 'arrived', arrivedAt: '2026-11-23T10:00:00.000Z' });
  });

  it('routine referrals cannot arrive before acceptance', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    const res = await act(t, c.countyDoctor, r, 'arrive');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('passes conditions outside the catalogue and records overrides', async () => {
    const outside = await createReferral(t, c.townshipDoctor, upReferral(c, { indications: [], diagnosis: { icd10: 'S72.0', text: '股骨颈骨折' } }));
    expect(outside.gate).toMatchObject({ outcome: 'not_in_catalogue', conditionCode: null });
    const override = await createReferral(
      t,
      c.townshipDoctor,
      upReferral(c, { indications: [], override: { justification: '患者家属强烈要求并已签字确认转诊' } }),
    );
    expect(override.gate).toMatchObject({ outcome: 'override', conditionCode: 'hypertension' });
    const tooShort = await t.http
      .post('/api/v1/referrals')
      .set(bearer(c.townshipDoctor))
      .send(upReferral(c, { indications: [], override: { justification: '  太短了  ' } }));
    expect(tooShort.status).toBe(422);
    const unknownIndication = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).send(upReferral(c, { indications: ['hypertension.up.99'] }));
    expect(unknownIndication.status).toBe(400);
  });

  it('only the origin cancels; the destination gets 409 ILLEGAL_TRANSITION', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    const byDestination = await act(t, c.countyCoordinator, r, 'cancel');
    expect(byDestination.status).toBe(409);
    expect(byDestination.body.code).toBe('ILLEGAL_TRANSITION');
    const byOriginCoordinator = await act(t, c.townshipCoordinator, r, 'cancel', { reasonCode: 'patient_declined', comment: '患者改去市医院' });
    expect(byOriginCoordinator.status).toBe(200);
    expect(byOriginCoordinator.body).toMatchObject({ status: 'cancelled', allowedActions: [] });
    expect(byOriginCoordinator.body.deadlines.every((d: { state: string }) => d.state === 'cancelled')).toBe(true);
  });

  it('a stale version gets 409 VERSION_CONFLICT and changes nothing', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    await actOk(t, c.countyCoordinator, r, 'accept', { department: '心内科' });
    const stale = await act(t, c.countyCoordinator, r, 'return', { reasonCode: 'other' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    const now = await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.countyCoordinator));
    expect(now.body).toMatchObject({ status: 'accepted', version: 2 });
  });

  it('checks actions in the contract order: party 404, unknown action 404, version 409, machine 409, payload 400', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    expect((await act(t, c.otherTownshipDoctor, r, 'cancel')).status).toBe(404);
    expect((await act(t, c.countyCoordinator, r, 'teleport')).status).toBe(404);
    expect((await act(t, c.countyCoordinator, { id: r.id, version: 7 }, 'teleport')).status).toBe(404);
    expect((await act(t, c.countyCoordinator, { id: r.id, version: 7 }, 'accept')).status).toBe(409);
    const illegal = await act(t, c.countyCoordinator, r, 'complete', { outcome: 'nonsense' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.code).toBe('ILLEGAL_TRANSITION');
    const badPayload = await act(t, c.countyCoordinator, r, 'accept', { department: '' });
    expect(badPayload.status).toBe(400);
    expect(badPayload.body.details.fields[0].field).toBe('department');
    const badReason = await act(t, c.countyCoordinator, r, 'return', { reasonCode: 'no_such_reason' });
    expect(badReason.status).toBe(400);
    const unchanged = await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.townshipDoctor));
    expect(unchanged.body).toMatchObject({ status: 'submitted', version: 1 });
  });

  it('another township sees nothing: 404 for reads, actions and timeline, and not in its lists', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    expect((await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.otherTownshipDoctor))).status).toBe(404);
    expect((await t.http.get(`/api/v1/referrals/${r.id}/timeline`).set(bearer(c.otherTownshipDoctor))).status).toBe(404);
    expect((await t.http.patch(`/api/v1/referrals/${r.id}`).set(bearer(c.otherTownshipDoctor)).send({ version: 1, reason: 'x' })).status).toBe(404);
    const list = await t.http.get('/api/v1/referrals?box=outgoing&limit=100').set(bearer(c.otherTownshipDoctor));
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(r.id);
    expect((await t.http.get('/api/v1/referrals/not-a-uuid').set(bearer(c.townshipDoctor))).status).toBe(404);
  });

  it('drafts are the origin’s alone until submitted', async () => {
    const draft = await createReferral(t, c.townshipDoctor, upReferral(c, { submit: false, indications: [] }));
    expect(draft).toMatchObject({ status: 'draft', gate: null, deadlines: [] });
    expect((await t.http.get(`/api/v1/referrals/${draft.id}`).set(bearer(c.countyCoordinator))).status).toBe(404);
    const incoming = await t.http.get('/api/v1/referrals?box=incoming&limit=100').set(bearer(c.countyCoordinator));
    expect(incoming.body.items.map((i: { id: string }) => i.id)).not.toContain(draft.id);
    const refused = await act(t, c.townshipDoctor, draft, 'submit');
    expect(refused.status).toBe(422);
    const timeline = await t.http.get(`/api/v1/referrals/${draft.id}/timeline`).set(bearer(c.townshipDoctor));
    expect(timeline.body.items[0]).toMatchObject({ type: 'transition', action: 'create', from: null, to: 'draft' });
  });

  it('one open upward referral per patient per origin: 409 DUPLICATE_OPEN_REFERRAL naming it; fine again once closed', async () => {
    const p = patient();
    const first = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: p }));
    const second = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).send(upReferral(c, { patient: p }));
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'DUPLICATE_OPEN_REFERRAL', details: { referralId: first.id } });
    await actOk(t, c.townshipDoctor, first, 'cancel');
    await createReferral(t, c.townshipDoctor, upReferral(c, { patient: p }));
  });

  it('validates the form: resident ID checksum, birth date and gender, consent, handover limits, roles', async () => {
    const send = (who: typeof c.townshipDoctor, body: object) => t.http.post('/api/v1/referrals').set(bearer(who)).send(body);
    const badChecksum = await send(c.townshipDoctor, upReferral(c, { patient: patient({ idNumber: '110105194912310020' }) }));
    expect(badChecksum.status).toBe(400);
    expect(badChecksum.body.details.fields.map((f: { field: string }) => f.field)).toContain('patient.idNumber');
    const wrongBirth = await send(c.townshipDoctor, upReferral(c, { patient: patient({ birthDate: '1960-01-01' }) }));
    expect(wrongBirth.status).toBe(400);
    const wrongGender = await send(c.townshipDoctor, upReferral(c, { patient: patient({ gender: 'female' }) }));
    expect(wrongGender.status).toBe(400);
    const noIdentifier = await send(c.townshipDoctor, upReferral(c, { patient: patient({ idNumber: undefined }) }));
    expect(noIdentifier.status).toBe(400);
    const noConsent = await send(c.townshipDoctor, upReferral(c, { consent: { obtained: false, by: 'patient' } }));
    expect(noConsent.status).toBe(400);
    const badIcd = await send(c.townshipDoctor, upReferral(c, { diagnosis: { icd10: 'hypertension', text: 'x' } }));
    expect(badIcd.status).toBe(400);
    const wrongLevel = await send(c.townshipDoctor, upReferral(c, { toInstitutionId: c.otherTownship.id }));
    expect(wrongLevel.status).toBe(400);
    expect((await send(c.countyDoctor, upReferral(c))).status).toBe(403);
    expect((await send(c.townshipCoordinator, upReferral(c))).status).toBe(403);
    expect((await send(c.admin, upReferral(c))).status).toBe(403);
    const downBase = {
      direction: 'down', urgency: 'routine', patient: patient(), toInstitutionId: c.township.id,
      diagnosis: { icd10: 'I10', text: '高血压' }, reason: '稳定', consent: { obtained: true, by: 'patient' },
    };
    expect((await send(c.countyDoctor, downBase)).status).toBe(400);
    const longPlan = { ...handover(), medicationPlan: [{ drug: 'x', dose: '1', frequency: 'qd', days: 85 }] };
    const tooLong = await send(c.countyDoctor, { ...downBase, handover: longPlan });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details.fields.map((f: { field: string }) => f.field)).toContain('handover.medicationPlan[0].days');
    const badParent = await send(c.countyDoctor, { ...downBase, handover: handover(), parentReferralId: '00000000-0000-4000-8000-000000000000' });
    expect(badParent.status).toBe(400);
    expect(await countRows(`SELECT count(*) AS n FROM referrals WHERE direction = 'down'`)).toBe(0);
  });

  it('admins read any referral with identifiers masked and take no actions', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    const read = await t.http.get(`/api/v1/referrals/${r.id}`).set(bearer(c.admin));
    expect(read.status).toBe(200);
    expect(read.body.patient.idNumber).toContain('***********');
    expect(read.body.allowedActions).toEqual([]);
    expect((await act(t, c.admin, r, 'accept', { department: 'x' })).status).toBe(403);
  });

  it('worklists order emergencies first, then by deadline; filter and search by name, number and ID digits; page by cursor', async () => {
    const routine = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient({ name: '排序测试甲' }) }));
    const emergency = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency', patient: patient({ name: '排序测试乙' }) }));
    const list = await t.http.get('/api/v1/referrals?box=incoming&limit=100').set(bearer(c.countyCoordinator));
    const ids = list.body.items.map((i: { id: string }) => i.id);
    expect(ids.indexOf(emergency.id)).toBeLessThan(ids.indexOf(routine.id));
    const urgencies = list.body.items.map((i: { urgency: string }) => i.urgency);
    expect(urgencies.lastIndexOf('emergency')).toBeLessThan(urgencies.indexOf('routine'));
    const byName = await t.http.get(`/api/v1/referrals?box=incoming&q=${encodeURIComponent('排序测试')}`).set(bearer(c.countyCoordinator));
    expect(byName.body.items.map((i: { id: string }) => i.id).sort()).toEqual([routine.id, emergency.id].sort());
    const last4 = routine.patient.idNumber.slice(-4);
    const byId = await t.http.get(`/api/v1/referrals?box=incoming&q=${last4}`).set(bearer(c.countyCoordinator));
    expect(byId.body.items.map((i: { id: string }) => i.id)).toContain(routine.id);
    const byNumber = await t.http.get(`/api/v1/referrals?box=outgoing&q=${routine.number}`).set(bearer(c.townshipDoctor));
    expect(byNumber.body.items.map((i: { id: string }) => i.id)).toEqual([routine.id]);
    const onlyEmergency = await t.http.get('/api/v1/referrals?box=incoming&urgency=emergency&limit=100').set(bearer(c.countyCoordinator));
    expect(onlyEmergency.body.items.every((i: { urgency: string }) => i.urgency === 'emergency')).toBe(true);
    // Keyset pages cover the list exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
        .get(`/api/v1/referrals?box=incoming&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set(bearer(c.countyCoordinator));
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await t.http.get('/api/v1/referrals').set(bearer(c.countyCoordinator))).status).toBe(400);
  });

  it('Idempotency-Key: a retry replays the first answer without acting twice; a different body is refused', async () => {
    const body = upReferral(c);
    const key = `create-${Date.now()}`;
    const [a, b] = await Promise.all([
      t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).set('Idempotency-Key', key).send(body),
      t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).set('Idempotency-Key', key).send(body),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    const again = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).set('Idempotency-Key', key).send(body);
    expect(again.body.id).toBe(a.body.id);
    expect(await countRows(`SELECT count(*) AS n FROM referrals WHERE patient_key = $1`, [`id:${body.patient.idNumber}`])).toBe(1);
    const reused = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).set('Idempotency-Key', key).send({ ...body, reason: 'different' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // An error is stored and replayed too.
    const actKey = `act-${Date.now()}`;
    const first = await t.http.post(`/api/v1/referrals/${a.body.id}/actions/accept`).set(bearer(c.countyCoordinator)).set('Idempotency-Key', actKey).send({ version: 1, department: '心内科' });
    const replay = await t.http.post(`/api/v1/referrals/${a.body.id}/actions/accept`).set(bearer(c.countyCoordinator)).set('Idempotency-Key', actKey).send({ version: 1, department: '心内科' });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.body.version).toBe(2);
    expect(await countRows(`SELECT count(*) AS n FROM referral_transitions WHERE referral_id = $1 AND action = 'accept'`, [a.body.id])).toBe(1);
    // The same key from another user is another key.
    const other = await t.http.post(`/api/v1/referrals/${a.body.id}/actions/arrive`).set(bearer(c.countyDoctor)).set('Idempotency-Key', actKey).send({ version: 2 });
    expect(other.status).toBe(200);
  });

  it('Idempotency-Key: a retry after the first attempt died between its commit and storing its answer answers with that change', async () => {
    // As the API leaves a key when its process dies right after the commit: still running, lease lapsed, no answer.
    const crashAfterCommit = (userId: string, key: string) =>
      t.dataSource.query(
        `UPDATE idempotency_keys SET state = 'running', response_status = NULL, response_body = NULL, lease_until = now() - interval '1 second'
          WHERE user_id = $1 AND key = $2`,
        [userId, key],
      );
    const body = upReferral(c);
    const createKey = `crash-create-${Date.now()}`;
    const created = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).set('Idempotency-Key', createKey).send(body);
    expect(created.status).toBe(201);
    await crashAfterCommit(c.townshipDoctor.user.id, createKey);
    const retried = await t.http.post('/api/v1/referrals').set(bearer(c.townshipDoctor)).set('Idempotency-Key', createKey).send(body);
    expect([retried.status, retried.body.id]).toEqual([201, created.body.id]);
    expect(await countRows(`SELECT count(*) AS n FROM referrals WHERE patient_key = $1`, [`id:${body.patient.idNumber}`])).toBe(1);

    const actKey = `crash-act-${Date.now()}`;
    const accept = { version: 1, department: '心内科' };
    const accepted = await t.http.post(`/api/v1/referrals/${created.body.id}/actions/accept`).set(bearer(c.countyCoordinator)).set('Idempotency-Key', actKey).send(accept);
    expect(accepted.status).toBe(200);
    await crashAfterCommit(c.countyCoordinator.user.id, actKey);
    const again = await t.http.post(`/api/v1/referrals/${created.body.id}/actions/accept`).set(bearer(c.countyCoordinator)).set('Idempotency-Key', actKey).send(accept);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, status: 'accepted', version: 2 });
    expect(await countRows(`SELECT count(*) AS n FROM referral_transitions WHERE referral_id = $1 AND action = 'accept'`, [created.body.id])).toBe(1);

    // Died before its commit: nothing under the key, so the retry acts itself.
    const arriveKey = `crash-before-${Date.now()}`;
    await t.dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, state, lease_until) VALUES ($1, $2, $3, 'running', now() - interval '1 second')`,
      [c.countyDoctor.user.id, arriveKey, createHash('sha256').update(`POST /api/v1/referrals/${created.body.id}/actions/arrive\n${JSON.stringify({ version: 2 })}`).digest('hex')],
    );
    const arrived = await t.http.post(`/api/v1/referrals/${created.body.id}/actions/arrive`).set(bearer(c.countyDoctor)).set('Idempotency-Key', arriveKey).send({ version: 2 });
    expect(arrived.status).toBe(200);
    expect(arrived.body).toMatchObject({ status: 'arrived', version: 3 });
  });

  it('a change and its outbox row commit together; a refused change leaves neither', async () => {
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    const outbox = () => t.dataSource.query(`SELECT event, referral_status, referral_version FROM outbox_events WHERE referral_id = $1 ORDER BY created_at`, [r.id]);
    expect(await outbox()).toEqual([{ event: 'referral.submitted', referral_status: 'submitted', referral_version: 1 }]);
    expect((await act(t, c.countyCoordinator, { id: r.id, version: 99 }, 'accept', { department: 'x' })).status).toBe(409);
    expect((await act(t, c.countyCoordinator, r, 'return', { reasonCode: 'nope' })).status).toBe(400);
    expect(await outbox()).toHaveLength(1);
    await actOk(t, c.countyCoordinator, r, 'accept', { department: '心内科' });
    expect((await outbox()).map((o: { event: string }) => o.event)).toEqual(['referral.submitted', 'referral.accepted']);
  });

  it('two coordinators racing accept against return: exactly one wins every time, and history never shows both', async () => {
    const rounds = 15;
    for (let i = 0; i < rounds; i++) {
      const r = await createReferral(t, c.townshipDoctor, upReferral(c));
      const [accept, ret] = await Promise.all([
        act(t, c.countyCoordinator, r, 'accept', { department: '心内科' }),
        act(t, c.countyDoctor, r, 'return', { reasonCode: 'capacity_full' }),
      ]);
      const statuses = [accept.status, ret.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = accept.status === 409 ? accept : ret;
      expect(['VERSION_CONFLICT', 'ILLEGAL_TRANSITION']).toContain(loser.body.code);
      const history = await t.dataSource.query(`SELECT action FROM referral_transitions WHERE referral_id = $1 ORDER BY id`, [r.id]);
      expect(history.map((h: { action: string }) => h.action)).toHaveLength(2);
      const final = await t.dataSource.query(`SELECT status, version FROM referrals WHERE id = $1`, [r.id]);
      expect(final[0].version).toBe(2);
      expect(history[1].action).toBe(final[0].status === 'accepted' ? 'accept' : 'return');
    }
  });
});
