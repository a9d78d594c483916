import type { Role } from '../shared/actor.js';
import { DEADLINE_BREACHED_EVENT, type EscalationPayload, type WebhookEvent } from './notification-events.js';

/**
 * Who gets an event in the inbox, as selectors the application resolves to users: roles at one of the two
 * institutions, the referral's author, or every admin.
 */
export type Audience =
  | { kind: 'institution'; side: 'from' | 'to'; roles: readonly Role[] }
  | { kind: 'author' }
  | { kind: 'admins' };

const DESTINATION_STAFF: readonly Role[] = ['coordinator', 'county_doctor', 'township_doctor'];
const COORDINATORS: readonly Role[] = ['coordinator'];

/**
 * The contract's recipient rules: the destination must act on a submission (resubmits included) and hears of a
 * cancellation; the origin (the author and its coordinators) hears every answer; an escalation step notifies the
 * destination's coordinators or all admins, as the ladder says.
 */
export function audienceFor(event: WebhookEvent, payload: Partial<EscalationPayload> = {}): Audience[] {
  switch (event) {
    case 'referral.submitted':
    case 'referral.cancelled':
      return [{ kind: 'institution', side: 'to', roles: DESTINATION_STAFF }];
    case 'referral.accepted':
    case 'referral.returned':
    case 'referral.arrived':
    case 'referral.completed':
    case 'referral.no_show':
    case 'referral.expired':
      return [{ kind: 'author' }, { kind: 'institution', side: 'from', roles: COORDINATORS }];
    case DEADLINE_BREACHED_EVENT:
      return payload.notify === 'admin' ? [{ kind: 'admins' }] : [{ kind: 'institution', side: 'to', roles: COORDINATORS }];
  }
}

/** A candidate user, as the application loads them. */
export interface CandidateUser {
  id: string;
  role: Role;
  institutionId: string | null;
}

/** The referral facts recipient rules depend on. */
export interface ReferralParties {
  authorId: string;
  fromInstitutionId: string;
  toInstitutionId: string;
}

/** Whether `user` is in `audience` for `referral` (the SQL the application runs must agree with this). */
export function inAudience(audience: Audience, user: CandidateUser, referral: ReferralParties): boolean {
  switch (audience.kind) {
    case 'author':
      return user.id === referral.authorId;
    case 'admins':
      return user.role === 'admin';
    case 'institution': {
      const institutionId = audience.side === 'from' ? referral.fromInstitutionId : referral.toInstitutionId;
      return user.institutionId === institutionId && audience.roles.includes(user.role);
    }
  }
}

/** The distinct recipients of an event among `users` (each once, whatever the number of selectors matching). */
export function recipientsOf(audiences: Audience[], users: CandidateUser[], referral: ReferralParties): string[] {
  return users.filter((u) => audiences.some((a) => inAudience(a, u, referral))).map((u) => u.id);
}

/**
 * Text messages are for what cannot wait: an emergency referral arriving at the destination and every escalation
 * of a missed response deadline. Everything else stays in the inbox and on webhooks.
 */
export function wantsSms(event: WebhookEvent, urgency: string): boolean {
  return event === DEADLINE_BREACHED_EVENT || (event === 'referral.submitted' && urgency === 'emergency');
}
