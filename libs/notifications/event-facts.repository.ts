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

interface Row {
  id: string;
  event: string;
  created_at: Date;
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
  candidates: CandidateUser[] | null;
}

/** Reads outbox events joined with their referral; the supersession rule is applied here, once. */
@Injectable()
export class EventFactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The event, or null when it is gone, unknown to the notification channels, or not about a referral. One round
   * trip, candidates for recipients included when asked.
   */
  async load(outboxId: string, options: { withCandidates?: boolean } = {}): Promise<EventFacts | null> {
    const candidates = options.withCandidates
      ? `(SELECT coalesce(json_agg(json_build_object('id', u.id, 'role', u.role, 'institutionId', u.institution_id)), '[]')
            FROM users u
           WHERE u.institution_id IN (r.from_institution_id, r.to_institution_id) OR u.id = r.author_id OR u.role = 'admin')`
      : 'NULL';
    const rows: Row[] = await this.dataSource.query(
      `SELECT o.id, o.event, o.created_at, o.correlation_id, o.payload, o.referral_status, o.referral_version,
              r.id AS referral_id, r.number, r.direction, r.urgency, r.status, r.version, r.author_id,
              r.from_institution_id, r.to_institution_id, fi.name AS from_name, ti.name AS to_name, r.patient, r.return_reason,
              (SELECT max(c.referral_version) FROM outbox_events c
                WHERE c.referral_id = r.id AND c.event <> $2) AS last_change_version,
              ${candidates} AS candidates
         FROM outbox_events o
         JOIN referrals r ON r.id = o.referral_id
         JOIN institutions fi ON fi.id = r.from_institution_id
         JOIN institutions ti ON ti.id = r.to_institution_id
        WHERE o.id = $1`,
      [outboxId, DEADLINE_BREACHED_EVENT],
    );
    const row = rows[0];
    if (!row || !isWebhookEvent(row.event)) return null;
    const announced = { status: row.referral_status ?? row.status, version: row.referral_version ?? row.version };
    return {
      outboxId: row.id,
      event: row.event,
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
      candidates: row.candidates ?? [],
      superseded: isSuperseded(announced, { status: row.status, version: row.version, lastChangeVersion: row.last_change_version ?? 0 }),
    };
  }
}
