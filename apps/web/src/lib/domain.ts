/**
 * The engine's own pure rules, shared with the console so the browser checks exactly what the server checks:
 * resident IDs (GB 11643 checksum, birth date, gender parity) and ICD-10 code syntax.
 */
export { birthDateOf, genderOf, isValidResidentId, normaliseResidentId } from '../../../../libs/domain/referral/resident-id.js';
export { isIcd10Code } from '../../../../libs/domain/catalogue/icd10.js';
