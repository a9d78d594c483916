import { describe, expect, it } from '@jest/globals';
import { checkImport, isSeedShape } from '../domain/catalogue/condition-input.js';
import { findOverlaps } from '../domain/catalogue/matcher.js';
import { pinyinKeys } from './pinyin.js';
import seed from './seed/conditions.json' with { type: 'json' };

describe('the shipped seed (seed/conditions.json)', () => {
  const checked = checkImport(seed);
  const conditions = checked.ok ? checked.entries : [];

  it('is valid, in the seed shape, with 44 entries of which 18 verified', () => {
    expect(checked.ok).toBe(true);
    expect(seed.every(isSeedShape)).toBe(true);
    expect(conditions).toHaveLength(44);
    expect(conditions.filter((c) => c.verified)).toHaveLength(18);
    expect(new Set(conditions.map((c) => c.code)).size).toBe(44);
  });

  it('can be published: its ranges only nest', () => {
    expect(findOverlaps(conditions)).toEqual([]);
  });

  it('marks exactly the 急诊转诊 criteria as emergencies', () => {
    const emergencies = conditions.flatMap((c) => c.upwardIndications.filter((i) => i.emergency));
    expect(emergencies.length).toBeGreaterThan(0);
    expect(emergencies.every((i) => i.text.startsWith('急诊转诊'))).toBe(true);
    const hypertension = conditions.find((c) => c.code === 'hypertension')!;
    expect(hypertension.upwardIndications.filter((i) => i.emergency).map((i) => i.code)).toEqual(
      ['01', '02', '03', '04', '05', '06'].map((nn) => `hypertension.up.${nn}`),
    );
  });
});

describe('pinyinKeys', () => {
  it.each([
    ['高血压', 'gaoxueya', 'gxy'],
    ['2型糖尿病', '2xingtangniaobing', '2xtnb'],
    ['慢性阻塞性肺疾病', 'manxingzusexingfeijibing', 'mxzsxfjb'],
    ['COPD 急性加重', 'copdjixingjiazhong', 'copdjxjz'],
  ])('%s → %s / %s', (name, full, initials) => {
    expect(pinyinKeys(name)).toEqual({ full, initials });
  });

  it('gives every seed condition a pinyin', () => {
    for (const entry of seed) expect(pinyinKeys(entry.nameZh).full).toMatch(/^[a-z0-9]+$/);
  });
});
