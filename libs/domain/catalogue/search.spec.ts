import { describe, expect, it } from '@jest/globals';
import type { Condition } from './condition.js';
import { buildMatcher } from './matcher.js';
import { RANK, searchEntry, searchQuery, searchRank } from './search.js';

const cond = (code: string, nameZh: string, nameEn: string, pinyin: string, icd10: string[]): Condition => ({
  code, nameZh, nameEn, pinyin, icd10, category: 'x', tier: 'township', grassrootsFirst: true, upwardIndications: [], downwardCriteria: [], verified: false, source: '', note: '',
});

const catalogue = [
  { c: cond('hypertension', '高血压', 'Hypertension', 'gaoxueya', ['I10-I15']), initials: 'gxy' },
  { c: cond('cerebrovascular_disease', '脑血管病', 'Cerebrovascular disease', 'naoxueguanbing', ['I60-I69']), initials: 'nxgb' },
  { c: cond('cerebral_infarction', '脑梗死', 'Cerebral infarction', 'naogengsi', ['I63']), initials: 'ngs' },
  { c: cond('diabetes_type2', '2型糖尿病', 'Type 2 diabetes mellitus', '2xingtangniaobing', ['E11']), initials: '2xtnb' },
  { c: cond('gaoxue_test', '高雪', 'Snow', 'gaoxue', ['Z00']), initials: 'gx' },
];
const entries = catalogue.map(({ c, initials }) => searchEntry(c, initials));
const matcher = buildMatcher(catalogue.map((x) => x.c));

function search(q: string): string[] {
  const query = searchQuery(q);
  const narrowest = query.icdKey ? (matcher.match(q)?.code ?? null) : null;
  return entries
    .map((e) => ({ code: e.condition.code, rank: searchRank(e, query, narrowest) }))
    .filter((x): x is { code: string; rank: number } => x.rank !== null)
    .sort((a, b) => a.rank - b.rank || (a.code < b.code ? -1 : 1))
    .map((x) => x.code);
}

describe('search ranking', () => {
  it.each(['gaoxueya', 'gxy', '高血压', 'Hypertension', 'hypertension', 'I10', 'i12.9', 'GAO XUE YA'])('%s finds hypertension first', (q) => {
    expect(search(q)[0]).toBe('hypertension');
  });

  it('puts the exact ICD-10 entry first, then the ranges around it', () => {
    expect(search('I63')).toEqual(['cerebral_infarction', 'cerebrovascular_disease']);
    expect(search('I63.9')).toEqual(['cerebral_infarction', 'cerebrovascular_disease']);
  });

  it('matches Chinese substrings, pinyin prefixes and English words', () => {
    // Equal ranks list by code.
    expect(search('血')).toEqual(['cerebrovascular_disease', 'hypertension']);
    expect(search('gaox')).toEqual(['gaoxue_test', 'hypertension']);
    expect(search('diabetes')).toEqual(['diabetes_type2']);
    expect(search('糖尿病')).toEqual(['diabetes_type2']);
  });

  it('matches nothing for an unrelated query', () => expect(search('zzzz')).toEqual([]));

  it('ranks an empty query as a plain listing', () => {
    expect(searchRank(entries[0], searchQuery('  '), null)).toBe(RANK.substring);
  });
});
