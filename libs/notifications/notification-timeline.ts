/**
 * The referral timeline's notification items: one per (event, recipient, channel) with its current state, at the
 * time it was created. Registered with ReferralTimeline.addSource; selects (type, at, seq, data) for referral $1.
 */
export const NOTIFICATION_TIMELINE_SOURCE = `
  SELECT 'notification' AS type, created_at AS at, id::text AS seq,
         jsonb_build_object(
           'notificationId', id,
           'channel', channel,
           'recipient', CASE WHEN webhook_id IS NOT NULL THEN jsonb_build_object('webhookId', webhook_id)
                             ELSE jsonb_build_object('userId', user_id) END,
           'event', event,
           'state', state) AS data
    FROM notifications WHERE referral_id = $1`;
