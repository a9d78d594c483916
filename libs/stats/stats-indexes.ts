import { Index } from 'typeorm';
import { NotificationEntity } from '../persistence/entities/notification.entity.js';
import { ReferralDeadlineEntity } from '../persistence/entities/referral-deadline.entity.js';
import { ReferralTransitionEntity } from '../persistence/entities/referral-transition.entity.js';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';

/**
 * Indexes the statistics and the /metrics gauges read through, declared on the tables' entities from here (the
 * same as an `@Index` line on the class) so that the statistics own them and the schema diff of later migrations
 * keeps them. Imported for its effect by libs/persistence/entities/index.ts. Created by migration StatsIndexes.
 */

// A period (created_at range) for everyone, and for one institution on either side.
Index('IDX_referrals_stats_created', ['createdAt'], { where: `"last_submitted_at" IS NOT NULL` })(ReferralEntity);
Index('IDX_referrals_stats_from_created', ['fromInstitutionId', 'createdAt'], { where: `"last_submitted_at" IS NOT NULL` })(ReferralEntity);
Index('IDX_referrals_stats_to_created', ['toInstitutionId', 'createdAt'], { where: `"last_submitted_at" IS NOT NULL` })(ReferralEntity);
// /metrics: open referrals by status without reading the (mostly terminal) rest of the table.
Index('IDX_referrals_open_status', ['status', 'direction'], {
  where: `"status" IN ('draft', 'submitted', 'returned', 'accepted', 'arrived')`,
})(ReferralEntity);
// Breaches and follow-ups are a small part of all deadlines: statistics look up only these, per referral or all at
// once; /metrics counts breaches by kind from the same index.
Index('IDX_referral_deadlines_stats_referral', ['referralId', 'state', 'kind'], {
  where: `"state" = 'breached' OR "kind" = 'follow_up'`,
})(ReferralDeadlineEntity);
// Return reasons: the few return transitions, without reading the rest of the history.
Index('IDX_referral_transitions_returns', ['referralId'], { where: `"action" = 'return'` })(ReferralTransitionEntity);
// /metrics: notifications by channel and state, from the index alone.
Index('IDX_notifications_channel_state', ['channel', 'state'])(NotificationEntity);
