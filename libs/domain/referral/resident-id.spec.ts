import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { birthDateOf, genderOf, isValidResidentId, makeResidentId, residentIdChecksum } from './resident-id.js';

/** Checked by hand and with an independent script: the GB 11643 standard's example and a Wikipedia example. */
const STANDARD_EXAMPLE = '11010519491231002X';
const WIKIPEDIA_EXAMPLE = '440524188001010014';

describe('resident ID (GB 11643-1999)', () => {
  it('accepts independently verified IDs', () => {
    expect(isValidResidentId(STANDARD_EXAMPLE)).toBe(true);
    expect(isValidResidentId(WIKIPEDIA_EXAMPLE)).toBe(true);
    expect(isValidResidentId('510108200002291239')).toBe(true); // 29 Feb of a leap century year
    expect(isValidResidentId('33010219850615421X')).toBe(true);
  });

  it('accepts a lower-case check character', () => {
    expect(isValidResidentId('11010519491231002x')).toBe(true);
  });

  it('computes the check character (ISO 7064 MOD 11-2)', () => {
    expect(residentIdChecksum('11010519491231002')).toBe('X');
    expect(residentIdChecksum('44052418800101001')).toBe('4');
    expect(residentIdChecksum('51010820000229123')).toBe('9');
    expect(() => residentIdChecksum('1101051949123100')).toThrow(RangeError);
    expect(() => residentIdChecksum('1101051949123100X')).toThrow(RangeError);
  });

  it('reads the birth date and the gender', () => {
    expect(birthDateOf(STANDARD_EXAMPLE)).toBe('1949-12-31');
    expect(genderOf(STANDARD_EXAMPLE)).toBe('female'); // digit 17 is 2
    expect(birthDateOf(WIKIPEDIA_EXAMPLE)).toBe('1880-01-01');
    expect(genderOf(WIKIPEDIA_EXAMPLE)).toBe('male'); // digit 17 is 1
  });

  it('refuses a wrong check character', () => {
    expect(isValidResidentId('110105194912310021')).toBe(false);
    for (const c of '0123456789') expect(isValidResidentId(`11010519491231002${c}`)).toBe(false);
    for (const c of '012356789X') expect(isValidResidentId(`44052418800101001${c}`)).toBe(false);
  });

  it.each([
    ['30 February', '110105' + '19900230' + '123'],
    ['29 February of a non-leap century year', '110105' + '19000229' + '123'],
    ['29 February of a common year', '110105' + '20230229' + '123'],
    ['month 13', '110105' + '19901301' + '123'],
    ['month 00', '110105' + '19900001' + '123'],
    ['day 00', '110105' + '19900100' + '123'],
    ['31 April', '110105' + '19900431' + '123'],
    ['year 0990', '110105' + '09900101' + '123'],
  ])('refuses an impossible date of birth (%s) even with a correct check character', (_label, first17) => {
    expect(isValidResidentId(first17 + residentIdChecksum(first17))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['15-digit first-generation ID', '110105491231002'],
    ['17 characters', '11010519491231002'],
    ['19 characters', '11010519491231002X0'],
    ['X not last', '1101051949123100X2'],
    ['letters', '11010519491231O02X'],
    ['spaces', ' 11010519491231002X'],
    ['full-width digits', '１１０１０５１９４９１２３１００２Ｘ'],
  ])('refuses a malformed ID (%s)', (_label, id) => {
    expect(isValidResidentId(id)).toBe(false);
  });

  it('makeResidentId refuses bad parts', () => {
    expect(() => makeResidentId('11010', '1990-01-01', '123')).toThrow(RangeError);
    expect(() => makeResidentId('110105', '1990-02-30', '123')).toThrow(RangeError);
    expect(() => makeResidentId('110105', '19900101', '123')).toThrow(RangeError);
    expect(() => makeResidentId('110105', '1990-01-01', '12')).toThrow(RangeError);
    expect(makeResidentId('110105', '1949-12-31', '002')).toBe(STANDARD_EXAMPLE);
  });

  const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const dateArb = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

  it('makeResidentId always makes a valid ID whose date and gender read back (property)', () => {
    fc.assert(
      fc.property(digits(6), dateArb, digits(3), (region, birthDate, seq) => {
        const id = makeResidentId(region, birthDate, seq);
        expect(id).toHaveLength(18);
        expect(isValidResidentId(id)).toBe(true);
        expect(birthDateOf(id)).toBe(birthDate);
        expect(genderOf(id)).toBe(Number(seq[2]) % 2 === 1 ? 'male' : 'female');
      }),
      { numRuns: 1000 },
    );
  });

  it('detects every single-character substitution (property)', () => {
    fc.assert(
      fc.property(digits(6), dateArb, digits(3), fc.nat({ max: 17 }), fc.constantFrom(...'0123456789X'), (region, birthDate, seq, at, c) => {
        const id = makeResidentId(region, birthDate, seq);
        fc.pre(id[at] !== c && (at === 17 || c !== 'X'));
        expect(isValidResidentId(id.slice(0, at) + c + id.slice(at + 1))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
