import type { FieldProblem } from '../errors/domain-error.js';
import type { Condition, DownwardCriterion, Tier, UpwardIndication } from './condition.js';
import { normaliseIcd10Range, parseIcd10Range } from './icd10.js';

export const CONDITION_CODE = /^[a-z0-9_]{2,64}$/;
export const TIERS: readonly Tier[] = ['township', 'county'];
export const LIMITS = { name: 200, category: 100, text: 2000, longText: 20000, ranges: 50, items: 99 } as const;

/** A condition without its computed pinyin: what admins write and what the store keeps besides the pinyin. */
export type ConditionFields = Omit<Condition, 'pinyin'>;

/** As written by an admin: indication codes may be missing (they are assigned). */
export interface UpwardIndicationInput { code?: string; text: string; emergency: boolean }
export interface DownwardCriterionInput { code?: string; text: string }
export interface ConditionInput extends Omit<ConditionFields, 'upwardIndications' | 'downwardCriteria'> {
  upwardIndications: UpwardIndicationInput[];
  downwardCriteria: DownwardCriterionInput[];
}

/** `<condition code>.up.NN` / `.down.NN`, NN two digits from 01. */
export const indicationCodePattern = (conditionCode: string, kind: 'up' | 'down') =>
  new RegExp(`^${conditionCode.replace(/[^a-z0-9_]/g, '')}\\.${kind}\\.(0[1-9]|[1-9][0-9])$`);

/** One entry of `conditions.json` (the seed shape); fields beyond these are ignored. */
export interface SeedEntry {
  code: string;
  nameZh: string;
  nameEn: string;
  icd10: string[];
  category: string;
  upwardCriteria: string[];
  downwardCriteria: string[];
  verified?: boolean;
  source?: string;
  verificationNote?: string;
}

const EMERGENCY_PREFIX = '急诊转诊';
const nn = (n: number) => String(n).padStart(2, '0');

/**
 * The contract's seed rules: tier township, grassroots-first; the n-th upward criterion becomes `<code>.up.<nn>`,
 * an emergency exactly when it starts with 急诊转诊; the n-th downward criterion `<code>.down.<nn>`;
 * note = verificationNote.
 */
export function fromSeedEntry(entry: SeedEntry): ConditionFields {
  return {
    code: entry.code,
    nameZh: entry.nameZh,
    nameEn: entry.nameEn,
    icd10: entry.icd10.map(normaliseIcd10Range),
    category: entry.category,
    tier: 'township',
    grassrootsFirst: true,
    upwardIndications: entry.upwardCriteria.map((text, i) => ({ code: `${entry.code}.up.${nn(i + 1)}`, text, emergency: text.startsWith(EMERGENCY_PREFIX) })),
    downwardCriteria: entry.downwardCriteria.map((text, i) => ({ code: `${entry.code}.down.${nn(i + 1)}`, text })),
    verified: entry.verified ?? false,
    source: entry.source ?? '',
    note: entry.verificationNote ?? '',
  };
}

/** Is this import entry in the `conditions.json` shape rather than the read shape? */
export const isSeedShape = (raw: unknown): boolean =>
  isObject(raw) && ('upwardCriteria' in raw || 'verificationNote' in raw) && !('upwardIndications' in raw);

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Validates a full condition in the read shape (pinyin, if present, is ignored: it is always computed). */
export function checkConditionInput(raw: unknown): Checked<ConditionInput> {
  const v = new Checker();
  if (!isObject(raw)) return { ok: false, problems: [{ field: 'body', message: 'a condition must be a JSON object' }] };
  const code = v.conditionCode(raw.code);
  const upwardIndications = v.list(raw.upwardIndications, 'upwardIndications', (item, field) => {
    if (!isObject(item)) return v.fail(field, `${field} must be an object { code?, text, emergency }`);
    const text = v.text(item.text, `${field}.text`, LIMITS.text);
    const emergency = v.bool(item.emergency, `${field}.emergency`);
    const c = v.optionalItemCode(item.code, `${field}.code`, code, 'up');
    return text === undefined || emergency === undefined ? undefined : { ...(c ? { code: c } : {}), text, emergency };
  });
  const downwardCriteria = v.list(raw.downwardCriteria, 'downwardCriteria', (item, field) => {
    if (!isObject(item)) return v.fail(field, `${field} must be an object { code?, text }`);
    const text = v.text(item.text, `${field}.text`, LIMITS.text);
    const c = v.optionalItemCode(item.code, `${field}.code`, code, 'down');
    return text === undefined ? undefined : { ...(c ? { code: c } : {}), text };
  });
  v.uniqueCodes(raw.upwardIndications, 'upwardIndications');
  v.uniqueCodes(raw.downwardCriteria, 'downwardCriteria');
  const value = {
    code,
    nameZh: v.text(raw.nameZh, 'nameZh', LIMITS.name),
    nameEn: v.text(raw.nameEn, 'nameEn', LIMITS.name),
    icd10: v.ranges(raw.icd10),
    category: v.text(raw.category, 'category', LIMITS.category),
    tier: v.oneOf(raw.tier, 'tier', TIERS),
    grassrootsFirst: v.bool(raw.grassrootsFirst, 'grassrootsFirst'),
    upwardIndications,
    downwardCriteria,
    verified: raw.verified === undefined ? false : v.bool(raw.verified, 'verified'),
    source: raw.source === undefined ? '' : v.text(raw.source, 'source', LIMITS.longText, true),
    note: raw.note === undefined ? '' : v.text(raw.note, 'note', LIMITS.longText, true),
  };
  return v.result(value as ConditionInput);
}

/** Validates a `conditions.json` entry and converts it by the seed rules. */
export function checkSeedEntry(raw: unknown): Checked<ConditionFields> {
  const v = new Checker();
  if (!isObject(raw)) return { ok: false, problems: [{ field: 'body', message: 'an entry must be a JSON object' }] };
  const strings = (value: unknown, field: string) => v.list(value, field, (s, f) => v.text(s, f, LIMITS.text));
  const entry: SeedEntry = {
    code: v.conditionCode(raw.code) as string,
    nameZh: v.text(raw.nameZh, 'nameZh', LIMITS.name) as string,
    nameEn: v.text(raw.nameEn, 'nameEn', LIMITS.name) as string,
    icd10: v.ranges(raw.icd10) as string[],
    category: v.text(raw.category, 'category', LIMITS.category) as string,
    upwardCriteria: strings(raw.upwardCriteria, 'upwardCriteria') as string[],
    downwardCriteria: strings(raw.downwardCriteria, 'downwardCriteria') as string[],
    verified: raw.verified === undefined ? false : v.bool(raw.verified, 'verified'),
    source: raw.source === undefined ? '' : v.text(raw.source, 'source', LIMITS.longText, true),
    verificationNote: raw.verificationNote === undefined ? '' : v.text(raw.verificationNote, 'verificationNote', LIMITS.longText, true),
  };
  const checked = v.result(entry);
  return checked.ok ? { ok: true, value: fromSeedEntry(checked.value) } : checked;
}

/** One import entry, in either shape. */
export function checkImportEntry(raw: unknown): Checked<ConditionInput> {
  return isSeedShape(raw) ? checkSeedEntry(raw) : checkConditionInput(raw);
}

export interface ImportProblem { index: number; code: string | null; fields: FieldProblem[] }

/**
 * Validates a whole import: every entry, and that no code appears twice. Returns the entries or every problem,
 * so the caller can import all or nothing.
 */
export function checkImport(raw: unknown): { ok: true; entries: ConditionInput[] } | { ok: false; problems: ImportProblem[] } {
  if (!Array.isArray(raw)) return { ok: false, problems: [{ index: -1, code: null, fields: [{ field: 'body', message: 'the import must be a JSON array of conditions' }] }] };
  const problems: ImportProblem[] = [];
  const entries: ConditionInput[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, index) => {
    const code = isObject(item) && typeof item.code === 'string' ? item.code : null;
    const checked = checkImportEntry(item);
    const fields = checked.ok ? [] : [...checked.problems];
    if (code !== null && seen.has(code)) fields.push({ field: 'code', message: `code "${code}" appears more than once (first at index ${seen.get(code)})` });
    else if (code !== null) seen.set(code, index);
    if (fields.length > 0) problems.push({ index, code, fields });
    else if (checked.ok) entries.push(checked.value);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Collects every problem rather than stopping at the first, as the contract's 400 bodies list them all. */
class Checker {
  readonly problems: FieldProblem[] = [];

  fail(field: string, message: string): undefined {
    this.problems.push({ field, message });
    return undefined;
  }

  result<T>(value: T): Checked<T> {
    return this.problems.length > 0 ? { ok: false, problems: this.problems } : { ok: true, value };
  }

  text(x: unknown, field: string, max: number, allowEmpty = false): string | undefined {
    if (typeof x !== 'string') return this.fail(field, `${field} must be a string`);
    if (!allowEmpty && x.trim() === '') return this.fail(field, `${field} must not be empty`);
    if (x.length > max) return this.fail(field, `${field} must be at most ${max} characters`);
    return x;
  }

  bool(x: unknown, field: string): boolean | undefined {
    return typeof x === 'boolean' ? x : this.fail(field, `${field} must be true or false`);
  }

  oneOf<T extends string>(x: unknown, field: string, allowed: readonly T[]): T | undefined {
    return typeof x === 'string' && (allowed as readonly string[]).includes(x) ? (x as T) : this.fail(field, `${field} must be one of ${allowed.join(', ')}`);
  }

  conditionCode(x: unknown): string | undefined {
    return typeof x === 'string' && CONDITION_CODE.test(x) ? x : this.fail('code', 'code must be 2-64 lower-case letters, digits or "_"');
  }

  list<T>(x: unknown, field: string, item: (value: unknown, field: string) => T | undefined): T[] | undefined {
    if (!Array.isArray(x)) return this.fail(field, `${field} must be an array`);
    if (x.length > LIMITS.items) return this.fail(field, `${field} may hold at most ${LIMITS.items} items`);
    const before = this.problems.length;
    const out = x.map((value, i) => item(value, `${field}[${i}]`));
    return this.problems.length > before ? undefined : (out as T[]);
  }

  ranges(x: unknown): string[] | undefined {
    if (!Array.isArray(x) || x.length === 0) return this.fail('icd10', 'icd10 must be a non-empty array of ICD-10 codes or ranges (e.g. "I10-I15", "E11")');
    if (x.length > LIMITS.ranges) return this.fail('icd10', `icd10 may hold at most ${LIMITS.ranges} ranges`);
    const out: string[] = [];
    x.forEach((r, i) => {
      const parsed = typeof r === 'string' ? parseIcd10Range(r) : null;
      if (!parsed) this.fail(`icd10[${i}]`, `${JSON.stringify(r)} is not an ICD-10 code or range (e.g. "I10-I15", "E11", "M50.0-M50.1")`);
      else if (out.includes(parsed.text)) this.fail(`icd10[${i}]`, `${parsed.text} is listed twice`);
      else out.push(parsed.text);
    });
    return out.length === x.length ? out : undefined;
  }

  optionalItemCode(x: unknown, field: string, conditionCode: string | undefined, kind: 'up' | 'down'): string | undefined {
    if (x === undefined || x === null || x === '') return undefined;
    if (typeof x !== 'string') return this.fail(field, `${field} must be a string`);
    if (conditionCode !== undefined && !indicationCodePattern(conditionCode, kind).test(x)) {
      return this.fail(field, `${field} must be "${conditionCode}.${kind}.NN" with NN from 01 to 99`);
    }
    return x;
  }

  /** On the raw list, so a duplicate is reported even when another item has a problem too. */
  uniqueCodes(items: unknown, field: string): void {
    if (!Array.isArray(items)) return;
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const code = isObject(item) ? item.code : undefined;
      if (typeof code !== 'string' || code === '') return;
      if (seen.has(code)) this.fail(`${field}[${i}].code`, `${code} is used twice`);
      seen.add(code);
    });
  }
}

/** The type guard the store uses after assigning codes. */
export const isFullyCoded = (c: ConditionInput): c is ConditionFields =>
  c.upwardIndications.every((i): i is UpwardIndication => typeof i.code === 'string') &&
  c.downwardCriteria.every((i): i is DownwardCriterion => typeof i.code === 'string');
