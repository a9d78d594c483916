import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bodyProblem } from '../../apps/api/common/json-body-parser.js';
import { ACTIONS } from '../../libs/domain/referral/referral-status.js';
import { bearer, type SignedIn } from '../../libs/testing/fixtures.js';
import { hostileText, hostileValue, unknownUuid } from '../../libs/testing/fuzz-arbitraries.js';
import { checkProperty, expectError, expectNothingWritten, fillPath, percentEncode, type FuzzRequest } from '../../libs/testing/fuzz-harness.js';
import { createFuzzWorld, type FuzzWorld } from '../../libs/testing/fuzz-world.js';
import { patient } from '../../libs/testing/referral-builders.js';

/**
 * Other institutions' ids: a caller whose institution is not a party gets 404 for every read and action on a
 * referral (it does not learn the referral exists), whatever it sends; an admin reads but acts on nothing (403).
 */
describe('fuzz: other institutions’ referrals, whatever the request', () => {
  let w: FuzzWorld;

  beforeAll(async () => {
    w = await createFuzzWorld();
  });
  afterAll(async () => {
    if (w) console.log(`[fuzz] scope: ${w.client.count} requests`);
    await w?.t.close();
  });

  /** Action names: real ones, case and spacing variants, hostile ones. */
  const actionName = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ACTIONS) },
    { weight: 1, arbitrary: fc.constantFrom('ACCEPT', 'Accept', 'accept ', ' submit', 'no-show', 'noShow', 'delete', 'approve', '__proto__', 'constructor', 'toString') },
    { weight: 1, arbitrary: hostileText(30).filter((s) => s.trim() !== '' && !/[\ud800-\udfff]/.test(s)) },
  );
  /** Payloads: plausible ones and hostile ones; the version is right, so only scope can refuse. */
  const payload = (version: number) =>
    fc.oneof(
      fc.constantFrom<Record<string, unknown>>(
        {},
        { department: '心内科' },
        { reasonCode: 'other', comment: '越权尝试' },
        { outcome: { diagnosis: 'x', summary: 'y' } },
        { arrivedAt: '2026-11-23T10:00:00Z' },
      ),
      fc.dictionary(hostileText(12), hostileValue, { maxKeys: 3 }),
    )
      // Text no endpoint can store is refused with 400 as the body is read, before any route looks at it.
      .filter((p) => bodyProblem(p) === undefined)
      .map((p) => ({ version, ...p }));

  type Target = { name: string; id: string; version: number };
  /** Each caller with the referrals it must not see: the other township, the other county, and the destination for a draft. */
  const outsiders = (): { who: SignedIn; label: string; targets: Target[] }[] => [
    { who: w.c.otherTownshipDoctor, label: 'other township doctor', targets: [{ name: 'submitted', ...w.submitted }, { name: 'draft', ...w.draft }] },
    { who: w.otherTownshipCoordinator, label: 'other township coordinator', targets: [{ name: 'submitted', ...w.submitted }, { name: 'draft', ...w.draft }] },
    { who: w.otherCountyDoctor, label: 'other county doctor', targets: [{ name: 'submitted', ...w.submitted }, { name: 'draft', ...w.draft }, { name: 'foreign', ...w.foreign }] },
    { who: w.c.townshipDoctor, label: 'township doctor', targets: [{ name: 'other township’s referral', ...w.foreign }] },
    { who: w.c.townshipCoordinator, label: 'township coordinator', targets: [{ name: 'other township’s referral', ...w.foreign }] },
    { who: w.c.countyDoctor, label: 'county doctor (destination)', targets: [{ name: 'draft', ...w.draft }] },
    { who: w.c.countyCoordinator, label: 'county coordinator (destination)', targets: [{ name: 'draft', ...w.draft }] },
  ];

  const requestFor = (target: Target) =>
    fc.oneof(
      fc.constant<FuzzRequest>({ method: 'GET', url: `/api/v1/referrals/${target.id}` }),
      fc.constant<FuzzRequest>({ method: 'GET', url: `/api/v1/referrals/${target.id}/timeline` }),
      fc.constant<FuzzRequest>({ method: 'GET', url: `/api/v1/referrals/${target.id.toUpperCase()}` }),
      // A PATCH body is validated before anything else, so an outsider's edit is a well-formed one.
      fc.constantFrom('越权修改', '<script>alert(1)</script>', "'; DELETE FROM referrals; --").map((reason): FuzzRequest => ({ method: 'PATCH', url: `/api/v1/referrals/${target.id}`, body: { version: target.version, reason, patient: patient() } })),
      fc.tuple(actionName, payload(target.version)).map(([action, body]): FuzzRequest => ({ method: 'POST', url: fillPath('/api/v1/referrals/{id}/actions/{action}', { id: target.id, action }), body })),
    );

  it('answers 404 NOT_FOUND to every caller outside a referral, for every read, edit and action, and writes nothing', async () => {
    const cases = fc
      .constantFrom(...outsiders())
      .chain(({ who, label, targets }) => fc.constantFrom(...targets).chain((target) => requestFor(target).map((req) => ({ who, label, target: target.name, req }))));
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'outsiders get 404',
        cases,
        async ({ who, label, target, req }) => {
          const res = await w.client.send({ ...req, headers: bearer(who) });
          if (res.status !== 404) throw new Error(`${label} on ${target}: ${req.method} ${req.url} → ${res.status}, expected 404`);
          expectError(res, 404, 'NOT_FOUND');
          // Nothing in the answer gives the referral away.
          expect(res.text).not.toContain(w.submitted.id);
          expect(res.text).not.toContain('王建国');
        },
        { seed: 0x5c0fe, numRuns: 1000 },
      ),
    );
  });

  it('lets an admin read any referral but answers every action and edit with 403 FORBIDDEN, writing nothing', async () => {
    const targets: Target[] = [{ name: 'submitted', ...w.submitted }, { name: 'foreign', ...w.foreign }];
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'admins act on nothing',
        fc.constantFrom(...targets).chain((target) =>
          fc.oneof(
            fc.tuple(actionName.filter((a) => a.trim() !== ''), payload(target.version)).map(([action, body]): FuzzRequest => ({ method: 'POST', url: `/api/v1/referrals/${target.id}/actions/${percentEncode(action)}`, body })),
            payload(target.version).map((body): FuzzRequest => ({ method: 'PATCH', url: `/api/v1/referrals/${target.id}`, body: { ...body, reason: '管理员修改' } })),
          ),
        ),
        async (req) => {
          const res = await w.client.send({ ...req, headers: bearer(w.c.admin) });
          // A body the validation refuses first is a 400; otherwise the admin is refused.
          if (res.status !== 400) expectError(res, 403, 'FORBIDDEN');
        },
        { seed: 0xad, numRuns: 300 },
      ),
    );
    const read = await w.client.send({ method: 'GET', url: `/api/v1/referrals/${w.foreign.id}`, headers: bearer(w.c.admin) });
    expect(read.status).toBe(200);
    // Admins see the patient masked.
    expect(read.body.patient.idNumber).toMatch(/^\d{3}\*{11}[\dX]{4}$/);
  });

  it('answers 404 for ids that name nothing, on every referral route and the inbox, and writes nothing', async () => {
    const routes = ['GET /api/v1/referrals/{id}', 'GET /api/v1/referrals/{id}/timeline', 'PATCH /api/v1/referrals/{id}', 'POST /api/v1/referrals/{id}/actions/accept', 'POST /api/v1/inbox/{id}/read'];
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'unknown ids',
        fc.tuple(fc.constantFrom(...routes), unknownUuid, fc.constantFrom(w.c.townshipDoctor, w.c.countyCoordinator, w.c.otherTownshipDoctor)),
        async ([route, id, who]) => {
          const [method, path] = route.split(' ') as ['GET' | 'PATCH' | 'POST', string];
          const res = await w.client.send({ method, url: fillPath(path, { id }), headers: bearer(who), body: method === 'GET' ? undefined : { version: 1 } });
          expectError(res, 404, 'NOT_FOUND');
        },
        { seed: 0x404, numRuns: 300 },
      ),
    );
  });

  // The fuzz files together send well over 10,000 generated requests per run; this file's share:
  it('sent at least 1,500 requests', () => {
    expect(w.client.count).toBeGreaterThanOrEqual(1_500);
  });
});
