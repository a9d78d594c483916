import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { Condition } from '../domain/catalogue/condition.js';
import type { ConditionFields } from '../domain/catalogue/condition-input.js';
import type { ConditionChange } from '../domain/catalogue/diff.js';
import type { KnownItem } from '../domain/catalogue/indication-codes.js';
import { CatalogueAuditEntity, type CatalogueAuditAction } from '../persistence/entities/catalogue-audit.entity.js';
import { CatalogueConditionEntity, type CatalogueConditionColumns } from '../persistence/entities/catalogue-condition.entity.js';
import { CatalogueDraftConditionEntity } from '../persistence/entities/catalogue-draft-condition.entity.js';
import { CatalogueVersionEntity } from '../persistence/entities/catalogue-version.entity.js';
import type { IndexedCondition } from './compiled-catalogue.js';
import { pinyinKeys } from './pinyin.js';

/** Serialises catalogue writes (draft edits, imports, publishes) across every engine process. */
const CATALOGUE_WRITE_LOCK = 7_041_978;
/** Rows per multi-row INSERT: 14 columns each stays far below PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

export interface AuditRecord {
  action: CatalogueAuditAction;
  actorId: string | null;
  conditionCode?: string | null;
  version?: number | null;
  details: Record<string, unknown>;
}

export interface VersionRow {
  version: number;
  publishedAt: Date;
  publishedBy: { id: string; displayName: string } | null;
  note: string;
  changeCount: number;
  changes: ConditionChange[];
}

export function toColumns(c: ConditionFields): CatalogueConditionColumns {
  const { full, initials } = pinyinKeys(c.nameZh);
  return {
    nameZh: c.nameZh,
    nameEn: c.nameEn,
    pinyin: full,
    pinyinInitials: initials,
    icd10: c.icd10,
    category: c.category,
    tier: c.tier,
    grassrootsFirst: c.grassrootsFirst,
    upwardIndications: c.upwardIndications.map(({ code, text, emergency }) => ({ code, text, emergency })),
    downwardCriteria: c.downwardCriteria.map(({ code, text }) => ({ code, text })),
    verified: c.verified,
    source: c.source,
    note: c.note,
  };
}

/** The contract's read shape, fields in the contract's order. */
export function toCondition(code: string, f: CatalogueConditionColumns): Condition {
  return {
    code,
    nameZh: f.nameZh,
    nameEn: f.nameEn,
    pinyin: f.pinyin,
    icd10: f.icd10,
    category: f.category,
    tier: f.tier,
    grassrootsFirst: f.grassrootsFirst,
    upwardIndications: f.upwardIndications,
    downwardCriteria: f.downwardCriteria,
    verified: f.verified,
    source: f.source,
    note: f.note,
  };
}

const indexed = (row: { code: string; fields: CatalogueConditionColumns }): IndexedCondition => ({
  condition: toCondition(row.code, row.fields),
  initials: row.fields.pinyinInitials,
});

/**
 * Every query the catalogue makes; TypeORM stays here. Inside `write`, every query must use the transaction's
 * EntityManager: on the embedded PGlite a second connection would wait for the transaction to end, for ever.
 */
@Injectable()
export class CatalogueStore {
  constructor(private readonly dataSource: DataSource) {}

  /** A write transaction holding the catalogue lock, so edits and publishes never interleave. */
  write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [CATALOGUE_WRITE_LOCK]);
      return work(em);
    });
  }

  async latestVersion(em: EntityManager = this.dataSource.manager): Promise<number | null> {
    const rows: { v: number | null }[] = await em.query('SELECT max(version) AS v FROM catalogue_versions');
    return rows[0]?.v ?? null;
  }

  versionExists(version: number, em: EntityManager = this.dataSource.manager): Promise<boolean> {
    return em.getRepository(CatalogueVersionEntity).existsBy({ version });
  }

  async publishedConditions(version: number, em: EntityManager = this.dataSource.manager): Promise<IndexedCondition[]> {
    const rows = await em.getRepository(CatalogueConditionEntity).find({ where: { version }, order: { code: 'ASC' } });
    return rows.map(indexed);
  }

  async draftConditions(em: EntityManager = this.dataSource.manager): Promise<IndexedCondition[]> {
    const rows = await em.getRepository(CatalogueDraftConditionEntity).find({ order: { code: 'ASC' } });
    return rows.map(indexed);
  }

  async draftCondition(em: EntityManager, code: string): Promise<Condition | null> {
    const row = await em.getRepository(CatalogueDraftConditionEntity).findOneBy({ code });
    return row ? toCondition(row.code, row.fields) : null;
  }

  async draftConditionsIn(em: EntityManager, codes: string[]): Promise<Condition[]> {
    if (codes.length === 0) return [];
    const rows = await em.getRepository(CatalogueDraftConditionEntity).findBy({ code: In(codes) });
    return rows.map((r) => toCondition(r.code, r.fields));
  }

  /** Every indication and criterion these conditions ever had, in the draft or any published version. */
  async knownItems(em: EntityManager, codes: string[]): Promise<Map<string, { up: KnownItem[]; down: KnownItem[] }>> {
    const out = new Map<string, { up: KnownItem[]; down: KnownItem[] }>();
    if (codes.length === 0) return out;
    const rows: { code: string; up: KnownItem[]; down: KnownItem[] }[] = await em.query(
      `SELECT code, upward_indications AS up, downward_criteria AS down FROM catalogue_draft_conditions WHERE code = ANY($1)
       UNION ALL
       SELECT DISTINCT code, upward_indications, downward_criteria
         FROM catalogue_conditions WHERE code = ANY($1)`,
      [codes],
    );
    for (const r of rows) {
      const entry = out.get(r.code) ?? { up: [], down: [] };
      entry.up.push(...r.up);
      entry.down.push(...r.down);
      out.set(r.code, entry);
    }
    return out;
  }

  async upsertDraft(em: EntityManager, conditions: ConditionFields[], actorId: string | null): Promise<void> {
    for (let i = 0; i < conditions.length; i += CHUNK) {
      const values = conditions.slice(i, i + CHUNK).map((c) => ({ code: c.code, fields: toColumns(c), updatedBy: actorId }));
      await em
        .createQueryBuilder()
        .insert()
        .into(CatalogueDraftConditionEntity)
        .values(values)
        .orUpdate(
          ['name_zh', 'name_en', 'pinyin', 'pinyin_initials', 'icd10', 'category', 'tier', 'grassroots_first', 'upward_indications', 'downward_criteria', 'verified', 'source', 'note', 'updated_by', 'updated_at'],
          ['code'],
        )
        .execute();
    }
  }

  async deleteDraft(em: EntityManager, code: string): Promise<boolean> {
    const result = await em.getRepository(CatalogueDraftConditionEntity).delete({ code });
    return (result.affected ?? 0) > 0;
  }

  async insertVersion(
    em: EntityManager,
    v: { version: number; publishedBy: string | null; note: string; changes: ConditionChange[]; conditions: ConditionFields[] },
  ): Promise<Date> {
    const saved = await em.getRepository(CatalogueVersionEntity).save({
      version: v.version,
      publishedBy: v.publishedBy,
      note: v.note,
      changes: v.changes,
      changeCount: v.changes.length,
      conditionCount: v.conditions.length,
    });
    for (let i = 0; i < v.conditions.length; i += CHUNK) {
      const values = v.conditions.slice(i, i + CHUNK).map((c) => ({ version: v.version, code: c.code, fields: toColumns(c) }));
      await em.createQueryBuilder().insert().into(CatalogueConditionEntity).values(values).execute();
    }
    // Read back, so the answer carries the database's own timestamp.
    const row = await em.getRepository(CatalogueVersionEntity).findOneByOrFail({ version: saved.version });
    return row.publishedAt;
  }

  async audit(em: EntityManager, records: AuditRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += CHUNK) {
      const values = records.slice(i, i + CHUNK).map((r) => ({
        action: r.action,
        actorId: r.actorId,
        conditionCode: r.conditionCode ?? null,
        version: r.version ?? null,
        details: r.details as never,
      }));
      await em.createQueryBuilder().insert().into(CatalogueAuditEntity).values(values).execute();
    }
  }

  async version(version: number): Promise<VersionRow | null> {
    const rows = await this.versionQuery().where('v.version = :version', { version }).getRawMany();
    return rows[0] ? this.versionRow(rows[0]) : null;
  }

  /** Newest first, after the given version (keyset). */
  async versions(limit: number, before: number | undefined): Promise<VersionRow[]> {
    const qb = this.versionQuery().orderBy('v.version', 'DESC').limit(limit);
    if (before !== undefined) qb.where('v.version < :before', { before });
    return (await qb.getRawMany()).map((r) => this.versionRow(r));
  }

  async auditEntries(limit: number, after: [string, string] | undefined) {
    const qb = this.dataSource
      .getRepository(CatalogueAuditEntity)
      .createQueryBuilder('a')
      .leftJoin('a.actor', 'u')
      .select(['a.id AS id', 'a.at AS at', 'a.action AS action', 'a.condition_code AS condition_code', 'a.version AS version', 'a.details AS details'])
      .addSelect(['u.id AS actor_id', 'u.display_name AS actor_name'])
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit);
    if (after) qb.where('(a.at, a.id) < (:at, :id)', { at: after[0], id: after[1] });
    return qb.getRawMany<{
      id: string;
      at: Date;
      action: CatalogueAuditAction;
      condition_code: string | null;
      version: number | null;
      details: Record<string, unknown>;
      actor_id: string | null;
      actor_name: string | null;
    }>();
  }

  /** The admin the seed is published by: the configured one, else the oldest admin, else none. */
  async seedPublisher(em: EntityManager, adminUsername: string): Promise<string | null> {
    const rows: { id: string }[] = await em.query(
      `SELECT id FROM users WHERE role = 'admin' ORDER BY (username = $1) DESC, created_at ASC, id ASC LIMIT 1`,
      [adminUsername],
    );
    return rows[0]?.id ?? null;
  }

  private versionQuery() {
    return this.dataSource
      .getRepository(CatalogueVersionEntity)
      .createQueryBuilder('v')
      .leftJoin('v.publisher', 'u')
      .select(['v.version AS version', 'v.published_at AS published_at', 'v.note AS note', 'v.change_count AS change_count', 'v.changes AS changes'])
      .addSelect(['u.id AS publisher_id', 'u.display_name AS publisher_name']);
  }

  private versionRow(r: Record<string, unknown>): VersionRow {
    return {
      version: Number(r.version),
      publishedAt: r.published_at as Date,
      publishedBy: r.publisher_id ? { id: String(r.publisher_id), displayName: String(r.publisher_name) } : null,
      note: String(r.note),
      changeCount: Number(r.change_count),
      changes: r.changes as ConditionChange[],
    };
  }
}
