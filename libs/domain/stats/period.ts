import { validationFailed, type FieldProblem } from '../errors/domain-error.js';

/** A reporting period: `from` inclusive, `to` exclusive; either end may be open (null). */
export interface Period { from: Date | null; to: Date | null }

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number): number =>
  month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * An RFC 3339 date-time (`Z` or `±hh:mm`), or null when it is not one. Calendar-checked: `2026-02-30`, hour 24 and
 * offsets beyond ±23:59 are refused, where `Date.parse` would roll them over. A leap second (`:60`) is refused too:
 * PostgreSQL cannot store it.
 */
export function parseRfc3339(raw: string): Date | null {
  const m = RFC3339.exec(raw);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;
  // Year 0000 does not exist in PostgreSQL's calendar (1 BC comes before 0001).
  if (year < 1) return null;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second, Number((m[7] ?? '.0').slice(1, 4).padEnd(3, '0')));
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  at.setTime(at.getTime() - offsetMinutes * 60_000);
  return at;
}

/**
 * `?from=&to=` as the statistics endpoints take them: both optional, RFC 3339, `from` not after `to`; anything else
 * is a 400 naming the field.
 */
export function parsePeriod(raw: { from?: unknown; to?: unknown }): Period {
  const problems: FieldProblem[] = [];
  const one = (field: 'from' | 'to'): Date | null => {
    const value = raw[field];
    if (value === undefined) return null;
    const at = typeof value === 'string' ? parseRfc3339(value) : null;
    if (!at) problems.push({ field, message: `${field} must be an RFC 3339 date-time such as 2026-01-01T00:00:00+08:00` });
    return at;
  };
  const from = one('from');
  const to = one('to');
  if (from && to && from.getTime() > to.getTime()) problems.push({ field: 'to', message: 'to must not be before from' });
  if (problems.length) throw validationFailed(problems);
  return { from, to };
}

/**
 * Months are calendar months in China Standard Time (UTC+8, no daylight saving since 1991), where the referrals
 * are written: a referral created at 2026-01-31T20:00Z belongs to February.
 */
export const CHINA_OFFSET_MS = 8 * 3_600_000;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `YYYY-MM` of the instant, in UTC+8. */
export function monthKeyOf(at: Date): string {
  const local = new Date(at.getTime() + CHINA_OFFSET_MS);
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}`;
}

const MONTH_KEY = /^(\d{4})-(\d{2})$/;

export const isMonthKey = (s: unknown): s is string => {
  const m = typeof s === 'string' ? MONTH_KEY.exec(s) : null;
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
};

/** Where a month starts, as an instant (its first midnight in UTC+8). */
export function monthStart(key: string): Date {
  const m = MONTH_KEY.exec(key);
  if (!m || !isMonthKey(key)) throw new RangeError(`not a month key: ${key}`);
  const at = new Date(0);
  at.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, 1);
  return new Date(at.getTime() - CHINA_OFFSET_MS);
}

export function nextMonthKey(key: string): string {
  const start = monthStart(key);
  const local = new Date(start.getTime() + CHINA_OFFSET_MS);
  local.setUTCMonth(local.getUTCMonth() + 1);
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}`;
}

/** A month clipped to the period: the instants that month's figures count. */
export interface MonthSlice { month: string; from: Date; to: Date }

/**
 * The months that overlap [from, to), oldest first, starting after `afterKey` when given, at most `limit`
 * (`to` is exclusive: a period ending exactly at a month's first instant does not include that month).
 */
export function monthSlices(from: Date, to: Date, limit: number, afterKey?: string): MonthSlice[] {
  const out: MonthSlice[] = [];
  if (from.getTime() >= to.getTime()) return out;
  let key = afterKey !== undefined ? nextMonthKey(afterKey) : monthKeyOf(from);
  if (monthStart(key).getTime() < monthStart(monthKeyOf(from)).getTime()) key = monthKeyOf(from);
  while (out.length < limit) {
    const start = monthStart(key);
    if (start.getTime() >= to.getTime()) break;
    const end = monthStart(nextMonthKey(key));
    out.push({ month: key, from: new Date(Math.max(start.getTime(), from.getTime())), to: new Date(Math.min(end.getTime(), to.getTime())) });
    key = nextMonthKey(key);
  }
  return out;
}

/** How many calendar months (UTC+8) overlap [from, to). */
export function monthCount(from: Date, to: Date): number {
  if (from.getTime() >= to.getTime()) return 0;
  const [a, b] = [monthKeyOf(from), monthKeyOf(new Date(to.getTime() - 1))].map((k) => k.split('-').map(Number));
  return (b[0] - a[0]) * 12 + (b[1] - a[1]) + 1;
}
