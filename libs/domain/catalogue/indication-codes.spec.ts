import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainError } from '../errors/domain-error.js';
import { indicationCodePattern } from './condition-input.js';
import { assignItemCodes } from './indication-codes.js';

describe('assignItemCodes', () => {
  it('keeps supplied codes and gives the others the next free NN', () => {
    const out = assignItemCodes('gout', 'up', [{ text: 'a' }, { code: 'gout.up.01', text: 'b' }, { text: 'c' }], []);
    expect(out.map((i) => i.code)).toEqual(['gout.up.02', 'gout.up.01', 'gout.up.03']);
  });

  it('never hands out a code that was published before, even if it is no longer in the list', () => {
    const published = [{ code: 'gout.up.01', text: 'old' }, { code: 'gout.up.02', text: 'removed later' }];
    const out = assignItemCodes('gout', 'up', [{ code: 'gout.up.01', text: 'old' }, { text: 'new' }], published);
    expect(out.map((i) => i.code)).toEqual(['gout.up.01', 'gout.up.03']);
  });

  it('gives an item re-sent without its code the code it had', () => {
    const known = [{ code: 'gout.down.01', text: '病情稳定' }, { code: 'gout.down.02', text: '诊断明确' }];
    const out = assignItemCodes('gout', 'down', [{ text: '诊断明确' }, { text: '病情稳定' }, { text: '新标准' }], known);
    expect(out.map((i) => i.code)).toEqual(['gout.down.02', 'gout.down.01', 'gout.down.03']);
  });

  it('refuses when 01-99 are all taken', () => {
    const known = Array.from({ length: 99 }, (_, i) => ({ code: `gout.up.${String(i + 1).padStart(2, '0')}`, text: `t${i}` }));
    expect(() => assignItemCodes('gout', 'up', [{ text: 'one more' }], known)).toThrow(DomainError);
  });

  it('property: codes are valid and unique, supplied ones kept, published ones never reused for new text', () => {
    const nnArb = fc.integer({ min: 1, max: 40 }).map((n) => `c1.up.${String(n).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(nnArb, { maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 20 }),
        fc.uniqueArray(nnArb, { maxLength: 15 }),
        (supplied, shape, publishedCodes) => {
          let s = 0;
          const items = shape.map((useCode, i) => (useCode && s < supplied.length ? { code: supplied[s++], text: `t${i}` } : { text: `t${i}` }));
          const known = publishedCodes.map((code) => ({ code, text: `published ${code}` }));
          const out = assignItemCodes('c1', 'up', items, known);
          const codes = out.map((i) => i.code);
          expect(new Set(codes).size).toBe(codes.length);
          for (const code of codes) expect(code).toMatch(indicationCodePattern('c1', 'up'));
          items.forEach((item, i) => {
            if (item.code) expect(out[i].code).toBe(item.code);
            else expect(publishedCodes).not.toContain(out[i].code);
          });
        },
      ),
    );
  });
});
