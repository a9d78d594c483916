import { audienceFor, recipientsOf, wantsSms } from '../domain/notifications/recipients.js';
import { renderNotification, type TemplateContext } from '../domain/notifications/templates.js';
import type { EventFacts } from './event-facts.repository.js';

/** What one event fans out to, before anything is written; the webhook deliveries the statement finds itself. */
export interface EventFanOut {
  outboxId: string;
  referralId: string;
  event: string;
  /** Inbox entries: `delivered`, or `superseded` when the referral has moved on (such an entry never shows). */
  inboxState: 'delivered' | 'superseded';
  /** Text messages and webhook deliveries: `queued` to be sent, or `superseded`. */
  sendState: 'queued' | 'superseded';
  /** An inbox entry for each of these users, with `title` and `body` (the patient masked). */
  inbox: string[];
  /** A text message for each of these users. */
  sms: string[];
  title: string;
  body: string;
  /** The parties, for webhook subscriptions limited to an institution. */
  fromInstitutionId: string;
  toInstitutionId: string;
}

/** The contract's rules applied to each event: its recipients, its channels, its text. */
export function planFanOut(batch: EventFacts[]): EventFanOut[] {
  return batch.map((facts) => {
    const r = facts.referral;
    const recipients = recipientsOf(audienceFor(facts.event, facts.payload), facts.candidates, r);
    const { title, body } = renderNotification(facts.event, templateContextOf(facts));
    return {
      outboxId: facts.outboxId,
      referralId: r.id,
      event: facts.event,
      inboxState: facts.superseded ? 'superseded' : 'delivered',
      sendState: facts.superseded ? 'superseded' : 'queued',
      inbox: recipients,
      sms: wantsSms(facts.event, r.urgency) ? recipients : [],
      title,
      body,
      fromInstitutionId: r.fromInstitutionId,
      toInstitutionId: r.toInstitutionId,
    };
  });
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
