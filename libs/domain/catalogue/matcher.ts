import type { Condition } from './condition.js';
import { compareNarrowness, icd10Key, intervalsIntersect, intervalWithin, isIcd10Code, parseIcd10Range, type Icd10Interval } from './icd10.js';

/** What a matcher needs of a condition: its code and ICD-10 ranges (the full condition comes back on a match). */
export type MatchableCondition = Pick<Condition, 'code' | 'icd10'>;

export interface ConditionMatcher<C extends MatchableCondition = Condition> {
  /** The condition whose range contains the code, the narrowest containing range winning; null when none does. */
  match(code: string): C | null;
}

interface RangeEntry<C> {
  condition: C;
  range: string;
  interval: Icd10Interval;
}

/** Narrowest first; identical ranges (refused at publish) fall back to the condition code, so results are stable. */
const byNarrowness = <C extends MatchableCondition>(a: RangeEntry<C>, b: RangeEntry<C>) =>
  compareNarrowness(a.interval, b.interval) || (a.condition.code < b.condition.code ? -1 : a.condition.code > b.condition.code ? 1 : 0);

function rangeEntries<C extends MatchableCondition>(conditions: readonly C[]): RangeEntry<C>[] {
  const out: RangeEntry<C>[] = [];
  for (const condition of conditions) {
    for (const range of condition.icd10) {
      const parsed = parseIcd10Range(range);
      // Stored conditions were validated on write; a range that does not parse simply matches nothing.
      if (parsed) out.push({ condition, range: parsed.text, interval: parsed.interval });
    }
  }
  return out;
}

/**
 * Compiles the conditions' ranges into elementary segments: every range boundary cuts the key line, and within
 * one segment the set of containing ranges (hence the winner) is constant. A look-up is then one binary search,
 * O(log n) whatever the catalogue's size.
 */
export function buildMatcher<C extends MatchableCondition>(conditions: readonly C[]): ConditionMatcher<C> {
  const entries = rangeEntries(conditions);
  const points = [...new Set(entries.flatMap((e) => [e.interval.lo, e.interval.hi]))].sort();
  const index = new Map(points.map((p, i) => [p, i]));
  const opening: RangeEntry<C>[][] = points.map(() => []);
  const closing: RangeEntry<C>[][] = points.map(() => []);
  for (const e of entries) {
    opening[index.get(e.interval.lo)!].push(e);
    closing[index.get(e.interval.hi)!].push(e);
  }
  // winners[i]: the narrowest range containing every key in [points[i], points[i+1]).
  const winners: (C | null)[] = new Array(points.length).fill(null);
  const active = new Set<RangeEntry<C>>();
  for (let i = 0; i < points.length; i++) {
    for (const e of closing[i]) active.delete(e);
    for (const e of opening[i]) active.add(e);
    let best: RangeEntry<C> | undefined;
    for (const e of active) if (!best || byNarrowness(e, best) < 0) best = e;
    winners[i] = best?.condition ?? null;
  }

  return {
    match(code: string): C | null {
      if (!isIcd10Code(code) || points.length === 0) return null;
      const key = icd10Key(code);
      // The last boundary ≤ key.
      let lo = 0;
      let hi = points.length - 1;
      let at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (points[mid] <= key) {
          at = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return at < 0 ? null : winners[at];
    },
  };
}

export interface RangeOverlap {
  kind: 'partial' | 'identical';
  a: { code: string; range: string };
  b: { code: string; range: string };
}

/**
 * Ranges of two different conditions that overlap without nesting, or that are identical: the publish check.
 * Nesting (`I60-I69` around `I63`) is allowed; overlaps within one condition are harmless and not reported.
 * A sweep in start order keeps only the ranges still open, so typical catalogues cost O(n log n).
 */
export function findOverlaps(conditions: readonly MatchableCondition[]): RangeOverlap[] {
  const entries = rangeEntries(conditions).sort((a, b) =>
    a.interval.lo !== b.interval.lo ? (a.interval.lo < b.interval.lo ? -1 : 1) : a.interval.hi !== b.interval.hi ? (a.interval.hi > b.interval.hi ? -1 : 1) : a.condition.code < b.condition.code ? -1 : 1,
  );
  const out: RangeOverlap[] = [];
  let open: RangeEntry<MatchableCondition>[] = [];
  for (const e of entries) {
    open = open.filter((o) => o.interval.hi > e.interval.lo);
    for (const o of open) {
      if (o.condition.code === e.condition.code || !intervalsIntersect(o.interval, e.interval)) continue;
      const identical = o.interval.lo === e.interval.lo && o.interval.hi === e.interval.hi;
      if (identical) out.push({ kind: 'identical', a: { code: o.condition.code, range: o.range }, b: { code: e.condition.code, range: e.range } });
      else if (!intervalWithin(e.interval, o.interval) && !intervalWithin(o.interval, e.interval)) {
        out.push({ kind: 'partial', a: { code: o.condition.code, range: o.range }, b: { code: e.condition.code, range: e.range } });
      }
    }
    open.push(e);
  }
  return out;
}

export function describeOverlap(o: RangeOverlap): string {
  return o.kind === 'identical'
    ? `"${o.a.code}" and "${o.b.code}" both claim ${o.a.range}`
    : `"${o.a.code}" (${o.a.range}) and "${o.b.code}" (${o.b.range}) overlap without one containing the other`;
}
