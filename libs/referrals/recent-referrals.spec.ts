import { describe, expect, it } from '@jest/globals';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';
import { RecentReferrals } from './recent-referrals.js';

const row = (id: string, version: number) => Object.assign(new ReferralEntity(), { id, version });

describe('RecentReferrals', () => {
  it('answers a referral only at the version it was remembered at', () => {
    const recent = new RecentReferrals();
    recent.remember(row('a', 2));
    expect(recent.at('a', 2)?.version).toBe(2);
    expect(recent.at('a', 1)).toBeUndefined();
    expect(recent.at('a', '2')).toBeUndefined();
    expect(recent.at('b', 2)).toBeUndefined();
  });

  it('never goes back to an older version (a slow reader finishing after a writer)', () => {
    const recent = new RecentReferrals();
    recent.remember(row('a', 3));
    recent.remember(row('a', 2));
    expect(recent.at('a', 2)).toBeUndefined();
    expect(recent.at('a', 3)).toBeDefined();
  });

  it('forgets the least recently remembered past its capacity', () => {
    const recent = new RecentReferrals();
    for (let i = 0; i <= 5_000; i++) recent.remember(row(`r${i}`, 1));
    expect(recent.at('r0', 1)).toBeUndefined();
    expect(recent.at('r1', 1)).toBeDefined();
    expect(recent.at('r5000', 1)).toBeDefined();
  });
});
