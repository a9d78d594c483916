import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isSuperseded } from './supersession.js';

describe('supersession', () => {
  it('a "please accept" about a referral since cancelled is superseded', () => {
    expect(isSuperseded({ status: 'submitted', version: 1 }, { status: 'cancelled', version: 2, lastChangeVersion: 2 })).toBe(true);
  });

  it('an event about the current state is still current, even after an edit that changed no status', () => {
    expect(isSuperseded({ status: 'submitted', version: 1 }, { status: 'submitted', version: 1, lastChangeVersion: 1 })).toBe(false);
    expect(isSuperseded({ status: 'returned', version: 2 }, { status: 'returned', version: 3, lastChangeVersion: 2 })).toBe(false);
  });

  it('the first submission is superseded by a resubmission, which re-enters the same status', () => {
    expect(isSuperseded({ status: 'submitted', version: 1 }, { status: 'submitted', version: 4, lastChangeVersion: 4 })).toBe(true);
    expect(isSuperseded({ status: 'submitted', version: 4 }, { status: 'submitted', version: 4, lastChangeVersion: 4 })).toBe(false);
  });

  it('the latest status change is never superseded (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('submitted', 'accepted', 'cancelled'), fc.integer({ min: 1, max: 50 }), fc.nat(5), (status, version, edits) => {
        expect(isSuperseded({ status, version }, { status, version: version + edits, lastChangeVersion: version })).toBe(false);
      }),
    );
  });
});
