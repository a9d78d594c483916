import type { ActionName, Referral } from '../api/types.js';

/** Actions that move a referral forward: a referral offering one of these to the viewer needs them now. */
const WORK_ACTIONS: ActionName[] = ['submit', 'accept', 'return', 'resubmit', 'arrive', 'complete'];

export const needsAction = (r: Pick<Referral, 'allowedActions'>): boolean => r.allowedActions.some((a) => WORK_ACTIONS.includes(a));

export const patientIdentifier = (r: Pick<Referral, 'patient'>): string => r.patient.idNumber ?? r.patient.healthRecordNo ?? '';
