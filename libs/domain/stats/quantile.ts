/**
 * Quantiles as the statistics report them: linear interpolation between closest ranks (PostgreSQL's
 * `percentile_cont`, R type 7), so the median of an even count is the mean of the two middle values. The SQL
 * aggregates use `percentile_cont`; these functions are its specification and are checked against it in tests.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const fraction = position - below;
  return fraction === 0 ? sorted[below] : sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

export const median = (values: readonly number[]): number | null => quantile(values, 0.5);

export const p90 = (values: readonly number[]): number | null => quantile(values, 0.9);

/** Minutes are reported to a tenth (6 s): finer digits are noise from clocks and transaction timing. */
export function roundMinutes(minutes: number | null): number | null {
  if (minutes === null || !Number.isFinite(minutes)) return null;
  const rounded = Math.round(minutes * 10) / 10;
  return Object.is(rounded, -0) ? 0 : rounded;
}
