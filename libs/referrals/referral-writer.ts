import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../domain/errors/domain-error.js';
import { deadlineEffects, type DeadlineSettings } from '../domain/referral/deadlines.js';
import type { ActionName, Direction, ReferralStatus, Urgency } from '../domain/referral/referral-status.js';
import type { Actor } from '../domain/shared/actor.js';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';
import { DeadlineSettingsService } from './deadline-settings.service.js';

/** Who caused a change, as recorded in history: a user snapshot, or null for the deadline engine. */
export type HistoryActor = Pick<Actor, 'id' | 'displayName' | 'role' | 'institutionId'> | null;

export interface TransitionRecord {
  action: ActionName | 'create';
  from: ReferralStatus | null;
  to: ReferralStatus;
  actor: HistoryActor;
  reason: string | null;
  catalogueVersion: number | null;
  correlationId?: string;
}

const snapshotOf = (actor: Actor | null): HistoryActor =>
  actor ? { id: actor.id, displayName: actor.displayName, role: actor.role, institutionId: actor.institutionId } : null;

/** Announced to notification channels; a draft concerns nobody but its author. */
const eventFor = (to: ReferralStatus): string | null => (to === 'draft' ? null : `referral.${to}`);

/**
 * The one write path for referral state. Every status change — creation included — runs here in one transaction:
 * a conditional update on `version` (0 rows → 409 VERSION_CONFLICT), a history row, the deadline changes and the
 * outbox row that notifications are built from. Nothing else assigns `status`.
 */
@Injectable()
export class ReferralWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deadlineSettings: DeadlineSettingsService,
  ) {}

  /** Inserts a new referral in its first status (`draft`, or `submitted` when created with submit). */
  async insert(
    values: Partial<ReferralEntity> & { status: ReferralStatus; direction: Direction; urgency: Urgency },
    actor: Actor,
    record: Omit<TransitionRecord, 'from' | 'to' | 'actor'>,
  ): Promise<string> {
    return this.dataSource.transaction(async (tx) => {
      const [{ seq }] = await tx.query(`SELECT nextval('referral_number_seq') AS seq`);
      const number = `ZZ${chinaDate()}-${String(seq).padStart(6, '0')}`;
      const now = new Date();
      const inserted = await tx.getRepository(ReferralEntity).insert({
        ...(values as object),
        number,
        version: 1,
        priority: values.urgency === 'emergency' ? 0 : 1,
        lastSubmittedAt: values.status === 'submitted' ? now : null,
      });
      const id = inserted.identifiers[0].id as string;
      await this.record(tx, id, values.direction, values.urgency, 1, { ...record, from: null, to: values.status, actor: snapshotOf(actor) }, now);
      return id;
    });
  }

  /**
   * Moves a referral from `from` to `to`, provided it is still at `expectedVersion`. `changes` are the other
   * columns the action sets (appointment, return reason, outcome, gate…).
   */
  async transition(input: {
    referral: Pick<ReferralEntity, 'id' | 'direction' | 'urgency'>;
    expectedVersion: number;
    from: ReferralStatus;
    to: ReferralStatus;
    action: ActionName;
    actor: Actor | null;
    changes?: Partial<ReferralEntity>;
    reason?: string | null;
    catalogueVersion?: number | null;
    correlationId?: string;
  }): Promise<void> {
    const now = new Date();
    await this.dataSource.transaction(async (tx) => {
      const changes: Partial<ReferralEntity> = { ...input.changes };
      if (input.action === 'submit' || input.action === 'resubmit') changes.lastSubmittedAt = now;
      if (input.action === 'accept') changes.acceptedAt = now;
      const result = await tx
        .createQueryBuilder()
        .update(ReferralEntity)
        .set({ ...changes, status: input.to, version: () => 'version + 1', updatedAt: () => 'now()' } as never)
        .where('id = :id AND version = :version AND status = :from', { id: input.referral.id, version: input.expectedVersion, from: input.from })
        .execute();
      if (!result.affected) {
        throw new DomainError('VERSION_CONFLICT', 'The referral was changed by someone else; reload it and try again.');
      }
      await this.record(
        tx,
        input.referral.id,
        input.referral.direction as Direction,
        input.referral.urgency as Urgency,
        input.expectedVersion + 1,
        {
          action: input.action,
          from: input.from,
          to: input.to,
          actor: snapshotOf(input.actor),
          reason: input.reason ?? null,
          catalogueVersion: input.catalogueVersion ?? null,
          correlationId: input.correlationId,
        },
        now,
      );
    });
  }

  /** A PATCH of a draft or returned referral: no status change, but the same version rule. */
  async update(id: string, expectedVersion: number, allowed: ReferralStatus[], changes: Partial<ReferralEntity>): Promise<void> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ReferralEntity)
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' } as never)
      .where('id = :id AND version = :version AND status IN (:...allowed)', { id, version: expectedVersion, allowed })
      .execute();
    if (!result.affected) throw new DomainError('VERSION_CONFLICT', 'The referral was changed by someone else; reload it and try again.');
  }

  /** History, deadlines and the outbox row of one change, inside its transaction. */
  private async record(
    tx: EntityManager,
    referralId: string,
    direction: Direction,
    urgency: Urgency,
    version: number,
    t: TransitionRecord,
    now: Date,
  ): Promise<void> {
    if (t.action !== 'create') {
      const settings = await this.deadlineSettings.get(tx);
      await this.applyDeadlines(tx, referralId, direction, urgency, t.action, t.from ?? 'draft', t.to, settings, now);
    }
    // History and outbox in one statement: one round trip, one commit, never one without the other.
    const event = eventFor(t.to);
    await tx.query(
      `WITH history AS (
         INSERT INTO referral_transitions (referral_id, from_status, to_status, action, actor, reason, catalogue_version, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8))
       INSERT INTO outbox_events (referral_id, event, referral_status, referral_version, payload, correlation_id)
       SELECT $9::uuid, $10::text, $11::text, $12::int, $13::jsonb, $14::text WHERE $10::text IS NOT NULL`,
      [
        referralId,
        t.from,
        t.to,
        t.action,
        t.actor ? JSON.stringify(t.actor) : null,
        t.reason,
        t.catalogueVersion,
        now,
        referralId,
        event,
        t.to,
        version,
        JSON.stringify({ action: t.action, from: t.from, actor: t.actor }),
        t.correlationId ?? null,
      ],
    );
  }

  private async applyDeadlines(
    tx: EntityManager,
    referralId: string,
    direction: Direction,
    urgency: Urgency,
    action: ActionName,
    from: ReferralStatus,
    to: ReferralStatus,
    settings: DeadlineSettings,
    now: Date,
  ): Promise<void> {
    const effects = deadlineEffects(direction, action, from, to, urgency, settings, now);
    const close = async (kinds: string[], state: 'met' | 'cancelled') => {
      if (kinds.length === 0) return;
      await tx.query(
        `WITH closed AS (
           UPDATE referral_deadlines SET state = $3, closed_at = $4
           WHERE referral_id = $1 AND state = 'open' AND kind = ANY($2) RETURNING id, kind, due_at)
         INSERT INTO deadline_events (referral_id, deadline_id, kind, due_at, event, at)
         SELECT $1, id, kind, due_at, $3, $4 FROM closed`,
        [referralId, kinds, state, now],
      );
    };
    await close(effects.meet, 'met');
    await close(effects.cancel, 'cancelled');
    for (const d of effects.open) {
      await tx.query(
        `WITH opened AS (
           INSERT INTO referral_deadlines (referral_id, kind, due_at, state, opened_at) VALUES ($1, $2, $3, 'open', $4)
           RETURNING id, kind, due_at)
         INSERT INTO deadline_events (referral_id, deadline_id, kind, due_at, event, at)
         SELECT $1, id, kind, due_at, 'opened', $4 FROM opened`,
        [referralId, d.kind, d.dueAt, now],
      );
    }
    // The worklist's second sort key: the earliest deadline still running.
    await tx.query(
      `UPDATE referrals SET due_sort = COALESCE(
         (SELECT min(due_at) FROM referral_deadlines WHERE referral_id = $1 AND state = 'open'), 'infinity')
       WHERE id = $1`,
      [referralId],
    );
  }
}

/** Referral numbers carry the date in China Standard Time (UTC+8), where the referral was written. */
function chinaDate(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
}
