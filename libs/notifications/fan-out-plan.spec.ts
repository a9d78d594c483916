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
  it('writes one inbox entry per recipient of each event, the patient masked, and lists every event for its webhooks', () => {
    const plan = planFanOut([facts('e1'), facts('e2', { event: 'referral.accepted', payload: { action: 'accept' }, announced: { status: 'accepted', version: 2 } })]);
    const inbox = (id: string) => plan.userRows.filter((r) => r.outboxId === id && r.channel === 'inbox').map((r) => r.userId).sort();
    expect(inbox('e1')).toEqual([users.countyCoordinator.id, users.countyDoctor.id].sort());
    expect(inbox('e2')).toEqual([users.townDoctor.id, users.townCoordinator.id].sort());
    expect(plan.userRows.every((r) => r.state === 'delivered' && r.title && !r.title.includes('110101196005051234'))).toBe(true);
    expect(plan.events.map((e) => [e.outboxId, e.state, e.fromInstitutionId, e.toInstitutionId])).toEqual([
      ['e1', 'queued', 'town', 'county'],
      ['e2', 'queued', 'town', 'county'],
    ]);
  });

  it('queues text messages for an emergency submission only, and writes a superseded event as superseded everywhere', () => {
    const plan = planFanOut([facts('e1', {}, { urgency: 'emergency' }), facts('e2', { superseded: true }, { urgency: 'emergency' }), facts('e3')]);
    const rows = (id: string, channel: string) => plan.userRows.filter((r) => r.outboxId === id && r.channel === channel);
    expect(rows('e1', 'sms').map((r) => r.state)).toEqual(['queued', 'queued']);
    expect(rows('e2', 'sms').map((r) => r.state)).toEqual(['superseded', 'superseded']);
    expect(rows('e2', 'inbox').map((r) => r.state)).toEqual(['superseded', 'superseded']);
    expect(rows('e3', 'sms')).toEqual([]);
    expect(plan.events.find((e) => e.outboxId === 'e2')?.state).toBe('superseded');
  });

  it('orders the rows by (event, channel, user), whatever order the events came in', () => {
    const plan = planFanOut([facts('e2', {}, { urgency: 'emergency' }), facts('e1')]);
    const keys = plan.userRows.map((r) => `${r.outboxId}|${r.channel}|${r.userId}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
  });
});
