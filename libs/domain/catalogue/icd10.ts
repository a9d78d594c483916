/**
 * ICD-10 codes as Chinese clinics write them: a letter and two digits (the category, `I10`), optionally a dot and
 * 1–4 letters or digits (`I13.1`, `E11.900`, `I10.x00`; `x` fills a position that ICD-10 itself does not
 * subdivide), optionally followed by the national clinical edition's `x` + 3-digit extension (`I10.x00x002`).
 *
 * Ranges are written `I10-I15`, `M50.0-M50.1`, or as a single code (`E11`, `N13.2`). A code is inside a range when,
 * truncated to each endpoint's granularity, it is ≥ the start and ≤ the end: `I15.9` ∈ `I10-I15`,
 * `M50.05` ∈ `M50.0-M50.1`, `M50` ∉ `M50.0-M50.1`.
 */

const CODE = /^([A-Za-z])(\d{2})(?:\.([0-9A-Za-z]{1,4})([xX]\d{3})?)?$/;

export function isIcd10Code(s: string): boolean {
  return typeof s === 'string' && CODE.test(s.trim());
}

/** Upper-case letters, except the placeholder `x`, which Chinese clinical codes write in lower case. */
export function normaliseIcd10(s: string): string {
  const m = CODE.exec(s.trim());
  if (!m) throw new TypeError(`not an ICD-10 code: ${JSON.stringify(s)}`);
  const [, letter, digits, sub, ext] = m;
  if (sub === undefined) return `${letter.toUpperCase()}${digits}`;
  const subNorm = sub.replace(/[a-z]/gi, (c) => (c === 'x' || c === 'X' ? 'x' : c.toUpperCase()));
  return `${letter.toUpperCase()}${digits}.${subNorm}${ext ? ext.toLowerCase() : ''}`;
}

/**
 * The code as a comparison key: the dot dropped, so that a code's truncation to a granularity is a string prefix.
 * Keys compare as plain strings (digits < upper-case letters < `x`).
 */
export function icd10Key(code: string): string {
  return normaliseIcd10(code).replace('.', '');
}

/** A range as a half-open interval of keys: every key k with `lo ≤ k < hi` is inside it. */
export interface Icd10Interval {
  lo: string;
  hi: string;
}

/** Above every character a key can hold, so `end + TOP` is above every key that starts with `end`. */
const TOP = '\uffff';

export interface ParsedRange {
  /** The range as written, normalised (`I10-I15`, `M50.0-M50.1`, `E11`). */
  text: string;
  start: string;
  end: string;
  interval: Icd10Interval;
}

/** Parses `I10-I15`, `E11`, `M50.0-M50.1`; null when not a valid range (bad code, or start after end). */
export function parseIcd10Range(s: string): ParsedRange | null {
  if (typeof s !== 'string') return null;
  const parts = s.trim().split(/\s*-\s*/);
  if (parts.length < 1 || parts.length > 2 || !parts.every(isIcd10Code)) return null;
  const start = normaliseIcd10(parts[0]);
  const end = normaliseIcd10(parts[parts.length - 1]);
  const lo = icd10Key(start);
  const endKey = icd10Key(end);
  const hi = endKey + TOP;
  // The start, truncated to the end's granularity, must not be past the end.
  if (lo.slice(0, endKey.length) > endKey) return null;
  return { text: parts.length === 1 ? start : `${start}-${end}`, start, end, interval: { lo, hi } };
}

export function isIcd10Range(s: string): boolean {
  return parseIcd10Range(s) !== null;
}

/** The normalised form of a valid range; throws on an invalid one. */
export function normaliseIcd10Range(s: string): string {
  const r = parseIcd10Range(s);
  if (!r) throw new TypeError(`not an ICD-10 range: ${JSON.stringify(s)}`);
  return r.text;
}

export function intervalContainsKey(interval: Icd10Interval, key: string): boolean {
  return key >= interval.lo && key < interval.hi;
}

/** Is the (valid) code inside the (valid) range? */
export function rangeContains(range: string, code: string): boolean {
  const r = parseIcd10Range(range);
  if (!r || !isIcd10Code(code)) return false;
  return intervalContainsKey(r.interval, icd10Key(code));
}

/** `a` lies within `b` (equal counts). */
export function intervalWithin(a: Icd10Interval, b: Icd10Interval): boolean {
  return a.lo >= b.lo && a.hi <= b.hi;
}

export function intervalsIntersect(a: Icd10Interval, b: Icd10Interval): boolean {
  return a.lo < b.hi && b.lo < a.hi;
}

/**
 * Narrower first: of two intervals that nest, the inner one sorts first (a later start, then an earlier end).
 * For intervals that overlap only partially (refused at publish) the order is still total and deterministic.
 */
export function compareNarrowness(a: Icd10Interval, b: Icd10Interval): number {
  if (a.lo !== b.lo) return a.lo > b.lo ? -1 : 1;
  if (a.hi !== b.hi) return a.hi < b.hi ? -1 : 1;
  return 0;
}
