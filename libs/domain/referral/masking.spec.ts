import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { maskIdNumber, maskPatient, maskPhone } from './masking.js';

describe('masking', () => {
  it('masks an ID as the contract shows: first 3, 11 stars, last 4', () => {
    expect(maskIdNumber('110105194912310021')).toBe('110***********0021');
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X');
  });

  it('masks a mobile number as the contract shows', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('masks other lengths without giving most of the number away', () => {
    expect(maskPhone('+8613812345678')).toBe('+86*******5678');
    expect(maskPhone('02361234567')).toBe('023****4567');
    expect(maskPhone('61234567')).toBe('****4567');
    expect(maskPhone('1234567')).toBe('*******');
    expect(maskPhone('120')).toBe('***');
    expect(maskPhone('')).toBe('');
  });

  it('never reveals more than 7 characters, and hides at least 4 of anything longer than 3 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789+- '), maxLength: 24 }), (s) => {
        for (const masked of [maskPhone(s), maskIdNumber(s)]) {
          expect(masked).toHaveLength(s.length);
          const revealed = [...masked].filter((c, i) => c !== '*' || s[i] === '*').length;
          expect(revealed).toBeLessThanOrEqual(7);
          expect(s.length - revealed).toBeGreaterThanOrEqual(Math.min(s.length, 4));
        }
      }),
    );
  });

  it('masks the patient identifiers and keeps the rest', () => {
    const p = { name: '王秀英', gender: 'female' as const, birthDate: '1949-12-31', idNumber: '11010519491231002X', phone: '13812345678', healthRecordNo: 'HR-1' };
    expect(maskPatient(p)).toEqual({ ...p, idNumber: '110***********002X', phone: '138****5678' });
    expect(p.idNumber).toBe('11010519491231002X');
    const noIds = { name: '李四', gender: 'unknown' as const, birthDate: '1990-01-01', healthRecordNo: 'HR-2' };
    expect(maskPatient(noIds)).toEqual(noIds);
    expect('idNumber' in maskPatient(noIds)).toBe(false);
  });
});
