import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CatalogueService } from '../../../libs/catalogue/catalogue.service.js';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { loginAdmin } from '../../../libs/testing/fixtures.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';

const condition = (code: string, icd10: string[], up: string[] = ['a', 'b', 'c']) => ({
  code,
  nameZh: '测试病种',
  nameEn: `Test ${code}`,
  icd10,
  category: 'test',
  tier: 'township',
  grassrootsFirst: true,
  upwardIndications: up.map((text) => ({ text, emergency: false })),
  downwardCriteria: [{ text: 'stable' }],
});

describe('CatalogueService on PostgreSQL', () => {
  let t: TestApp;
  let catalogue: CatalogueService;
  let admin: Actor;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
    catalogue = t.app.get(CatalogueService);
    const signedIn = await loginAdmin(t);
    admin = { ...signedIn.user, role: 'admin' };
  });
  afterAll(async () => t?.close());

  it('answers the referral gate’s questions against a given version', async () => {
    expect(await catalogue.latestPublishedVersion()).toBe(1);
    expect((await catalogue.matchCondition('I10.x00', 1))?.code).toBe('hypertension');
    expect((await catalogue.matchCondition('I63.901', 1))?.code).toBe('cerebral_infarction');
    expect(await catalogue.matchCondition('Z99.9', 1)).toBeNull();
    await expect(catalogue.matchCondition('high blood pressure', 1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(catalogue.matchCondition('I10', 99)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await catalogue.unknownIndicationCodes(['hypertension.up.01', 'hypertension.up.99', 'hypertension.down.01', 'hypertension.up.99'], 1)).toEqual([
      'hypertension.up.99',
      'hypertension.down.01',
    ]);
  });

  it('does not seed twice', async () => {
    expect(await catalogue.seedIfEmpty([], 'admin', 'again')).toBeNull();
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM catalogue_versions');
    expect(n).toBe(1);
  });

  it('never reuses an indication code, across versions, and gives a re-added text its old code back', async () => {
    const created = await catalogue.create(admin, condition('stable_codes', ['Y90']));
    expect(created.upwardIndications.map((i) => i.code)).toEqual(['stable_codes.up.01', 'stable_codes.up.02', 'stable_codes.up.03']);
    await catalogue.publish(admin, 'add stable_codes');

    // Drop b, add d: d must not take 02, which was published for b.
    const dropped = await catalogue.update(admin, 'stable_codes', {
      upwardIndications: [
        { code: 'stable_codes.up.01', text: 'a', emergency: false },
        { code: 'stable_codes.up.03', text: 'c', emergency: false },
        { text: 'd', emergency: true },
      ],
    });
    expect(dropped.upwardIndications.map((i) => i.code)).toEqual(['stable_codes.up.01', 'stable_codes.up.03', 'stable_codes.up.04']);
    const v = await catalogue.publish(admin, 'drop b, add d');

    // Sent again without codes, every text keeps (or gets back) its code.
    const resent = await catalogue.update(admin, 'stable_codes', {
      upwardIndications: ['d', 'b', 'a', 'e'].map((text) => ({ text, emergency: false })),
    });
    expect(resent.upwardIndications.map((i) => i.code)).toEqual(['stable_codes.up.04', 'stable_codes.up.02', 'stable_codes.up.01', 'stable_codes.up.05']);

    // The published versions kept what they had.
    const published = await catalogue.get(admin, 'stable_codes', v.version);
    expect(published.upwardIndications.map((i) => [i.code, i.text])).toEqual([
      ['stable_codes.up.01', 'a'],
      ['stable_codes.up.03', 'c'],
      ['stable_codes.up.04', 'd'],
    ]);
  });

  it('serialises concurrent publishes: one new version, the other finds nothing to publish', async () => {
    await catalogue.create(admin, condition('concurrent_one', ['Y91']));
    const before = await catalogue.latestPublishedVersion();
    const results = await Promise.allSettled([catalogue.publish(admin, 'first'), catalogue.publish(admin, 'second')]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await catalogue.latestPublishedVersion()).toBe(before + 1);
  });

  it('keeps answering old versions from their own rows after later publishes', async () => {
    const latest = await catalogue.latestPublishedVersion();
    await catalogue.update(admin, 'hypertension', { icd10: ['I10-I13'] });
    await catalogue.publish(admin, 'narrow hypertension');
    expect((await catalogue.matchCondition('I15.0', latest))?.code).toBe('hypertension');
    expect(await catalogue.matchCondition('I15.0', latest + 1)).toBeNull();
    expect((await catalogue.matchCondition('I15.0', 1))?.code).toBe('hypertension');
  });

  it('refuses any change to published rows at the database level', async () => {
    await expect(t.dataSource.query(`UPDATE catalogue_conditions SET name_en = 'x' WHERE version = 1 AND code = 'hypertension'`)).rejects.toThrow(/never change/);
    await expect(t.dataSource.query('DELETE FROM catalogue_versions WHERE version = 1')).rejects.toThrow(/never change/);
    expect((await catalogue.get(admin, 'hypertension', 1)).nameEn).toBe('Hypertension');
  });

  it('imports thousands of conditions in one all-or-nothing call and matches them', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => {
      const letter = ['Q', 'R', 'S'][i % 3]; // letters the seed does not use
      const n = Math.floor(i / 3);
      return condition(`bulk_${i}`, [`${letter}${String(Math.floor(n / 10)).padStart(2, '0')}.${n % 10}`], ['x']);
    });
    // Nested inside the seed's B02 (herpes zoster): allowed, and the narrower range wins.
    entries.push(condition('zoster_eye', ['B02.3'], ['x']));
    expect(await catalogue.importConditions(admin, entries)).toEqual({ created: 3001, updated: 0 });
    const published = await catalogue.publish(admin, 'bulk');
    expect(published.changes.filter((c) => c.change === 'added')).toHaveLength(3001);
    expect((await catalogue.matchCondition('S12.3', published.version))?.code).toBe(entries.find((e) => e.icd10[0] === 'S12.3')!.code);
    expect((await catalogue.matchCondition('B02.9', published.version))?.code).toBe('herpes_zoster');
    expect((await catalogue.matchCondition('B02.31', published.version))?.code).toBe('zoster_eye');
    const page = await catalogue.list(admin, { limit: 5, q: 'bulk_29' });
    expect(page.items[0].code).toBe('bulk_29');
  });
});
