/**
 * The 18-character resident identity number of GB 11643-1999: 6 digits of region, 8 of birth date (YYYYMMDD),
 * 3 of sequence (the last odd for men, even for women) and a check character over the first 17 (ISO 7064 MOD 11-2).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

/** Upper-cases the check character: a lower-case 'x' is a common way of writing the same number. */
export const normaliseResidentId = (id: string): string => id.toUpperCase();

/** The check character for 17 digits. */
export function residentIdChecksum(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('A resident ID checksum needs exactly 17 digits.');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/** Whether year, month and day name a day of the (proleptic) Gregorian calendar. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** Oldest birth year accepted in an ID; the scheme dates from 1999, so this only rejects nonsense. */
const MIN_BIRTH_YEAR = 1800;

export function isValidResidentId(id: string): boolean {
  if (typeof id !== 'string') return false;
  const n = normaliseResidentId(id);
  if (!SHAPE.test(n)) return false;
  const year = Number(n.slice(6, 10));
  if (year < MIN_BIRTH_YEAR || !isCalendarDate(year, Number(n.slice(10, 12)), Number(n.slice(12, 14)))) return false;
  return residentIdChecksum(n.slice(0, 17)) === n[17];
}

/** Date of birth (YYYY-MM-DD) from digits 7–14. Meaningful for valid IDs only. */
export const birthDateOf = (id: string): string => `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;

/** Gender from the parity of digit 17 (odd = male). Meaningful for valid IDs only. */
export const genderOf = (id: string): 'male' | 'female' => (Number(id[16]) % 2 === 1 ? 'male' : 'female');

/** A valid ID for a region (6 digits), a birth date (YYYY-MM-DD) and a sequence (3 digits): for fixtures and the bench. */
export function makeResidentId(region: string, birthDate: string, seq3: string): string {
  if (!/^\d{6}$/.test(region)) throw new RangeError('region must be 6 digits.');
  if (!/^\d{3}$/.test(seq3)) throw new RangeError('seq3 must be 3 digits.');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m || Number(m[1]) < MIN_BIRTH_YEAR || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new RangeError(`birthDate must be a calendar date YYYY-MM-DD from ${MIN_BIRTH_YEAR}.`);
  }
  const first17 = `${region}${m[1]}${m[2]}${m[3]}${seq3}`;
  return first17 + residentIdChecksum(first17);
}
