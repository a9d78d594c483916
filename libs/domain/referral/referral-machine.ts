import { DomainError } from '../errors/domain-error.js';
import { isDoctor, type Actor } from '../shared/actor.js';
import {
  ACTIONS,
  TERMINAL_STATUSES,
  type ActionName,
  type Direction,
  type ReferralStatus,
  type Urgency,
} from './referral-status.js';
import { deepFreeze } from './deep-freeze.js';

/** What the machine needs to know about a referral. */
export type ReferralSnapshot = {
  direction: Direction;
  urgency: Urgency;
  status: ReferralStatus;
  fromInstitutionId: string;
  toInstitutionId: string;
};

/** A signed-in user, or the deadline engine (which has no user). */
export type ActingParty = { kind: 'user'; actor: Actor } | { kind: 'engine' };

/**
 * Who may take a transition:
 * - `origin_doctor`: any doctor of the origin institution;
 * - `origin`: any doctor or coordinator of the origin institution;
 * - `destination`: any doctor or coordinator of the destination institution;
 * - `engine`: the deadline engine.
 * Admins are none of these: they read, never act.
 */
export type Party = 'origin_doctor' | 'origin' | 'destination' | 'engine';

export type TransitionRule = {
  action: ActionName;
  to: ReferralStatus;
  who: Party[];
  /** A condition on the referral itself, never on the caller (so `targetStatus` can ignore the caller). */
  guard?: (ref: ReferralSnapshot) => boolean;
};

export type Machine = Record<ReferralStatus, TransitionRule[]>;

const isEmergency = (ref: ReferralSnapshot) => ref.urgency === 'emergency';

/** The contract's action table. Emergencies may arrive before anyone accepts them (green channel). */
export const UPWARD_MACHINE: Machine = deepFreeze({
  draft: [
    { action: 'submit', to: 'submitted', who: ['origin_doctor'] },
    { action: 'cancel', to: 'cancelled', who: ['origin'] },
  ],
  submitted: [
    { action: 'accept', to: 'accepted', who: ['destination'] },
    { action: 'return', to: 'returned', who: ['destination'] },
    { action: 'arrive', to: 'arrived', who: ['destination'], guard: isEmergency },
    { action: 'cancel', to: 'cancelled', who: ['origin'] },
    { action: 'expire', to: 'expired', who: ['engine'] },
  ],
  returned: [
    { action: 'resubmit', to: 'submitted', who: ['origin_doctor'] },
    { action: 'cancel', to: 'cancelled', who: ['origin'] },
  ],
  accepted: [
    { action: 'arrive', to: 'arrived', who: ['destination'] },
    { action: 'no_show', to: 'no_show', who: ['destination', 'engine'] },
    { action: 'cancel', to: 'cancelled', who: ['origin'] },
  ],
  arrived: [{ action: 'complete', to: 'completed', who: ['destination'] }],
  completed: [],
  cancelled: [],
  no_show: [],
  expired: [],
});

/**
 * Downward referrals follow the same table: which institution is the origin (the county) and what the payloads
 * carry (handover, family doctor) differ, and both are resolved outside the machine.
 */
export const DOWNWARD_MACHINE: Machine = UPWARD_MACHINE;

export const machineFor = (direction: Direction): Machine => (direction === 'up' ? UPWARD_MACHINE : DOWNWARD_MACHINE);

export const isTerminal = (status: ReferralStatus): boolean => (TERMINAL_STATUSES as readonly ReferralStatus[]).includes(status);

/** The institution side the actor stands on; admins stand on no side whatever their institution. */
export function partyOf(ref: ReferralSnapshot, actor: Actor): 'origin' | 'destination' | null {
  if (actor.role === 'admin' || actor.institutionId === null) return null;
  if (actor.institutionId === ref.fromInstitutionId) return 'origin';
  if (actor.institutionId === ref.toInstitutionId) return 'destination';
  return null;
}

function plays(ref: ReferralSnapshot, who: ActingParty, party: Party): boolean {
  if (who.kind === 'engine') return party === 'engine';
  const side = partyOf(ref, who.actor);
  switch (party) {
    case 'origin_doctor':
      return side === 'origin' && isDoctor(who.actor.role);
    case 'origin':
      return side === 'origin';
    case 'destination':
      return side === 'destination';
    case 'engine':
      return false;
  }
}

/** The rule the machine would use for `action` from the referral's status, whoever asks. */
function ruleFor(ref: ReferralSnapshot, action: ActionName): TransitionRule | undefined {
  return machineFor(ref.direction)[ref.status].find((r) => r.action === action && (r.guard?.(ref) ?? true));
}

const mayTake = (ref: ReferralSnapshot, rule: TransitionRule, who: ActingParty) => rule.who.some((p) => plays(ref, who, p));

/** Where `action` leads from the referral's status, ignoring who asks; null when the machine has no such move. */
export function targetStatus(ref: ReferralSnapshot, action: ActionName): ReferralStatus | null {
  return ruleFor(ref, action)?.to ?? null;
}

/** Whether `who` may take `action` now. */
export function can(ref: ReferralSnapshot, action: ActionName, who: ActingParty): boolean {
  const rule = ruleFor(ref, action);
  return rule !== undefined && mayTake(ref, rule, who);
}

/** The actions `who` may take now, in the contract's order of actions. */
export function allowedActions(ref: ReferralSnapshot, who: ActingParty): ActionName[] {
  return ACTIONS.filter((action) => can(ref, action, who));
}

/** The status `action` leads to; throws ILLEGAL_TRANSITION when the machine or the caller's party does not allow it. */
export function assertTransition(ref: ReferralSnapshot, action: ActionName, who: ActingParty): ReferralStatus {
  const rule = ruleFor(ref, action);
  if (!rule) {
    throw new DomainError('ILLEGAL_TRANSITION', `A referral in status '${ref.status}' cannot be given action '${action}'.`, {
      status: ref.status,
      action,
    });
  }
  if (!mayTake(ref, rule, who)) {
    throw new DomainError('ILLEGAL_TRANSITION', `You may not take action '${action}' on a referral in status '${ref.status}'.`, {
      status: ref.status,
      action,
    });
  }
  return rule.to;
}

/** Every status some sequence of transitions reaches from 'draft' (guards and callers aside). */
export function reachableStatuses(direction: Direction): Set<ReferralStatus> {
  const machine = machineFor(direction);
  const seen = new Set<ReferralStatus>(['draft']);
  const queue: ReferralStatus[] = ['draft'];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const rule of machine[s]) {
      if (!seen.has(rule.to)) {
        seen.add(rule.to);
        queue.push(rule.to);
      }
    }
  }
  return seen;
}
