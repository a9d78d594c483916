import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { REFERRAL_STATUSES } from '../../libs/domain/referral/referral-status.js';
import { bearer, type SignedIn } from '../../libs/testing/fixtures.js';
import { badCursor, badLimit, hostileText, notAUuid, notIcd10, storableHostileText, unknownUuid } from '../../libs/testing/fuzz-arbitraries.js';
import {
  checkProperty,
  discoverEndpoints,
  expectError,
  expectNothingWritten,
  expectPage,
  fillPath,
  queryString,
  type Endpoint,
  type FuzzResponse,
} from '../../libs/testing/fuzz-harness.js';
import { createFuzzWorld, pathValuesFor, type FuzzWorld } from '../../libs/testing/fuzz-world.js';

/** 400, 404 …, or "either" where the contract allows more than one answer (e.g. free text that is also too long). */
type Outcome = 200 | 400 | 403 | 404 | 'client-error' | 'ok-or-400';

const notIn = (allowed: readonly string[]) => hostileText(20).filter((s) => !allowed.includes(s));
const enumParam = (allowed: readonly string[]) => ({ good: fc.constantFrom(...allowed), bad: notIn(allowed).map((v) => [v, 400] as [string, Outcome]) });
// Every `from` is before every `to`, so a good pair is a period.
const rfc3339From = fc.constantFrom('2025-01-01T00:00:00Z', '2025-06-30T16:00:00+08:00');
const rfc3339To = fc.constantFrom('2026-01-01T00:00:00Z', '2026-11-23T08:30:00.123-05:00');
const freeText = (max: number) => ({
  good: storableHostileText(Math.min(max, 60)),
  bad: fc.oneof(
    // Longer than any list allows (the catalogue search takes 200, the worklist 100).
    fc.integer({ min: Math.max(max, 200) + 1, max: Math.max(max, 200) + 40 }).map((n) => ['查'.repeat(n), 400] as [string, Outcome]),
    // NUL: a search for it may find nothing (200) or be refused (400).
    fc.constantFrom('\u0000', 'a\u0000b').map((v) => [v, 'ok-or-400'] as [string, Outcome]),
  ),
});

/**
 * What the contract says of each query parameter: values it must take, and values it must refuse with the
 * status they deserve. Parameters not listed (added since) get hostile values and only the general checks.
 */
const QUERY_PARAMS: Record<string, { good: fc.Arbitrary<string>; bad: fc.Arbitrary<[string, Outcome]> }> = {
  limit: { good: fc.integer({ min: 1, max: 100 }).map(String), bad: badLimit.map((v) => [v, 400]) },
  cursor: { good: fc.constant(''), bad: badCursor.map((v) => [v, 400]) },
  level: enumParam(['county', 'township', 'village']),
  box: enumParam(['outgoing', 'incoming']),
  status: enumParam(REFERRAL_STATUSES),
  direction: enumParam(['up', 'down']),
  urgency: enumParam(['routine', 'urgent', 'emergency']),
  unread: enumParam(['true', 'false']),
  q: freeText(100),
  category: freeText(100),
  version: {
    good: fc.constantFrom('1', '+1', '01', ''),
    bad: fc.oneof(
      hostileText(20)
        .filter((s) => s !== '' && s !== 'draft' && !/^[+-]?\d{1,20}$/.test(s))
        .map((v) => [v, 400] as [string, Outcome]),
      fc.constantFrom('2', '999', '0', '-1', '2147483648', '99999999999999999999').map((v) => [v, 404] as [string, Outcome]),
    ),
  },
  icd10: { good: fc.constantFrom('I10.x00', 'I10', 'E11.900', 'J44.1', 'I63.9', 'S72.0', 'Z99.8'), bad: notIcd10.map((v) => [v, 400]) },
  from: { good: rfc3339From, bad: fc.oneof(hostileText(20), fc.constantFrom('2026-13-01T00:00:00Z', 'yesterday', '1700000000', '2026-01-01')).filter((s) => s !== '').map((v) => [v, 400]) },
  to: { good: rfc3339To, bad: fc.oneof(hostileText(20), fc.constantFrom('2026-02-30T00:00:00Z', 'now', '2026/01/01')).filter((s) => s !== '').map((v) => [v, 400]) },
  institutionId: { good: fc.constant('OWN'), bad: notAUuid.filter((s) => s.trim() !== '').map((v) => [v, 400]) },
};

const enumSpec = (e: Endpoint, name: string) => {
  const values = e.queryParams.find((p) => p.name === name)?.enum;
  return values?.length ? enumParam(values) : undefined;
};

/**
 * Known defect (reported): a path segment whose percent-encoding is not UTF-8 (a lone surrogate's bytes) is
 * answered by fastify's router itself (FST_ERR_BAD_URL, its own body, no X-Correlation-Id): the adapter in
 * apps/api/bootstrap.ts sets no `frameworkErrors` handler. Left out of the property; pinned by an it.failing below.
 */
const KNOWN_BAD_URL = /[\ud800-\udfff]/;

/** Required query parameters (missing → 400), besides those the OpenAPI document marks required. */
const REQUIRED: Record<string, string[]> = { '/api/v1/referrals': ['box'], '/api/v1/catalogue/match': ['icd10'] };

describe('fuzz: hostile query strings and path parameters on every read endpoint', () => {
  let w: FuzzWorld;
  let reads: Endpoint[];
  /** Who reads what: the township doctor (a party to the submitted referral) unless only admins may. */
  const caller = new Map<string, SignedIn>();

  beforeAll(async () => {
    w = await createFuzzWorld();
    reads = (await discoverEndpoints(w.client)).filter((e) => e.method === 'GET');
    for (const e of reads) {
      const url = fillPath(e.path, pathValuesFor(w, e.path)) + queryString(Object.fromEntries((REQUIRED[e.path] ?? []).map((p) => [p, p === 'box' ? 'outgoing' : 'I10'])));
      const res = await w.client.send({ method: 'GET', url, headers: bearer(w.c.townshipDoctor) });
      caller.set(e.path, res.status === 403 ? w.c.admin : w.c.townshipDoctor);
    }
  });
  afterAll(async () => {
    if (w) console.log(`[fuzz] queries: ${w.client.count} requests`);
    await w?.t.close();
  });

  /** Path values that must answer 404 (a UUID names nothing or something outside the caller's scope; a code names nothing). */
  const badPathValue = (e: Endpoint, name: string): fc.Arbitrary<[string, Outcome]> => badPathValueAny(e, name).filter(([v]) => !KNOWN_BAD_URL.test(v));
  const badPathValueAny = (e: Endpoint, name: string): fc.Arbitrary<[string, Outcome]> => {
    if (name === 'id') {
      const foreign = e.path.startsWith('/api/v1/referrals/') ? [fc.constant(w.foreign.id)] : [];
      return fc.oneof(notAUuid, unknownUuid, ...foreign).map((v) => [v, 404]);
    }
    if (name === 'version') {
      return fc.oneof(
        hostileText(20)
          .filter((s) => s !== '' && s !== 'draft' && !/^[+-]?\d{1,20}$/.test(s) && !s.includes('/') && !s.includes('?') && !s.includes('#'))
          .map((v) => [v, 'client-error'] as [string, Outcome]),
        fc.constantFrom('2', '999', '0').map((v) => [v, 404] as [string, Outcome]),
      );
    }
    // A code: hostile text that is not a real condition or reason code names nothing.
    return hostileText(30)
      .filter((s) => s.trim() !== '' && !/^[a-z0-9_]{2,64}$/.test(s))
      .map((v) => [v, /[\u0000\ud800-\udfff]/.test(v) ? 'client-error' : 404]);
  };

  const expectOutcome = (res: FuzzResponse, outcome: Outcome, e: Endpoint) => {
    if (outcome === 'client-error' || outcome === 'ok-or-400') {
      expect(outcome === 'client-error' ? [400, 404] : [200, 400]).toContain(res.status);
      return;
    }
    if (outcome !== 200) {
      expectError(res, outcome);
      return;
    }
    expect(res.status).toBe(200);
    if (e.queryParams.some((p) => p.name === 'limit')) expectPage(res);
  };

  it('refuses each broken parameter with its own status, answers the rest with 200 (lists as pages), and writes nothing', async () => {
    expect(reads.length).toBeGreaterThanOrEqual(15);
    const request = fc.constantFrom(...reads).chain((e) => {
      // Parameters this suite does not know take their values from the OpenAPI enum when there is one.
      const spec = (name: string) => QUERY_PARAMS[name] ?? enumSpec(e, name);
      const params = e.queryParams.map((p) => p.name);
      const known = params.filter((p) => spec(p));
      const unknownParams = params.filter((p) => !spec(p));
      const required = [...(REQUIRED[e.path] ?? []), ...e.queryParams.filter((p) => p.required && !(REQUIRED[e.path] ?? []).includes(p.name)).map((p) => p.name)];
      const defects: fc.Arbitrary<{ where: string; value: string; outcome: Outcome } | null>[] = [fc.constant(null)];
      for (const p of known) defects.push(spec(p)!.bad.map(([value, outcome]) => ({ where: `query:${p}`, value, outcome })));
      for (const p of required) defects.push(fc.constant({ where: `missing:${p}`, value: '', outcome: 400 as Outcome }));
      // Statistics: another institution's figures are not a non-admin's to see.
      if (known.includes('institutionId') && caller.get(e.path)?.user.role !== 'admin') {
        defects.push(fc.constantFrom(w.c.otherTownship.id, w.otherCounty.id).map((value) => ({ where: 'query:institutionId', value, outcome: 403 as Outcome })));
      }
      for (const p of e.pathParams) defects.push(badPathValue(e, p).map(([value, outcome]) => ({ where: `path:${p}`, value, outcome })));
      const goodValues = fc.record(Object.fromEntries(known.map((p) => [p, required.includes(p) ? spec(p)!.good : fc.option(spec(p)!.good, { nil: undefined })])) as Record<string, fc.Arbitrary<string | undefined>>);
      const unknownValues = fc.record(Object.fromEntries(unknownParams.map((p) => [p, fc.option(hostileText(30), { nil: undefined })])) as Record<string, fc.Arbitrary<string | undefined>>);
      // With a required parameter this suite cannot fill, only the general rules apply.
      const blind = unknownParams.some((p) => e.queryParams.find((q) => q.name === p)?.required);
      return fc.record({ e: fc.constant(e), defect: fc.oneof(...defects), good: goodValues, extra: unknownValues, blind: fc.constant(blind) });
    });
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'hostile query and path parameters',
        request,
        async ({ e, defect, good, extra, blind }) => {
          const who = caller.get(e.path)!;
          const query: Record<string, string | undefined> = { ...good };
          for (const p of REQUIRED[e.path] ?? []) query[p] ??= p === 'box' ? 'outgoing' : 'I10';
          if (query.institutionId === 'OWN') query.institutionId = who.user.institutionId ?? undefined;
          if (query.cursor === '') delete query.cursor;
          const pathValues = pathValuesFor(w, e.path);
          if (defect?.where.startsWith('query:')) query[defect.where.slice(6)] = defect.value;
          if (defect?.where.startsWith('missing:')) delete query[defect.where.slice(8)];
          if (defect?.where.startsWith('path:')) pathValues[defect.where.slice(5)] = defect.value;
          const url = fillPath(e.path, pathValues) + queryString(query);
          const res = await w.client.send({ method: 'GET', url, headers: bearer(who) });
          if (Object.values(extra).some((v) => v !== undefined)) {
            // Parameters this suite knows nothing about: only the general rules (no 5xx, error shape) apply.
            await w.client.send({ method: 'GET', url: fillPath(e.path, pathValues) + queryString({ ...query, ...extra }), headers: bearer(who) });
          }
          if (!blind) expectOutcome(res, defect?.outcome ?? 200, e);
        },
        { seed: 0x9e7, numRuns: 2600 },
      ),
    );
  });

  it('gives the draft catalogue to admins only (403 for everyone else)', async () => {
    const draftReads = reads.filter((e) => e.queryParams.some((p) => p.name === 'version') || e.pathParams.includes('version'));
    await checkProperty(
      '?version=draft',
      fc.tuple(fc.constantFrom(...draftReads), fc.constantFrom(w.c.admin, w.c.townshipDoctor, w.c.countyCoordinator, w.c.countyDoctor)),
      async ([e, who]) => {
        const pathValues = { ...pathValuesFor(w, e.path), version: 'draft' };
        const query = e.queryParams.some((p) => p.name === 'version') ? { version: 'draft', ...(e.path.endsWith('/match') ? { icd10: 'I10' } : {}) } : {};
        const res = await w.client.send({ method: 'GET', url: fillPath(e.path, pathValues) + queryString(query), headers: bearer(who) });
        if (who === w.c.admin) expect(res.status).toBe(200);
        else expectError(res, 403, 'FORBIDDEN');
      },
      { seed: 0xd4af7, numRuns: 60 },
    );
  });

  it('pages through every list with the cursors it hands out, and refuses a cursor from another list', async () => {
    const lists = reads.filter((e) => e.queryParams.some((p) => p.name === 'cursor'));
    const cursors = new Map<string, string>();
    for (const e of lists) {
      const who = caller.get(e.path)!;
      const base = Object.fromEntries((REQUIRED[e.path] ?? []).map((p) => [p, p === 'box' ? 'outgoing' : 'I10']));
      let cursor: string | undefined;
      const seen = new Set<string>();
      for (let page = 0; page < 50; page++) {
        const res = await w.client.send({ method: 'GET', url: fillPath(e.path, pathValuesFor(w, e.path)) + queryString({ ...base, limit: '1', cursor }), headers: bearer(who) });
        expectPage(res);
        for (const item of res.body.items) {
          const id = JSON.stringify(item.id ?? item.code ?? item.version ?? item);
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
        if (res.body.nextCursor === null) break;
        cursor = res.body.nextCursor;
        cursors.set(e.path, cursor!);
      }
    }
    // A cursor is bound to its list: one issued for another list is refused.
    for (const e of lists) {
      for (const [from, cursor] of cursors) {
        if (from === e.path) continue;
        const base = Object.fromEntries((REQUIRED[e.path] ?? []).map((p) => [p, p === 'box' ? 'outgoing' : 'I10']));
        const res = await w.client.send({ method: 'GET', url: fillPath(e.path, pathValuesFor(w, e.path)) + queryString({ ...base, cursor }), headers: bearer(caller.get(e.path)!) });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
    }
  });

  describe('known defects (reported; each test passes while the defect is there)', () => {
    it.failing.each(['/api/v1/referrals/%ED%A0%80', '/api/v1/catalogue/conditions/%C0%80', '/api/v1/catalogue/versions/%FF/diff'])(
      'GET %s (not UTF-8) answers in the contract error shape with an X-Correlation-Id',
      async (url) => {
        const res = await w.client.send({ method: 'GET', url, headers: bearer(w.c.townshipDoctor) });
        expect([400, 404]).toContain(res.status);
      },
    );
  });

  // The fuzz files together send well over 10,000 generated requests per run; this file's share:
  it('sent at least 2,500 requests', () => {
    expect(w.client.count).toBeGreaterThanOrEqual(2_500);
  });
});
