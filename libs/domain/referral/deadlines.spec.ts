import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DEADLINE_KINDS,
  DEFAULT_DEADLINE_SETTINGS,
  checkDeadlineSettings,
  deadlineEffects,
  escalationDueAt,
  expiresAt,
  type DeadlineSettings,
} from './deadlines.js';
import { targetStatus, type ReferralSnapshot } from './referral-machine.js';
import { ACTIONS, DIRECTIONS, REFERRAL_STATUSES, URGENCIES, type ActionName, type ReferralStatus } from './referral-status.js';

const NOW = new Date('2026-03-01T08:00:00Z');
const plus = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const clone = (): Record<string, unknown> => structuredClone(DEFAULT_DEADLINE_SETTINGS) as unknown as Record<string, unknown>;

describe('deadline settings', () => {
  it('defaults to the contract values', () => {
    expect(DEFAULT_DEADLINE_SETTINGS).toEqual({
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
    expect(checkDeadlineSettings(DEFAULT_DEADLINE_SETTINGS)).toEqual([]);
    expect(Object.isFrozen(DEFAULT_DEADLINE_SETTINGS.escalation[0])).toBe(true);
  });

  it('accepts an empty escalation ladder and afterMinutes 0', () => {
    expect(checkDeadlineSettings({ ...clone(), escalation: [] })).toEqual([]);
  });

  const fieldsOf = (x: unknown) => checkDeadlineSettings(x).map((p) => p.field);
  const edit = (f: (s: Record<string, any>) => void) => {
    const s = clone();
    f(s);
    return fieldsOf(s);
  };

  it('requires every field', () => {
    expect(edit((s) => delete s.urgent)).toEqual(['urgent']);
    expect(edit((s) => delete s.routine.arriveWithinMinutes)).toEqual(['routine.arriveWithinMinutes']);
    expect(edit((s) => delete s.followUpWithinDays)).toEqual(['followUpWithinDays']);
    expect(edit((s) => delete s.expireAfterDays)).toEqual(['expireAfterDays']);
    expect(edit((s) => delete s.escalation)).toEqual(['escalation']);
    expect(edit((s) => delete s.escalation[1].notify)).toEqual(['escalation[1].notify']);
    expect(edit((s) => delete s.escalation[0].afterMinutes)).toEqual(['escalation[0].afterMinutes']);
  });

  it.each([0, -5, 1.5, '15', null, Number.POSITIVE_INFINITY, 2 ** 31])('refuses %p minutes to respond', (v) => {
    expect(edit((s) => (s.emergency.respondWithinMinutes = v))).toEqual(['emergency.respondWithinMinutes']);
  });

  it('refuses non-positive days and a negative or fractional afterMinutes', () => {
    expect(edit((s) => (s.followUpWithinDays = 0))).toEqual(['followUpWithinDays']);
    expect(edit((s) => (s.expireAfterDays = 2.5))).toEqual(['expireAfterDays']);
    expect(edit((s) => (s.escalation[0].afterMinutes = -1))).toEqual(['escalation[0].afterMinutes']);
    expect(edit((s) => (s.escalation[0].afterMinutes = 0.5))).toEqual(['escalation[0].afterMinutes']);
  });

  it('refuses an unknown escalation target and unknown keys anywhere', () => {
    expect(edit((s) => (s.escalation[1].notify = 'director'))).toEqual(['escalation[1].notify']);
    expect(edit((s) => (s.extra = 1))).toEqual(['extra']);
    expect(edit((s) => (s.urgent.graceMinutes = 5))).toEqual(['urgent.graceMinutes']);
    expect(edit((s) => (s.escalation[0].channel = 'sms'))).toEqual(['escalation[0].channel']);
  });

  it('refuses wrong shapes', () => {
    expect(fieldsOf(null)).toEqual(['body']);
    expect(fieldsOf([])).toEqual(['body']);
    expect(fieldsOf('x')).toEqual(['body']);
    expect(edit((s) => (s.escalation = { afterMinutes: 0, notify: 'admin' }))).toEqual(['escalation']);
    expect(edit((s) => (s.escalation = [null]))).toEqual(['escalation[0]']);
    expect(edit((s) => (s.emergency = 15))).toEqual(['emergency']);
  });

  it('reports every problem at once', () => {
    expect(fieldsOf({}).sort()).toEqual(['emergency', 'escalation', 'expireAfterDays', 'followUpWithinDays', 'routine', 'urgent']);
  });

  it('accepts any document of positive integers (property)', () => {
    const pos = fc.integer({ min: 1, max: 1_000_000 });
    const settingsArb: fc.Arbitrary<DeadlineSettings> = fc.record({
      emergency: fc.record({ respondWithinMinutes: pos, arriveWithinMinutes: pos }),
      urgent: fc.record({ respondWithinMinutes: pos, arriveWithinMinutes: pos }),
      routine: fc.record({ respondWithinMinutes: pos, arriveWithinMinutes: pos }),
      followUpWithinDays: pos,
      expireAfterDays: pos,
      escalation: fc.array(fc.record({ afterMinutes: fc.nat(), notify: fc.constantFrom('coordinator' as const, 'admin' as const) })),
    });
    fc.assert(fc.property(settingsArb, (s) => expect(checkDeadlineSettings(s)).toEqual([])));
  });
});

describe('deadlineEffects', () => {
  const S = DEFAULT_DEADLINE_SETTINGS;
  const fx = (action: ActionName, from: ReferralStatus, to: ReferralStatus, urgency: 'routine' | 'urgent' | 'emergency' = 'routine', direction: 'up' | 'down' = 'up') =>
    deadlineEffects(direction, action, from, to, urgency, S, NOW);

  it('opens a respond deadline on submit and resubmit, by urgency', () => {
    expect(fx('submit', 'draft', 'submitted', 'emergency')).toEqual({ open: [{ kind: 'respond', dueAt: plus(15) }], meet: [], cancel: [] });
    expect(fx('submit', 'draft', 'submitted', 'urgent')).toEqual({ open: [{ kind: 'respond', dueAt: plus(60) }], meet: [], cancel: [] });
    expect(fx('resubmit', 'returned', 'submitted', 'routine', 'down')).toEqual({ open: [{ kind: 'respond', dueAt: plus(360) }], meet: [], cancel: [] });
  });

  it('meets respond on accept and opens arrive', () => {
    expect(fx('accept', 'submitted', 'accepted', 'urgent')).toEqual({ open: [{ kind: 'arrive', dueAt: plus(4320) }], meet: ['respond'], cancel: [] });
    expect(fx('accept', 'submitted', 'accepted', 'routine').open[0].dueAt).toEqual(plus(20160));
    expect(fx('accept', 'submitted', 'accepted', 'emergency').open[0].dueAt).toEqual(plus(240));
  });

  it('meets respond on return and opens nothing: a returned referral has no running clock', () => {
    expect(fx('return', 'submitted', 'returned')).toEqual({ open: [], meet: ['respond'], cancel: [] });
  });

  it('meets arrive on arrival, and respond when an emergency arrives before acceptance', () => {
    expect(fx('arrive', 'accepted', 'arrived')).toEqual({ open: [], meet: ['arrive'], cancel: [] });
    expect(fx('arrive', 'submitted', 'arrived', 'emergency')).toEqual({ open: [], meet: ['respond'], cancel: [] });
  });

  it('opens a follow-up when a downward referral completes, not an upward one', () => {
    expect(fx('complete', 'arrived', 'completed', 'routine', 'down')).toEqual({
      open: [{ kind: 'follow_up', dueAt: plus(14 * 24 * 60) }],
      meet: [],
      cancel: [],
    });
    expect(fx('complete', 'arrived', 'completed', 'routine', 'up')).toEqual({ open: [], meet: [], cancel: [] });
  });

  it.each([
    ['cancel', 'accepted', 'cancelled'],
    ['expire', 'submitted', 'expired'],
    ['no_show', 'accepted', 'no_show'],
  ] as const)('cancels every open deadline on %s', (action, from, to) => {
    expect(fx(action, from, to)).toEqual({ open: [], meet: [], cancel: [...DEADLINE_KINDS] });
  });

  it('uses the settings given, so new settings apply only to deadlines opened afterwards', () => {
    const custom = { ...S, urgent: { respondWithinMinutes: 5, arriveWithinMinutes: 7 }, followUpWithinDays: 3 };
    expect(deadlineEffects('up', 'submit', 'draft', 'submitted', 'urgent', custom, NOW).open).toEqual([{ kind: 'respond', dueAt: plus(5) }]);
    expect(deadlineEffects('down', 'complete', 'arrived', 'completed', 'urgent', custom, NOW).open).toEqual([{ kind: 'follow_up', dueAt: plus(3 * 1440) }]);
  });

  it('for every legal transition: due dates lie ahead, and terminal non-completions leave nothing running (property)', () => {
    const legal: Array<[(typeof DIRECTIONS)[number], ActionName, ReferralStatus, ReferralStatus, (typeof URGENCIES)[number]]> = [];
    for (const direction of DIRECTIONS)
      for (const urgency of URGENCIES)
        for (const status of REFERRAL_STATUSES)
          for (const action of ACTIONS) {
            const ref: ReferralSnapshot = { direction, urgency, status, fromInstitutionId: 'a', toInstitutionId: 'b' };
            const to = targetStatus(ref, action);
            if (to) legal.push([direction, action, status, to, urgency]);
          }
    fc.assert(
      fc.property(fc.constantFrom(...legal), fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), ([d, a, from, to, u], now) => {
        const e = deadlineEffects(d, a, from, to, u, S, now);
        for (const o of e.open) expect(o.dueAt.getTime()).toBeGreaterThan(now.getTime());
        if (['cancelled', 'expired', 'no_show'].includes(to)) expect(e).toEqual({ open: [], meet: [], cancel: [...DEADLINE_KINDS] });
        if (to === 'submitted') expect(e.open.map((o) => o.kind)).toEqual(['respond']);
        expect(e.open.some((o) => e.meet.includes(o.kind) || e.cancel.includes(o.kind))).toBe(false);
      }),
    );
  });

  it('computes expiry and escalation times', () => {
    expect(expiresAt(NOW, S)).toEqual(plus(30 * 1440));
    expect(escalationDueAt(NOW, { afterMinutes: 60, notify: 'admin' })).toEqual(plus(60));
    expect(escalationDueAt(NOW, { afterMinutes: 0, notify: 'coordinator' })).toEqual(NOW);
  });
});
