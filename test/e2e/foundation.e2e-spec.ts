import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { bearer, createCommunity, createUser, loginAdmin, type Community } from '../../libs/testing/fixtures.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

const expectErrorShape = (body: Record<string, unknown>, code: string) => {
  expect(body).toMatchObject({ code, message: expect.any(String), correlationId: expect.any(String) });
};

describe('foundation: auth, errors, limits, operations', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
  });
  afterAll(async () => t?.close());

  it('signs in with 200 and returns the user without secrets; /me returns it unwrapped', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ username: c.townshipDoctor.user.username, password: 'test-password-1' });
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.user).toEqual({
      id: expect.any(String),
      username: c.townshipDoctor.user.username,
      displayName: '张医生',
      role: 'township_doctor',
      institutionId: c.township.id,
    });
    const me = await t.http.get('/api/v1/me').set(bearer(c.townshipDoctor));
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body.user);
    expect(JSON.stringify(me.body)).not.toMatch(/password|hash/i);
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'Bearer not-a-jwt'],
    ['a forged token', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJl'],
    ['a non-bearer scheme', 'Basic YWRtaW46YWRtaW4='],
  ])('answers 401 UNAUTHENTICATED for %s', async (_, header) => {
    const req = t.http.get('/api/v1/me');
    const res = header ? await req.set('Authorization', header) : await req;
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'UNAUTHENTICATED');
  });

  it('refuses a token once it has expired, though it was accepted (and its verification kept) before', async () => {
    const claims = JSON.parse(Buffer.from(c.countyDoctor.token.split('.')[1], 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    const shortLived = new JwtService({ secret: t.config.auth.jwtSecret }).sign({ ...claims, iat: now, exp: now + 2 });
    expect((await t.http.get('/api/v1/me').set('Authorization', `Bearer ${shortLived}`)).status).toBe(200);
    expect((await t.http.get('/api/v1/me').set('Authorization', `Bearer ${shortLived}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, (now + 2) * 1000 - Date.now() + 50));
    const late = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${shortLived}`);
    expect(late.status).toBe(401);
    expectErrorShape(late.body, 'UNAUTHENTICATED');
  });

  it('answers 401 for wrong credentials without telling which part was wrong', async () => {
    const wrongPassword = await t.http.post('/api/v1/auth/login').send({ username: c.countyDoctor.user.username, password: 'nope-nope' });
    const unknownUser = await t.http.post('/api/v1/auth/login').send({ username: 'nobody-here', password: 'nope-nope' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.body.message).toBe(unknownUser.body.message);
  });

  it('forbids a non-admin from creating users (403) and creates nothing', async () => {
    const res = await t.http
      .post('/api/v1/users')
      .set(bearer(c.countyCoordinator))
      .send({ username: 'sneaky.user', password: 'long-enough-1', displayName: 'x', role: 'admin', institutionId: null });
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 'FORBIDDEN');
    const list = await t.http.get('/api/v1/users?limit=100').set(bearer(c.admin));
    expect(list.body.items.map((u: { username: string }) => u.username)).not.toContain('sneaky.user');
    expect((await t.http.get('/api/v1/users').set(bearer(c.townshipDoctor))).status).toBe(403);
  });

  it('rejects a malformed body with 400 and the fields that are wrong', async () => {
    const res = await t.http
      .post('/api/v1/users')
      .set(bearer(c.admin))
      .send({ username: 'x', password: 'short', role: 'surgeon', institutionId: 'not-a-uuid', extra: true });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    const fields = res.body.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'password', 'displayName', 'role', 'institutionId', 'extra']));
  });

  it('rejects malformed JSON with field "body"', async () => {
    const res = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"username": ');
    expect(res.status).toBe(400);
    expect(res.body.details.fields).toEqual([{ field: 'body', message: expect.any(String) }]);
  });

  it('requires an institution for non-admin users and refuses duplicates with 409', async () => {
    const noInstitution = await t.http
      .post('/api/v1/users')
      .set(bearer(c.admin))
      .send({ username: 'lonely.doctor', password: 'long-enough-1', displayName: 'x', role: 'county_doctor', institutionId: null });
    expect(noInstitution.status).toBe(400);
    const dup = await t.http
      .post('/api/v1/users')
      .set(bearer(c.admin))
      .send({ username: c.countyDoctor.user.username, password: 'long-enough-1', displayName: 'x', role: 'county_doctor', institutionId: c.county.id });
    expect(dup.status).toBe(409);
    expectErrorShape(dup.body, 'ALREADY_EXISTS');
    const dupInstitution = await t.http.post('/api/v1/institutions').set(bearer(c.admin)).send({ code: c.county.code, name: 'x', level: 'county' });
    expect(dupInstitution.status).toBe(409);
  });

  it('lists institutions for any signed-in user with keyset pages and refuses bad limits and cursors', async () => {
    const first = await t.http.get('/api/v1/institutions?limit=2').set(bearer(c.townshipDoctor));
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http.get(`/api/v1/institutions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`).set(bearer(c.townshipDoctor));
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(3);
    for (const bad of ['0', '101', '1.5', 'abc', '-1']) {
      const res = await t.http.get(`/api/v1/institutions?limit=${bad}`).set(bearer(c.townshipDoctor));
      expect(res.status).toBe(400);
    }
    const forged = await t.http.get('/api/v1/institutions?cursor=eyJ4IjoxfQ.abc').set(bearer(c.townshipDoctor));
    expect(forged.status).toBe(400);
    expectErrorShape(forged.body, 'VALIDATION_FAILED');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await t.http.get('/api/v1/no-such-thing').set(bearer(c.admin));
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'NOT_FOUND');
  });

  it('echoes a valid X-Correlation-Id and replaces an invalid one', async () => {
    const echoed = await t.http.get('/api/v1/me').set('X-Correlation-Id', 'abc.DEF:1-2_3');
    expect(echoed.headers['x-correlation-id']).toBe('abc.DEF:1-2_3');
    expect(echoed.body.correlationId).toBe('abc.DEF:1-2_3');
    const replaced = await t.http.get('/api/v1/me').set('X-Correlation-Id', 'bad id with spaces');
    expect(replaced.headers['x-correlation-id']).not.toBe('bad id with spaces');
    expect(replaced.body.correlationId).toBe(replaced.headers['x-correlation-id']);
  });

  it('refuses bodies over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'x'.repeat(1024 * 1024 + 10), password: 'y' }));
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('locks a username after 10 failed logins, even for the right password, and leaves others alone', async () => {
    const victim = await createUser(t, c.admin, 'coordinator', c.county.id);
    for (let i = 0; i < 10; i++) {
      const res = await t.http.post('/api/v1/auth/login').send({ username: victim.user.username, password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const locked = await t.http.post('/api/v1/auth/login').send({ username: victim.user.username, password: 'test-password-1' });
    expect(locked.status).toBe(429);
    expectErrorShape(locked.body, 'RATE_LIMITED');
    const other = await t.http.post('/api/v1/auth/login').send({ username: c.countyDoctor.user.username, password: 'test-password-1' });
    expect(other.status).toBe(200);
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await t.http.get('/health')).status).toBe(200);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({ database: { status: 'up' }, queue: { status: 'up' }, seed: { status: 'up' } });
    const metrics = await t.http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total');
    const docs = await t.http.get('/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/me', '/api/v1/users', '/api/v1/institutions']));
  });

  it('the admin is the configured one and belongs to no institution', async () => {
    const admin = await loginAdmin(t);
    expect(admin.user).toMatchObject({ role: 'admin', institutionId: null, username: 'admin' });
  });
});
