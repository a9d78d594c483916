import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROLES, type Role } from '../shared/actor.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from './notification-events.js';
import { audienceFor, recipientsOf, wantsSms, type CandidateUser } from './recipients.js';

const FROM = 'from-inst';
const TO = 'to-inst';
const referral = { authorId: 'author', fromInstitutionId: FROM, toInstitutionId: TO };
const user = (id: string, role: Role, institutionId: string | null): CandidateUser => ({ id, role, institutionId });
const community: CandidateUser[] = [
  user('author', 'township_doctor', FROM),
  user('from-doctor', 'township_doctor', FROM),
  user('from-coord', 'coordinator', FROM),
  user('to-doctor', 'county_doctor', TO),
  user('to-coord', 'coordinator', TO),
  user('other-coord', 'coordinator', 'elsewhere'),
  user('admin', 'admin', null),
];
const who = (event: WebhookEvent, payload = {}) => recipientsOf(audienceFor(event, payload), community, referral).sort();

describe('notification recipients', () => {
  it('a submission (or resubmission) goes to every coordinator and doctor of the destination', () => {
    expect(who('referral.submitted')).toEqual(['to-coord', 'to-doctor']);
  });

  it.each(['referral.accepted', 'referral.returned', 'referral.arrived', 'referral.completed', 'referral.no_show', 'referral.expired'] as const)(
    '%s goes to the author and the origin coordinators, not to other origin doctors',
    (event) => {
      expect(who(event)).toEqual(['author', 'from-coord']);
    },
  );

  it('a cancellation goes to the destination', () => {
    expect(who('referral.cancelled')).toEqual(['to-coord', 'to-doctor']);
  });

  it('an escalation goes to the destination coordinators or to every admin, as the ladder step says', () => {
    expect(who('referral.deadline_breached', { notify: 'coordinator' })).toEqual(['to-coord']);
    expect(who('referral.deadline_breached', { notify: 'admin' })).toEqual(['admin']);
  });

  it('never reaches users of uninvolved institutions, and lists each recipient once (property)', () => {
    const arbUser = fc.record({
      id: fc.uuid(),
      role: fc.constantFrom(...ROLES),
      institutionId: fc.constantFrom(FROM, TO, 'elsewhere', null),
    });
    fc.assert(
      fc.property(fc.constantFrom(...WEBHOOK_EVENTS), fc.constantFrom('coordinator', 'admin') as fc.Arbitrary<'coordinator' | 'admin'>, fc.uniqueArray(arbUser, { selector: (u) => u.id }), (event, notify, users) => {
        // The author works at the origin.
        const author = users.find((u) => u.institutionId === FROM)?.id ?? 'nobody';
        const ids = recipientsOf(audienceFor(event, { notify }), users, { ...referral, authorId: author });
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) {
          const u = users.find((x) => x.id === id)!;
          expect(u.role === 'admin' || u.institutionId === FROM || u.institutionId === TO).toBe(true);
        }
      }),
    );
  });

  it('sends text messages only for emergencies arriving and for escalations', () => {
    expect(wantsSms('referral.submitted', 'emergency')).toBe(true);
    expect(wantsSms('referral.submitted', 'urgent')).toBe(false);
    expect(wantsSms('referral.deadline_breached', 'routine')).toBe(true);
    expect(wantsSms('referral.accepted', 'emergency')).toBe(false);
  });
});
