import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEADLINE_BREACHED_EVENT, isWebhookEvent, type EscalationPayload, type WebhookEvent } from '../domain/notifications/notification-events.js';
import { isSuperseded } from '../domain/notifications/supersession.js';
import type { Patient } from '../domain/referral/patient.js';
import type { CandidateUser } from '../domain/notifications/recipients.js';
import type { Direction, Urgency } from '../domain/referral/referral-status.js';

/** An outbox event with what every channel needs to know about its referral, now. */
export interface EventFacts {
  outboxId: string;
  event: WebhookEvent;
  occurredAt: Date;
  correlationId: string | null;
  payload: Partial<EscalationPayload> & { action?: string };
  /** The state the event announced. */
  announced: { status: string; version: number };
  referral: {
    id: string;
    number: string;
    direction: Direction;
    urgency: Urgency;
    status: string;
    version: number;
    authorId: string;
    fromInstitutionId: string;
    toInstitutionId: string;
    fromName: string;
    toName: string;
    patient: Patient;
    returnReason: { labelZh?: string; labelEn?: string } | null;
  };
  /** The referral has left the announced state since. */
  superseded: boolean;
  /** With `withCandidates`: every user a recipient rule could name (the two institutions' staff, the author, admins). */
  candidates: CandidateUser[];
}

/** One event as the statement answers it (JSON, so timestamps are strings). */
interface Row {
  id: string;
  event: string;
  created_at: string;
  correlation_id: string | null;
  payload: Record<string, unknown> | null;
  referral_status: string | null;
  referral_version: number | null;
  referral_id: string;
  number: string;
  direction: Direction;
  urgency: Urgency;
  status: string;
  version: number;
  author_id: string;
  from_institution_id: string;
  to_institution_id: string;
  from_name: string;
  to_name: string;
  patient: Patient;
  return_reason: { labelZh?: string; labelEn?: string } | null;
  last_change_version: number | null;
}

/**
 * The events with their referrals, and (when asked) the candidate recipients of all of them, read once for the
 * whole batch: the users of every institution the events concern, their authors and the admins. One row of two
 * JSON documents, because a row per event would repeat the candidates and a second statement would cost a round trip.
 */
const FACTS_SQL = `
  WITH ev AS (
    SELECT o.id, o.event, o.created_at, o.correlation_id, o.payload, o.referral_status, o.referral_version,
           r.id AS referral_id, r.number, r.direction, r.urgency, r.status, r.version, r.author_id,
           r.from_institution_id, r.to_institution_id, fi.name AS from_name, ti.name AS to_name, r.patient, r.return_reason,
           (SELECT max(c.referral_version) FROM outbox_events c
             WHERE c.referral_id = r.id AND c.event <> $2) AS last_change_version
      FROM outbox_events o
      JOIN referrals r ON r.id = o.referral_id
      JOIN institutions fi ON fi.id = r.from_institution_id
      JOIN institutions ti ON ti.id = r.to_institution_id
     WHERE o.id = ANY($1::uuid[]))
  SELECT (SELECT json_agg(ev) FROM ev) AS events,
         CASE WHEN $3::boolean THEN
           (SELECT json_agg(json_build_object('id', u.id, 'role', u.role, 'institutionId', u.institution_id))
              FROM users u
             WHERE u.institution_id IN (SELECT from_institution_id FROM ev UNION SELECT to_institution_id FROM ev)
                OR u.id IN (SELECT author_id FROM ev) OR u.role = 'admin')
         END AS candidates`;

/** Reads outbox events joined with their referral; the supersession rule is applied here, once. */
@Injectable()
export class EventFactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One event, or null when it is gone, unknown to the notification channels, or not about a referral. */
  async load(outboxId: string, options: { withCandidates?: boolean } = {}): Promise<EventFacts | null> {
    return (await this.loadMany([outboxId], options)).get(outboxId) ?? null;
  }

  /**
   * Many events in one round trip, by outbox id; events that are gone, unknown to the notification channels or not
   * about a referral are absent. With `withCandidates`, each event's `candidates` are the batch's users that can
   * concern it (its two institutions' staff, its author, the admins).
   */
  async loadMany(outboxIds: string[], options: { withCandidates?: boolean } = {}): Promise<Map<string, EventFacts>> {
    const facts = new Map<string, EventFacts>();
    if (outboxIds.length === 0) return facts;
    const [answer]: { events: Row[] | null; candidates: CandidateUser[] | null }[] = await this.dataSource.query(FACTS_SQL, [
      outboxIds,
      DEADLINE_BREACHED_EVENT,
      options.withCandidates ?? false,
    ]);
    const candidates = candidatesByInstitution(answer.candidates ?? []);
    for (const row of answer.events ?? []) {
      if (!isWebhookEvent(row.event)) continue;
      facts.set(row.id, toFacts(row, row.event, options.withCandidates ? candidates.for(row) : []));
    }
    return facts;
  }
}

function toFacts(row: Row, event: WebhookEvent, candidates: CandidateUser[]): EventFacts {
  const announced = { status: row.referral_status ?? row.status, version: row.referral_version ?? row.version };
  return {
    outboxId: row.id,
    event,
    occurredAt: new Date(row.created_at),
    correlationId: row.correlation_id,
    payload: (row.payload ?? {}) as EventFacts['payload'],
    announced,
    referral: {
      id: row.referral_id,
      number: row.number,
      direction: row.direction,
      urgency: row.urgency,
      status: row.status,
      version: row.version,
      authorId: row.author_id,
      fromInstitutionId: row.from_institution_id,
      toInstitutionId: row.to_institution_id,
      fromName: row.from_name,
      toName: row.to_name,
      patient: row.patient,
      returnReason: row.return_reason,
    },
    candidates,
    superseded: isSuperseded(announced, { status: row.status, version: row.version, lastChangeVersion: row.last_change_version ?? 0 }),
  };
}

/** The batch's candidates grouped so that each event gets only those who can concern it, each user once. */
function candidatesByInstitution(users: CandidateUser[]) {
  const byInstitution = new Map<string, CandidateUser[]>();
  const byId = new Map<string, CandidateUser>();
  const admins: CandidateUser[] = [];
  for (const u of users) {
    byId.set(u.id, u);
    if (u.role === 'admin') admins.push(u);
    if (u.institutionId) byInstitution.set(u.institutionId, [...(byInstitution.get(u.institutionId) ?? []), u]);
  }
  return {
    for(row: Row): CandidateUser[] {
      const mine = new Map<string, CandidateUser>();
      for (const u of [...(byInstitution.get(row.from_institution_id) ?? []), ...(byInstitution.get(row.to_institution_id) ?? []), ...admins]) mine.set(u.id, u);
      const author = byId.get(row.author_id);
      if (author) mine.set(author.id, author);
      return [...mine.values()];
    },
  };
}
