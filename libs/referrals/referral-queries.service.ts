import { Injectable } from '@nestjs/common';
import { notFound } from '../domain/errors/domain-error.js';
import { partyOf } from '../domain/referral/referral-machine.js';
import type { Direction, ReferralStatus, Urgency } from '../domain/referral/referral-status.js';
import type { Actor } from '../domain/shared/actor.js';
import type { ReferralEntity } from '../persistence/entities/referral.entity.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { PreparedStatements } from '../persistence/prepared-statements.js';
import { InstitutionDirectory } from './institution-directory.js';
import { RecentReferrals } from './recent-referrals.js';
import { mapReferral, snapshotOf, type ReferralExtras, type ReferralView } from './referral.mapper.js';
import { ReferralColumns, RELATED_SELECT, type LoadedReferral, type Related } from './referral-rows.js';

export interface WorklistQuery extends PageRequest {
  box: 'outgoing' | 'incoming';
  status?: ReferralStatus;
  direction?: Direction;
  urgency?: Urgency;
  q?: string;
}

/** Reads: one referral for a party, worklists per institution, the timeline. */
@Injectable()
export class ReferralQueries {
  constructor(
    private readonly institutions: InstitutionDirectory,
    private readonly cursors: CursorCodec,
    private readonly prepared: PreparedStatements,
    private readonly columns: ReferralColumns,
    private readonly recent: RecentReferrals,
  ) {
    this.byIdSql = `SELECT ${columns.list('r')} FROM referrals r WHERE r.id = $1`;
    this.withRelatedSql = `SELECT ${columns.list('r')}, ${RELATED_SELECT} FROM referrals r WHERE r.id = $1`;
  }

  private readonly byIdSql: string;
  private readonly withRelatedSql: string;

  /**
   * The referral if the actor may read it: parties (a draft only for its origin) and admins; 404 otherwise,
   * so a stranger learns nothing about whether it exists.
   */
  async findVisible(id: string, actor: Actor): Promise<ReferralEntity> {
    const [row] = await this.prepared.query<Record<string, unknown>>(this.byIdSql, [id]);
    return assertVisible(row ? this.columns.hydrate(row) : null, actor);
  }

  /** The referral as its reader sees it: row, deadlines and children in one statement. */
  async view(id: string, actor: Actor): Promise<ReferralView> {
    const [row] = await this.prepared.query<Record<string, unknown>>(this.withRelatedSql, [id]);
    const found = row ? this.columns.load(row) : undefined;
    assertVisible(found?.referral ?? null, actor);
    return this.present(found!, actor);
  }

  /** The referral a request under this Idempotency-Key changed (RequestKey), if its change committed. */
  async changedUnderKey(requestKey: string): Promise<string | undefined> {
    const [row] = await this.prepared.query<{ referral_id: string }>(`SELECT referral_id FROM referral_transitions WHERE request_key = $1`, [requestKey]);
    return row?.referral_id;
  }

  /** The referral, if the actor may read it (else 404: see findVisible). */
  visible(referral: ReferralEntity, actor: Actor): ReferralEntity {
    return assertVisible(referral, actor);
  }

  /** A referral just read or written, as the actor sees it in a single-referral response (remembered: RecentReferrals). */
  async present(loaded: LoadedReferral, actor: Actor): Promise<ReferralView> {
    this.recent.remember(loaded.referral);
    const [extras] = await this.extras([loaded.referral], [loaded.related]);
    return mapReferral(loaded.referral, extras, actor, true);
  }

  async worklist(actor: Actor, q: WorklistQuery): Promise<Page<ReferralView>> {
    if (!actor.institutionId) return { items: [], nextCursor: null };
    const scope = `referrals:${actor.institutionId}:${q.box}:${q.status ?? ''}:${q.direction ?? ''}:${q.urgency ?? ''}:${q.q ?? ''}`;
    const after = this.cursors.decode(scope, q.cursor) as [number, string, string, string] | undefined;
    const column = q.box === 'incoming' ? 'to_institution_id' : 'from_institution_id';
    const where: string[] = [`r.${column} = $1`];
    const params: unknown[] = [actor.institutionId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (q.box === 'incoming') where.push(`r.status <> 'draft'`);
    if (q.status) add('r.status = ?', q.status);
    if (q.direction) add('r.direction = ?', q.direction);
    if (q.urgency) add('r.urgency = ?', q.urgency);
    const term = q.q?.trim();
    if (term) {
      // Number and ID digits match exactly, the name by prefix: each uses an index, so search stays fast at 1M rows.
      params.push(term.toUpperCase(), `${escapeLike(term)}%`);
      const n = params.length;
      where.push(`(r.number = $${n - 1} OR r.patient_id_last4 = $${n - 1} OR r.patient_name LIKE $${n})`);
    }
    if (after) {
      params.push(after[0], after[1], after[2], after[3]);
      const n = params.length;
      where.push(`(r.priority, r.due_sort, r.created_at, r.id) > ($${n - 3}::smallint, $${n - 2}::timestamptz, $${n - 1}::timestamptz, $${n}::uuid)`);
    }
    params.push(q.limit + 1);
    // One statement: the page's keys first, planned exactly as a bare keyset query (MATERIALIZED keeps what the
    // page shows out of that plan: with the subqueries inside it, the planner chose to walk the whole worklist index
    // for rare search terms, p99 612 ms at 1M rows), then the rows with their deadlines and children.
    const rows = await this.prepared.query<Record<string, unknown> & { due_key: string; created_key: string }>(
      `WITH page AS MATERIALIZED (
         SELECT r.id FROM referrals r WHERE ${where.join(' AND ')}
          ORDER BY r.priority, r.due_sort, r.created_at, r.id LIMIT $${params.length})
       SELECT ${this.columns.list('r')}, r.due_sort::text AS due_key, r.created_at::text AS created_key, ${RELATED_SELECT}
         FROM page JOIN referrals r ON r.id = page.id
        ORDER BY r.priority, r.due_sort, r.created_at, r.id`,
      params,
      // A search's name prefix finds its index only in a plan made for the value: no generic plan for it.
      { planEachTime: Boolean(term) },
    );
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const loaded = page.map((row) => this.columns.load(row));
    const ordered = loaded.map((l) => l.referral);
    const extras = await this.extras(
      ordered,
      loaded.map((l) => l.related),
    );
    const last = page[page.length - 1];
    return {
      items: ordered.map((r, i) => mapReferral(r, extras[i], actor, false)),
      nextCursor: more ? this.cursors.encode(scope, [last.priority, last.due_key, last.created_key, last.id]) : null,
    };
  }

  /** Institution names (kept in the process) joined to the deadlines and children read with the referrals. */
  private async extras(referrals: ReferralEntity[], related: Related[]): Promise<ReferralExtras[]> {
    const institutions = await this.institutions.getMany([...new Set(referrals.flatMap((r) => [r.fromInstitutionId, r.toInstitutionId]))]);
    return referrals.map((r, i) => ({
      fromInstitutionName: institutions.get(r.fromInstitutionId)?.name ?? '',
      toInstitutionName: institutions.get(r.toInstitutionId)?.name ?? '',
      ...related[i],
    }));
  }
}

/** Parties (a draft only for its origin) and admins may read a referral; anyone else gets 404. */
function assertVisible(referral: ReferralEntity | null, actor: Actor): ReferralEntity {
  if (!referral) throw notFound('Referral');
  if (actor.role === 'admin') return referral;
  const party = partyOf(snapshotOf(referral), actor);
  if (party === null || (party === 'destination' && referral.status === 'draft')) throw notFound('Referral');
  return referral;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
