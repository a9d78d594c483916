import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bearer } from '../../libs/testing/fixtures.js';
import { badIdempotencyKey, correlationId, goodIdempotencyKey, headerSafe, hostileText, storableHostileText, wrongType } from '../../libs/testing/fuzz-arbitraries.js';
import { checkProperty, discoverEndpoints, expectError, expectNothingWritten, fillPath, OPS_ENDPOINTS, type Endpoint } from '../../libs/testing/fuzz-harness.js';
import { createFuzzWorld, pathValuesFor, type FuzzWorld } from '../../libs/testing/fuzz-world.js';
import { writeTemplates, type WriteTemplate } from './write-templates.js';

const key = (e: { method: string; path: string }) => `${e.method} ${e.path}`;

/** The contract: "writes that create or act accept an Idempotency-Key header". */
const CREATE_OR_ACT = [
  'POST /api/v1/institutions',
  'POST /api/v1/users',
  'POST /api/v1/referrals',
  'POST /api/v1/referrals/{id}/actions/{action}',
  'POST /api/v1/reason-codes',
  'POST /api/v1/catalogue/conditions',
  'POST /api/v1/catalogue/publish',
  'POST /api/v1/catalogue/import',
  'POST /api/v1/webhooks',
];

/**
 * Known defect (reported): these create without the IdempotencyInterceptor, so they ignore the header (a
 * malformed key is not refused; a retry is not replayed). Left out of the properties; pinned by it.failing below.
 */
const WITHOUT_IDEMPOTENCY = ['POST /api/v1/institutions', 'POST /api/v1/users', 'POST /api/v1/reason-codes', 'POST /api/v1/webhooks'];

describe('fuzz: headers — Idempotency-Key, X-Correlation-Id, Content-Type', () => {
  let w: FuzzWorld;
  let endpoints: Endpoint[];
  const templates = writeTemplates();
  /** The first template of an endpoint (for actions: accept). */
  const templateOf = (k: string) => templates.find((t) => key(t) === k)!;

  beforeAll(async () => {
    w = await createFuzzWorld();
    endpoints = await discoverEndpoints(w.client);
  });
  afterAll(async () => {
    if (w) console.log(`[fuzz] headers: ${w.client.count} requests`);
    await w?.t.close();
  });

  const prepared = async (k: string) => {
    const t = templateOf(k);
    const { pathValues, body } = await t.setup(w);
    return { t, url: fillPath(t.path, pathValues), body, who: t.as(w)! };
  };

  it('refuses a malformed Idempotency-Key with 400 naming it, before acting on an otherwise valid request, and writes nothing', async () => {
    const checked = CREATE_OR_ACT.filter((k) => !WITHOUT_IDEMPOTENCY.includes(k));
    const setups = new Map(await Promise.all(checked.map(async (k) => [k, await prepared(k)] as const)));
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'malformed Idempotency-Key',
        fc.tuple(fc.constantFrom(...checked), badIdempotencyKey.map(headerSafe)),
        async ([k, badKey]) => {
          const s = setups.get(k)!;
          const res = await w.client.send({ method: s.t.method, url: s.url, headers: { ...bearer(s.who), 'idempotency-key': badKey }, body: s.body() });
          expectError(res, 400, 'VALIDATION_FAILED');
          expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['Idempotency-Key']);
        },
        { seed: 0x1d3, numRuns: 500 },
      ),
    );
  });

  it('replays the first answer for the same key and body, refuses the key with another body (422), and acts once', async () => {
    // Bodies: the valid template (the first answer is a success) or a broken one (the first answer is a 400).
    const checked = ['POST /api/v1/referrals', 'POST /api/v1/catalogue/conditions', 'POST /api/v1/catalogue/import'];
    await checkProperty(
      'idempotent replay',
      fc.tuple(fc.constantFrom(...checked), goodIdempotencyKey, fc.boolean(), wrongType, storableHostileText(20)),
      async ([k, idemKey, valid, junk, other]) => {
        const s = await prepared(k);
        const body = valid ? s.body() : { ...(s.body() as object), reason: junk, nameZh: junk };
        const headers = { ...bearer(s.who), 'idempotency-key': idemKey, 'x-correlation-id': `replay-${idemKey.length}-${Date.now()}` };
        const before = await rows(s.t);
        const first = await w.client.send({ method: s.t.method, url: s.url, headers, body });
        const again = await w.client.send({ method: s.t.method, url: s.url, headers, body });
        expect({ status: again.status, body: again.body }).toEqual({ status: first.status, body: first.body });
        const changed = await w.client.send({ method: s.t.method, url: s.url, headers, body: Array.isArray(body) ? [...body, other] : { ...(body as object), note: other } });
        expectError(changed, 422, 'IDEMPOTENCY_KEY_REUSED');
        // Acted at most once.
        expect((await rows(s.t)) - before).toBe(first.status < 300 ? (Array.isArray(body) ? body.length : 1) : 0);
      },
      { seed: 0x1de, numRuns: 120 },
    );
  });

  /** Rows the endpoint creates: referrals, or draft conditions. */
  const rows = async (t: WriteTemplate) => {
    const table = t.path.startsWith('/api/v1/referrals') ? 'referrals' : 'catalogue_draft_conditions';
    return Number((await w.t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  };

  it('echoes a well-formed X-Correlation-Id and replaces anything else, in the header and in error bodies, on every endpoint', async () => {
    const all = [...endpoints, ...OPS_ENDPOINTS];
    await checkProperty(
      'X-Correlation-Id',
      fc.tuple(fc.constantFrom(...all), correlationId, fc.boolean()),
      async ([e, cid, signedIn]) => {
        // A GET, or a write with no body: either succeeds harmlessly or fails validation; the header rules hold either way.
        const url = fillPath(e.path, pathValuesFor(w, e.path));
        const res = await w.client.send({ method: e.method === 'GET' ? 'GET' : e.method, url, headers: { 'x-correlation-id': cid, ...(signedIn ? bearer(w.c.countyCoordinator) : {}) }, body: e.method === 'GET' ? undefined : '{' });
        // (FuzzClient checks the echo and the body's correlationId.)
        expect(res.status).toBeLessThan(500);
      },
      { seed: 0xc1d, numRuns: 600 },
    );
  });

  it('refuses bodies that are not JSON (other Content-Types) with 400 naming Content-Type, and writes nothing', async () => {
    const writes = endpoints.filter((e) => e.method !== 'GET');
    // (text/plain is not here: fastify reads it as a string, which then fails validation like any wrong top-level value.)
    const contentType = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'text/html',
      'application/octet-stream',
      'application/jsonp',
      'image/png',
      'application/x-json-stream',
    );
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'non-JSON bodies',
        fc.tuple(fc.constantFrom(...writes), contentType, fc.oneof(fc.constant('{"username":"admin","password":"admin-password"}'), hostileText(100).filter((s) => s !== ''))),
        async ([e, type, text]) => {
          const res = await w.client.send({ method: e.method, url: fillPath(e.path, pathValuesFor(w, e.path)), headers: { ...bearer(w.c.admin), 'content-type': type }, body: text });
          expectError(res, 400, 'VALIDATION_FAILED');
          expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['Content-Type']);
        },
        { seed: 0xc7, numRuns: 300 },
      ),
    );
  });

  describe('known defects (reported; each test passes while the defect is there)', () => {
    it.failing.each(WITHOUT_IDEMPOTENCY)('%s refuses a malformed Idempotency-Key with 400', async (k) => {
      const s = await prepared(k);
      const res = await w.client.send({ method: s.t.method, url: s.url, headers: { ...bearer(s.who), 'idempotency-key': 'has space' }, body: s.body() });
      expectError(res, 400, 'VALIDATION_FAILED');
    });
  });

  // The fuzz files together send well over 10,000 generated requests per run; this file's share:
  it('sent at least 1,500 requests', () => {
    expect(w.client.count).toBeGreaterThanOrEqual(1_500);
  });
});
