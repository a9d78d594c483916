import { Injectable } from '@nestjs/common';
import type { ReferralEntity } from '../persistence/entities/referral.entity.js';

/** Enough for the referrals a process's users are working on; the least recently used go first. */
const CAPACITY = 5_000;

/**
 * The referrals this process last wrote or showed, each at the version it had then. Every change to a referral
 * goes through ReferralWriter and raises its version, so a referral's row at a given version never differs: when
 * an action names the version cached here, the row here is the one it was read at, and the action can skip
 * reading it again (the write is still conditional on that version, so a change made meanwhile by another process
 * fails it with 409). Only a hint: a miss, or an action that fails on the cached row, reads the database (see
 * ReferralCommands.act).
 */
@Injectable()
export class RecentReferrals {
  private readonly rows = new Map<string, ReferralEntity>();

  remember(referral: ReferralEntity): void {
    const known = this.rows.get(referral.id);
    if (known && known.version > referral.version) return;
    this.rows.delete(referral.id);
    this.rows.set(referral.id, referral);
    if (this.rows.size > CAPACITY) this.rows.delete(this.rows.keys().next().value!);
  }

  /** The referral as it was at `version`, if this process knows it. */
  at(id: string, version: unknown): ReferralEntity | undefined {
    const known = this.rows.get(id);
    return known && known.version === version ? known : undefined;
  }
}
