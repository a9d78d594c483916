import type { FieldProblem } from '../errors/domain-error.js';
import { birthDateOf, genderOf, isCalendarDate, isValidResidentId, normaliseResidentId } from './resident-id.js';

export const GENDERS = ['male', 'female', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

export type Patient = {
  name: string;
  gender: Gender;
  /** YYYY-MM-DD */
  birthDate: string;
  idNumber?: string;
  phone?: string;
  healthRecordNo?: string;
};

export const MAX_HEALTH_RECORD_NO_LENGTH = 64;
const EARLIEST_BIRTH_DATE = '1900-01-01';
const PHONE = /^\+?[0-9][0-9 ()-]{2,31}$/;

const present = (s: unknown): s is string => typeof s === 'string' && s.trim() !== '';

/** A `YYYY-MM-DD` string naming a real day, else false. */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * The latest calendar date anywhere on Earth (UTC+14) at `now`: a baby born this morning in Beijing has a birth
 * date that is still "tomorrow" in UTC, and must not be refused as a date in the future.
 */
const latestDateToday = (now: Date) => new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);

/**
 * The contract's patient rules, as field problems (empty when the patient is acceptable): a name; at least one of
 * idNumber and healthRecordNo; a valid resident ID whose birth date and gender parity agree with the patient's;
 * a real birth date not in the future.
 */
export function checkPatient(p: Patient, now: Date = new Date()): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `patient.${field}`, message });

  if (!present(p.name)) add('name', 'The patient name is required.');

  const birthDateOk = isIsoDate(p.birthDate);
  if (!birthDateOk) add('birthDate', 'The birth date must be a real date written YYYY-MM-DD.');
  else if (p.birthDate < EARLIEST_BIRTH_DATE) add('birthDate', `The birth date must not be before ${EARLIEST_BIRTH_DATE}.`);
  else if (p.birthDate > latestDateToday(now)) add('birthDate', 'The birth date must not be in the future.');

  const genderOk = (GENDERS as readonly unknown[]).includes(p.gender);
  if (!genderOk) add('gender', 'The gender must be one of male, female or unknown.');

  // Blank or null optional fields count as absent; at least one identifier must be there.
  if (!present(p.idNumber) && !present(p.healthRecordNo)) {
    add('idNumber', 'Give the resident ID number or the health record number (at least one).');
  }

  if (present(p.idNumber) || (p.idNumber != null && typeof p.idNumber !== 'string')) {
    const id = typeof p.idNumber === 'string' ? normaliseResidentId(p.idNumber.trim()) : '';
    if (!isValidResidentId(id)) {
      add('idNumber', 'The ID number must be a valid 18-character resident ID (GB 11643), check character included.');
    } else {
      if (birthDateOk && p.birthDate !== birthDateOf(id)) {
        add('birthDate', 'The birth date must equal the date of birth in the ID number (its digits 7–14).');
      }
      if (genderOk && p.gender !== 'unknown' && p.gender !== genderOf(id)) {
        add('gender', 'The gender must match the ID number (digit 17: odd for male, even for female), or be unknown.');
      }
    }
  }

  if (p.healthRecordNo != null) {
    if (typeof p.healthRecordNo !== 'string') add('healthRecordNo', 'The health record number must be a string.');
    else if (p.healthRecordNo.trim().length > MAX_HEALTH_RECORD_NO_LENGTH) {
      add('healthRecordNo', `The health record number must be at most ${MAX_HEALTH_RECORD_NO_LENGTH} characters.`);
    }
  }

  if (p.phone != null && (typeof p.phone !== 'string' || (present(p.phone) && !PHONE.test(p.phone.trim())))) {
    add('phone', 'The phone number must be 3–32 digits, optionally with a leading +, spaces, hyphens or parentheses.');
  }
  return problems;
}

/**
 * The patient as it should be stored: blank optional fields dropped, identifiers trimmed, the ID's check
 * character upper-cased (so keys, masking and search agree). Call after `checkPatient` found no problem.
 */
export function normalisePatient(p: Patient): Patient {
  const out: Patient = { name: p.name.trim(), gender: p.gender, birthDate: p.birthDate };
  if (present(p.idNumber)) out.idNumber = normaliseResidentId(p.idNumber.trim());
  if (present(p.phone)) out.phone = p.phone.trim();
  if (present(p.healthRecordNo)) out.healthRecordNo = p.healthRecordNo.trim();
  return out;
}

/**
 * The key under which a patient may have at most one open upward referral per originating institution:
 * the resident ID when there is one, else the health record number.
 */
export function patientKey(p: Pick<Patient, 'idNumber' | 'healthRecordNo'>): string {
  if (present(p.idNumber)) return `id:${normaliseResidentId(p.idNumber.trim())}`;
  if (present(p.healthRecordNo)) return `hr:${p.healthRecordNo.trim()}`;
  throw new RangeError('A patient needs an ID number or a health record number to have a key.');
}

/** The last 4 characters of the ID number (what the worklist search matches), or null. */
export function idLast4(p: Pick<Patient, 'idNumber'>): string | null {
  return present(p.idNumber) ? normaliseResidentId(p.idNumber.trim()).slice(-4) : null;
}
