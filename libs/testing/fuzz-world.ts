import { bearer, createCommunity, createInstitution, createUser, type Community, type Institution, type SignedIn } from './fixtures.js';
import { FuzzClient } from './fuzz-harness.js';
import { createReferral, upReferral } from './referral-builders.js';
import { createTestApp, type TestApp } from './test-app.js';

/**
 * The world every fuzz file starts from: the test community (a county, two townships) plus a coordinator of the
 * other township, a second county with a doctor, a submitted upward referral A → county, a draft at A, a referral
 * of the other township, and a webhook subscription. No worker runs, so nothing writes behind the requests' backs.
 */
export interface FuzzWorld {
  t: TestApp;
  client: FuzzClient;
  c: Community;
  otherCounty: Institution;
  otherCountyDoctor: SignedIn;
  otherTownshipCoordinator: SignedIn;
  /** Submitted, township → county. */
  submitted: { id: string; version: number };
  /** A draft of the township doctor. */
  draft: { id: string; version: number };
  /** Submitted by the other township to the county: outside the township's scope. */
  foreign: { id: string; version: number };
  webhookId: string;
}

export async function createFuzzWorld(): Promise<FuzzWorld> {
  const t = await createTestApp({ withWorker: false });
  const c = await createCommunity(t);
  const otherCounty = await createInstitution(t, c.admin, 'county', '邻县人民医院');
  const otherCountyDoctor = await createUser(t, c.admin, 'county_doctor', otherCounty.id, '邻县医生');
  const otherTownshipCoordinator = await createUser(t, c.admin, 'coordinator', c.otherTownship.id, '和平镇协调员');
  const submitted = await createReferral(t, c.townshipDoctor, upReferral(c));
  const draft = await createReferral(t, c.townshipDoctor, upReferral(c, { submit: false }));
  const foreign = await createReferral(t, c.otherTownshipDoctor, upReferral(c));
  const hook = await t.http
    .post('/api/v1/webhooks')
    .set(bearer(c.admin))
    .send({ url: 'http://127.0.0.1:9/fuzz', events: ['referral.submitted'], secret: 'fuzz-secret' });
  if (hook.status !== 201) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
  return {
    t,
    client: new FuzzClient(t),
    c,
    otherCounty,
    otherCountyDoctor,
    otherTownshipCoordinator,
    submitted: { id: submitted.id, version: submitted.version },
    draft: { id: draft.id, version: draft.version },
    foreign: { id: foreign.id, version: foreign.version },
    webhookId: hook.body.id,
  };
}

/** Real values for every path parameter the app declares, so a request's only defect is the one a test put in. */
export function realPathValues(w: FuzzWorld): Record<string, string> {
  return { id: w.submitted.id, action: 'accept', code: 'hypertension', version: '1' };
}

/** The path parameter values that fit a given endpoint (a webhook id for webhook routes, and so on). */
export function pathValuesFor(w: FuzzWorld, path: string): Record<string, string> {
  const values = realPathValues(w);
  if (path.startsWith('/api/v1/webhooks/')) values.id = w.webhookId;
  if (path.startsWith('/api/v1/reason-codes/')) values.code = 'other';
  return values;
}
