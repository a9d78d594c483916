import { describe, expect, it } from '@jest/globals';
import { isIcd10Code, isIcd10Range, normaliseIcd10, normaliseIcd10Range, rangeContains } from './icd10.js';

describe('ICD-10 codes', () => {
  it.each(['I10', 'E11', 'I10.x00', 'E11.900', 'I13.1', 'M50.05', 'B37.1', 'i10', 'e11.9', 'I10.X00', 'I10.x00x002', 'Z99.9', ' I10 '])(
    'accepts %j',
    (code) => expect(isIcd10Code(code)).toBe(true),
  );

  it.each(['', 'I1', 'I100', '10', 'II0', 'I10.', 'I10.12345', 'I10-I15', 'I10 x00', 'I10..1', '高血压', 'I10.x00x0', 'I10.x00y002'])(
    'refuses %j',
    (code) => expect(isIcd10Code(code)).toBe(false),
  );

  it('normalises the letter to upper case and keeps the placeholder x in lower case', () => {
    expect(normaliseIcd10('i10.X00')).toBe('I10.x00');
    expect(normaliseIcd10(' e11.900 ')).toBe('E11.900');
    expect(normaliseIcd10('i10.x00X002')).toBe('I10.x00x002');
    expect(() => normaliseIcd10('nope')).toThrow();
  });
});

describe('ICD-10 ranges', () => {
  it.each(['I10-I15', 'E11', 'M50.0-M50.1', 'N13.2', 'B37.1', 'i10 - i15', 'A00-B99', 'M50-M50.0'])('accepts %j', (r) => expect(isIcd10Range(r)).toBe(true));
  it.each(['I15-I10', 'M50.1-M50.0', 'I10-', '-I15', 'I10-I12-I15', 'I1-I15', 'gaoxueya'])('refuses %j', (r) => expect(isIcd10Range(r)).toBe(false));

  it('normalises ranges', () => {
    expect(normaliseIcd10Range(' i10 - i15 ')).toBe('I10-I15');
    expect(normaliseIcd10Range('m50.0-M50.1')).toBe('M50.0-M50.1');
  });

  it.each([
    ['I10-I15', 'I10', true],
    ['I10-I15', 'I10.x00', true],
    ['I10-I15', 'I15.9', true],
    ['I10-I15', 'I13.1', true],
    ['I10-I15', 'I16', false],
    ['I10-I15', 'I09.9', false],
    ['E11', 'E11.900', true],
    ['E11', 'E11', true],
    ['E11', 'E12', false],
    ['E11', 'E10.9', false],
    ['M50.0-M50.1', 'M50.05', true],
    ['M50.0-M50.1', 'M50.1', true],
    ['M50.0-M50.1', 'M50.19', true],
    ['M50.0-M50.1', 'M50', false],
    ['M50.0-M50.1', 'M50.2', false],
    ['M50.0-M50.1', 'M50.x00', false],
    ['N13.2', 'N13.2', true],
    ['N13.2', 'N13.20', true],
    ['N13.2', 'N13', false],
    ['N13.2', 'N13.3', false],
    ['A00-B99', 'B20.1', true],
    ['A00-B99', 'C00', false],
  ])('%s contains %s: %s', (range, code, inside) => expect(rangeContains(range, code)).toBe(inside));
});
