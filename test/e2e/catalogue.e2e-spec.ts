import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import seed from '../../libs/catalogue/seed/conditions.json' with { type: 'json' };
import { bearer, createCommunity, type Community, type SignedIn } from '../../libs/testing/fixtures.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

interface Indication { code: string; text: string; emergency: boolean }
interface Condition {
  code: string;
  nameZh: string;
  nameEn: string;
  pinyin: string;
  icd10: string[];
  tier: string;
  grassrootsFirst: boolean;
  upwardIndications: Indication[];
  downwardCriteria: { code: string; text: string }[];
  verified: boolean;
  source: string;
  note: string;
}

const expectError = (res: { status: number; body: Record<string, unknown> }, status: number, code: string) => {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.body).toMatchObject({ message: expect.any(String), correlationId: expect.any(String) });
};

const migraine = {
  code: 'migraine',
  nameZh: '偏头痛',
  nameEn: 'Migraine',
  icd10: ['G43'],
  category: 'neurological',
  tier: 'county',
  grassrootsFirst: false,
  upwardIndications: [
    { text: '急诊转诊：突发剧烈头痛伴意识障碍', emergency: true },
    { text: '规范治疗后仍频繁发作', emergency: false },
  ],
  downwardCriteria: [{ text: '诊断明确，发作控制' }],
};

describe('condition catalogue (HTTP)', () => {
  let t: TestApp;
  let c: Community;
  let admin: SignedIn;
  let doctor: SignedIn;
  const get = (path: string, who: SignedIn = doctor) => t.http.get(`/api/v1/catalogue${path}`).set(bearer(who));

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
    c = await createCommunity(t);
    admin = c.admin;
    doctor = c.townshipDoctor;
  });
  afterAll(async () => t?.close());

  describe('the seed (version 1)', () => {
    it('is published as version 1 by the admin with all 44 conditions', async () => {
      const versions = await get('/versions');
      expect(versions.status).toBe(200);
      expect(versions.body).toEqual({
        items: [
          {
            version: 1,
            publishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/),
            publishedBy: { id: admin.user.id, displayName: admin.user.displayName },
            note: expect.any(String),
            changeCount: 44,
          },
        ],
        nextCursor: null,
      });
      const all = await get('/conditions?limit=100');
      expect(all.status).toBe(200);
      expect(all.body.items).toHaveLength(44);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.filter((x: Condition) => x.verified)).toHaveLength(18);
      expect(all.body.items.every((x: Condition) => x.tier === 'township' && x.grassrootsFirst)).toBe(true);
    });

    it('turns the criteria into coded indications, emergencies marked, with verified/source/note visible', async () => {
      const res = await get('/conditions/hypertension');
      expect(res.status).toBe(200);
      const h: Condition = res.body;
      const entry = seed.find((e) => e.code === 'hypertension')!;
      expect(h).toMatchObject({ code: 'hypertension', nameZh: '高血压', nameEn: 'Hypertension', pinyin: 'gaoxueya', icd10: ['I10-I15'], verified: true });
      expect(h.upwardIndications).toHaveLength(entry.upwardCriteria.length);
      expect(h.upwardIndications[0]).toEqual({ code: 'hypertension.up.01', text: entry.upwardCriteria[0], emergency: true });
      expect(h.upwardIndications.map((i) => i.emergency)).toEqual(entry.upwardCriteria.map((s) => s.startsWith('急诊转诊')));
      expect(h.upwardIndications.slice(0, 6).every((i) => i.emergency)).toBe(true);
      expect(h.upwardIndications[6]).toMatchObject({ code: 'hypertension.up.07', emergency: false });
      expect(h.upwardIndications[19].code).toBe('hypertension.up.20');
      expect(h.downwardCriteria[0]).toEqual({ code: 'hypertension.down.01', text: entry.downwardCriteria[0] });
      expect(h.source).toBe(entry.source);
      expect(h.note).toBe(entry.verificationNote);
      const placeholder = await get('/conditions/acute_uri');
      expect(placeholder.body).toMatchObject({ verified: false, note: expect.stringMatching(/./) });
    });

    it('answers an unknown condition with 404', async () => {
      expectError(await get('/conditions/no_such_condition'), 404, 'NOT_FOUND');
    });
  });

  describe('search', () => {
    it.each(['gaoxueya', 'gxy', '高血压', 'Hypertension', 'hypertension', 'I10'])('finds hypertension first for q=%s', async (q) => {
      const res = await get(`/conditions?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(res.body.items[0]?.code).toBe('hypertension');
    });

    it('puts the exact ICD-10 entry before the range around it, and filters by category', async () => {
      const res = await get('/conditions?q=I63');
      expect(res.body.items.map((x: Condition) => x.code).slice(0, 2)).toEqual(['cerebral_infarction', 'cerebrovascular_disease']);
      const cardio = await get('/conditions?category=cardiovascular&limit=100');
      expect(cardio.body.items.length).toBeGreaterThan(1);
      expect(cardio.body.items.every((x: { category: string }) => x.category === 'cardiovascular')).toBe(true);
      const none = await get('/conditions?q=zzzzqqq');
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });

    it('pages with keyset cursors and refuses bad limits and forged cursors', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: Condition[]; nextCursor: string | null } } = await get(
          `/conditions?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((x) => x.code));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(44);
      expect(new Set(seen).size).toBe(44);
      expect([...seen]).toEqual([...seen].sort());
      expectError(await get('/conditions?limit=0'), 400, 'VALIDATION_FAILED');
      expectError(await get('/conditions?limit=101'), 400, 'VALIDATION_FAILED');
      expectError(await get('/conditions?cursor=eyJ4IjoxfQ.abc'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('match', () => {
    it.each([
      ['I10.x00', 'hypertension'],
      ['i10.x00', 'hypertension'],
      ['I15.9', 'hypertension'],
      ['I63.9', 'cerebral_infarction'],
      ['I61.0', 'cerebrovascular_disease'],
      ['E11.900', 'diabetes_type2'],
      ['M50.05', 'disc_herniation'],
    ])('%s → %s', async (icd10, code) => {
      const res = await get(`/match?icd10=${encodeURIComponent(icd10)}`);
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(1);
      expect(res.body.condition.code).toBe(code);
      expect(res.body.condition.upwardIndications.length).toBeGreaterThan(0);
    });

    it('answers null outside the catalogue and 400 for a string that is not an ICD-10 code', async () => {
      expect((await get('/match?icd10=Z99.9')).body).toEqual({ version: 1, condition: null });
      const bad = await get('/match?icd10=hypertension');
      expectError(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.details.fields).toEqual([{ field: 'icd10', message: expect.any(String) }]);
      expectError(await get('/match'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('versions', () => {
    it.each(['abc', '1.5', '1e2', 'latest'])('refuses ?version=%s with 400', async (v) => {
      expectError(await get(`/conditions?version=${v}`), 400, 'VALIDATION_FAILED');
      expectError(await get(`/match?icd10=I10&version=${v}`), 400, 'VALIDATION_FAILED');
      expectError(await get(`/versions/${v}/diff`), 400, 'VALIDATION_FAILED');
    });

    it.each(['0', '99', '-1', '99999999999'])('answers ?version=%s (no such version) with 404', async (v) => {
      expectError(await get(`/conditions?version=${v}`), 404, 'NOT_FOUND');
      expectError(await get(`/conditions/hypertension?version=${v}`), 404, 'NOT_FOUND');
      expectError(await get(`/export?version=${v}`), 404, 'NOT_FOUND');
      expectError(await get(`/versions/${v}/diff`), 404, 'NOT_FOUND');
    });

    it('keeps the draft for admins', async () => {
      expectError(await get('/conditions?version=draft'), 403, 'FORBIDDEN');
      const res = await get('/conditions?version=draft&limit=100', admin);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(44);
    });

    it('describes version 1 as everything added', async () => {
      const res = await get('/versions/1/diff');
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(1);
      expect(res.body.previousVersion).toBeNull();
      expect(res.body.changes).toHaveLength(44);
      expect(res.body.changes[0]).toEqual({ code: expect.any(String), change: 'added', fields: [] });
    });
  });

  describe('editing and publishing', () => {
    it('refuses every edit by a township doctor (403) and changes nothing', async () => {
      const attempts = [
        t.http.post('/api/v1/catalogue/conditions').set(bearer(doctor)).send(migraine),
        t.http.patch('/api/v1/catalogue/conditions/hypertension').set(bearer(doctor)).send({ nameEn: 'Changed' }),
        t.http.delete('/api/v1/catalogue/conditions/hypertension').set(bearer(doctor)),
        t.http.post('/api/v1/catalogue/publish').set(bearer(doctor)).send({ note: 'x' }),
        t.http.post('/api/v1/catalogue/import').set(bearer(doctor)).send([migraine]),
        t.http.get('/api/v1/catalogue/audit').set(bearer(doctor)),
      ];
      for (const res of await Promise.all(attempts)) expectError(res, 403, 'FORBIDDEN');
      expectError(await t.http.patch('/api/v1/catalogue/conditions/hypertension').set(bearer(c.countyCoordinator)).send({ nameEn: 'x' }), 403, 'FORBIDDEN');
      const draft = await get('/conditions/hypertension?version=draft', admin);
      expect(draft.body.nameEn).toBe('Hypertension');
      expect((await get('/conditions/migraine?version=draft', admin)).status).toBe(404);
    });

    it('validates a new condition field by field', async () => {
      const res = await t.http
        .post('/api/v1/catalogue/conditions')
        .set(bearer(admin))
        .send({ ...migraine, code: 'Bad Code', icd10: ['I15-I10'], tier: 'city', upwardIndications: [{ text: 'x' }] });
      expectError(res, 400, 'VALIDATION_FAILED');
      const fields = res.body.details.fields.map((f: { field: string }) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['code', 'icd10', 'tier', 'upwardIndications.0.emergency']));
      const noIcd = await t.http.post('/api/v1/catalogue/conditions').set(bearer(admin)).send({ ...migraine, icd10: [] });
      expectError(noIcd, 400, 'VALIDATION_FAILED');
    });

    it('edits the draft only: create (codes assigned), patch, delete; duplicates are 409', async () => {
      const created = await t.http.post('/api/v1/catalogue/conditions').set(bearer(admin)).send(migraine);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ code: 'migraine', pinyin: 'piantoutong', verified: false, source: '', note: '', tier: 'county', grassrootsFirst: false });
      expect(created.body.upwardIndications).toEqual([
        { code: 'migraine.up.01', text: migraine.upwardIndications[0].text, emergency: true },
        { code: 'migraine.up.02', text: migraine.upwardIndications[1].text, emergency: false },
      ]);
      expect(created.body.downwardCriteria).toEqual([{ code: 'migraine.down.01', text: '诊断明确，发作控制' }]);
      expectError(await t.http.post('/api/v1/catalogue/conditions').set(bearer(admin)).send(migraine), 409, 'ALREADY_EXISTS');

      const current: Condition = (await get('/conditions/hypertension?version=draft', admin)).body;
      const patched = await t.http
        .patch('/api/v1/catalogue/conditions/hypertension')
        .set(bearer(admin))
        .send({ nameEn: 'Hypertension (essential and secondary)', upwardIndications: [...current.upwardIndications, { text: '新增：难治性高血压', emergency: false }] });
      expect(patched.status).toBe(200);
      expect(patched.body.nameEn).toBe('Hypertension (essential and secondary)');
      expect(patched.body.upwardIndications.slice(0, 20)).toEqual(current.upwardIndications);
      expect(patched.body.upwardIndications[20]).toEqual({ code: 'hypertension.up.21', text: '新增：难治性高血压', emergency: false });
      expectError(await t.http.patch('/api/v1/catalogue/conditions/nope').set(bearer(admin)).send({ nameEn: 'x' }), 404, 'NOT_FOUND');
      expectError(await t.http.patch('/api/v1/catalogue/conditions/hypertension').set(bearer(admin)).send({ code: 'renamed' }), 400, 'VALIDATION_FAILED');

      const deleted = await t.http.delete('/api/v1/catalogue/conditions/conjunctivitis').set(bearer(admin));
      expect(deleted.status).toBe(204);
      expectError(await t.http.delete('/api/v1/catalogue/conditions/conjunctivitis').set(bearer(admin)), 404, 'NOT_FOUND');

      // Readers still see version 1.
      expect((await get('/conditions/hypertension')).body.nameEn).toBe('Hypertension');
      expect((await get('/conditions/conjunctivitis')).status).toBe(200);
      expect((await get('/conditions/migraine')).status).toBe(404);
      const preview = await get('/versions/draft/diff', admin);
      expect(preview.body).toEqual({
        version: 'draft',
        previousVersion: 1,
        changes: [
          { code: 'conjunctivitis', change: 'removed', fields: [] },
          { code: 'hypertension', change: 'modified', fields: ['nameEn', 'upwardIndications'] },
          { code: 'migraine', change: 'added', fields: [] },
        ],
      });
    });

    it('publishes the draft as version 2 and leaves version 1 unchanged', async () => {
      const res = await t.http.post('/api/v1/catalogue/publish').set(bearer(admin)).send({ note: '新增偏头痛；删除结膜炎' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        version: 2,
        publishedAt: expect.any(String),
        changes: [
          { code: 'conjunctivitis', change: 'removed', fields: [] },
          { code: 'hypertension', change: 'modified', fields: ['nameEn', 'upwardIndications'] },
          { code: 'migraine', change: 'added', fields: [] },
        ],
      });
      const v1 = await get('/conditions/hypertension?version=1');
      expect(v1.body.nameEn).toBe('Hypertension');
      expect(v1.body.upwardIndications).toHaveLength(20);
      expect((await get('/conditions/conjunctivitis?version=1')).status).toBe(200);
      expect((await get('/conditions/conjunctivitis?version=2')).status).toBe(404);
      expect((await get('/conditions/hypertension')).body.nameEn).toBe('Hypertension (essential and secondary)');
      expect((await get('/match?icd10=G43.1')).body).toMatchObject({ version: 2, condition: { code: 'migraine' } });
      expect((await get('/match?icd10=G43.1&version=1')).body).toEqual({ version: 1, condition: null });

      const versions = await get('/versions');
      expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      expect(versions.body.items[0]).toMatchObject({ note: '新增偏头痛；删除结膜炎', changeCount: 3, publishedBy: { id: admin.user.id } });
      const firstPage = await get('/versions?limit=1');
      expect(firstPage.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
      const secondPage = await get(`/versions?limit=1&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`);
      expect(secondPage.body).toMatchObject({ items: [{ version: 1 }], nextCursor: null });

      const diff = await get('/versions/2/diff');
      expect(diff.body).toEqual({ version: 2, previousVersion: 1, changes: res.body.changes });
    });

    it('refuses to publish when nothing changed', async () => {
      const res = await t.http.post('/api/v1/catalogue/publish').set(bearer(admin)).send({ note: 'again' });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect((await get('/versions')).body.items).toHaveLength(2);
    });

    it('refuses overlapping ranges at publish, naming both conditions', async () => {
      const patched = await t.http.patch('/api/v1/catalogue/conditions/migraine').set(bearer(admin)).send({ icd10: ['I14-I16'] });
      expect(patched.status).toBe(200);
      const res = await t.http.post('/api/v1/catalogue/publish').set(bearer(admin)).send({ note: 'overlap' });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.message).toMatch(/hypertension/);
      expect(res.body.message).toMatch(/migraine/);
      expect(res.body.details.overlaps).toEqual([{ kind: 'partial', a: { code: 'hypertension', range: 'I10-I15' }, b: { code: 'migraine', range: 'I14-I16' } }]);

      await t.http.patch('/api/v1/catalogue/conditions/migraine').set(bearer(admin)).send({ icd10: ['E11'] });
      const same = await t.http.post('/api/v1/catalogue/publish').set(bearer(admin)).send({ note: 'same range' });
      expectError(same, 400, 'VALIDATION_FAILED');
      expect(same.body.message).toMatch(/diabetes_type2/);
      await t.http.patch('/api/v1/catalogue/conditions/migraine').set(bearer(admin)).send({ icd10: ['G43'] });
      expect((await get('/versions')).body.items).toHaveLength(2);
    });
  });

  describe('import and export', () => {
    it('refuses a bad import entry by entry and imports nothing', async () => {
      const res = await t.http
        .post('/api/v1/catalogue/import')
        .set(bearer(admin))
        .send([{ ...migraine, code: 'cluster_headache', nameEn: 'Cluster headache', icd10: ['G44.0'] }, { ...migraine, code: 'tension_headache', icd10: ['not-icd'] }, { code: 'x' }]);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details.entries).toEqual([
        { index: 1, code: 'tension_headache', fields: [{ field: 'icd10[0]', message: expect.any(String) }] },
        { index: 2, code: 'x', fields: expect.arrayContaining([{ field: 'code', message: expect.any(String) }]) },
      ]);
      expect(res.body.details.fields).toEqual(expect.arrayContaining([{ field: '[1].icd10[0]', message: expect.any(String) }]));
      expect((await get('/conditions/cluster_headache?version=draft', admin)).status).toBe(404);
      expectError(await t.http.post('/api/v1/catalogue/import').set(bearer(admin)).send({ not: 'an array' }), 400, 'VALIDATION_FAILED');
    });

    it('imports both shapes, upserting by code into the draft', async () => {
      const seedShaped = {
        code: 'cluster_headache',
        nameZh: '丛集性头痛',
        nameEn: 'Cluster headache',
        icd10: ['G44.0'],
        category: 'neurological',
        upwardCriteria: ['急诊转诊：头痛伴神经系统定位体征', '药物治疗无效'],
        downwardCriteria: ['发作缓解'],
        source: 'test',
        verified: false,
        verificationNote: 'placeholder',
        inChongqing66: 'unknown',
      };
      const gout: Condition = (await get('/conditions/gout?version=draft', admin)).body;
      const res = await t.http.post('/api/v1/catalogue/import').set(bearer(admin)).send([seedShaped, { ...gout, note: 'reviewed' }]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ created: 1, updated: 1 });
      const imported = await get('/conditions/cluster_headache?version=draft', admin);
      expect(imported.body).toMatchObject({
        tier: 'township',
        grassrootsFirst: true,
        note: 'placeholder',
        upwardIndications: [
          { code: 'cluster_headache.up.01', text: '急诊转诊：头痛伴神经系统定位体征', emergency: true },
          { code: 'cluster_headache.up.02', text: '药物治疗无效', emergency: false },
        ],
      });
      expect((await get('/conditions/gout?version=draft', admin)).body.note).toBe('reviewed');
    });

    it('exports a version as a JSON array in the read shape, which imports back unchanged', async () => {
      const res = await get('/export?version=1');
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body).toHaveLength(44);
      expect(res.body.find((x: Condition) => x.code === 'hypertension')).toEqual((await get('/conditions/hypertension?version=1')).body);
      const latest = await get('/export');
      expect(latest.body).toHaveLength(44);
      const back = await t.http.post('/api/v1/catalogue/import').set(bearer(admin)).send(latest.body);
      expect(back.status).toBe(200);
      expect(back.body).toEqual({ created: 0, updated: 44 });
    });

    it('records every edit and publish in the audit log, newest first', async () => {
      const res = await get('/audit?limit=100', admin);
      expect(res.status).toBe(200);
      const actions = res.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['seed', 'create', 'update', 'delete', 'publish', 'import']));
      expect(actions[actions.length - 1]).toBe('seed');
      const publish = res.body.items.find((e: { action: string }) => e.action === 'publish');
      expect(publish).toMatchObject({ version: 2, by: { id: admin.user.id, displayName: admin.user.displayName }, details: { changeCount: 3 } });
      const update = res.body.items.find((e: { action: string; conditionCode: string }) => e.action === 'update' && e.conditionCode === 'hypertension');
      expect(update.details.fields).toEqual(['nameEn', 'upwardIndications']);
    });
  });

  it('replays a publish retried with the same Idempotency-Key instead of publishing twice', async () => {
    await t.http.patch('/api/v1/catalogue/conditions/migraine').set(bearer(admin)).send({ note: 'idempotent publish' });
    const before = (await get('/versions')).body.items.length;
    const send = () => t.http.post('/api/v1/catalogue/publish').set(bearer(admin)).set('Idempotency-Key', 'publish-once-1').send({ note: 'once' });
    const first = await send();
    const again = await send();
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await get('/versions')).body.items).toHaveLength(before + 1);
    const reused = await t.http.post('/api/v1/catalogue/publish').set(bearer(admin)).set('Idempotency-Key', 'publish-once-1').send({ note: 'other' });
    expectError(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('describes the catalogue in the OpenAPI document', async () => {
    const doc = await t.http.get('/docs-json');
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/v1/catalogue/conditions',
      '/api/v1/catalogue/conditions/{code}',
      '/api/v1/catalogue/match',
      '/api/v1/catalogue/versions',
      '/api/v1/catalogue/versions/{version}/diff',
      '/api/v1/catalogue/publish',
      '/api/v1/catalogue/export',
      '/api/v1/catalogue/import',
    ]) {
      expect(paths).toContain(p);
    }
  });
});
