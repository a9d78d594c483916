/**
 * A share in [0, 1], or null when the denominator is 0 ("nothing to judge by" is not the same as 0 %).
 * Rates are not rounded: clients format them; the CSV export shows four decimals.
 */
export function rate(numerator: number, denominator: number): number | null {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || numerator < 0 || denominator < 0) {
    throw new RangeError(`rate needs non-negative counts, got ${numerator}/${denominator}`);
  }
  if (numerator > denominator) throw new RangeError(`rate numerator ${numerator} exceeds denominator ${denominator}`);
  return denominator === 0 ? null : numerator / denominator;
}

/** A ratio that may exceed 1 (down referrals per up referral), or null when the denominator is 0. */
export function ratio(numerator: number, denominator: number): number | null {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || numerator < 0 || denominator < 0) {
    throw new RangeError(`ratio needs non-negative counts, got ${numerator}/${denominator}`);
  }
  return denominator === 0 ? null : numerator / denominator;
}
