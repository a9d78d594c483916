import { audienceFor, recipientsOf, wantsSms } from '../domain/notifications/recipients.js';
import { renderNotification, type TemplateContext } from '../domain/notifications/templates.js';
import type { EventFacts } from './event-facts.repository.js';

/** An inbox entry or a text message to write: one per (event, recipient, channel). */
export interface UserRow {
  outboxId: string;
  referralId: string;
  event: string;
  channel: 'inbox' | 'sms';
  userId: string;
  state: 'delivered' | 'queued' | 'superseded';
  title: string | null;
  body: string | null;
}

/** An event as the webhook insert needs it: the statement matches it against the subscriptions itself. */
export interface EventRow {
  outboxId: string;
  referralId: string;
  event: string;
  state: 'queued' | 'superseded';
  fromInstitutionId: string;
  toInstitutionId: string;
}

/** What a batch of events fans out to, before anything is written. */
export interface FanOutPlan {
  /** Sorted by (event, channel, user), so that concurrent batches take the unique index's keys in one order. */
  userRows: UserRow[];
  events: EventRow[];
}

/**
 * The rows a batch of events fans out to: an inbox entry per recipient (already `superseded` when the referral has
 * moved on, so it never shows), a queued text message where one is wanted, and the event for its webhook deliveries.
 */
export function planFanOut(batch: EventFacts[]): FanOutPlan {
  const userRows: UserRow[] = [];
  const events: EventRow[] = [];
  for (const facts of batch) {
    const r = facts.referral;
    const recipients = recipientsOf(audienceFor(facts.event, facts.payload), facts.candidates, r);
    const { title, body } = renderNotification(facts.event, templateContextOf(facts));
    const base = { outboxId: facts.outboxId, referralId: r.id, event: facts.event };
    for (const userId of recipients) {
      userRows.push({ ...base, channel: 'inbox', userId, state: facts.superseded ? 'superseded' : 'delivered', title, body });
    }
    if (wantsSms(facts.event, r.urgency)) {
      for (const userId of recipients) userRows.push({ ...base, channel: 'sms', userId, state: facts.superseded ? 'superseded' : 'queued', title: null, body: null });
    }
    events.push({ ...base, state: facts.superseded ? 'superseded' : 'queued', fromInstitutionId: r.fromInstitutionId, toInstitutionId: r.toInstitutionId });
  }
  userRows.sort((a, b) => compare(a.outboxId, b.outboxId) || compare(a.channel, b.channel) || compare(a.userId, b.userId));
  return { userRows, events };
}

/** What the templates may show of an event; `patientName` replaces the name (text messages mask it). */
export function templateContextOf(facts: EventFacts, patientName?: string): TemplateContext {
  const r = facts.referral;
  return {
    number: r.number,
    direction: r.direction,
    urgency: r.urgency,
    patient: { name: patientName ?? r.patient.name, idNumber: r.patient.idNumber },
    fromName: r.fromName,
    toName: r.toName,
    action: facts.payload.action ?? null,
    reasonLabel: r.returnReason?.labelZh ?? null,
    notify: facts.payload.notify,
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
