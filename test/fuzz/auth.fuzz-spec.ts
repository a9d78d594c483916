import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import fc from 'fast-check';
import { badIdempotencyKey, correlationId, headerSafe, hostileText, hostileValue, SQL_PAYLOADS, storableHostileText } from '../../libs/testing/fuzz-arbitraries.js';
import {
  checkProperty,
  discoverEndpoints,
  expectError,
  expectNothingWritten,
  fillPath,
  isPublic,
  OPS_ENDPOINTS,
  type Endpoint,
} from '../../libs/testing/fuzz-harness.js';
import { TEST_PASSWORD } from '../../libs/testing/fixtures.js';
import { createFuzzWorld, pathValuesFor, type FuzzWorld } from '../../libs/testing/fuzz-world.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const hs256 = (secret: string, header: object, claims: object) => {
  const head = `${b64(header)}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
};

describe('fuzz: tokens and sign-in', () => {
  let w: FuzzWorld;
  let endpoints: Endpoint[];
  let secret: string;
  /** The admin's real claims: a forged token claims the most powerful identity there is. */
  let adminClaims: Record<string, unknown>;

  beforeAll(async () => {
    w = await createFuzzWorld();
    endpoints = await discoverEndpoints(w.client);
    secret = w.t.config.auth.jwtSecret;
    adminClaims = JSON.parse(Buffer.from(w.c.admin.token.split('.')[1], 'base64url').toString());
  });
  afterAll(async () => {
    if (w) console.log(`[fuzz] auth: ${w.client.count} requests`);
    await w?.t.close();
  });

  /** Every way a bearer credential can be wrong, with the right secret only where the token is otherwise defective. */
  const badCredential = (): fc.Arbitrary<{ kind: string; header: string | undefined }> => {
    const now = Math.floor(Date.now() / 1000);
    const claims = fc.record({ sub: fc.constantFrom(adminClaims.sub, 'x'), role: fc.constantFrom('admin', 'coordinator', 'superuser') });
    return fc.oneof(
      fc.constant({ kind: 'no header', header: undefined }),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'Token abc', 'Bearer a b', 'Bearer null', 'Bearer undefined', 'Bearer ..', 'Bearer e30.e30.').map((h) => ({ kind: 'malformed', header: h })),
      hostileText(200).map((s) => ({ kind: 'garbage', header: headerSafe(`Bearer ${s}`) })),
      fc.string({ unit: 'binary-ascii', minLength: 8, maxLength: 64 }).map((wrong) => ({
        kind: 'signed with the wrong secret',
        header: `Bearer ${new JwtService({ secret: `${wrong}!` }).sign({ ...adminClaims, exp: now + 3600, iat: now })}`,
      })),
      fc.constantFrom('none', 'None', 'NONE', 'nOnE').map((alg) => ({
        kind: 'alg none',
        header: `Bearer ${b64({ alg, typ: 'JWT' })}.${b64({ ...adminClaims, exp: now + 3600 })}.`,
      })),
      fc.integer({ min: 1, max: 10 * 365 * 86400 }).map((ago) => ({
        kind: 'expired (right secret)',
        header: `Bearer ${hs256(secret, { alg: 'HS256', typ: 'JWT' }, { ...adminClaims, iat: now - ago - 3600, exp: now - ago })}`,
      })),
      fc.integer({ min: 60, max: 86400 }).map((ahead) => ({
        kind: 'not yet valid (right secret)',
        header: `Bearer ${hs256(secret, { alg: 'HS256', typ: 'JWT' }, { ...adminClaims, nbf: now + ahead, exp: now + ahead + 3600 })}`,
      })),
      fc.constantFrom('HS384', 'HS512').map((alg) => ({
        kind: `${alg} (right secret, algorithm not accepted)`,
        header: `Bearer ${new JwtService({ secret }).sign({ ...adminClaims, exp: now + 3600 }, { algorithm: alg as 'HS384' })}`,
      })),
      claims.map((c) => ({
        kind: 'tampered payload',
        header: `Bearer ${w.c.townshipDoctor.token.split('.')[0]}.${b64({ ...adminClaims, ...c, exp: now + 3600 })}.${w.c.townshipDoctor.token.split('.')[2]}`,
      })),
      fc.constantFrom(
        { sub: 42, role: 'admin' },
        { sub: adminClaims.sub, role: 'root' },
        { sub: adminClaims.sub },
        { role: 'admin' },
      ).map((c) => ({ kind: 'right secret, claims that name no valid actor', header: `Bearer ${hs256(secret, { alg: 'HS256', typ: 'JWT' }, { ...c, exp: now + 3600 })}` })),
      fc.constant({ kind: 'truncated signature', header: `Bearer ${w.c.admin.token.slice(0, -3)}` }),
      fc.constant({ kind: 'two tokens', header: `Bearer ${w.c.admin.token} ${w.c.admin.token}` }),
    );
  };

  it('refuses every protected endpoint with 401 UNAUTHENTICATED for every defective credential, and writes nothing', async () => {
    const protectedEndpoints = endpoints.filter((e) => !isPublic(e));
    expect(protectedEndpoints.length).toBeGreaterThanOrEqual(25);
    const bodyFor = (e: Endpoint) => (e.method === 'GET' || e.method === 'DELETE' ? undefined : { version: 1, code: 'x', note: 'fuzz' });
    await expectNothingWritten(w.t.dataSource, () =>
      checkProperty(
        'defective credentials → 401',
        fc.tuple(fc.constantFrom(...protectedEndpoints), badCredential(), fc.option(badIdempotencyKey, { nil: undefined }), correlationId),
        async ([e, cred, key, cid]) => {
          const headers: Record<string, string> = { 'x-correlation-id': cid };
          if (cred.header !== undefined) headers.authorization = cred.header;
          if (key !== undefined) headers['idempotency-key'] = headerSafe(key);
          const res = await w.client.send({ method: e.method, url: fillPath(e.path, pathValuesFor(w, e.path)), headers, body: bodyFor(e) });
          if (res.status !== 401) throw new Error(`${cred.kind}: expected 401 on ${e.method} ${e.path}, got ${res.status} ${res.text.slice(0, 200)}`);
          expectError(res, 401, 'UNAUTHENTICATED');
        },
        { seed: 0x7a11, numRuns: 2500 },
      ),
    );
  });

  it('serves sign-in and the operations endpoints without a token, whatever credential is attached', async () => {
    await checkProperty(
      'public endpoints ignore credentials',
      fc.tuple(fc.constantFrom(...OPS_ENDPOINTS), badCredential()),
      async ([e, cred]) => {
        const res = await w.client.send({ method: 'GET', url: e.path, headers: cred.header ? { authorization: cred.header } : {} });
        expect(res.status).toBe(200);
      },
      { seed: 0x0b5, numRuns: 150 },
    );
  });

  it('answers hostile sign-ins with 400 or 401 (429 once a username is locked), never 200, and records only failures', async () => {
    const known = new Set([w.t.config.auth.adminUsername, ...Object.values(w.c).flatMap((v) => (v && typeof v === 'object' && 'user' in v ? [v.user.username] : []))]);
    const field = fc.oneof({ weight: 3, arbitrary: hostileText(80) }, { weight: 1, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constantFrom(...SQL_PAYLOADS.map((s) => `admin${s}`)) });
    const body = fc.oneof(
      { weight: 6, arbitrary: fc.record({ username: field, password: field }) },
      { weight: 1, arbitrary: fc.record({ username: field }) },
      { weight: 1, arbitrary: fc.record({ username: field, password: field, role: fc.constant('admin') }) },
      { weight: 1, arbitrary: hostileValue },
    );
    const seen = new Map<string, number>();
    await expectNothingWritten(
      w.t.dataSource,
      () =>
        checkProperty(
          'hostile sign-ins',
          body.filter((b) => !(b && typeof b === 'object' && known.has((b as { username?: unknown }).username as string))),
          async (b) => {
            const res = await w.client.send({ method: 'POST', url: '/api/v1/auth/login', body: b });
            expect([400, 401, 429]).toContain(res.status);
            const username = (b as { username?: unknown } | null)?.username;
            if (res.status === 401 && typeof username === 'string') seen.set(username, (seen.get(username) ?? 0) + 1);
            if (res.status === 429) {
              expectError(res, 429, 'RATE_LIMITED');
              expect(seen.get(username as string) ?? 0).toBeGreaterThanOrEqual(10);
            }
          },
          { seed: 0x10c1, numRuns: 500 },
        ),
      ['login_failures'],
    );
  });

  it('locks a username after 10 failures with 429 RATE_LIMITED in the contract shape, even for the right password, and no one else', async () => {
    let n = 0;
    await checkProperty(
      'lock-out',
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._-]{2,20}$/), fc.array(storableHostileText(40), { minLength: 10, maxLength: 10 })),
      async ([name, passwords]) => {
        const username = `${name}.${++n}`;
        const created = await w.client.send({
          method: 'POST',
          url: '/api/v1/users',
          headers: { authorization: `Bearer ${w.c.admin.token}` },
          body: { username, password: 'right-password-1', displayName: '受害者', role: 'coordinator', institutionId: w.c.county.id },
        });
        expect(created.status).toBe(201);
        for (const password of passwords) {
          const res = await w.client.send({ method: 'POST', url: '/api/v1/auth/login', body: { username, password } });
          expectError(res, 401, 'UNAUTHENTICATED');
        }
        const locked = await w.client.send({ method: 'POST', url: '/api/v1/auth/login', body: { username, password: 'right-password-1' } });
        expectError(locked, 429, 'RATE_LIMITED');
        // Everyone else still signs in.
        const other = await w.client.send({ method: 'POST', url: '/api/v1/auth/login', body: { username: w.c.countyCoordinator.user.username, password: TEST_PASSWORD } });
        expect(other.status).toBe(200);
      },
      { seed: 0x1ced, numRuns: 12 },
    );
  });

  // The fuzz files together send well over 10,000 generated requests per run; this file's share:
  it('sent at least 3,000 requests', () => {
    expect(w.client.count).toBeGreaterThanOrEqual(3_000);
  });
});
