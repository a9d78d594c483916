import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { notFound } from '../domain/errors/domain-error.js';
import { partyOf } from '../domain/referral/referral-machine.js';
import type { Direction, ReferralStatus, Urgency } from '../domain/referral/referral-status.js';
import type { Actor } from '../domain/shared/actor.js';
import { InstitutionEntity } from '../persistence/entities/institution.entity.js';
import { ReferralDeadlineEntity } from '../persistence/entities/referral-deadline.entity.js';
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
    @InjectRepository(ReferralDeadlineEntity) private readonly deadlines: Repository<ReferralDeadlineEntity>,
    @InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * The referral if the actor may read it: parties (a draft only for its origin) and admins; 404 otherwise,
   * so a stranger learns nothing about whether it exists.
   */
  async findVisible(id: string, actor: Actor): Promise<ReferralEntity> {
    const referral = await this.referrals.findOneBy({ id });
    if (!referral) throw notFound('Referral');
    if (actor.role === 'admin') return referral;
    const party = partyOf(snapshotOf(referral), actor);
    if (party === null || (party === 'destination' && referral.status === 'draft')) throw notFound('Referral');
    return referral;
  }

  async view(id: string, actor: Actor): Promise<ReferralView> {
    const referral = await this.findVisible(id, actor);
    const [extras] = await this.extras([referral]);
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
    const entities = page.length ? await this.referrals.findBy({ id: In(page.map((r) => r.id as string)) }) : [];
    const byId = new Map(entities.map((e) => [e.id, e]));
    const ordered = page.map((r) => byId.get(r.id as string)!).filter(Boolean);
    const extras = await this.extras(ordered);
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

  /** Names, deadlines and children for a batch of referrals, in their order. */
  async extras(referrals: ReferralEntity[]): Promise<ReferralExtras[]> {
    if (referrals.length === 0) return [];
    const ids = referrals.map((r) => r.id);
    const institutionIds = [...new Set(referrals.flatMap((r) => [r.fromInstitutionId, r.toInstitutionId]))];
    const [names, deadlines, children] = await Promise.all([
      this.institutionNames(institutionIds),
      this.deadlines.find({ where: { referralId: In(ids) }, order: { openedAt: 'ASC', id: 'ASC' } }),
      this.referrals.find({ select: { id: true, parentReferralId: true, createdAt: true }, where: { parentReferralId: In(ids) }, order: { createdAt: 'ASC' } }),
    ]);
    return referrals.map((r) => ({
      fromInstitutionName: names.get(r.fromInstitutionId) ?? '',
      toInstitutionName: names.get(r.toInstitutionId) ?? '',
      deadlines: deadlines.filter((d) => d.referralId === r.id).map((d) => ({ kind: d.kind, dueAt: d.dueAt.toISOString(), state: d.state })),
      childReferralIds: children.filter((c) => c.parentReferralId === r.id).map((c) => c.id),
    }));
  }
}

/** Institution names change rarely and every referral view needs two: a short-lived in-process cache. */
const NAME_CACHE_MS = 30_000;
const nameCache = new Map<string, { name: string; until: number }>();

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
