import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checkPatient, idLast4, normalisePatient, patientKey, type Patient } from './patient.js';
import { makeResidentId } from './resident-id.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const ID_FEMALE = '11010519491231002X'; // 1949-12-31, digit 17 = 2

const patient = (over: Partial<Patient> = {}): Patient => ({
  name: '王秀英',
  gender: 'female',
  birthDate: '1949-12-31',
  idNumber: ID_FEMALE,
  phone: '13812345678',
  ...over,
});
const fields = (p: Patient) => checkPatient(p, NOW).map((f) => f.field);

describe('checkPatient', () => {
  it('accepts a patient whose ID agrees with birth date and gender', () => {
    expect(checkPatient(patient(), NOW)).toEqual([]);
    expect(checkPatient(patient({ gender: 'unknown' }), NOW)).toEqual([]);
    expect(checkPatient(patient({ idNumber: '11010519491231002x' }), NOW)).toEqual([]);
  });

  it('accepts a health record number instead of an ID', () => {
    expect(checkPatient(patient({ idNumber: undefined, healthRecordNo: 'HR-2024-000123', birthDate: '1960-05-01' }), NOW)).toEqual([]);
    expect(checkPatient(patient({ idNumber: '  ', healthRecordNo: 'HR-1', gender: 'male' }), NOW)).toEqual([]);
  });

  it('requires at least one of idNumber and healthRecordNo', () => {
    expect(fields(patient({ idNumber: undefined }))).toEqual(['patient.idNumber']);
    expect(fields(patient({ idNumber: '', healthRecordNo: ' ' }))).toEqual(['patient.idNumber']);
  });

  it('refuses an invalid resident ID even when a health record number is given', () => {
    expect(fields(patient({ idNumber: '110105194912310021', healthRecordNo: 'HR-1' }))).toEqual(['patient.idNumber']);
    expect(checkPatient(patient({ idNumber: '110105194912310021' }), NOW)[0].message).toMatch(/GB 11643/);
  });

  it('requires the birth date to equal digits 7–14 of the ID', () => {
    const problems = checkPatient(patient({ birthDate: '1949-12-30' }), NOW);
    expect(problems).toEqual([{ field: 'patient.birthDate', message: expect.stringMatching(/digits 7–14/) }]);
  });

  it('requires a known gender to match the parity of digit 17 (odd = male)', () => {
    expect(fields(patient({ gender: 'male' }))).toEqual(['patient.gender']);
    const male = makeResidentId('500101', '1980-07-15', '131');
    expect(checkPatient(patient({ idNumber: male, birthDate: '1980-07-15', gender: 'male' }), NOW)).toEqual([]);
    expect(fields(patient({ idNumber: male, birthDate: '1980-07-15', gender: 'female' }))).toEqual(['patient.gender']);
  });

  it.each([
    ['not a date', '31/12/1949'],
    ['impossible day', '2023-02-29'],
    ['no padding', '1949-1-31'],
    ['with a time', '1949-12-31T00:00:00Z'],
  ])('refuses a birth date that is %s', (_label, birthDate) => {
    expect(fields(patient({ idNumber: undefined, healthRecordNo: 'HR-1', birthDate }))).toEqual(['patient.birthDate']);
  });

  it('refuses a birth date in the future but not a baby born today in China', () => {
    expect(fields(patient({ idNumber: undefined, healthRecordNo: 'HR-1', birthDate: '2026-03-03' }))).toEqual(['patient.birthDate']);
    // 2026-03-02 00:30 in Beijing is 2026-03-01 16:30 UTC.
    const justAfterMidnightInBeijing = new Date('2026-03-01T16:30:00Z');
    expect(checkPatient(patient({ idNumber: undefined, healthRecordNo: 'HR-1', birthDate: '2026-03-02' }), justAfterMidnightInBeijing)).toEqual([]);
  });

  it('refuses an unknown gender value, an empty name and a malformed phone', () => {
    expect(fields(patient({ gender: 'other' as Patient['gender'] }))).toEqual(['patient.gender']);
    expect(fields(patient({ name: '  ' }))).toEqual(['patient.name']);
    expect(fields(patient({ phone: 'call me' }))).toEqual(['patient.phone']);
    expect(checkPatient(patient({ phone: '+86 (023) 6123-4567' }), NOW)).toEqual([]);
  });

  it('refuses an over-long health record number', () => {
    expect(fields(patient({ healthRecordNo: 'H'.repeat(65) }))).toEqual(['patient.healthRecordNo']);
    expect(checkPatient(patient({ healthRecordNo: 'H'.repeat(64) }), NOW)).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(fields(patient({ name: '', gender: 'male', birthDate: '1950-01-01' })).sort()).toEqual([
      'patient.birthDate',
      'patient.gender',
      'patient.name',
    ]);
  });

  it('accepts any patient built from a generated ID (property)', () => {
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    const dateArb = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-02-28T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(digits(6), dateArb, digits(3), fc.boolean(), (region, birthDate, seq, knownGender) => {
        const idNumber = makeResidentId(region, birthDate, seq);
        const gender = knownGender ? (Number(seq[2]) % 2 ? 'male' : 'female') : 'unknown';
        expect(checkPatient({ name: '李四', gender, birthDate, idNumber }, NOW)).toEqual([]);
        const wrong = gender === 'male' ? 'female' : 'male';
        if (knownGender) expect(fields({ name: '李四', gender: wrong, birthDate, idNumber })).toEqual(['patient.gender']);
      }),
      { numRuns: 300 },
    );
  });
});

describe('patientKey, idLast4 and normalisePatient', () => {
  it('keys by ID when there is one, else by health record number', () => {
    expect(patientKey({ idNumber: ID_FEMALE, healthRecordNo: 'HR-1' })).toBe(`id:${ID_FEMALE}`);
    expect(patientKey({ idNumber: '11010519491231002x' })).toBe(`id:${ID_FEMALE}`);
    expect(patientKey({ healthRecordNo: ' HR-1 ' })).toBe('hr:HR-1');
    expect(patientKey({ idNumber: '', healthRecordNo: 'HR-1' })).toBe('hr:HR-1');
    expect(() => patientKey({})).toThrow(RangeError);
  });

  it('never confuses an ID with a health record number of the same text', () => {
    expect(patientKey({ idNumber: ID_FEMALE })).not.toBe(patientKey({ healthRecordNo: ID_FEMALE }));
  });

  it('gives the last 4 of the ID for search', () => {
    expect(idLast4({ idNumber: '11010519491231002x' })).toBe('002X');
    expect(idLast4({})).toBeNull();
  });

  it('normalises identifiers and drops blank optional fields', () => {
    expect(normalisePatient({ name: ' 王秀英 ', gender: 'female', birthDate: '1949-12-31', idNumber: ' 11010519491231002x', phone: '', healthRecordNo: ' HR-9 ' })).toEqual({
      name: '王秀英',
      gender: 'female',
      birthDate: '1949-12-31',
      idNumber: ID_FEMALE,
      healthRecordNo: 'HR-9',
    });
  });
});
