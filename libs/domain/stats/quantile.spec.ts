import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { median, p90, quantile, roundMinutes } from './quantile.js';

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 });

describe('quantile (linear interpolation, as percentile_cont)', () => {
  it('is null for no values', () => {
    expect(median([])).toBeNull();
    expect(p90([])).toBeNull();
  });

  it('takes the middle value of an odd count and the mean of the two middle values of an even count', () => {
    expect(median([7, 1, 3])).toBe(3);
    expect(median([10, 25])).toBe(17.5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates p90 between closest ranks', () => {
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBeCloseTo(9.1, 10);
    expect(p90([5])).toBe(5);
    expect(p90([0, 100])).toBe(90);
  });

  it('refuses a quantile outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });

  it('stays between the smallest and largest value and grows with q', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const qa = quantile(xs, lo)!;
        const qb = quantile(xs, hi)!;
        expect(qa).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(qb).toBeLessThanOrEqual(Math.max(...xs));
        expect(qb).toBeGreaterThanOrEqual(qa - 1e-9 * Math.max(1, Math.abs(qa)));
      }),
    );
  });

  it('does not depend on the order of the values', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        expect(quantile([...xs].reverse(), q)).toBe(quantile(xs, q));
      }),
    );
  });

  it('has as many values at or below the median as at or above it', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const m = median(xs)!;
        expect(xs.filter((x) => x <= m).length * 2).toBeGreaterThanOrEqual(xs.length);
        expect(xs.filter((x) => x >= m).length * 2).toBeGreaterThanOrEqual(xs.length);
      }),
    );
  });
});

describe('roundMinutes', () => {
  it('rounds to a tenth of a minute and keeps null', () => {
    expect(roundMinutes(30.0002)).toBe(30);
    expect(roundMinutes(17.46)).toBe(17.5);
    expect(roundMinutes(-0.01)).toBe(0);
    expect(Object.is(roundMinutes(-0.01), -0)).toBe(false);
    expect(roundMinutes(null)).toBeNull();
  });

  it('is never more than 0.05 away from the value', () => {
    fc.assert(fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), (x) => expect(Math.abs(roundMinutes(x)! - x)).toBeLessThanOrEqual(0.05 + 1e-6)));
  });
});
