import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ConditionFields } from './condition-input.js';
import { diffCatalogues } from './diff.js';

const base = (code: string, over: Partial<ConditionFields> = {}): ConditionFields => ({
  code,
  nameZh: '高血压',
  nameEn: 'Hypertension',
  icd10: ['I10-I15'],
  category: 'cardiovascular',
  tier: 'township',
  grassrootsFirst: true,
  upwardIndications: [{ code: `${code}.up.01`, text: 'a', emergency: true }],
  downwardCriteria: [{ code: `${code}.down.01`, text: 'b' }],
  verified: true,
  source: 's',
  note: 'n',
  ...over,
});

describe('diffCatalogues', () => {
  it('reports added, removed and modified conditions with the fields that changed, by code', () => {
    const prev = [base('b'), base('a'), base('c')];
    const next = [base('a', { nameEn: 'High blood pressure', upwardIndications: [] }), base('d'), base('c')];
    expect(diffCatalogues(prev, next)).toEqual([
      { code: 'a', change: 'modified', fields: ['nameEn', 'upwardIndications'] },
      { code: 'b', change: 'removed', fields: [] },
      { code: 'd', change: 'added', fields: [] },
    ]);
  });

  it('ignores the order of keys inside indications', () => {
    const reordered = base('a', { upwardIndications: [{ emergency: true, text: 'a', code: 'a.up.01' }] });
    expect(diffCatalogues([base('a')], [reordered])).toEqual([]);
  });

  it('property: the diff of a catalogue with itself is empty, and added/removed mirror each other', () => {
    const cond = fc.record({ code: fc.stringMatching(/^[a-z]{2,6}$/), nameEn: fc.string(), verified: fc.boolean() }).map((r) => base(r.code, r));
    const catalogue = fc.uniqueArray(cond, { selector: (c) => c.code, maxLength: 15 });
    fc.assert(
      fc.property(catalogue, catalogue, (a, b) => {
        expect(diffCatalogues(a, a)).toEqual([]);
        expect(diffCatalogues(a, structuredClone(a))).toEqual([]);
        const forward = diffCatalogues(a, b);
        const backward = diffCatalogues(b, a);
        const flip = { added: 'removed', removed: 'added', modified: 'modified' } as const;
        expect(backward).toEqual(forward.map((ch) => ({ ...ch, change: flip[ch.change] })));
      }),
    );
  });
});
