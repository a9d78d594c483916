import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REFERRAL_STATUSES } from '../../libs/domain/referral/referral-status.js';
import { quantile } from '../../libs/domain/stats/quantile.js';
import { monthKeyOf } from '../../libs/domain/stats/period.js';
import { DeadlineSweeper } from '../../libs/notifications/deadline-sweeper.service.js';
import { bearer, createInstitution, createCommunity, type Community, type Institution, type SignedIn } from '../../libs/testing/fixtures.js';
import { actOk, createReferral, handover, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

/**
 * A known set of referrals, built through the API with timestamps then set by SQL, and every statistic checked
 * against figures worked out by hand:
 *
 * March 2025 (UTC+8)  R1 up T→C accepted after 30 min, arrived 120 min later, completed; D1 down C→T (child of
 *                        R1) accepted after 20 min, arrived 60 min later, completed → care loop; its follow-up breached
 *                     R2 up T→C returned (information_incomplete), resubmitted, accepted 10 min after the resubmit
 *                     R3 up T→C returned (capacity_full, with a comment)
 *                     R4 up T→C override, still submitted; respond deadline breached and escalated once
 * April 2025          R5 up T→C emergency, arrived straight from submitted 45 min after submission
 *                     R6 up O→C outside the catalogue (S72.0), cancelled
 *                     R7 up T→C created exactly at 2025-04-01T00:00+08:00, accepted after 50 min
 * never counted       a draft, and a draft cancelled without ever being submitted
 */
describe('statistics: summary, breakdowns, CSV', () => {
  let t: TestApp;
  let c: Community;
  let village: Institution;
  const ids: Record<string, string> = {};

  const cst = (local: string) => new Date(`${local}+08:00`).toISOString();
  const sql = (q: string, params: unknown[] = []) => t.dataSource.query(q, params);
  const statuses = (counts: Partial<Record<(typeof REFERRAL_STATUSES)[number], number>>) =>
    Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, counts[s] ?? 0]));
  const get = (who: SignedIn, path: string) => t.http.get(path).set(bearer(who));

  /** Moves the referral's `action` transitions to `minutes` before its acceptance. */
  const beforeAccept = (id: string, action: string, minutes: number) =>
    sql(
      `UPDATE referral_transitions t SET at = a.at - make_interval(mins => $3)
         FROM referral_transitions a WHERE a.referral_id = $1 AND a.action = 'accept' AND t.referral_id = $1 AND t.action = $2`,
      [id, action, minutes],
    );
  /** Records the arrival `minutes` after the referral's `action` transition. */
  const arrivedAfter = (id: string, action: string, minutes: number) =>
    sql(
      `UPDATE referrals r SET arrived_at = a.at + make_interval(mins => $3)
         FROM referral_transitions a WHERE a.referral_id = r.id AND a.action = $2 AND r.id = $1`,
      [id, action, minutes],
    );
  const createdAt = (id: string, local: string) => sql(`UPDATE referrals SET created_at = $2 WHERE id = $1`, [id, cst(local)]);

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
    village = await createInstitution(t, c.admin, 'village', '幸福村卫生室');

    // R1 and its downward child D1: a closed care loop.
    let r1 = await createReferral(t, c.townshipDoctor, upReferral(c));
    r1 = await actOk(t, c.countyCoordinator, r1, 'accept', { department: '心内科' });
    r1 = await actOk(t, c.countyDoctor, r1, 'arrive');
    r1 = await actOk(t, c.countyDoctor, r1, 'complete', { outcome: { diagnosis: '高血压 2级', summary: '血压达标' } });
    let d1 = await createReferral(t, c.countyDoctor, {
      direction: 'down',
      urgency: 'routine',
      patient: r1.patient,
      toInstitutionId: c.township.id,
      diagnosis: { icd10: 'I10.x00', text: '原发性高血压 2级' },
      reason: '病情稳定，转回基层管理',
      consent: { obtained: true, by: 'patient' },
      parentReferralId: r1.id,
      handover: handover(),
    });
    d1 = await actOk(t, c.townshipCoordinator, d1, 'accept', { department: '全科' });
    d1 = await actOk(t, c.townshipDoctor, d1, 'arrive');
    d1 = await actOk(t, c.townshipDoctor, d1, 'complete', { outcome: { familyDoctor: '赵家庭医生', summary: '已建立随访计划' } });

    let r2 = await createReferral(t, c.townshipDoctor, upReferral(c));
    r2 = await actOk(t, c.countyCoordinator, r2, 'return', { reasonCode: 'information_incomplete' });
    r2 = await actOk(t, c.townshipDoctor, r2, 'resubmit');
    r2 = await actOk(t, c.countyCoordinator, r2, 'accept', { department: '心内科' });

    let r3 = await createReferral(t, c.townshipDoctor, upReferral(c));
    r3 = await actOk(t, c.countyCoordinator, r3, 'return', { reasonCode: 'capacity_full', comment: '床位已满: 请下周再转' });

    const r4 = await createReferral(t, c.townshipDoctor, upReferral(c, { indications: [], override: { justification: '患者家属强烈要求并已签字确认转诊' } }));
    expect(r4.gate.outcome).toBe('override');

    let r5 = await createReferral(t, c.townshipDoctor, upReferral(c, { urgency: 'emergency', indications: [] }));
    r5 = await actOk(t, c.countyDoctor, r5, 'arrive');
    expect(r5).toMatchObject({ status: 'arrived', gate: { outcome: 'emergency_bypass' } });

    let r6 = await createReferral(t, c.otherTownshipDoctor, upReferral(c, { indications: [], diagnosis: { icd10: 'S72.0', text: '股骨颈骨折' } }));
    expect(r6.gate).toMatchObject({ outcome: 'not_in_catalogue', conditionCode: null });
    r6 = await actOk(t, c.otherTownshipDoctor, r6, 'cancel', { reasonCode: 'patient_declined' });

    let r7 = await createReferral(t, c.townshipDoctor, upReferral(c));
    r7 = await actOk(t, c.countyCoordinator, r7, 'accept', { department: '心内科' });

    const draft = await createReferral(t, c.townshipDoctor, upReferral(c, { submit: false, indications: [] }));
    let cancelledDraft = await createReferral(t, c.townshipDoctor, upReferral(c, { submit: false, indications: [] }));
    cancelledDraft = await actOk(t, c.townshipDoctor, cancelledDraft, 'cancel');
    Object.assign(ids, { r1: r1.id, d1: d1.id, r2: r2.id, r3: r3.id, r4: r4.id, r5: r5.id, r6: r6.id, r7: r7.id, draft: draft.id, cancelledDraft: cancelledDraft.id });

    // The statistics read submission and acceptance times from the referral's columns: the write path records them
    // with the very timestamps of the submit/resubmit and accept transitions.
    const drift = await sql(
      `SELECT r.id FROM referrals r
        WHERE r.last_submitted_at IS DISTINCT FROM (SELECT max(t.at) FROM referral_transitions t WHERE t.referral_id = r.id AND t.action IN ('submit', 'resubmit'))
           OR r.accepted_at IS DISTINCT FROM (SELECT max(t.at) FROM referral_transitions t WHERE t.referral_id = r.id AND t.action = 'accept')`,
    );
    expect(drift).toEqual([]);

    // Times: when each was created, how long each took to be accepted and to arrive.
    for (const [id, local] of [
      [r1.id, '2025-03-05T10:00:00'],
      [d1.id, '2025-03-20T09:00:00'],
      [r2.id, '2025-03-06T10:00:00'],
      [r3.id, '2025-03-07T10:00:00'],
      [r4.id, '2025-03-31T23:59:59.999'],
      [r5.id, '2025-04-10T08:00:00'],
      [r6.id, '2025-04-11T08:00:00'],
      [r7.id, '2025-04-01T00:00:00'],
      [draft.id, '2025-03-10T08:00:00'],
      [cancelledDraft.id, '2025-03-10T08:00:00'],
    ] as const) {
      await createdAt(id, local);
    }
    await beforeAccept(r1.id, 'submit', 30);
    await arrivedAfter(r1.id, 'accept', 120);
    await beforeAccept(d1.id, 'submit', 20);
    await arrivedAfter(d1.id, 'accept', 60);
    await beforeAccept(r2.id, 'submit', 500); // the first submission does not count: the last one before acceptance does
    await beforeAccept(r2.id, 'resubmit', 10);
    await arrivedAfter(r5.id, 'submit', 45);
    await beforeAccept(r7.id, 'submit', 50);
    // …and the columns follow the moved history, as the write path would have recorded them.
    await sql(
      `UPDATE referrals r SET
         last_submitted_at = (SELECT max(t.at) FROM referral_transitions t WHERE t.referral_id = r.id AND t.action IN ('submit', 'resubmit')),
         accepted_at = (SELECT max(t.at) FROM referral_transitions t WHERE t.referral_id = r.id AND t.action = 'accept')`,
    );

    // R4's respond deadline and D1's follow-up pass: the deadline engine breaches both and escalates R4 once.
    await sql(`UPDATE referral_deadlines SET due_at = now() - interval '1 minute' WHERE state = 'open' AND ((referral_id = $1 AND kind = 'respond') OR (referral_id = $2 AND kind = 'follow_up'))`, [
      r4.id,
      d1.id,
    ]);
    await t.app.get(DeadlineSweeper).sweep();
    const [{ breaches, escalations }] = await sql(
      `SELECT count(*) FILTER (WHERE state = 'breached')::int AS breaches, coalesce(sum(escalations_done), 0)::int AS escalations FROM referral_deadlines`,
    );
    expect({ breaches, escalations }).toEqual({ breaches: 2, escalations: 1 });
  });
  afterAll(async () => t?.close());

  const ALL = {
    up: { total: 7, byStatus: statuses({ submitted: 1, returned: 1, accepted: 2, arrived: 1, completed: 1, cancelled: 1 }) },
    down: { total: 1, byStatus: statuses({ completed: 1 }) },
    acceptanceRate: 4 / 5,
    returnRate: 2 / 5,
    returnReasons: [
      { code: 'capacity_full', count: 1 },
      { code: 'information_incomplete', count: 1 },
    ],
    medianMinutesToAccept: 25,
    deadlineBreaches: 2,
    gateOutcomes: { not_in_catalogue: 1, indication_cited: 4, emergency_bypass: 1, override: 1 },
  };
  const TOWNSHIP = {
    ...ALL,
    up: { total: 6, byStatus: statuses({ submitted: 1, returned: 1, accepted: 2, arrived: 1, completed: 1 }) },
    gateOutcomes: { ...ALL.gateOutcomes, not_in_catalogue: 0 },
  };
  const EMPTY = {
    up: { total: 0, byStatus: statuses({}) },
    down: { total: 0, byStatus: statuses({}) },
    acceptanceRate: null,
    returnRate: null,
    returnReasons: [],
    medianMinutesToAccept: null,
    deadlineBreaches: 0,
    gateOutcomes: { not_in_catalogue: 0, indication_cited: 0, emergency_bypass: 0, override: 0 },
  };
  const OTHER = { ...EMPTY, up: { total: 1, byStatus: statuses({ cancelled: 1 }) }, gateOutcomes: { ...EMPTY.gateOutcomes, not_in_catalogue: 1 } };

  describe('GET /stats/summary', () => {
    it('admin, every institution, all time: exactly the contract shape and every figure', async () => {
      const res = await get(c.admin, '/api/v1/stats/summary');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ from: null, to: null, institutionId: null, ...ALL });
    });

    it('counts a referral per institution where it is a party; admins may pick any institution', async () => {
      expect((await get(c.townshipDoctor, '/api/v1/stats/summary')).body).toEqual({ from: null, to: null, institutionId: c.township.id, ...TOWNSHIP });
      expect((await get(c.townshipCoordinator, `/api/v1/stats/summary?institutionId=${c.township.id}`)).body).toEqual({
        from: null,
        to: null,
        institutionId: c.township.id,
        ...TOWNSHIP,
      });
      expect((await get(c.countyCoordinator, '/api/v1/stats/summary')).body).toEqual({ from: null, to: null, institutionId: c.county.id, ...ALL });
      expect((await get(c.otherTownshipDoctor, '/api/v1/stats/summary')).body).toEqual({ from: null, to: null, institutionId: c.otherTownship.id, ...OTHER });
      expect((await get(c.admin, `/api/v1/stats/summary?institutionId=${c.otherTownship.id}`)).body).toEqual({
        from: null,
        to: null,
        institutionId: c.otherTownship.id,
        ...OTHER,
      });
      expect((await get(c.admin, `/api/v1/stats/summary?institutionId=${village.id}`)).body).toEqual({ from: null, to: null, institutionId: village.id, ...EMPTY });
    });

    it('counts referrals created in [from, to): from inclusive, to exclusive, in any offset', async () => {
      const march = await get(c.admin, `/api/v1/stats/summary?from=${encodeURIComponent('2025-03-01T00:00:00+08:00')}&to=${encodeURIComponent('2025-04-01T00:00:00+08:00')}`);
      expect(march.status).toBe(200);
      expect(march.body).toEqual({
        from: '2025-02-28T16:00:00.000Z',
        to: '2025-03-31T16:00:00.000Z',
        institutionId: null,
        up: { total: 4, byStatus: statuses({ submitted: 1, returned: 1, accepted: 1, completed: 1 }) },
        down: { total: 1, byStatus: statuses({ completed: 1 }) },
        acceptanceRate: 3 / 4,
        returnRate: 2 / 4,
        returnReasons: ALL.returnReasons,
        medianMinutesToAccept: 20,
        deadlineBreaches: 2,
        gateOutcomes: { not_in_catalogue: 0, indication_cited: 3, emergency_bypass: 0, override: 1 },
      });
      const april = await get(c.admin, '/api/v1/stats/summary?from=2025-03-31T16:00:00Z&to=2025-05-01T00:00:00%2B08:00');
      expect(april.body).toEqual({
        from: '2025-03-31T16:00:00.000Z',
        to: '2025-04-30T16:00:00.000Z',
        institutionId: null,
        up: { total: 3, byStatus: statuses({ accepted: 1, arrived: 1, cancelled: 1 }) },
        down: { total: 0, byStatus: statuses({}) },
        acceptanceRate: 1,
        returnRate: 0,
        returnReasons: [],
        medianMinutesToAccept: 50,
        deadlineBreaches: 0,
        gateOutcomes: { not_in_catalogue: 1, indication_cited: 1, emergency_bypass: 1, override: 0 },
      });
      // Only one end given.
      expect((await get(c.admin, '/api/v1/stats/summary?to=2025-03-31T16:00:00Z')).body.up.total).toBe(4);
      expect((await get(c.admin, '/api/v1/stats/summary?from=2025-03-31T15:59:59.999Z')).body.up.total).toBe(4);
    });

    it('answers zeros, empty lists and null rates for a period without referrals', async () => {
      const res = await get(c.countyDoctor, '/api/v1/stats/summary?from=2030-01-01T00:00:00Z&to=2030-02-01T00:00:00Z');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ from: '2030-01-01T00:00:00.000Z', to: '2030-02-01T00:00:00.000Z', institutionId: c.county.id, ...EMPTY });
    });

    it('forbids another institution to non-admins (403) and refuses bad filters (400 naming the field)', async () => {
      for (const who of [c.townshipDoctor, c.countyCoordinator]) {
        const res = await get(who, `/api/v1/stats/summary?institutionId=${c.otherTownship.id}`);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ code: 'FORBIDDEN', correlationId: expect.any(String) });
      }
      const cases: [string, string[]][] = [
        ['from=2025-03-01', ['from']],
        ['from=yesterday&to=2025-02-30T00:00:00Z', ['from', 'to']],
        ['to=2025-03-01T24:00:00Z', ['to']],
        ['from=2025-04-01T00:00:00Z&to=2025-03-01T00:00:00Z', ['to']],
        ['institutionId=not-a-uuid', ['institutionId']],
        ['from=2025-03-01T00:00:00Z&from=2025-04-01T00:00:00Z', ['from']],
        ['colour=red', ['colour']],
        [`institutionId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, ['institutionId']],
      ];
      for (const [query, fields] of cases) {
        const res = await get(c.admin, `/api/v1/stats/summary?${query}`);
        expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
        expect([...new Set(res.body.details.fields.map((f: { field: string }) => f.field))].sort()).toEqual(fields.sort());
      }
      expect((await t.http.get('/api/v1/stats/summary')).status).toBe(401);
    });
  });

  describe('breakdowns', () => {
    const side = (total: number, answered: number, accepted: number, returned: number, returnReasons: unknown[] = []) => ({
      total,
      answered,
      accepted,
      returned,
      acceptanceRate: answered ? accepted / answered : null,
      returnRate: answered ? returned / answered : null,
      returnReasons,
    });
    const minutesToAccept = { count: 4, median: quantile([30, 10, 50, 20], 0.5), p90: quantile([30, 10, 50, 20], 0.9) };
    const minutesToArrive = { count: 3, median: 60, p90: 108 };

    it('by institution (admin): every institution, figures where it is a party, split into sent and received', async () => {
      const res = await get(c.admin, '/api/v1/stats/by-institution');
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      const rows = res.body.items;
      expect(rows.map((r: { institution: { id: string } }) => r.institution.id)).toEqual(
        [c.county, c.township, c.otherTownship, village].sort((a, b) => (a.code < b.code ? -1 : 1)).map((i) => i.id),
      );
      const row = (i: Institution) => rows.find((r: { institution: { id: string } }) => r.institution.id === i.id);
      expect(minutesToAccept).toEqual({ count: 4, median: 25, p90: 44 });
      expect(row(c.county)).toEqual({
        institution: { id: c.county.id, code: c.county.code, name: '县人民医院', level: 'county' },
        up: ALL.up,
        down: ALL.down,
        downUpRatio: 1 / 7,
        answered: 5,
        accepted: 4,
        returned: 2,
        acceptanceRate: 0.8,
        returnRate: 0.4,
        returnReasons: ALL.returnReasons,
        minutesToAccept,
        minutesToArrive,
        deadlineBreaches: 2,
        escalations: 1,
        gateOutcomes: ALL.gateOutcomes,
        overrideShare: 1 / 7,
        careLoopsClosed: 1,
        followUp: { due: 1, met: 0, rate: 0 },
        asReferrer: side(1, 1, 1, 0),
        asReceiver: side(7, 4, 3, 2, ALL.returnReasons),
      });
      expect(row(c.township)).toMatchObject({
        up: TOWNSHIP.up,
        down: ALL.down,
        answered: 5,
        minutesToAccept,
        minutesToArrive,
        overrideShare: 1 / 6,
        careLoopsClosed: 1,
        asReferrer: side(6, 4, 3, 2, ALL.returnReasons),
        asReceiver: side(1, 1, 1, 0),
      });
      expect(row(c.otherTownship)).toMatchObject({
        up: OTHER.up,
        answered: 0,
        acceptanceRate: null,
        minutesToAccept: { count: 0, median: null, p90: null },
        gateOutcomes: OTHER.gateOutcomes,
        overrideShare: 0,
        asReferrer: side(1, 0, 0, 0),
        asReceiver: side(0, 0, 0, 0),
      });
      expect(row(village)).toMatchObject({ up: EMPTY.up, down: EMPTY.down, downUpRatio: null, overrideShare: null, careLoopsClosed: 0, followUp: { due: 0, met: 0, rate: null } });
    });

    it('by institution (township doctor): its own row and its counterparts only; pages with a cursor', async () => {
      const res = await get(c.townshipDoctor, '/api/v1/stats/by-institution?limit=1');
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      const next = await get(c.townshipDoctor, `/api/v1/stats/by-institution?limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`);
      expect(next.body.nextCursor).toBeNull();
      const rows = [...res.body.items, ...next.body.items];
      expect(rows.map((r: { institution: { id: string } }) => r.institution.id).sort()).toEqual([c.county.id, c.township.id].sort());
      for (const r of rows) expect(r).toMatchObject({ up: TOWNSHIP.up, down: ALL.down });
      // A cursor from another list or filter is refused.
      const other = await get(c.townshipDoctor, `/api/v1/stats/by-condition?limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`);
      expect(other.status).toBe(400);
      expect((await get(c.townshipDoctor, '/api/v1/stats/by-institution?limit=0')).status).toBe(400);
      expect((await get(c.townshipDoctor, `/api/v1/stats/by-institution?institutionId=${c.county.id}`)).status).toBe(403);
    });

    it('by condition: the gate’s catalogue condition for upward referrals, else the ICD-10 letter', async () => {
      const res = await get(c.admin, '/api/v1/stats/by-condition');
      expect(res.status).toBe(200);
      expect(res.body.items.map((r: { condition: unknown }) => r.condition)).toEqual([
        { key: 'hypertension', kind: 'catalogue', nameZh: '高血压', nameEn: 'Hypertension' },
        { key: 'I', kind: 'icd10_letter', nameZh: 'ICD-10 I 类（目录外）', nameEn: 'ICD-10 I* (outside the catalogue)' },
        { key: 'S', kind: 'icd10_letter', nameZh: 'ICD-10 S 类（目录外）', nameEn: 'ICD-10 S* (outside the catalogue)' },
      ]);
      const [hypertension, letterI, letterS] = res.body.items;
      expect(hypertension).toMatchObject({
        up: TOWNSHIP.up,
        down: EMPTY.down,
        answered: 4,
        accepted: 3,
        returned: 2,
        returnReasons: ALL.returnReasons,
        minutesToAccept: { count: 3, median: 30, p90: 46 },
        minutesToArrive: { count: 2, median: 82.5, p90: 112.5 },
        deadlineBreaches: 1,
        escalations: 1,
        gateOutcomes: TOWNSHIP.gateOutcomes,
        careLoopsClosed: 1,
      });
      expect(letterI).toMatchObject({ up: EMPTY.up, down: ALL.down, answered: 1, minutesToAccept: { count: 1, median: 20, p90: 20 }, followUp: { due: 1, met: 0, rate: 0 } });
      expect(letterS).toMatchObject({ up: OTHER.up, answered: 0, gateOutcomes: OTHER.gateOutcomes });
      const other = await get(c.otherTownshipDoctor, '/api/v1/stats/by-condition');
      expect(other.body.items.map((r: { condition: { key: string } }) => r.condition.key)).toEqual(['S']);
      const empty = await get(c.admin, '/api/v1/stats/by-condition?from=2030-01-01T00:00:00Z');
      expect(empty.body).toEqual({ items: [], nextCursor: null });
    });

    it('by month (UTC+8): every month of the period, empty ones included, clipped to the period', async () => {
      const res = await get(c.admin, `/api/v1/stats/by-month?from=${encodeURIComponent('2025-02-15T00:00:00+08:00')}&to=${encodeURIComponent('2025-05-01T00:00:00+08:00')}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((r: { month: string; from: string; to: string }) => [r.month, r.from, r.to])).toEqual([
        ['2025-02', '2025-02-14T16:00:00.000Z', '2025-02-28T16:00:00.000Z'],
        ['2025-03', '2025-02-28T16:00:00.000Z', '2025-03-31T16:00:00.000Z'],
        ['2025-04', '2025-03-31T16:00:00.000Z', '2025-04-30T16:00:00.000Z'],
      ]);
      const [feb, mar, apr] = res.body.items;
      expect(feb).toMatchObject({ up: EMPTY.up, down: EMPTY.down, acceptanceRate: null });
      expect(mar).toMatchObject({ up: { total: 4 }, down: { total: 1 }, acceptanceRate: 0.75, returnRate: 0.5, minutesToAccept: { count: 3, median: 20 }, deadlineBreaches: 2 });
      expect(apr).toMatchObject({ up: { total: 3 }, acceptanceRate: 1, minutesToAccept: { count: 1, median: 50 }, minutesToArrive: { count: 1, median: 45 } });

      // Without from: from the first month with referrals to the current month, 20 a page.
      const first = await get(c.townshipDoctor, '/api/v1/stats/by-month');
      expect(first.body.items[0]).toMatchObject({ month: '2025-03', from: '2025-02-28T16:00:00.000Z', up: { total: 4 } });
      const months: string[] = first.body.items.map((r: { month: string }) => r.month);
      let cursor = first.body.nextCursor;
      while (cursor) {
        const page = await get(c.townshipDoctor, `/api/v1/stats/by-month?cursor=${encodeURIComponent(cursor)}`);
        months.push(...page.body.items.map((r: { month: string }) => r.month));
        cursor = page.body.nextCursor;
      }
      expect(months[months.length - 1]).toBe(monthKeyOf(new Date()));
      expect(new Set(months).size).toBe(months.length);
      expect(months).toEqual([...months].sort());
      const none = await get(c.admin, `/api/v1/stats/by-month?institutionId=${village.id}`);
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('GET /stats/export.csv', () => {
    const csvOf = async (who: SignedIn, query: string) => {
      const res = await t.http.get(`/api/v1/stats/export.csv?${query}`).set(bearer(who)).buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (b: Buffer) => chunks.push(b));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
      return { res, bytes: res.body as Buffer, lines: (res.body as Buffer).toString('utf8').replace(/^\uFEFF/, '').split('\r\n').slice(0, -1) };
    };

    it('the summary as CSV: UTF-8 with a BOM, text/csv, English headers by default', async () => {
      const { res, bytes, lines } = await csvOf(c.admin, 'table=summary');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="referral-stats-summary.csv"');
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(lines).toHaveLength(2);
      const header = lines[0].split(',');
      const cell = (name: string) => lines[1].split(',')[header.indexOf(name)];
      expect(cell('institution id')).toBe('all');
      expect(cell('up total')).toBe('7');
      expect(cell('down completed')).toBe('1');
      expect(cell('acceptance rate')).toBe('0.8');
      expect(cell('median minutes to accept')).toBe('25');
      expect(cell('deadline breaches')).toBe('2');
      expect(cell('gate override')).toBe('1');
      expect(lines[1]).toContain('Capacity full: 1; Information incomplete: 1');
    });

    it('Chinese headers with lang=zh, and the same scoping as the JSON (own institution; others 403)', async () => {
      const { lines } = await csvOf(c.townshipDoctor, 'table=summary&lang=zh');
      const header = lines[0].split(',');
      expect(header.slice(0, 4)).toEqual(['起始时间', '截止时间', '机构ID', '上转总数']);
      expect(lines[1].split(',')[header.indexOf('上转总数')]).toBe('6');
      expect(lines[1].split(',')[header.indexOf('机构ID')]).toBe(c.township.id);
      expect(lines[1]).toContain('床位或号源已满: 1');
      expect((await t.http.get(`/api/v1/stats/export.csv?table=summary&institutionId=${c.county.id}`).set(bearer(c.townshipDoctor))).status).toBe(403);
    });

    it('every breakdown exports all its rows', async () => {
      const inst = await csvOf(c.admin, 'table=by-institution&lang=zh');
      expect(inst.lines).toHaveLength(1 + 4);
      expect(inst.lines[0].split(',').slice(0, 3)).toEqual(['机构编码', '机构名称', '级别']);
      expect(inst.lines.some((l) => l.includes(',县人民医院,县级,'))).toBe(true);
      const cond = await csvOf(c.admin, 'table=by-condition');
      expect(cond.lines.slice(1).map((l) => l.split(',')[0])).toEqual(['hypertension', 'I', 'S']);
      const month = await csvOf(c.admin, `table=by-month&from=${encodeURIComponent('2025-03-01T00:00:00+08:00')}&to=${encodeURIComponent('2025-05-01T00:00:00+08:00')}`);
      expect(month.lines.slice(1).map((l) => l.split(',')[0])).toEqual(['2025-03', '2025-04']);
    });

    it('refuses a missing or unknown table, an unknown language and an oversized month range (400)', async () => {
      for (const query of ['', 'table=everything', 'table=summary&lang=fr', 'table=by-month&from=1900-01-01T00:00:00Z']) {
        const res = await t.http.get(`/api/v1/stats/export.csv?${query}`).set(bearer(c.admin));
        expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
      }
    });
  });

  it('/metrics exports the business gauges, read at scrape time', async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    const value = (series: string) => {
      const line = res.text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('referrals_open{direction="up",status="submitted"}')).toBe(1);
    expect(value('referrals_open{direction="up",status="accepted"}')).toBe(2);
    expect(value('referrals_open{direction="up",status="returned"}')).toBe(1);
    expect(value('referrals_open{direction="up",status="arrived"}')).toBe(1);
    expect(value('referrals_open{direction="up",status="draft"}')).toBe(1);
    expect(value('referrals_open{direction="down",status="submitted"}')).toBe(0);
    expect(value('referral_deadlines_breached{kind="respond"}')).toBe(1);
    expect(value('referral_deadlines_breached{kind="follow_up"}')).toBe(1);
    expect(value('referral_deadlines_breached{kind="arrive"}')).toBe(0);
    for (const channel of ['inbox', 'sms', 'webhook']) {
      for (const state of ['queued', 'sent', 'delivered', 'read', 'failed', 'superseded']) {
        expect(value(`notification_deliveries{channel="${channel}",state="${state}"}`)).toEqual(expect.any(Number));
      }
    }
    expect(value('outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value('outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(value('stats_scrape_errors_total')).toBe(0);
  });
});
