import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compareNarrowness, parseIcd10Range, rangeContains } from './icd10.js';
import { buildMatcher, findOverlaps, type MatchableCondition } from './matcher.js';

const c = (code: string, ...icd10: string[]): MatchableCondition => ({ code, icd10 });

// Small alphabets so generated ranges and codes collide often.
const letter = fc.constantFrom('A', 'B', 'C');
const category = fc.integer({ min: 0, max: 12 });
const subChar = fc.constantFrom('0', '1', '2', '3', '9', 'x');
const two = (n: number) => String(n).padStart(2, '0');
const codeArb = fc
  .tuple(letter, category, fc.array(subChar, { maxLength: 3 }))
  .map(([l, n, sub]) => (sub.length ? `${l}${two(n)}.${sub.join('')}` : `${l}${two(n)}`));
const rangeArb = fc.oneof(
  fc.tuple(letter, category, category).map(([l, a, b]) => (a === b ? `${l}${two(a)}` : `${l}${two(Math.min(a, b))}-${l}${two(Math.max(a, b))}`)),
  fc.tuple(letter, category, subChar, subChar).map(([l, n, s, t]) => {
    const [x, y] = [s, t].sort();
    return x === y ? `${l}${two(n)}.${x}` : `${l}${two(n)}.${x}-${l}${two(n)}.${y}`;
  }),
);
const catalogueArb = fc.uniqueArray(
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.array(rangeArb, { minLength: 1, maxLength: 3 })).map(([n, ranges]) => c(`cond_${n}`, ...ranges)),
  { selector: (x) => x.code, maxLength: 12 },
);

/** The definition, written the slow way: every containing range, the narrowest first. */
function bruteForce(conditions: MatchableCondition[], code: string): string | null {
  const containing = conditions.flatMap((cond) =>
    cond.icd10.filter((r) => rangeContains(r, code)).map((r) => ({ cond, interval: parseIcd10Range(r)!.interval })),
  );
  containing.sort((a, b) => compareNarrowness(a.interval, b.interval) || (a.cond.code < b.cond.code ? -1 : 1));
  return containing[0]?.cond.code ?? null;
}

describe('buildMatcher', () => {
  const seedLike = [
    c('hypertension', 'I10-I15'),
    c('cerebrovascular_disease', 'I60-I69'),
    c('cerebral_infarction', 'I63'),
    c('stroke_sequelae', 'I69'),
    c('disc_herniation', 'M50.0-M50.1', 'M51.0-M51.1', 'M50.2', 'M51.2'),
    c('pneumonia', 'J12-J18', 'B37.1'),
  ];
  const m = buildMatcher(seedLike);

  it.each([
    ['I10.x00', 'hypertension'],
    ['I15.9', 'hypertension'],
    ['I63.901', 'cerebral_infarction'],
    ['I63.9', 'cerebral_infarction'],
    ['I61.0', 'cerebrovascular_disease'],
    ['I69.3', 'stroke_sequelae'],
    ['M50.05', 'disc_herniation'],
    ['M50.2', 'disc_herniation'],
    ['B37.1', 'pneumonia'],
    ['J18.9', 'pneumonia'],
  ])('%s → %s', (code, expected) => expect(m.match(code)?.code).toBe(expected));

  it.each(['Z99.9', 'I16', 'M50', 'M50.3', 'B37.0', 'I70', 'not-a-code'])('%s matches nothing', (code) => expect(m.match(code)).toBeNull());

  it('returns the full condition object it was given', () => {
    const full = { code: 'x1', icd10: ['E11'], nameZh: '2型糖尿病' };
    expect(buildMatcher([full]).match('e11.900')).toBe(full);
  });

  it('matches nothing in an empty catalogue', () => expect(buildMatcher([]).match('I10')).toBeNull());

  it('property: agrees with the definition (narrowest containing range) on any catalogue', () => {
    fc.assert(
      fc.property(catalogueArb, fc.array(codeArb, { minLength: 1, maxLength: 20 }), (conditions, codes) => {
        const matcher = buildMatcher(conditions);
        for (const code of codes) expect(matcher.match(code)?.code ?? null).toBe(bruteForce(conditions, code));
      }),
      { numRuns: 300 },
    );
  });

  it('property: every code inside a range matches it, and codes outside never do', () => {
    fc.assert(
      fc.property(rangeArb, codeArb, (range, code) => {
        const matched = buildMatcher([c('only', range)]).match(code);
        expect(matched !== null).toBe(rangeContains(range, code));
      }),
      { numRuns: 1000 },
    );
    // Codes built inside a category range always match it.
    fc.assert(
      fc.property(letter, category, category, fc.array(subChar, { maxLength: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), (l, a, b, sub, t) => {
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const n = Math.round(lo + (hi - lo) * t);
        const code = sub.length ? `${l}${two(n)}.${sub.join('')}` : `${l}${two(n)}`;
        expect(buildMatcher([c('only', `${l}${two(lo)}-${l}${two(hi)}`)]).match(code)?.code).toBe('only');
      }),
    );
  });

  it('property: a nested range wins over the range around it', () => {
    fc.assert(
      fc.property(letter, category, category, fc.array(subChar, { maxLength: 3 }), (l, a, b, sub) => {
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const inner = `${l}${two(hi)}`;
        const conditions = [c('outer', `${l}${two(lo)}-${l}${two(hi)}`), c('inner', inner)];
        const code = sub.length ? `${inner}.${sub.join('')}` : inner;
        expect(buildMatcher(conditions).match(code)?.code).toBe('inner');
        expect(buildMatcher([...conditions].reverse()).match(code)?.code).toBe('inner');
      }),
    );
  });

  it('stays fast on 10,000 conditions', () => {
    const big: MatchableCondition[] = [];
    for (let i = 0; i < 10_000; i++) {
      const l = String.fromCharCode(65 + (i % 26));
      const n = Math.floor(i / 26) % 100;
      big.push(c(`c${i}`, `${l}${two(n)}.${Math.floor(i / 2600)}`));
    }
    const started = performance.now();
    const matcher = buildMatcher(big);
    const built = performance.now();
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (matcher.match(`${String.fromCharCode(65 + (i % 26))}${two(i % 100)}.${i % 4}1`)) hits++;
    const matched = performance.now();
    expect(hits).toBeGreaterThan(0);
    expect(built - started).toBeLessThan(2000);
    // 100k look-ups: well under 10 µs each even on a loaded CI core.
    expect(matched - built).toBeLessThan(1000);
  });
});

describe('findOverlaps', () => {
  it('allows nesting and disjoint ranges (the seed shape)', () => {
    expect(findOverlaps([c('a', 'I60-I69'), c('b', 'I63'), c('c', 'I69'), c('d', 'I10-I15'), c('e', 'M50.0-M50.1', 'M50.2')])).toEqual([]);
  });

  it('reports a partial overlap naming both conditions', () => {
    expect(findOverlaps([c('a', 'I10-I15'), c('b', 'I14-I20')])).toEqual([
      { kind: 'partial', a: { code: 'a', range: 'I10-I15' }, b: { code: 'b', range: 'I14-I20' } },
    ]);
  });

  it('reports the same range on two conditions', () => {
    expect(findOverlaps([c('a', 'E11'), c('b', 'e11')])).toEqual([{ kind: 'identical', a: { code: 'a', range: 'E11' }, b: { code: 'b', range: 'E11' } }]);
  });

  it('ignores overlaps within one condition', () => {
    expect(findOverlaps([c('a', 'I10-I15', 'I12-I20')])).toEqual([]);
  });

  it('property: reports exactly the pairs a pairwise check finds', () => {
    fc.assert(
      fc.property(catalogueArb, (conditions) => {
        const pairs = new Set<string>();
        const flat = conditions.flatMap((cond) => cond.icd10.map((r) => ({ code: cond.code, ...parseIcd10Range(r)! })));
        for (let i = 0; i < flat.length; i++) {
          for (let j = i + 1; j < flat.length; j++) {
            const [x, y] = [flat[i], flat[j]];
            if (x.code === y.code) continue;
            const meet = x.interval.lo < y.interval.hi && y.interval.lo < x.interval.hi;
            const same = x.interval.lo === y.interval.lo && x.interval.hi === y.interval.hi;
            const nest = (p: typeof x, q: typeof x) => p.interval.lo >= q.interval.lo && p.interval.hi <= q.interval.hi;
            if (same || (meet && !nest(x, y) && !nest(y, x))) pairs.add([`${x.code}:${x.text}`, `${y.code}:${y.text}`].sort().join('|'));
          }
        }
        const found = new Set(findOverlaps(conditions).map((o) => [`${o.a.code}:${o.a.range}`, `${o.b.code}:${o.b.range}`].sort().join('|')));
        expect(found).toEqual(pairs);
      }),
      { numRuns: 300 },
    );
  });
});
