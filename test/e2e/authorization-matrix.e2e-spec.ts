import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_DEADLINE_SETTINGS } from '../../libs/domain/referral/deadlines.js';
import { bearer, createCommunity, createInstitution, createUser, TEST_PASSWORD, type Community, type Institution, type SignedIn } from '../../libs/testing/fixtures.js';
import { actOk, createReferral, handover, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

/*
 * WHO MAY CALL WHAT — every endpoint × every caller, with the status the contract (api.md) prescribes.
 *
 * The world: township A (twn), township B (othTwn), county C (cnty), county D (othCnty). The referrals are
 * upward from A to C, so for referral rows "twn" is the origin, "cnty" the destination, and B and D are
 * institutions that are not a party. For rows that are not about a referral, own/other make no difference.
 *
 * Columns: anon = no token; admin; Doc = township_doctor at a township, county_doctor at a county;
 * Coord = coordinator. Row labels in [brackets] name the state of the referral the row acts on.
 * `//` after a row: where the contract is silent, what we chose and why.
 *
 * The contract rules behind the numbers:
 *   - no token → 401 everywhere except sign-in and the operations endpoints (and unknown routes: 404);
 *   - admin-only (users, settings, webhooks, catalogue edits and draft, audit) → 403 for everyone else;
 *   - a referral outside the caller's institution → 404 for every read and action, a draft → 404 for the destination;
 *   - admins read any referral and take no actions → 403;
 *   - an action the caller's role or the state machine does not allow → 409 ILLEGAL_TRANSITION;
 *   - PATCH only by an origin doctor, 403 for other party users; only in draft or returned, else 409;
 *   - a role that may not create that direction → 403;
 *   - statistics: one's own institution; another institutionId → 403 (admins: any).
 */
const MATRIX = `
endpoint                                                          | anon | admin | twnDoc | twnCoord | othTwnDoc | othTwnCoord | cntyDoc | cntyCoord | othCntyDoc | othCntyCoord | note
POST   /api/v1/auth/login                                         | 200  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          | // each signs in with its own credentials (anon: a valid pair) — no token needed
GET    /api/v1/me                                                 | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /health                                                    | 200  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /health/ready                                              | 200  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /metrics                                                   | 200  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/no-such-route                                      | 404  | 404   | 404    | 404      | 404       | 404         | 404     | 404       | 404        | 404          | // unknown routes are 404 even without a token: there is nothing to authenticate for
POST   /api/v1/institutions                                       | 401  | 201   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/institutions                                       | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
POST   /api/v1/users                                              | 401  | 201   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/users                                              | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
POST   /api/v1/referrals [up]                                     | 401  | 403   | 201    | 403      | 201       | 403         | 403     | 403       | 403        | 403          | // "other" township doctors refer their own patients: 201 too
POST   /api/v1/referrals [down]                                   | 401  | 403   | 403    | 403      | 403       | 403         | 201     | 403       | 201        | 403          |
GET    /api/v1/referrals?box=outgoing                             | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          | // admin: 200 with an empty list — an admin belongs to no institution, so has no worklist
GET    /api/v1/referrals?box=incoming                             | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          | // (same)
GET    /api/v1/referrals/{id} [submitted]                         | 401  | 200   | 200    | 200      | 404       | 404         | 200     | 200       | 404        | 404          |
GET    /api/v1/referrals/{id} [draft]                             | 401  | 200   | 200    | 200      | 404       | 404         | 404     | 404       | 404        | 404          | // admin reads drafts too ("an admin may read any referral")
GET    /api/v1/referrals/{id}/timeline [submitted]                | 401  | 200   | 200    | 200      | 404       | 404         | 200     | 200       | 404        | 404          |
GET    /api/v1/referrals/{id}/timeline [draft]                    | 401  | 200   | 200    | 200      | 404       | 404         | 404     | 404       | 404        | 404          |
PATCH  /api/v1/referrals/{id} [draft]                             | 401  | 403   | 200    | 403      | 404       | 404         | 404     | 404       | 404        | 404          |
PATCH  /api/v1/referrals/{id} [returned]                          | 401  | 403   | 200    | 403      | 404       | 404         | 403     | 403       | 404        | 404          |
PATCH  /api/v1/referrals/{id} [submitted]                         | 401  | 403   | 409    | 403      | 404       | 404         | 403     | 403       | 404        | 404          | // who-may-edit (403) is checked before the state (409)
POST   /api/v1/referrals/{id}/actions/submit [draft]              | 401  | 403   | 200    | 409      | 404       | 404         | 404     | 404       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/accept [submitted]          | 401  | 403   | 409    | 409      | 404       | 404         | 200     | 200       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/return [submitted]          | 401  | 403   | 409    | 409      | 404       | 404         | 200     | 200       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/resubmit [returned]         | 401  | 403   | 200    | 409      | 404       | 404         | 409     | 409       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/cancel [submitted]          | 401  | 403   | 200    | 200      | 404       | 404         | 409     | 409       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/arrive [accepted]           | 401  | 403   | 409    | 409      | 404       | 404         | 200     | 200       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/no_show [accepted]          | 401  | 403   | 409    | 409      | 404       | 404         | 200     | 200       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/complete [arrived]          | 401  | 403   | 409    | 409      | 404       | 404         | 200     | 200       | 404        | 404          |
POST   /api/v1/referrals/{id}/actions/expire [submitted]          | 401  | 403   | 409    | 409      | 404       | 404         | 409     | 409       | 404        | 404          | // the deadline engine's only
POST   /api/v1/referrals/{id}/actions/teleport [submitted]        | 401  | 403   | 404    | 404      | 404       | 404         | 404     | 404       | 404        | 404          | // unknown action → 404; admin: 403 first (takes no actions of any name)
GET    /api/v1/reason-codes                                       | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
POST   /api/v1/reason-codes                                       | 401  | 201   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
PATCH  /api/v1/reason-codes/{code}                                | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/settings/deadlines                                 | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
PUT    /api/v1/settings/deadlines                                 | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/catalogue/conditions                               | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/catalogue/conditions?version=draft                 | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/catalogue/conditions/{code}                        | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/catalogue/match?icd10=I10.x00                      | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/catalogue/versions                                 | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/catalogue/versions/{version}/diff                  | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/catalogue/export                                   | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/catalogue/audit                                    | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          | // the edit log is the editors'
POST   /api/v1/catalogue/conditions                               | 401  | 201   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
PATCH  /api/v1/catalogue/conditions/{code}                        | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
DELETE /api/v1/catalogue/conditions/{code}                        | 401  | 204   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
POST   /api/v1/catalogue/publish                                  | 401  | 201   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
POST   /api/v1/catalogue/import                                   | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/inbox                                              | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          | // everyone has an inbox (admins receive escalations)
GET    /api/v1/inbox/unread-count                                 | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
POST   /api/v1/inbox/{id}/read [cntyCoord's]                      | 401  | 404   | 404    | 404      | 404       | 404         | 404     | 200       | 404        | 404          | // another user's notification is 404, a colleague's and the admin's included
POST   /api/v1/webhooks                                           | 401  | 201   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/webhooks                                           | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/webhooks/{id}/deliveries                           | 401  | 200   | 403    | 403      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/stats/summary                                      | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          | // without institutionId: the caller's own institution (admins: all)
GET    /api/v1/stats/summary?institutionId={twn}                  | 401  | 200   | 200    | 200      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/stats/by-institution                               | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          | // a breakdown of what the caller may see anyway
GET    /api/v1/stats/by-institution?institutionId={twn}           | 401  | 200   | 200    | 200      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/stats/by-condition                                 | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/stats/by-condition?institutionId={twn}             | 401  | 200   | 200    | 200      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/stats/by-month                                     | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/stats/by-month?institutionId={twn}                 | 401  | 200   | 200    | 200      | 403       | 403         | 403     | 403       | 403        | 403          |
GET    /api/v1/stats/export.csv?table=summary                     | 401  | 200   | 200    | 200      | 200       | 200         | 200     | 200       | 200        | 200          |
GET    /api/v1/stats/export.csv?table=summary&institutionId={twn} | 401  | 200   | 200    | 200      | 403       | 403         | 403     | 403       | 403        | 403          |
`;

const CALLERS = ['anon', 'admin', 'twnDoc', 'twnCoord', 'othTwnDoc', 'othTwnCoord', 'cntyDoc', 'cntyCoord', 'othCntyDoc', 'othCntyCoord'] as const;
type Caller = (typeof CALLERS)[number];
interface Row { method: string; path: string; variant: string | undefined; key: string; expected: Record<Caller, number>; note: string }

/** Reads the table above; any malformed line fails loudly. */
function parseMatrix(text: string): Row[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('|').map((c) => c.trim());
  expect(header.slice(1, 1 + CALLERS.length)).toEqual([...CALLERS]);
  return lines.slice(1).map((line) => {
    const cells = line.split('|').map((c) => c.trim());
    const m = /^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)(?:\s+\[([^\]]+)\])?$/.exec(cells[0]);
    if (!m) throw new Error(`bad matrix row: ${line}`);
    const statuses = cells.slice(1, 1 + CALLERS.length).map(Number);
    if (statuses.length !== CALLERS.length || statuses.some((s) => !Number.isInteger(s))) throw new Error(`bad statuses in row: ${line}`);
    return {
      method: m[1],
      path: m[2],
      variant: m[3],
      key: cells[0].replace(/\s+/g, ' '),
      expected: Object.fromEntries(CALLERS.map((c, i) => [c, statuses[i]])) as Record<Caller, number>,
      note: cells.slice(1 + CALLERS.length).join('|').replace(/^\/\/\s*/, ''),
    };
  });
}

const ROWS = parseMatrix(MATRIX);

describe('authorization matrix: every endpoint × every caller', () => {
  let t: TestApp;
  let c: Community;
  let otherCounty: Institution;
  const who = {} as Record<Exclude<Caller, 'anon'>, SignedIn>;
  let inboxEntryId: string;
  let webhookId: string;
  const tag = () => randomBytes(4).toString('hex');

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
    otherCounty = await createInstitution(t, c.admin, 'county', '邻县人民医院');
    Object.assign(who, {
      admin: c.admin,
      twnDoc: c.townshipDoctor,
      twnCoord: c.townshipCoordinator,
      othTwnDoc: c.otherTownshipDoctor,
      othTwnCoord: await createUser(t, c.admin, 'coordinator', c.otherTownship.id, '和平镇协调员'),
      cntyDoc: c.countyDoctor,
      cntyCoord: c.countyCoordinator,
      othCntyDoc: await createUser(t, c.admin, 'county_doctor', otherCounty.id, '邻县医生'),
      othCntyCoord: await createUser(t, c.admin, 'coordinator', otherCounty.id, '邻县协调员'),
    });
    // A notification of the county coordinator: the submission of a referral reaches the destination's inbox.
    const r = await createReferral(t, c.townshipDoctor, upReferral(c));
    inboxEntryId = await waitFor(async () => {
      const res = await t.http.get('/api/v1/inbox').set(bearer(c.countyCoordinator));
      return res.body.items?.find((n: { referralId: string }) => n.referralId === r.id)?.id;
    });
    const hook = await t.http.post('/api/v1/webhooks').set(bearer(c.admin)).send({ url: 'http://127.0.0.1:9/matrix', events: ['referral.expired'], secret: 'matrix-secret' });
    expect(hook.status).toBe(201);
    webhookId = hook.body.id;
  });
  afterAll(async () => t?.close());

  /** A referral from township A to county C in the state a row needs (fresh for every cell: acting changes it). */
  async function referralIn(state: string): Promise<{ id: string; version: number }> {
    if (state === 'draft') return createReferral(t, c.townshipDoctor, upReferral(c, { submit: false }));
    let r = await createReferral(t, c.townshipDoctor, upReferral(c));
    if (state === 'submitted') return r;
    if (state === 'returned') return actOk(t, c.countyCoordinator, r, 'return', { reasonCode: 'information_incomplete' });
    r = await actOk(t, c.countyCoordinator, r, 'accept', { department: '心内科' });
    if (state === 'accepted') return r;
    if (state === 'arrived') return actOk(t, c.countyCoordinator, r, 'arrive');
    throw new Error(`no fixture for state ${state}`);
  }

  /** A valid request for the row, for this caller: what remains to refuse it is who is asking. */
  async function requestFor(row: Row, caller: Caller): Promise<{ method: string; url: string; body?: unknown }> {
    const url = row.path.replace('{twn}', c.township.id);
    const p = `${row.method} ${row.path.replace(/\?.*$/, '')}`;
    const action = /\/actions\/(\w+)$/.exec(row.path)?.[1];
    if (action) {
      const r = await referralIn(row.variant!);
      const payloads: Record<string, object> = {
        accept: { department: '心内科' },
        return: { reasonCode: 'capacity_full' },
        cancel: { comment: '患者改变主意' },
        complete: { outcome: { diagnosis: '原发性高血压', summary: '血压控制达标', recommendations: '社区随访' } },
      };
      return { method: 'POST', url: url.replace('{id}', r.id), body: { version: r.version, ...(payloads[action] ?? {}) } };
    }
    switch (p) {
      case 'POST /api/v1/auth/login': {
        const self = caller === 'anon' ? who.twnDoc : who[caller];
        return { method: 'POST', url, body: { username: self.user.username, password: caller === 'admin' ? t.config.auth.adminPassword : TEST_PASSWORD } };
      }
      case 'POST /api/v1/institutions':
        return { method: 'POST', url, body: { code: `m-${tag()}`, name: '新华镇卫生院', level: 'township' } };
      case 'POST /api/v1/users':
        return { method: 'POST', url, body: { username: `m.${tag()}`, password: 'long-enough-1', displayName: '赵医生', role: 'coordinator', institutionId: c.county.id } };
      case 'POST /api/v1/referrals': {
        const destination = row.variant === 'down' ? c.township : c.county;
        const base = upReferral(c, { toInstitutionId: destination.id });
        return { method: 'POST', url, body: row.variant === 'down' ? { ...base, direction: 'down', indications: [], handover: handover() } : base };
      }
      case 'GET /api/v1/referrals/{id}':
      case 'GET /api/v1/referrals/{id}/timeline':
        return { method: 'GET', url: url.replace('{id}', (await referralIn(row.variant!)).id) };
      case 'PATCH /api/v1/referrals/{id}': {
        const r = await referralIn(row.variant!);
        return { method: 'PATCH', url: url.replace('{id}', r.id), body: { version: r.version, reason: '补充了心电图结果' } };
      }
      case 'POST /api/v1/reason-codes':
        return { method: 'POST', url, body: { code: `m_${tag()}`, labelZh: '设备检修', labelEn: 'Equipment maintenance' } };
      case 'PATCH /api/v1/reason-codes/{code}':
        return { method: 'PATCH', url: url.replace('{code}', 'other'), body: { labelEn: 'Other' } };
      case 'PUT /api/v1/settings/deadlines':
        return { method: 'PUT', url, body: DEFAULT_DEADLINE_SETTINGS };
      case 'GET /api/v1/catalogue/conditions/{code}':
        return { method: 'GET', url: url.replace('{code}', 'hypertension') };
      case 'GET /api/v1/catalogue/versions/{version}/diff':
        return { method: 'GET', url: url.replace('{version}', '1') };
      case 'POST /api/v1/catalogue/conditions':
        return { method: 'POST', url, body: condition() };
      case 'PATCH /api/v1/catalogue/conditions/{code}':
        return { method: 'PATCH', url: url.replace('{code}', 'hypertension'), body: { note: '矩阵测试' } };
      case 'DELETE /api/v1/catalogue/conditions/{code}': {
        // The admin deletes a condition of its own; the others are refused before it matters which.
        const code = caller === 'admin' ? (await t.http.post('/api/v1/catalogue/conditions').set(bearer(c.admin)).send(condition())).body.code : 'hypertension';
        return { method: 'DELETE', url: url.replace('{code}', code) };
      }
      case 'POST /api/v1/catalogue/publish':
        if (caller === 'admin') await t.http.post('/api/v1/catalogue/conditions').set(bearer(c.admin)).send(condition());
        return { method: 'POST', url, body: { note: '矩阵测试发布' } };
      case 'POST /api/v1/catalogue/import':
        return { method: 'POST', url, body: [condition()] };
      case 'POST /api/v1/inbox/{id}/read':
        return { method: 'POST', url: url.replace('{id}', inboxEntryId) };
      case 'POST /api/v1/webhooks':
        return { method: 'POST', url, body: { url: 'http://127.0.0.1:9/matrix', events: ['referral.accepted'], secret: 's3cret' } };
      case 'GET /api/v1/webhooks/{id}/deliveries':
        return { method: 'GET', url: url.replace('{id}', webhookId) };
      default:
        if (row.method === 'GET' && !url.includes('{')) return { method: 'GET', url };
        throw new Error(`no request for matrix row ${row.key}`);
    }
  }

  let codes = 0;
  const condition = () => ({
    code: `matrix_${++codes}_${tag()}`,
    nameZh: '偏头痛',
    nameEn: 'Migraine',
    icd10: [`Y${String(codes).padStart(2, '0')}.9`], // one range per condition: publishing refuses overlaps
    category: 'neurological',
    tier: 'county',
    grassrootsFirst: false,
    upwardIndications: [{ text: '规范治疗后仍频繁发作', emergency: false }],
    downwardCriteria: [{ text: '诊断明确，发作控制' }],
  });

  it('covers every endpoint of the OpenAPI document', async () => {
    const docs = await t.http.get('/docs-json');
    const documented = Object.entries<Record<string, unknown>>(docs.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const inTable = new Set(ROWS.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '').replace(/\/actions\/\w+$/, '/actions/{action}')}`));
    expect(documented.filter((e) => !inTable.has(e))).toEqual([]);
  });

  describe.each(ROWS.map((r) => [r.key, r] as const))('%s', (_key, row) => {
    it.each(CALLERS.map((caller) => [caller, row.expected[caller]] as const))('%s → %i', async (caller, expected) => {
      const req = await requestFor(row, caller);
      let call = t.http[req.method.toLowerCase() as 'get'](req.url);
      if (caller !== 'anon') call = call.set(bearer(who[caller]));
      const res = req.body === undefined ? await call : await call.send(req.body as object);
      expect({ status: res.status, body: res.status === expected ? undefined : res.body }).toEqual({ status: expected, body: undefined });
      if (expected >= 400) {
        const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'ILLEGAL_TRANSITION' }[expected];
        expect(res.body).toMatchObject({ code, message: expect.any(String), correlationId: res.headers['x-correlation-id'] });
      }
    });
  });
});

/** Polls until `probe` yields a value (the notification pipeline runs within seconds). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the notification');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
