import type { ReferralStatus } from '../referral/referral-status.js';

/** Event names of the inbox and of webhooks: `referral.<status entered>`, plus deadline escalations. */
export const WEBHOOK_EVENTS = [
  'referral.submitted',
  'referral.accepted',
  'referral.returned',
  'referral.cancelled',
  'referral.arrived',
  'referral.no_show',
  'referral.completed',
  'referral.expired',
  'referral.deadline_breached',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DEADLINE_BREACHED_EVENT = 'referral.deadline_breached' satisfies WebhookEvent;

export const isWebhookEvent = (s: unknown): s is WebhookEvent => typeof s === 'string' && (WEBHOOK_EVENTS as readonly string[]).includes(s);

/** The event announcing that a referral entered `status` (null for a draft: it concerns nobody but its author). */
export const eventForStatus = (status: ReferralStatus): WebhookEvent | null => {
  const name = `referral.${status}`;
  return isWebhookEvent(name) ? name : null;
};

export const NOTIFICATION_CHANNELS = ['inbox', 'webhook', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/**
 * One notification's life, per (event, recipient, channel): `queued` until the channel has it; `sent` once handed
 * to a transport that cannot confirm (SMS); `delivered` once in the inbox or acknowledged by a webhook (2xx);
 * `read` once its user opened it; `failed` after the last attempt; `superseded` when the referral had already
 * left the state it announced.
 */
export const NOTIFICATION_STATES = ['queued', 'sent', 'delivered', 'read', 'failed', 'superseded'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

/** A webhook delivery as `GET /webhooks/:id/deliveries` shows it. */
export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'superseded'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export function deliveryStateOf(state: NotificationState): DeliveryState {
  switch (state) {
    case 'queued':
    case 'sent':
      return 'pending';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'failed':
      return 'failed';
    case 'superseded':
      return 'superseded';
  }
}

/** What an escalation outbox row carries in its payload. */
export interface EscalationPayload {
  deadlineId: string;
  /** 0-based index in the escalation ladder (sorted by afterMinutes). */
  step: number;
  notify: 'coordinator' | 'admin';
}
