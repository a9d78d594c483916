/** The vocabulary of a referral: directions, urgencies, statuses and action names, as in the contract. */
export const DIRECTIONS = ['up', 'down'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const URGENCIES = ['routine', 'urgent', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const REFERRAL_STATUSES = [
  'draft',
  'submitted',
  'returned',
  'accepted',
  'arrived',
  'completed',
  'cancelled',
  'no_show',
  'expired',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** No action leaves these. */
export const TERMINAL_STATUSES = ['completed', 'cancelled', 'no_show', 'expired'] as const satisfies readonly ReferralStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** An upward referral in one of these blocks a second one for the same patient from the same institution. */
export const OPEN_UP_STATUSES = ['draft', 'submitted', 'returned', 'accepted', 'arrived'] as const satisfies readonly ReferralStatus[];

export const ACTIONS = ['submit', 'accept', 'return', 'resubmit', 'cancel', 'arrive', 'no_show', 'complete', 'expire'] as const;
export type ActionName = (typeof ACTIONS)[number];

export const isActionName = (s: string): s is ActionName => (ACTIONS as readonly string[]).includes(s);

export const isReferralStatus = (s: string): s is ReferralStatus => (REFERRAL_STATUSES as readonly string[]).includes(s);

export const isOpenUpStatus = (s: ReferralStatus): boolean => (OPEN_UP_STATUSES as readonly ReferralStatus[]).includes(s);
