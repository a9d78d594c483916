import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainError } from '../errors/domain-error.js';
import { monthCount, monthKeyOf, monthSlices, monthStart, nextMonthKey, parsePeriod, parseRfc3339 } from './period.js';

describe('parseRfc3339', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T08:00:00+08:00', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01t00:00:00.123456z', '2026-01-01T00:00:00.123Z'],
    ['2024-02-29T23:59:59-05:30', '2024-03-01T05:29:59.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-15T12:00:00Z', '0099-06-15T12:00:00.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseRfc3339(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-01-01',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00',
    '2026-02-29T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:00:00+24:00',
    '0000-01-01T00:00:00Z',
    'yesterday',
    '',
  ])('refuses %j', (raw) => {
    expect(parseRfc3339(raw)).toBeNull();
  });

  it('reads back every instant it wrote', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(parseRfc3339(d.toISOString())?.getTime()).toBe(d.getTime());
      }),
    );
  });
});

describe('parsePeriod', () => {
  const fieldsOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('VALIDATION_FAILED');
      return ((e as DomainError).details!.fields as { field: string }[]).map((x) => x.field);
    }
    throw new Error('expected a validation error');
  };

  it('leaves absent ends open', () => {
    expect(parsePeriod({})).toEqual({ from: null, to: null });
  });

  it('names every bad field, and refuses to before from', () => {
    expect(fieldsOf(() => parsePeriod({ from: 'x', to: '2026-13-01T00:00:00Z' }))).toEqual(['from', 'to']);
    expect(fieldsOf(() => parsePeriod({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }))).toEqual(['to']);
    expect(fieldsOf(() => parsePeriod({ from: ['2026-01-01T00:00:00Z'] }))).toEqual(['from']);
  });

  it('accepts an empty period (from = to)', () => {
    const p = parsePeriod({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T08:00:00+08:00' });
    expect(p.from?.getTime()).toBe(p.to?.getTime());
  });
});

describe('months in China Standard Time', () => {
  it('puts an instant in its UTC+8 month', () => {
    expect(monthKeyOf(new Date('2026-01-31T15:59:59.999Z'))).toBe('2026-01');
    expect(monthKeyOf(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02');
    expect(monthStart('2026-02').toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(nextMonthKey('2026-12')).toBe('2027-01');
    expect(nextMonthKey('0009-12')).toBe('0010-01');
  });

  it('slices a period into months clipped to it, with to exclusive', () => {
    const slices = monthSlices(new Date('2026-01-15T00:00:00+08:00'), new Date('2026-03-01T00:00:00+08:00'), 10);
    expect(slices.map((s) => [s.month, s.from.toISOString(), s.to.toISOString()])).toEqual([
      ['2026-01', '2026-01-14T16:00:00.000Z', '2026-01-31T16:00:00.000Z'],
      ['2026-02', '2026-01-31T16:00:00.000Z', '2026-02-28T16:00:00.000Z'],
    ]);
    expect(monthSlices(new Date('2026-01-15T00:00:00Z'), new Date('2026-01-15T00:00:00Z'), 10)).toEqual([]);
  });

  it('pages through months: every month once, in order, covering the period exactly', () => {
    const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 1, max: 7 }), (a, b, limit) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const all: ReturnType<typeof monthSlices> = [];
        let after: string | undefined;
        for (;;) {
          const page = monthSlices(from, to, limit, after);
          all.push(...page);
          if (page.length < limit) break;
          after = page[page.length - 1].month;
        }
        expect(all.length).toBe(monthCount(from, to));
        if (all.length === 0) return expect(from.getTime()).toBe(to.getTime());
        expect(all[0].from.getTime()).toBe(from.getTime());
        expect(all[all.length - 1].to.getTime()).toBe(to.getTime());
        for (let i = 1; i < all.length; i++) {
          expect(all[i].from.getTime()).toBe(all[i - 1].to.getTime());
          expect(all[i].month).toBe(nextMonthKey(all[i - 1].month));
        }
        for (const s of all) expect(monthKeyOf(s.from)).toBe(s.month);
      }),
    );
  });
});
