import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { GATE_OUTCOMES } from '../referral/gate.js';
import { REFERRAL_STATUSES } from '../referral/referral-status.js';
import { addCounts, buildFigures, buildSide, emptyCounts, reasonList, toSummary, type CountRow } from './figures.js';
import { rate, ratio } from './rates.js';

describe('rates', () => {
  it('is null without a denominator and a share otherwise', () => {
    expect(rate(0, 0)).toBeNull();
    expect(rate(2, 3)).toBe(2 / 3);
    expect(ratio(5, 2)).toBe(2.5);
    expect(ratio(1, 0)).toBeNull();
  });

  it('refuses impossible counts', () => {
    expect(() => rate(3, 2)).toThrow(RangeError);
    expect(() => rate(-1, 2)).toThrow(RangeError);
    expect(() => ratio(Number.NaN, 2)).toThrow(RangeError);
  });

  it('stays within [0, 1]', () => {
    fc.assert(
      fc.property(fc.nat(1e6), fc.nat(1e6), (a, b) => {
        const [n, d] = a <= b ? [a, b] : [b, a];
        const r = rate(n, d);
        if (d === 0) expect(r).toBeNull();
        else expect(r! >= 0 && r! <= 1).toBe(true);
      }),
    );
  });
});

describe('reasonList', () => {
  it('adds up codes, drops zeros, most frequent first then by code', () => {
    expect(
      reasonList([
        { code: 'other', count: 1 },
        { code: 'capacity_full', count: 2 },
        { code: 'other', count: 1 },
        { code: 'wrong_department', count: 0 },
        { code: 'information_incomplete', count: 2 },
      ]),
    ).toEqual([
      { code: 'capacity_full', count: 2 },
      { code: 'information_incomplete', count: 2 },
      { code: 'other', count: 2 },
    ]);
  });
});

describe('buildFigures', () => {
  it('reports every status and gate outcome, 0 when none, and null rates when nothing was answered', () => {
    const f = buildFigures(emptyCounts());
    expect(Object.keys(f.up.byStatus)).toEqual([...REFERRAL_STATUSES]);
    expect(Object.values(f.down.byStatus).every((n) => n === 0)).toBe(true);
    expect(f.gateOutcomes).toEqual(Object.fromEntries(GATE_OUTCOMES.map((o) => [o, 0])));
    expect(f).toMatchObject({
      acceptanceRate: null,
      returnRate: null,
      overrideShare: null,
      downUpRatio: null,
      returnReasons: [],
      minutesToAccept: { count: 0, median: null, p90: null },
      followUp: { due: 0, met: 0, rate: null },
    });
  });

  it('computes the shares from the counts', () => {
    const counts: CountRow = {
      ...emptyCounts(),
      statuses: [
        { direction: 'up', status: 'accepted', count: 3 },
        { direction: 'up', status: 'returned', count: 1 },
        { direction: 'down', status: 'completed', count: 2 },
      ],
      answered: 4,
      accepted: 3,
      returned: 2,
      gateOutcomes: [
        { outcome: 'override', count: 1 },
        { outcome: 'indication_cited', count: 3 },
      ],
      followUpBreached: 2,
    };
    const f = buildFigures(counts, { count: 3, median: 12.04, p90: 30.06 });
    expect(f.up).toEqual({ total: 4, byStatus: expect.objectContaining({ accepted: 3, returned: 1, draft: 0 }) });
    expect(f.down.total).toBe(2);
    expect(f.downUpRatio).toBe(0.5);
    expect(f.acceptanceRate).toBe(0.75);
    expect(f.returnRate).toBe(0.5);
    expect(f.overrideShare).toBe(0.25);
    expect(f.minutesToAccept).toEqual({ count: 3, median: 12, p90: 30.1 });
    expect(f.followUp).toEqual({ due: 2, met: 0, rate: 0 });
  });

  it('refuses statuses and outcomes that do not exist', () => {
    expect(() => buildFigures({ ...emptyCounts(), statuses: [{ direction: 'up', status: 'lost', count: 1 }] })).toThrow(RangeError);
    expect(() => buildFigures({ ...emptyCounts(), gateOutcomes: [{ outcome: 'bribe', count: 1 }] })).toThrow(RangeError);
  });

  it('the figures of two disjoint sides add up to the figures of both', () => {
    const status = fc.record({
      direction: fc.constantFrom('up', 'down'),
      status: fc.constantFrom(...REFERRAL_STATUSES),
      count: fc.nat(50),
    });
    const side = fc
      .record({
        statuses: fc.array(status, { maxLength: 6 }),
        accepted: fc.nat(20),
        returned: fc.nat(20),
        extra: fc.nat(20),
        reasons: fc.array(fc.record({ code: fc.constantFrom('a', 'b', 'c'), count: fc.nat(5) }), { maxLength: 4 }),
      })
      .map(({ statuses, accepted, returned, extra, reasons }): CountRow => ({
        ...emptyCounts(),
        statuses,
        accepted,
        returned,
        answered: Math.max(accepted, returned) + extra,
        returnReasons: reasons,
      }));
    fc.assert(
      fc.property(side, side, (a, b) => {
        const both = buildSide(addCounts(a, b));
        const [sa, sb] = [buildSide(a), buildSide(b)];
        expect(both.total).toBe(sa.total + sb.total);
        expect(both.answered).toBe(sa.answered + sb.answered);
        const sum = (list: { count: number }[]) => list.reduce((s, r) => s + r.count, 0);
        expect(sum(both.returnReasons)).toBe(sum(sa.returnReasons) + sum(sb.returnReasons));
        const f = buildFigures(addCounts(a, b));
        expect(f.up.total + f.down.total).toBe(both.total);
        if (f.acceptanceRate !== null) expect(f.acceptanceRate).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('toSummary', () => {
  it('has exactly the contract fields, with the period as RFC 3339 and the median to a tenth', () => {
    const f = buildFigures(emptyCounts(), { count: 2, median: 17.46, p90: 20 });
    const s = toSummary({ from: new Date('2026-01-01T00:00:00+08:00'), to: null, institutionId: null }, f);
    expect(Object.keys(s).sort()).toEqual(
      ['from', 'to', 'institutionId', 'up', 'down', 'acceptanceRate', 'returnRate', 'returnReasons', 'medianMinutesToAccept', 'deadlineBreaches', 'gateOutcomes'].sort(),
    );
    expect(s).toMatchObject({ from: '2025-12-31T16:00:00.000Z', to: null, institutionId: null, medianMinutesToAccept: 17.5 });
  });
});
