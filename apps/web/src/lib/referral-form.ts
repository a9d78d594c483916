import type { Condition, Handover, MedicationItem, Patient, Referral, Urgency, GateOutcome } from '../api/types.js';

/** The referral form's values (new referral and edit): one shape for both directions. */
export interface ReferralFormValues {
  patient: { name: string; gender: Patient['gender']; birthDate: string; idNumber?: string; phone?: string; healthRecordNo?: string };
  toInstitutionId?: string;
  toDepartment?: string;
  urgency: Urgency;
  diagnosis: { icd10: string; text: string };
  indications?: string[];
  overrideOn?: boolean;
  overrideJustification?: string;
  reason: string;
  history?: string;
  allergies?: string;
  treatmentSoFar?: string;
  consent: { obtained: boolean; by: 'patient' | 'guardian' };
  handover?: { diagnosis: string; treatmentSummary: string; medicationPlan: MedicationItem[]; followUpPlan: string; rehabilitationAdvice?: string };
}

const blank = (s: string | undefined | null) => s === undefined || s === null || s.trim() === '';
const opt = (s: string | undefined | null) => (blank(s) ? undefined : s!.trim());

export function patientBody(p: ReferralFormValues['patient']): Patient {
  return {
    name: p.name.trim(),
    gender: p.gender,
    birthDate: p.birthDate.trim(),
    idNumber: opt(p.idNumber)?.toUpperCase(),
    phone: opt(p.phone),
    healthRecordNo: opt(p.healthRecordNo),
  };
}

export function handoverBody(h: NonNullable<ReferralFormValues['handover']>): Handover {
  return {
    diagnosis: h.diagnosis.trim(),
    treatmentSummary: h.treatmentSummary.trim(),
    medicationPlan: (h.medicationPlan ?? []).filter((m) => m && !blank(m.drug)).map((m) => ({ drug: m.drug.trim(), dose: m.dose.trim(), frequency: m.frequency.trim(), days: Number(m.days) })),
    followUpPlan: h.followUpPlan.trim(),
    rehabilitationAdvice: opt(h.rehabilitationAdvice),
  };
}

/** The fields both POST /referrals and PATCH /referrals/:id take. */
export function commonBody(v: ReferralFormValues, direction: 'up' | 'down') {
  return {
    urgency: v.urgency,
    patient: patientBody(v.patient),
    toDepartment: opt(v.toDepartment),
    diagnosis: { icd10: v.diagnosis.icd10.trim(), text: v.diagnosis.text.trim() },
    reason: v.reason.trim(),
    ...(direction === 'up'
      ? { indications: v.indications ?? [], override: v.overrideOn && !blank(v.overrideJustification) ? { justification: v.overrideJustification!.trim() } : null }
      : {}),
    consent: { obtained: true as const, by: v.consent.by },
    history: opt(v.history),
    allergies: opt(v.allergies),
    treatmentSoFar: opt(v.treatmentSoFar),
    ...(direction === 'down' && v.handover ? { handover: handoverBody(v.handover) } : {}),
  };
}

/** A referral's current content as form values (edit before resubmit). */
export function formValuesOf(r: Referral): ReferralFormValues {
  return {
    patient: { ...r.patient },
    toInstitutionId: r.toInstitution.id,
    toDepartment: r.toDepartment ?? undefined,
    urgency: r.urgency,
    diagnosis: { ...r.diagnosis },
    indications: r.indications,
    overrideOn: r.override !== null,
    overrideJustification: r.override?.justification,
    reason: r.reason,
    history: r.history ?? undefined,
    allergies: r.allergies ?? undefined,
    treatmentSoFar: r.treatmentSoFar ?? undefined,
    consent: { obtained: r.consent.obtained, by: r.consent.by },
    handover: r.handover ? { ...r.handover, medicationPlan: r.handover.medicationPlan.map((m) => ({ ...m })) } : undefined,
  };
}

/** What the gate would say about these values, in the contract's order; null = refused. */
export function predictGate(
  condition: Condition | null,
  v: { urgency?: Urgency; indications?: string[]; overrideOn?: boolean; overrideJustification?: string },
): GateOutcome | null {
  if (!condition || !condition.grassrootsFirst) return 'not_in_catalogue';
  if (v.urgency === 'emergency') return 'emergency_bypass';
  const codes = new Set(condition.upwardIndications.map((i) => i.code));
  if ((v.indications ?? []).some((c) => codes.has(c))) return 'indication_cited';
  if (v.overrideOn && [...(v.overrideJustification ?? '').trim()].length >= 10) return 'override';
  return null;
}

/** The first code of a condition's first ICD-10 range (`I10-I15` → `I10`): a starting point the doctor refines. */
export const firstCodeOf = (c: Condition): string => (c.icd10[0] ?? '').split('-')[0];
