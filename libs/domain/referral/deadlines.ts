import type { FieldProblem } from '../errors/domain-error.js';
import type { ActionName, Direction, ReferralStatus, Urgency } from './referral-status.js';
import { deepFreeze } from './deep-freeze.js';

export type UrgencyDeadlines = { respondWithinMinutes: number; arriveWithinMinutes: number };

export const ESCALATION_TARGETS = ['coordinator', 'admin'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];
export type EscalationStep = { afterMinutes: number; notify: EscalationTarget };

/** The contract's `/settings/deadlines` shape. */
export type DeadlineSettings = {
  emergency: UrgencyDeadlines;
  urgent: UrgencyDeadlines;
  routine: UrgencyDeadlines;
  followUpWithinDays: number;
  expireAfterDays: number;
  escalation: EscalationStep[];
};

/**
 * Defaults from the contract: respond within 15 min / 1 h / 6 h (remote-consultation limits), arrive within
 * 4 h / 3 days / 14 days, follow up within 2 weeks (basic public-health rules), expire after 30 days.
 */
export const DEFAULT_DEADLINE_SETTINGS: DeadlineSettings = deepFreeze({
  emergency: { respondWithinMinutes: 15, arriveWithinMinutes: 240 },
  urgent: { respondWithinMinutes: 60, arriveWithinMinutes: 4320 },
  routine: { respondWithinMinutes: 360, arriveWithinMinutes: 20160 },
  followUpWithinDays: 14,
  expireAfterDays: 30,
  escalation: [
    { afterMinutes: 0, notify: 'coordinator' },
    { afterMinutes: 60, notify: 'admin' },
  ],
});

export const DEADLINE_KINDS = ['respond', 'arrive', 'follow_up'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_STATES = ['open', 'met', 'breached', 'cancelled'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

/** Upper bounds keep every due date a valid Date and a valid timestamptz (and minutes within int4). */
export const MAX_SETTING_MINUTES = 2_147_483_647;
export const MAX_SETTING_DAYS = 1_000_000;

const URGENCY_KEYS = ['emergency', 'urgent', 'routine'] as const;
const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Field problems of a settings document (empty when acceptable): every field required, integers, positive except
 * `afterMinutes` ≥ 0, `notify` one of coordinator/admin, no unknown keys. Field names are paths such as
 * `urgent.respondWithinMinutes` or `escalation[1].notify`.
 */
export function checkDeadlineSettings(x: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const integer = (value: unknown, field: string, min: 0 | 1, max: number) => {
    if (value === undefined) add(field, 'This field is required.');
    else if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      add(field, `Must be an integer from ${min} to ${max}.`);
    }
  };
  const onlyKeys = (obj: Record<string, unknown>, allowed: readonly string[], prefix: string) => {
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) add(prefix + key, 'This field is not allowed.');
  };

  if (!isPlainObject(x)) return [{ field: 'body', message: 'The deadline settings must be a JSON object.' }];
  onlyKeys(x, [...URGENCY_KEYS, 'followUpWithinDays', 'expireAfterDays', 'escalation'], '');

  for (const urgency of URGENCY_KEYS) {
    const u = x[urgency];
    if (!isPlainObject(u)) {
      add(urgency, u === undefined ? 'This field is required.' : 'Must be an object { respondWithinMinutes, arriveWithinMinutes }.');
      continue;
    }
    onlyKeys(u, ['respondWithinMinutes', 'arriveWithinMinutes'], `${urgency}.`);
    integer(u.respondWithinMinutes, `${urgency}.respondWithinMinutes`, 1, MAX_SETTING_MINUTES);
    integer(u.arriveWithinMinutes, `${urgency}.arriveWithinMinutes`, 1, MAX_SETTING_MINUTES);
  }
  integer(x.followUpWithinDays, 'followUpWithinDays', 1, MAX_SETTING_DAYS);
  integer(x.expireAfterDays, 'expireAfterDays', 1, MAX_SETTING_DAYS);

  if (!Array.isArray(x.escalation)) {
    add('escalation', x.escalation === undefined ? 'This field is required.' : 'Must be a list of { afterMinutes, notify }.');
  } else {
    x.escalation.forEach((step: unknown, i) => {
      const at = `escalation[${i}]`;
      if (!isPlainObject(step)) {
        add(at, 'Must be an object { afterMinutes, notify }.');
        return;
      }
      onlyKeys(step, ['afterMinutes', 'notify'], `${at}.`);
      integer(step.afterMinutes, `${at}.afterMinutes`, 0, MAX_SETTING_MINUTES);
      if (step.notify === undefined) add(`${at}.notify`, 'This field is required.');
      else if (!(ESCALATION_TARGETS as readonly unknown[]).includes(step.notify)) {
        add(`${at}.notify`, `Must be one of ${ESCALATION_TARGETS.join(', ')}.`);
      }
    });
  }
  return problems;
}

export type OpenDeadline = { kind: DeadlineKind; dueAt: Date };
export type DeadlineEffects = { open: OpenDeadline[]; meet: DeadlineKind[]; cancel: DeadlineKind[] };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const addMinutes = (at: Date, minutes: number): Date => new Date(at.getTime() + minutes * MINUTE_MS);
export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);

/**
 * What a transition does to the referral's deadlines. `meet` and `cancel` name kinds whose *open* deadlines change
 * state; `open` lists new deadlines, due from `now` under the settings in force now (new settings apply only to
 * deadlines opened afterwards). A referral created already submitted counts as action 'submit' from 'draft'.
 */
export function deadlineEffects(
  direction: Direction,
  action: ActionName,
  from: ReferralStatus,
  to: ReferralStatus,
  urgency: Urgency,
  settings: DeadlineSettings,
  now: Date,
): DeadlineEffects {
  const limits = settings[urgency];
  const none: DeadlineEffects = { open: [], meet: [], cancel: [] };
  switch (action) {
    case 'submit':
    case 'resubmit':
      return { ...none, open: [{ kind: 'respond', dueAt: addMinutes(now, limits.respondWithinMinutes) }] };
    case 'accept':
      return { ...none, meet: ['respond'], open: [{ kind: 'arrive', dueAt: addMinutes(now, limits.arriveWithinMinutes) }] };
    case 'return':
      // A returned referral waits on the origin: no clock runs until it is resubmitted.
      return { ...none, meet: ['respond'] };
    case 'arrive':
      // An emergency may arrive straight from 'submitted', which answers the respond deadline too.
      return { ...none, meet: from === 'submitted' ? ['respond'] : ['arrive'] };
    case 'complete':
      // Completing a downward referral hands the patient to the family doctor, who must follow them up.
      return direction === 'down' && to === 'completed'
        ? { ...none, open: [{ kind: 'follow_up', dueAt: addDays(now, settings.followUpWithinDays) }] }
        : none;
    case 'cancel':
    case 'expire':
    case 'no_show':
      return { ...none, cancel: [...DEADLINE_KINDS] };
  }
}

/** When a referral still `submitted` since `lastSubmittedAt` expires. */
export const expiresAt = (lastSubmittedAt: Date, settings: DeadlineSettings): Date => addDays(lastSubmittedAt, settings.expireAfterDays);

/** When an escalation step runs for a respond deadline breached at `breachedAt`. */
export const escalationDueAt = (breachedAt: Date, step: EscalationStep): Date => addMinutes(breachedAt, step.afterMinutes);
