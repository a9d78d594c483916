/** The contract's shapes (/work/shared/api.md), as the console reads them. */
export type Role = 'admin' | 'township_doctor' | 'county_doctor' | 'coordinator';
export type Direction = 'up' | 'down';
export type Urgency = 'routine' | 'urgent' | 'emergency';
export type ReferralStatus = 'draft' | 'submitted' | 'returned' | 'accepted' | 'arrived' | 'completed' | 'cancelled' | 'no_show' | 'expired';
export type ActionName = 'submit' | 'accept' | 'return' | 'resubmit' | 'cancel' | 'arrive' | 'no_show' | 'complete' | 'expire';
export type GateOutcome = 'not_in_catalogue' | 'indication_cited' | 'emergency_bypass' | 'override';
export type InstitutionLevel = 'county' | 'township' | 'village';

export const STATUSES: ReferralStatus[] = ['draft', 'submitted', 'returned', 'accepted', 'arrived', 'completed', 'cancelled', 'no_show', 'expired'];
export const URGENCIES: Urgency[] = ['routine', 'urgent', 'emergency'];
export const GATE_OUTCOMES: GateOutcome[] = ['not_in_catalogue', 'indication_cited', 'emergency_bypass', 'override'];

export interface Page<T> { items: T[]; nextCursor: string | null }

export interface User { id: string; username: string; displayName: string; role: Role; institutionId: string | null }
export interface Institution { id: string; code: string; name: string; level: InstitutionLevel }
export interface Ref { id: string; displayName: string }

export interface UpwardIndication { code?: string; text: string; emergency: boolean }
export interface DownwardCriterion { code?: string; text: string }
export interface Condition {
  code: string;
  nameZh: string;
  nameEn: string;
  pinyin: string;
  icd10: string[];
  category: string;
  tier: 'township' | 'county';
  grassrootsFirst: boolean;
  upwardIndications: UpwardIndication[];
  downwardCriteria: DownwardCriterion[];
  verified: boolean;
  source: string;
  note: string;
}
export interface CatalogueVersion { version: number; publishedAt: string; publishedBy: Ref | null; note: string; changeCount: number }
export interface Change { code: string; change: 'added' | 'removed' | 'modified'; fields: string[] }
export interface Diff { version: number | 'draft'; previousVersion: number | null; changes: Change[] }

export interface Patient { name: string; gender: 'male' | 'female' | 'unknown'; birthDate: string; idNumber?: string; phone?: string; healthRecordNo?: string }
export interface MedicationItem { drug: string; dose: string; frequency: string; days: number }
export interface Handover { diagnosis: string; treatmentSummary: string; medicationPlan: MedicationItem[]; followUpPlan: string; rehabilitationAdvice?: string }
export interface Deadline { kind: 'respond' | 'arrive' | 'follow_up' | string; dueAt: string; state: 'open' | 'met' | 'breached' | 'cancelled' | string }
export interface ReturnReason { code: string; labelZh: string; labelEn: string; comment: string | null; at: string; by: Ref }

export interface Referral {
  id: string;
  number: string;
  direction: Direction;
  urgency: Urgency;
  status: ReferralStatus;
  version: number;
  fromInstitution: { id: string; name: string };
  toInstitution: { id: string; name: string };
  toDepartment: string | null;
  patient: Patient;
  diagnosis: { icd10: string; text: string };
  reason: string;
  indications: string[];
  override: { justification: string } | null;
  gate: { catalogueVersion: number; conditionCode: string | null; outcome: GateOutcome } | null;
  consent: { obtained: true; by: 'patient' | 'guardian' };
  history: string | null;
  allergies: string | null;
  treatmentSoFar: string | null;
  parentReferralId: string | null;
  childReferralIds: string[];
  handover: Handover | null;
  appointment: { department: string; at: string | null } | null;
  arrivedAt: string | null;
  returnReason: ReturnReason | null;
  outcome: { diagnosis?: string; summary?: string; recommendations?: string; familyDoctor?: string } | null;
  deadlines: Deadline[];
  allowedActions: ActionName[];
  createdAt: string;
  updatedAt: string;
}

export type TimelineItem =
  | { type: 'transition'; at: string; from: ReferralStatus | null; to: ReferralStatus; action: string; actor: { id: string; displayName: string; role: Role; institutionId: string | null } | null; reason: string | null }
  | { type: 'notification'; at: string; notificationId: string; channel: 'inbox' | 'webhook' | 'sms'; recipient: { userId: string } | { webhookId: string }; event: string; state: string }
  | { type: 'deadline'; at: string; kind: string; dueAt: string; event: 'opened' | 'met' | 'breached' | 'escalated' | 'cancelled' };

export interface ReasonCode { code: string; labelZh: string; labelEn: string; active: boolean }

export interface Notification { id: string; referralId: string; event: string; title: string; body: string; createdAt: string; readAt: string | null }

export interface DeadlineSettings {
  emergency: { respondWithinMinutes: number; arriveWithinMinutes: number };
  urgent: { respondWithinMinutes: number; arriveWithinMinutes: number };
  routine: { respondWithinMinutes: number; arriveWithinMinutes: number };
  followUpWithinDays: number;
  expireAfterDays: number;
  escalation: { afterMinutes: number; notify: string }[];
}

export interface StatsSummary {
  from: string | null;
  to: string | null;
  institutionId: string | null;
  up: { total: number; byStatus: Record<string, number> };
  down: { total: number; byStatus: Record<string, number> };
  acceptanceRate: number | null;
  returnRate: number | null;
  returnReasons: { code: string; count: number }[];
  medianMinutesToAccept: number | null;
  deadlineBreaches: number;
  gateOutcomes: Record<GateOutcome, number>;
}

/** `422 GATE_NOT_SATISFIED` details. */
export interface GateDetails { conditionCode: string; indications: { code: string; text: string; emergency: boolean }[] }
