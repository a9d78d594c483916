import { describe, expect, it } from '@jest/globals';
import { checkConditionInput, checkImport, fromSeedEntry, isSeedShape, type SeedEntry } from './condition-input.js';

const seedEntry: SeedEntry & Record<string, unknown> = {
  code: 'hypertension',
  nameZh: '高血压',
  nameEn: 'Hypertension',
  icd10: ['I10-I15'],
  category: 'cardiovascular',
  upwardCriteria: ['急诊转诊：意识丧失或模糊 [S5b]', '初诊：怀疑继发性高血压 [S6]', '考虑急诊转诊的情况'],
  downwardCriteria: ['县级医院→乡镇卫生院：已明确诊断 [S5b]'],
  source: 'S5b',
  verified: true,
  verificationNote: 'not verified as one of the 66',
  inChongqing66: 'unknown',
  listMembership: ['x'],
};

const readShape = {
  code: 'gout',
  nameZh: '痛风',
  nameEn: 'Gout',
  icd10: ['m10'],
  category: 'endocrine/metabolic',
  tier: 'county',
  grassrootsFirst: false,
  upwardIndications: [{ text: '急性发作控制不佳', emergency: false }, { code: 'gout.up.07', text: '关节畸形', emergency: false }],
  downwardCriteria: [{ text: '病情稳定' }],
};

describe('fromSeedEntry (the contract seed rules)', () => {
  it('publishes township, grassroots-first conditions with positional codes and emergency flags', () => {
    expect(fromSeedEntry(seedEntry)).toEqual({
      code: 'hypertension',
      nameZh: '高血压',
      nameEn: 'Hypertension',
      icd10: ['I10-I15'],
      category: 'cardiovascular',
      tier: 'township',
      grassrootsFirst: true,
      upwardIndications: [
        { code: 'hypertension.up.01', text: '急诊转诊：意识丧失或模糊 [S5b]', emergency: true },
        { code: 'hypertension.up.02', text: '初诊：怀疑继发性高血压 [S6]', emergency: false },
        // Only a leading 急诊转诊 marks an emergency.
        { code: 'hypertension.up.03', text: '考虑急诊转诊的情况', emergency: false },
      ],
      downwardCriteria: [{ code: 'hypertension.down.01', text: '县级医院→乡镇卫生院：已明确诊断 [S5b]' }],
      verified: true,
      source: 'S5b',
      note: 'not verified as one of the 66',
    });
  });

  it('tells the two import shapes apart', () => {
    expect(isSeedShape(seedEntry)).toBe(true);
    expect(isSeedShape(readShape)).toBe(false);
  });
});

describe('checkConditionInput', () => {
  it('accepts the read shape, normalises ranges and applies defaults', () => {
    const r = checkConditionInput({ ...readShape, pinyin: 'ignored' });
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({ code: 'gout', icd10: ['M10'], verified: false, source: '', note: '', upwardIndications: readShape.upwardIndications }),
    });
  });

  it('lists every problem with its field', () => {
    const r = checkConditionInput({
      code: 'Bad Code',
      nameZh: '',
      icd10: ['I15-I10', 'nope'],
      tier: 'city',
      grassrootsFirst: 'yes',
      upwardIndications: [{ code: 'other.up.01', text: 'x', emergency: true }, { text: '', emergency: 'no' }],
      downwardCriteria: 'none',
    });
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining(['code', 'nameZh', 'nameEn', 'icd10[0]', 'icd10[1]', 'category', 'tier', 'grassrootsFirst', 'upwardIndications[1].text', 'upwardIndications[1].emergency', 'downwardCriteria']),
    );
  });

  it('refuses indication codes of another condition, out of range, or used twice', () => {
    const r = checkConditionInput({
      ...readShape,
      upwardIndications: [
        { code: 'hypertension.up.01', text: 'a', emergency: false },
        { code: 'gout.up.00', text: 'b', emergency: false },
        { code: 'gout.up.02', text: 'c', emergency: false },
        { code: 'gout.up.02', text: 'd', emergency: false },
      ],
    });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['upwardIndications[0].code', 'upwardIndications[1].code', 'upwardIndications[3].code']);
  });

  it('refuses an empty or duplicated icd10 list', () => {
    expect(checkConditionInput({ ...readShape, icd10: [] }).ok).toBe(false);
    expect(checkConditionInput({ ...readShape, icd10: ['M10', 'm10'] }).ok).toBe(false);
  });
});

describe('checkImport', () => {
  it('accepts both shapes in one array', () => {
    const r = checkImport([seedEntry, readShape]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.entries.map((e) => [e.code, e.tier])).toEqual([['hypertension', 'township'], ['gout', 'county']]);
  });

  it('reports every bad entry with its index and code, and duplicate codes', () => {
    const r = checkImport([readShape, { ...readShape, nameEn: 7 }, { code: 'x' }, readShape]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.map((p) => [p.index, p.code])).toEqual([[1, 'gout'], [2, 'x'], [3, 'gout']]);
      expect(r.problems[0].fields).toEqual(expect.arrayContaining([{ field: 'nameEn', message: expect.any(String) }]));
      expect(r.problems[2].fields[0].message).toMatch(/more than once/);
    }
  });

  it('refuses a body that is not an array', () => {
    expect(checkImport({ conditions: [] })).toEqual({ ok: false, problems: [{ index: -1, code: null, fields: [{ field: 'body', message: expect.any(String) }] }] });
  });
});
