import type { Condition } from '../catalogue/condition.js';
import { DomainError } from '../errors/domain-error.js';
import type { Urgency } from './referral-status.js';

/** How an upward referral passed the grassroots-first gate. */
export const GATE_OUTCOMES = ['not_in_catalogue', 'indication_cited', 'emergency_bypass', 'override'] as const;
export type GateOutcome = (typeof GATE_OUTCOMES)[number];

export type GateResult = { catalogueVersion: number; conditionCode: string | null; outcome: GateOutcome };

export type GateInput = {
  urgency: Urgency;
  /** Indication codes cited by the referrer (already checked to exist in the catalogue version). */
  indications: string[];
  override: { justification: string } | null;
  /** The condition `match` returns for the diagnosis in that catalogue version, or null. */
  condition: Condition | null;
  catalogueVersion: number;
};

/** Unicode code points, after trimming, an override justification needs. */
export const MIN_OVERRIDE_JUSTIFICATION = 10;

/** Code points, not UTF-16 units: an emoji or a rare CJK character counts once. */
export const codePointLength = (s: string): number => [...s].length;

export const isSufficientJustification = (justification: string | null | undefined): boolean =>
  typeof justification === 'string' && codePointLength(justification.trim()) >= MIN_OVERRIDE_JUSTIFICATION;

/**
 * The contract's gate: outside the grassroots-first catalogue anything passes; inside it, in this order, an
 * emergency, a cited upward indication of the matched condition, or an override with a real justification.
 * Otherwise GATE_NOT_SATISFIED (422) listing the indications the referrer could cite.
 */
export function evaluateGate(input: GateInput): GateResult {
  const { condition, catalogueVersion } = input;
  const conditionCode = condition?.code ?? null;
  const pass = (outcome: GateOutcome): GateResult => ({ catalogueVersion, conditionCode, outcome });

  if (!condition || !condition.grassrootsFirst) return pass('not_in_catalogue');
  if (input.urgency === 'emergency') return pass('emergency_bypass');
  const ownCodes = new Set(condition.upwardIndications.map((i) => i.code));
  if (input.indications.some((code) => ownCodes.has(code))) return pass('indication_cited');
  if (isSufficientJustification(input.override?.justification)) return pass('override');

  throw new DomainError(
    'GATE_NOT_SATISFIED',
    `The diagnosis falls under grassroots-first condition '${condition.code}': cite one of its upward indications, ` +
      `mark the referral as an emergency, or give an override justification of at least ${MIN_OVERRIDE_JUSTIFICATION} characters.`,
    {
      conditionCode: condition.code,
      indications: condition.upwardIndications.map(({ code, text, emergency }) => ({ code, text, emergency })),
    },
  );
}
