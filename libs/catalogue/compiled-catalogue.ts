import type { Condition } from '../domain/catalogue/condition.js';
import { buildMatcher, type ConditionMatcher } from '../domain/catalogue/matcher.js';
import { searchEntry, searchQuery, searchRank, type SearchEntry } from '../domain/catalogue/search.js';

export interface IndexedCondition {
  condition: Condition;
  initials: string;
}

export interface RankedCondition {
  condition: Condition;
  rank: number;
}

/**
 * One catalogue (a published version or the draft) prepared for reading: sorted by code, with its matcher and
 * search entries built on first use. Published versions never change, so one instance serves for the process's life.
 */
export class CompiledCatalogue {
  readonly conditions: Condition[];
  readonly byCode: Map<string, Condition>;
  private matcherCache?: ConditionMatcher;
  private entriesCache?: SearchEntry[];
  private upwardCache?: Set<string>;

  constructor(
    readonly version: number | 'draft',
    private readonly rows: IndexedCondition[],
  ) {
    this.rows = [...rows].sort((a, b) => (a.condition.code < b.condition.code ? -1 : a.condition.code > b.condition.code ? 1 : 0));
    this.conditions = this.rows.map((r) => r.condition);
    this.byCode = new Map(this.conditions.map((c) => [c.code, c]));
  }

  get matcher(): ConditionMatcher {
    return (this.matcherCache ??= buildMatcher(this.conditions));
  }

  /** Every upward indication code of this catalogue. */
  get upwardIndicationCodes(): Set<string> {
    return (this.upwardCache ??= new Set(this.conditions.flatMap((c) => c.upwardIndications.map((i) => i.code))));
  }

  /** Matching conditions, best first (rank, then code); an empty query lists everything by code. */
  search(q: string | undefined, category: string | undefined): RankedCondition[] {
    const entries = (this.entriesCache ??= this.rows.map((r) => searchEntry(r.condition, r.initials)));
    const wanted = category?.trim().toLowerCase();
    const query = searchQuery(q ?? '');
    const narrowest = query.icdKey !== null ? (this.matcher.match(query.lower)?.code ?? null) : null;
    const out: RankedCondition[] = [];
    for (const e of entries) {
      if (wanted && e.category !== wanted) continue;
      const rank = searchRank(e, query, narrowest);
      if (rank !== null) out.push({ condition: e.condition, rank });
    }
    // Entries are in code order and the sort is stable, so equal ranks stay in code order.
    return query.lower === '' ? out : out.sort((a, b) => a.rank - b.rank);
  }
}
