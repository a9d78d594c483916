import type { Patient } from '../domain/referral/patient.js';
import { maskPatient } from '../domain/referral/masking.js';
import { allowedActions, partyOf, type ReferralSnapshot } from '../domain/referral/referral-machine.js';
import type { Direction, ReferralStatus, Urgency } from '../domain/referral/referral-status.js';
import type { Actor } from '../domain/shared/actor.js';
import type { ReferralEntity } from '../persistence/entities/referral.entity.js';

export interface DeadlineView { kind: string; dueAt: string; state: string }

/** What the mapper needs beyond the row: names, deadlines and children, fetched in batches by the service. */
export interface ReferralExtras {
  fromInstitutionName: string;
  toInstitutionName: string;
  deadlines: DeadlineView[];
  childReferralIds: string[];
}

export const snapshotOf = (r: Pick<ReferralEntity, 'direction' | 'urgency' | 'status' | 'fromInstitutionId' | 'toInstitutionId'>): ReferralSnapshot => ({
  direction: r.direction as Direction,
  urgency: r.urgency as Urgency,
  status: r.status as ReferralStatus,
  fromInstitutionId: r.fromInstitutionId,
  toInstitutionId: r.toInstitutionId,
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The contract's referral object for one viewer. Identifiers are shown in full only in single-referral responses
 * to users of the two institutions involved (`fullIdentifiers`); lists and admins get them masked.
 */
export function mapReferral(r: ReferralEntity, x: ReferralExtras, viewer: Actor, fullIdentifiers: boolean) {
  const snapshot = snapshotOf(r);
  const party = partyOf(snapshot, viewer);
  const patient = r.patient as unknown as Patient;
  return {
    id: r.id,
    number: r.number,
    direction: r.direction,
    urgency: r.urgency,
    status: r.status,
    version: r.version,
    fromInstitution: { id: r.fromInstitutionId, name: x.fromInstitutionName },
    toInstitution: { id: r.toInstitutionId, name: x.toInstitutionName },
    toDepartment: r.toDepartment,
    patient: fullIdentifiers && party !== null ? patient : maskPatient(patient),
    diagnosis: { icd10: r.diagnosisIcd10, text: r.diagnosisText },
    reason: r.reason,
    indications: r.indications,
    override: r.override,
    gate: r.gate,
    consent: r.consent,
    history: r.history,
    allergies: r.allergies,
    treatmentSoFar: r.treatmentSoFar,
    parentReferralId: r.parentReferralId,
    childReferralIds: x.childReferralIds,
    handover: r.handover,
    appointment: r.appointment,
    arrivedAt: iso(r.arrivedAt),
    returnReason: r.returnReason,
    outcome: r.outcome,
    deadlines: x.deadlines,
    allowedActions: allowedActions(snapshot, { kind: 'user', actor: viewer }),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export type ReferralView = ReturnType<typeof mapReferral>;
