import type { ConditionFields } from './condition-input.js';

export type ChangeKind = 'added' | 'removed' | 'modified';

export interface ConditionChange {
  code: string;
  change: ChangeKind;
  /** For `modified`: the fields that differ; empty for `added` and `removed`. */
  fields: string[];
}

/** Fields compared, in the order they are reported. `pinyin` is derived from `nameZh`, so it is not listed. */
export const DIFF_FIELDS = [
  'nameZh',
  'nameEn',
  'icd10',
  'category',
  'tier',
  'grassrootsFirst',
  'upwardIndications',
  'downwardCriteria',
  'verified',
  'source',
  'note',
] as const satisfies readonly (keyof ConditionFields)[];

/** JSON with sorted object keys, so equal values compare equal whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function changedFields(prev: ConditionFields, next: ConditionFields): string[] {
  return DIFF_FIELDS.filter((f) => canonicalJson(prev[f]) !== canonicalJson(next[f]));
}

/** What changed from one catalogue to the next, by condition code (ascending). */
export function diffCatalogues(prev: readonly ConditionFields[], next: readonly ConditionFields[]): ConditionChange[] {
  const before = new Map(prev.map((c) => [c.code, c]));
  const after = new Map(next.map((c) => [c.code, c]));
  const codes = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: ConditionChange[] = [];
  for (const code of codes) {
    const a = before.get(code);
    const b = after.get(code);
    if (!a) out.push({ code, change: 'added', fields: [] });
    else if (!b) out.push({ code, change: 'removed', fields: [] });
    else {
      const fields = changedFields(a, b);
      if (fields.length > 0) out.push({ code, change: 'modified', fields });
    }
  }
  return out;
}
