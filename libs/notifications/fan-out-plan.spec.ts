import { describe, expect, it } from '@jest/globals';
import type { EventFacts } from './event-facts.repository.js';
import { planFanOut } from './fan-out-plan.js';

const users = {
  countyCoordinator: { id: 'c0000000-0000-4000-8000-000000000001', role: 'coordinator' as const, institutionId: 'county' },
  countyDoctor: { id: 'c0000000-0000-4000-8000-000000000002', role: 'county_doctor' as const, institutionId: 'county' },
  townDoctor: { id: 'a0000000-0000-4000-8000-000000000003', role: 'township_doctor' as const, institutionId: 'town' },
  townCoordinator: { id: 'b0000000-0000-4000-8000-000000000004', role: 'coordinator' as const, institutionId: 'town' },
  admin: { id: 'd0000000-0000-4000-8000-000000000005', role: 'admin' as const, institutionId: null },
};

function facts(outboxId: string, overrides: Partial<EventFacts> = {}, referral: Partial<EventFacts['referral']> = {}): EventFacts {
  return {
    outboxId,
    event: 'referral.submitted',
    occurredAt: new Date('2026-12-01T08:00:00Z'),
    correlationId: null,
    payload: { action: 'submit' },
    announced: { status: 'submitted', version: 1 },
    referral: {
      id: `r-${outboxId}`,
      number: 'ZZ20261201-000001',
      direction: 'up',
      urgency: 'routine',
      status: 'submitted',
      version: 1,
      authorId: users.townDoctor.id,
      fromInstitutionId: 'town',
      toInstitutionId: 'county',
      fromName: '城关镇卫生院',
      toName: '县人民医院',
      patient: { name: '王建国', gender: 'male', birthDate: '1960-05-05', idNumber: '110101196005051234' } as EventFacts['referral']['patient'],
      returnReason: null,
      ...referral,
    },
    superseded: false,
    candidates: Object.values(users),
    ...overrides,
  };
}

describe('planFanOut', () => {
  it('names the recipients of each event, with its text (the patient masked) and the parties for its webhooks', () => {
    const [submitted, accepted] = planFanOut([facts('e1'), facts('e2', { event: 'referral.accepted', payload: { action: 'accept' }, announced: { status: 'accepted', version: 2 } })]);
    expect([...submitted.inbox].sort()).toEqual([users.countyCoordinator.id, users.countyDoctor.id].sort());
    expect([...accepted.inbox].sort()).toEqual([users.townDoctor.id, users.townCoordinator.id].sort());
    for (const e of [submitted, accepted]) {
      expect(e).toMatchObject({ inboxState: 'delivered', sendState: 'queued', sms: [], fromInstitutionId: 'town', toInstitutionId: 'county' });
      expect(e.title).toContain('王建国');
      expect(`${e.title} ${e.body}`).not.toContain('110101196005051234');
    }
  });

  it('texts the recipients of an emergency submission only, and marks a superseded event superseded on every channel', () => {
    const [emergency, moved, routine] = planFanOut([facts('e1', {}, { urgency: 'emergency' }), facts('e2', { superseded: true }, { urgency: 'emergency' }), facts('e3')]);
    expect([...emergency.sms].sort()).toEqual([...emergency.inbox].sort());
    expect(emergency.sms).toHaveLength(2);
    expect(moved).toMatchObject({ inboxState: 'superseded', sendState: 'superseded' });
    expect(moved.sms).toHaveLength(2);
    expect(routine.sms).toEqual([]);
  });
});
