/**
 * The Idempotency-Key a write runs under, as the write path records it: `<user id> <key> <first claimed at>` on the
 * history row the request writes (unique), so a retry can learn that a crashed first attempt's change did commit;
 * the claim's time keeps a key reused after its retention (48 h) apart from its first use. `takenOver`: this
 * attempt took the key from an owner whose lease lapsed, which is the one case where that question arises.
 */
export interface RequestKey {
  value: string;
  takenOver: boolean;
}

/** What a request hands the write path besides its input. */
export interface RequestContext {
  correlationId?: string;
  requestKey?: RequestKey;
}

export const requestKeyOf = (userId: string, key: string, claimedAt: string, takenOver: boolean): RequestKey => ({
  value: `${userId} ${key} ${claimedAt}`,
  takenOver,
});
