import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { EscalationStep } from '../referral/deadlines.js';
import { dueEscalations, orderedLadder } from './escalation.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const LADDER: EscalationStep[] = [
  { afterMinutes: 0, notify: 'coordinator' },
  { afterMinutes: 60, notify: 'admin' },
];

describe('escalation ladder', () => {
  it('runs the first step at the breach and the next one its afterMinutes later', () => {
    expect(dueEscalations(LADDER, 0, t0, t0)).toEqual([{ index: 0, step: LADDER[0] }]);
    expect(dueEscalations(LADDER, 1, t0, at(59))).toEqual([]);
    expect(dueEscalations(LADDER, 1, t0, at(60))).toEqual([{ index: 1, step: LADDER[1] }]);
    expect(dueEscalations(LADDER, 2, t0, at(600))).toEqual([]);
  });

  it('catches up on every step due after an outage, in order', () => {
    expect(dueEscalations(LADDER, 0, t0, at(120)).map((d) => d.index)).toEqual([0, 1]);
  });

  it('orders a ladder written out of order by afterMinutes', () => {
    expect(orderedLadder([LADDER[1], LADDER[0]])).toEqual(LADDER);
  });

  it('never repeats a step already done and never runs a step before its time (property)', () => {
    const arbStep = fc.record({ afterMinutes: fc.nat(500), notify: fc.constantFrom('coordinator', 'admin') }) as fc.Arbitrary<EscalationStep>;
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 6 }), fc.nat(8), fc.nat(1000), (steps, done, minutes) => {
        const due = dueEscalations(steps, done, t0, at(minutes));
        const ladder = orderedLadder(steps);
        due.forEach((d, k) => {
          expect(d.index).toBe(done + k);
          expect(d.step).toEqual(ladder[d.index]);
          expect(d.step.afterMinutes).toBeLessThanOrEqual(minutes);
        });
      }),
    );
  });
});
