import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { notFound } from '../domain/errors/domain-error.js';
import { partyOf } from '../domain/referral/referral-machine.js';
import type { Direction, ReferralStatus, Urgency } from '../domain/referral/referral-status.js';
import type { Actor } from '../domain/shared/actor.js';
import { InstitutionEntity } from '../persistence/entities/institution.entity.js';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { mapReferral, snapshotOf, type ReferralExtras, type ReferralView } from './referral.mapper.js';

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
    @InjectRepository(ReferralEntity) private readonly referrals: Repository<ReferralEntity>,
    @InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * The referral if the actor may read it: parties (a draft only for its origin) and admins; 404 otherwise,
   * so a stranger learns nothing about whether it exists.
   */
  async findVisible(id: string, actor: Actor): Promise<ReferralEntity> {
    return assertVisible(await this.referrals.findOneBy({ id }), actor);
  }

  /** The referral as its reader sees it: row, deadlines and children in one round trip. */
  async view(id: string, actor: Actor): Promise<ReferralView> {
    const [found] = await this.loadWithExtras([id]);
    const referral = assertVisible(found?.[0] ?? null, actor);
    const [extras] = await this.extras([referral], [found[1]]);
    return mapReferral(referral, extras, actor, true);
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
    const rows: (Record<string, unknown> & { due_key: string; created_key: string })[] = await this.referrals.query(
      `SELECT r.id, r.priority, r.due_sort::text AS due_key, r.created_at::text AS created_key
       FROM referrals r WHERE ${where.join(' AND ')}
       ORDER BY r.priority, r.due_sort, r.created_at, r.id LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const loaded = await this.loadWithExtras(page.map((r) => r.id as string));
    const ordered = loaded.map(([entity]) => entity);
    const extras = await this.extras(
      ordered,
      loaded.map(([, related]) => related),
    );
    const last = page[page.length - 1];
    return {
      items: ordered.map((r, i) => mapReferral(r, extras[i], actor, false)),
      nextCursor: more ? this.cursors.encode(scope, [last.priority, last.due_key, last.created_key, last.id]) : null,
    };
  }

  private async institutionNames(ids: string[]): Promise<Map<string, string>> {
    const now = Date.now();
    const names = new Map<string, string>();
    const missing = ids.filter((id) => {
      const hit = nameCache.get(id);
      if (hit && hit.until > now) names.set(id, hit.name);
      return !names.has(id);
    });
    if (missing.length > 0) {
      for (const i of await this.institutions.findBy({ id: In(missing) })) {
        names.set(i.id, i.name);
        nameCache.set(i.id, { name: i.name, until: now + NAME_CACHE_MS });
      }
    }
    return names;
  }

  /**
   * Referrals by id, in the order given (missing ones left out), each with its deadlines and children, read by
   * subqueries of the same statement: one round trip however many referrals.
   */
  private async loadWithExtras(ids: string[]): Promise<[ReferralEntity, Related][]> {
    if (ids.length === 0) return [];
    const { entities, raw } = await this.referrals
      .createQueryBuilder('r')
      .addSelect(
        `(SELECT coalesce(json_agg(json_build_object('kind', d.kind, 'dueAt', d.due_at, 'state', d.state) ORDER BY d.opened_at, d.id), '[]')
            FROM referral_deadlines d WHERE d.referral_id = r.id)`,
        'related_deadlines',
      )
      .addSelect(`(SELECT coalesce(json_agg(c.id ORDER BY c.created_at), '[]') FROM referrals c WHERE c.parent_referral_id = r.id)`, 'related_children')
      .where('r.id IN (:...ids)', { ids })
      .getRawAndEntities<{ r_id: string; related_deadlines: { kind: string; dueAt: string; state: string }[]; related_children: string[] }>();
    const related = new Map(raw.map((row) => [row.r_id, row]));
    const byId = new Map(entities.map((e) => [e.id, e]));
    return ids.flatMap((id) => {
      const entity = byId.get(id);
      const row = related.get(id);
      if (!entity || !row) return [];
      const deadlines = row.related_deadlines.map((d) => ({ kind: d.kind, dueAt: new Date(d.dueAt).toISOString(), state: d.state }));
      return [[entity, { deadlines, childReferralIds: row.related_children }] as [ReferralEntity, Related]];
    });
  }

  /** Institution names (cached) joined to the deadlines and children read with the referrals. */
  private async extras(referrals: ReferralEntity[], related: Related[]): Promise<ReferralExtras[]> {
    const names = await this.institutionNames([...new Set(referrals.flatMap((r) => [r.fromInstitutionId, r.toInstitutionId]))]);
    return referrals.map((r, i) => ({
      fromInstitutionName: names.get(r.fromInstitutionId) ?? '',
      toInstitutionName: names.get(r.toInstitutionId) ?? '',
      ...related[i],
    }));
  }
}

type Related = Pick<ReferralExtras, 'deadlines' | 'childReferralIds'>;

/** Parties (a draft only for its origin) and admins may read a referral; anyone else gets 404. */
function assertVisible(referral: ReferralEntity | null, actor: Actor): ReferralEntity {
  if (!referral) throw notFound('Referral');
  if (actor.role === 'admin') return referral;
  const party = partyOf(snapshotOf(referral), actor);
  if (party === null || (party === 'destination' && referral.status === 'draft')) throw notFound('Referral');
  return referral;
}

/** Institution names change rarely and every referral view needs two: a short-lived in-process cache. */
const NAME_CACHE_MS = 30_000;
const nameCache = new Map<string, { name: string; until: number }>();

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
