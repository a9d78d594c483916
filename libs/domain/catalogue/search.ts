import type { Condition } from './condition.js';
import { icd10Key, intervalContainsKey, isIcd10Code, parseIcd10Range, type Icd10Interval } from './icd10.js';

/** A condition prepared for search: lower-cased names and its pinyin initials (computed by the caller). */
export interface SearchEntry {
  condition: Condition;
  code: string;
  nameZh: string;
  nameEn: string;
  pinyin: string;
  initials: string;
  category: string;
  ranges: { text: string; interval: Icd10Interval }[];
}

export function searchEntry(condition: Condition, initials: string): SearchEntry {
  return {
    condition,
    code: condition.code.toLowerCase(),
    nameZh: condition.nameZh.toLowerCase(),
    nameEn: condition.nameEn.toLowerCase(),
    pinyin: condition.pinyin.toLowerCase(),
    initials: initials.toLowerCase(),
    category: condition.category.trim().toLowerCase(),
    ranges: condition.icd10.flatMap((r) => {
      const parsed = parseIcd10Range(r);
      return parsed ? [{ text: parsed.text.toLowerCase(), interval: parsed.interval }] : [];
    }),
  };
}

export interface SearchQuery {
  lower: string;
  /** Without spaces or apostrophes, for pinyin typed as `gao xue ya` or `xi'an`. */
  compact: string;
  /** Set when the query is an ICD-10 code. */
  icdKey: string | null;
}

export function searchQuery(q: string): SearchQuery {
  const lower = q.trim().toLowerCase();
  return { lower, compact: lower.replace(/[\s']+/g, ''), icdKey: isIcd10Code(lower) ? icd10Key(lower) : null };
}

/** Ranks: lower is better; null = no match. */
export const RANK = {
  /** The condition's own code, or one of its ICD-10 entries, written exactly. */
  exactCode: 0,
  /** The query is an ICD-10 code and this is the condition `match` returns for it. */
  narrowestMatch: 1,
  /** A name, the pinyin or its initials, exactly. */
  exactName: 2,
  /** The query is an ICD-10 code inside one of the condition's (wider) ranges. */
  containingRange: 3,
  prefix: 4,
  substring: 5,
} as const;

/**
 * How well a condition answers `q`: the Chinese or English name, the pinyin (full or initials), the condition
 * code or an ICD-10 code. `narrowestCode` is the code `match` returns for an ICD-10 query, if any.
 */
export function searchRank(e: SearchEntry, q: SearchQuery, narrowestCode: string | null): number | null {
  const { lower, compact } = q;
  if (lower === '') return RANK.substring;
  if (e.code === lower || e.ranges.some((r) => r.text === lower)) return RANK.exactCode;
  if (narrowestCode !== null && e.condition.code === narrowestCode) return RANK.narrowestMatch;
  if (e.nameZh === lower || e.nameEn === lower || (compact !== '' && (e.pinyin === compact || e.initials === compact))) return RANK.exactName;
  if (q.icdKey !== null && e.ranges.some((r) => intervalContainsKey(r.interval, q.icdKey!))) return RANK.containingRange;
  const starts = (s: string, p: string) => p !== '' && s.startsWith(p);
  if (
    starts(e.nameZh, lower) ||
    starts(e.nameEn, lower) ||
    starts(e.pinyin, compact) ||
    starts(e.initials, compact) ||
    starts(e.code, lower) ||
    e.ranges.some((r) => r.text.startsWith(lower)) ||
    e.nameEn.split(/[^a-z0-9]+/).some((w) => starts(w, lower))
  ) {
    return RANK.prefix;
  }
  if (e.nameZh.includes(lower) || e.nameEn.includes(lower) || e.code.includes(lower) || (compact.length >= 2 && (e.pinyin.includes(compact) || e.initials.includes(compact)))) {
    return RANK.substring;
  }
  return null;
}
