import { CleanupScope } from './cleanup.js';
import type { GrowIds } from './grow-referrals.js';

/**
 * A database one section grew that a later section of the same run may measure instead of growing its own (the
 * 1M-row referral tables take ~40 s to load). Whatever is not taken is dropped when the run ends, or at once when
 * the run is interrupted (the drop is registered with the cleanup like everything else).
 */
export interface GrownDatabase {
  url: string;
  referrals: number;
  ids: GrowIds;
  /** What differs from a database grown by the generator alone, for the taker's text. */
  note: string;
}

interface Offer { db: GrownDatabase; scope: CleanupScope }
const offers = new Map<string, Offer>();

export function offerDatabase(key: string, db: GrownDatabase, drop: () => Promise<void>): void {
  const scope = new CleanupScope();
  scope.defer(`drop the ${key} database`, async () => {
    offers.delete(key);
    await drop();
  });
  offers.set(key, { db, scope });
}

/** The offered database, now the caller's: its drop moves to `into`. */
export function takeDatabase(key: string, into: CleanupScope): GrownDatabase | undefined {
  const offer = offers.get(key);
  if (!offer) return undefined;
  offers.delete(key);
  into.defer(`drop the ${key} database`, () => offer.scope.close().then(() => undefined));
  return offer.db;
}

/** End of the run: drops what nobody took. */
export async function dropUntaken(): Promise<string[]> {
  const failures: string[] = [];
  for (const offer of [...offers.values()]) failures.push(...(await offer.scope.close()));
  return failures;
}
