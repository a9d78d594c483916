import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../domain/errors/domain-error.js';
import { deadlineEffects, type DeadlineEffects } from '../domain/referral/deadlines.js';
import type { ActionName, Direction, ReferralStatus, Urgency } from '../domain/referral/referral-status.js';
import type { Actor } from '../domain/shared/actor.js';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';
import { PreparedStatements } from '../persistence/prepared-statements.js';
import { DeadlineSettingsService } from './deadline-settings.service.js';
import { recordChangeSql, SqlParams } from './referral-change.sql.js';
import { ReferralColumns, type LoadedReferral } from './referral-rows.js';

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
  /** The request's Idempotency-Key (RequestKey.value), recorded on the history row. */
  requestKey?: string;
}

const snapshotOf = (actor: Actor | null): HistoryActor =>
  actor ? { id: actor.id, displayName: actor.displayName, role: actor.role, institutionId: actor.institutionId } : null;

const NO_EFFECTS: DeadlineEffects = { open: [], meet: [], cancel: [] };
const conflict = () => new DomainError('VERSION_CONFLICT', 'The referral was changed by someone else; reload it and try again.');

/**
 * The one write path for referral state. Every status change — creation included — is ONE SQL statement: the
 * referral's insert or conditional update on `version` (0 rows → 409 VERSION_CONFLICT), the deadline changes with
 * their timeline events, the history row and the outbox row that notifications are built from, chained as
 * data-modifying CTEs. A single statement is atomic on its own, so no BEGIN/COMMIT round trips are needed: on this
 * kind of machine every round trip to PostgreSQL costs more than the SQL it carries. The statement answers the
 * referral as the change left it, which the caller shows without reading it again. Nothing else assigns `status`.
 */
@Injectable()
export class ReferralWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deadlineSettings: DeadlineSettingsService,
    private readonly prepared: PreparedStatements,
    private readonly columns: ReferralColumns,
  ) {}

  private readonly columnsOf = (alias: string) => this.columns.list(alias);

  private async run(sql: [string, unknown[]]): Promise<LoadedReferral | undefined> {
    const [row] = await this.prepared.query<Record<string, unknown>>(...sql);
    return row ? this.columns.load(row) : undefined;
  }

  /** Inserts a new referral in its first status (`draft`, or `submitted` when created with submit). */
  async insert(
    values: Partial<ReferralEntity> & { status: ReferralStatus; direction: Direction; urgency: Urgency },
    actor: Actor,
    record: Omit<TransitionRecord, 'from' | 'to' | 'actor'>,
  ): Promise<LoadedReferral> {
    const now = new Date();
    const effects = record.action === 'create' ? NO_EFFECTS : await this.effects(values.direction, record.action, 'draft', values.status, values.urgency, now);
    const firstDue = effects.open.reduce<Date | undefined>((min, d) => (!min || d.dueAt < min ? d.dueAt : min), undefined);
    const p = new SqlParams([]);
    const sql = this.columns.insert(
      {
        ...values,
        version: 1,
        priority: values.urgency === 'emergency' ? 0 : 1,
        lastSubmittedAt: values.status === 'submitted' ? now : null,
        ...(firstDue ? { dueSort: firstDue } : {}),
      },
      // 转诊单号: ZZ<yyyymmdd in China Standard Time>-<sequence, at least 6 digits>.
      { number: `(SELECT ${p.add(`ZZ${chinaDate(now)}-`)}::text || lpad(n::text, greatest(6, length(n::text)), '0') FROM nextval('referral_number_seq') AS n)` },
      p,
    );
    const created = await this.run(recordChangeSql(sql, this.columnsOf, p, { ...record, from: null, to: values.status, actor: snapshotOf(actor) }, effects, now, 1));
    return created!;
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
    requestKey?: string;
  }): Promise<LoadedReferral> {
    const now = new Date();
    const direction = input.referral.direction as Direction;
    const effects = await this.effects(direction, input.action, input.from, input.to, input.referral.urgency as Urgency, now);
    const changes: Partial<ReferralEntity> = { ...input.changes };
    if (input.action === 'submit' || input.action === 'resubmit') changes.lastSubmittedAt = now;
    if (input.action === 'accept') changes.acceptedAt = now;
    const p = new SqlParams([]);
    const set = this.columns.assignments({ ...changes, status: input.to }, p);
    const dueSort = dueSortAfter(p.add([...effects.meet, ...effects.cancel]), p.add(effects.open.map((d) => d.dueAt)));
    set.push(`"version" = "version" + 1`, `"updated_at" = now()`, `"due_sort" = ${dueSort}`);
    const sql =
      `UPDATE referrals SET ${set.join(', ')} WHERE id = ${p.add(input.referral.id)} AND version = ${p.add(input.expectedVersion)} AND status = ${p.add(input.from)}` +
      ` RETURNING ${this.columns.list()}`;
    const record: TransitionRecord = {
      action: input.action,
      from: input.from,
      to: input.to,
      actor: snapshotOf(input.actor),
      reason: input.reason ?? null,
      catalogueVersion: input.catalogueVersion ?? null,
      correlationId: input.correlationId,
      requestKey: input.requestKey,
    };
    const changed = await this.run(recordChangeSql(sql, this.columnsOf, p, record, effects, now, input.expectedVersion + 1));
    if (!changed) throw conflict();
    return changed;
  }

  /** A PATCH of a draft or returned referral: no status change, but the same version rule. */
  async update(id: string, expectedVersion: number, allowed: ReferralStatus[], changes: Partial<ReferralEntity>): Promise<void> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ReferralEntity)
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' } as never)
      .where('id = :id AND version = :version AND status IN (:...allowed)', { id, version: expectedVersion, allowed })
      .execute();
    if (!result.affected) throw conflict();
  }

  private async effects(direction: Direction, action: ActionName, from: ReferralStatus, to: ReferralStatus, urgency: Urgency, now: Date): Promise<DeadlineEffects> {
    return deadlineEffects(direction, action, from, to, urgency, await this.deadlineSettings.get(), now);
  }
}

/**
 * The worklist's second sort key after the change: the earliest deadline still running. The UPDATE's subquery
 * sees the deadlines as they were before the statement, so the kinds this change closes are left out and the
 * ones it opens are added.
 */
const dueSortAfter = (closingKinds: string, openingDues: string) => `LEAST(
  COALESCE((SELECT min(d.due_at) FROM referral_deadlines d
             WHERE d.referral_id = "referrals"."id" AND d.state = 'open' AND NOT (d.kind = ANY(${closingKinds}::text[]))), 'infinity'),
  COALESCE((SELECT min(o) FROM unnest(${openingDues}::timestamptz[]) AS o), 'infinity'))`;

/** Referral numbers carry the date in China Standard Time (UTC+8), where the referral was written. */
function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
}
