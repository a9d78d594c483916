import type { Figures, SideFigures } from './figures.js';

/**
 * How by-condition groups referrals: an upward referral under the catalogue condition its gate matched
 * (`gate.conditionCode`); any other referral (downward, not in the catalogue, never judged) under the letter of its
 * ICD-10 code (`I` for I10.x00), or `unmatched` when the diagnosis has no such letter. The SQL in
 * libs/stats/stats-sql.ts computes the same key; this is its specification.
 */
export type ConditionGroupKind = 'catalogue' | 'icd10_letter' | 'unmatched';

/** Internal sort key: catalogue conditions first (by code), then ICD-10 letters, then unmatched. */
export function conditionGroupKey(direction: string, gateConditionCode: string | null | undefined, icd10: string | null | undefined): string {
  if (direction === 'up' && gateConditionCode) return `c:${gateConditionCode}`;
  const letter = /^[A-Za-z]/.exec(icd10 ?? '')?.[0];
  return letter ? `l:${letter.toUpperCase()}` : 'u:';
}

export interface ConditionGroup { key: string; kind: ConditionGroupKind; nameZh: string; nameEn: string }

/** The group as reported; catalogue names come from the newest published version that has the code. */
export function describeConditionGroup(internalKey: string, names?: { nameZh: string; nameEn: string }): ConditionGroup {
  const [prefix, rest] = [internalKey.slice(0, 2), internalKey.slice(2)];
  if (prefix === 'c:') return { key: rest, kind: 'catalogue', nameZh: names?.nameZh ?? rest, nameEn: names?.nameEn ?? rest };
  if (prefix === 'l:') return { key: rest, kind: 'icd10_letter', nameZh: `ICD-10 ${rest} 类（目录外）`, nameEn: `ICD-10 ${rest}* (outside the catalogue)` };
  return { key: 'unmatched', kind: 'unmatched', nameZh: '未匹配', nameEn: 'Unmatched' };
}

export const isConditionGroupKey = (s: unknown): s is string => typeof s === 'string' && /^(c:[a-z0-9_]{1,64}|l:[A-Z]|u:)$/.test(s);

export interface InstitutionRef { id: string; code: string; name: string; level: string }

/** by-institution: the referrals in scope where the institution is a party, and split by its side. */
export interface InstitutionRow extends Figures {
  institution: InstitutionRef;
  /** Referrals it sent (it is `fromInstitution`): how its referrals were answered. */
  asReferrer: SideFigures;
  /** Referrals it received (it is `toInstitution`): how it answered. */
  asReceiver: SideFigures;
}

export interface ConditionRow extends Figures { condition: ConditionGroup }

/** by-month: `from`/`to` are the month's bounds clipped to the requested period. */
export interface MonthRow extends Figures { month: string; from: string; to: string }
