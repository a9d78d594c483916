import type { FieldProblem } from '../errors/domain-error.js';

export type MedicationItem = { drug: string; dose: string; frequency: string; days: number };

/** What a county hospital hands to the township with a downward referral (回转单). */
export type Handover = {
  diagnosis: string;
  treatmentSummary: string;
  medicationPlan: MedicationItem[];
  followUpPlan: string;
  rehabilitationAdvice?: string;
};

/** A long prescription for a stable chronic patient covers at most 12 weeks (用药衔接). */
export const MAX_MEDICATION_DAYS = 84;

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Field problems of a handover (empty when acceptable), named as in the request body: `handover.medicationPlan[0].days`. */
export function checkHandover(h: Handover): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `handover${field}`, message });
  if (h === null || typeof h !== 'object' || Array.isArray(h)) {
    add('', 'The handover must be an object.');
    return problems;
  }
  for (const key of ['diagnosis', 'treatmentSummary', 'followUpPlan'] as const) {
    if (!isText(h[key])) add(`.${key}`, `The handover ${key} is required text.`);
  }
  if (h.rehabilitationAdvice != null && typeof h.rehabilitationAdvice !== 'string') {
    add('.rehabilitationAdvice', 'The rehabilitation advice must be text.');
  }
  if (!Array.isArray(h.medicationPlan)) {
    add('.medicationPlan', 'The medication plan must be a list (empty when no drugs are prescribed).');
    return problems;
  }
  h.medicationPlan.forEach((item: unknown, i) => {
    const at = `.medicationPlan[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      add(at, 'A medication item must be an object { drug, dose, frequency, days }.');
      return;
    }
    const m = item as Record<string, unknown>;
    for (const key of ['drug', 'dose', 'frequency'] as const) {
      if (!isText(m[key])) add(`${at}.${key}`, `The medication ${key} is required text.`);
    }
    const days = m.days;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_MEDICATION_DAYS) {
      add(`${at}.days`, `Days must be a whole number from 1 to ${MAX_MEDICATION_DAYS} (a long prescription covers at most 12 weeks).`);
    }
  });
  return problems;
}
