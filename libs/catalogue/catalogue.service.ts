import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Condition } from '../domain/catalogue/condition.js';
import { checkConditionInput, checkImport, type ConditionFields, type ConditionInput } from '../domain/catalogue/condition-input.js';
import { changedFields, diffCatalogues, type ConditionChange } from '../domain/catalogue/diff.js';
import { isIcd10Code } from '../domain/catalogue/icd10.js';
import { assignItemCodes } from '../domain/catalogue/indication-codes.js';
import { describeOverlap, findOverlaps } from '../domain/catalogue/matcher.js';
import { alreadyExists, DomainError, forbidden, invalidField, notFound, validationFailed } from '../domain/errors/domain-error.js';
import type { Actor } from '../domain/shared/actor.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { CatalogueStore, toColumns, toCondition, type AuditRecord } from './catalogue-store.js';
import { CompiledCatalogue } from './compiled-catalogue.js';

/** A `?version=`: a published version, or the admins' draft. Absent means the latest published version. */
export type VersionRef = number | 'draft';

const MAX_VERSION = 2_147_483_647;
/** Published versions kept compiled in memory (each holds its conditions, matcher and search entries). */
const CACHED_VERSIONS = 4;

/**
 * Parses `?version=`: an integer (a version that cannot exist still parses, and is then not found), `draft`, or
 * absent; anything else → 400.
 */
export function parseVersionRef(raw: string | undefined, field = 'version'): VersionRef | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'draft') return 'draft';
  if (!/^[+-]?\d{1,20}$/.test(raw)) throw invalidField(field, `${field} must be an integer (a published version) or "draft"`);
  return Number(raw);
}

export interface VersionView {
  version: number;
  publishedAt: Date;
  publishedBy: { id: string; displayName: string } | null;
  note: string;
  changeCount: number;
}

export interface DiffView {
  version: number | 'draft';
  previousVersion: number | null;
  changes: ConditionChange[];
}

export interface PublishResult {
  version: number;
  publishedAt: Date;
  changes: ConditionChange[];
}

export interface AuditView {
  id: string;
  at: Date;
  action: string;
  by: { id: string; displayName: string } | null;
  conditionCode: string | null;
  version: number | null;
  details: Record<string, unknown>;
}

export interface ConditionQuery extends PageRequest {
  q?: string;
  category?: string;
  version?: VersionRef;
}

const fieldsOf = (c: Condition | ConditionFields): ConditionFields => {
  const { pinyin: _computed, ...fields } = c as Condition;
  return fields;
};
const asCondition = (c: ConditionFields): Condition => toCondition(c.code, toColumns(c));
const pick = (c: ConditionFields, fields: string[]) => Object.fromEntries(fields.map((f) => [f, c[f as keyof ConditionFields]]));

/**
 * The condition catalogue: versioned reads, ICD-10 matching and search, the admins' draft, publishing, import and
 * export. Published versions never change, so each is compiled once per process and cached.
 */
@Injectable()
export class CatalogueService {
  private readonly compiled = new Map<number, Promise<CompiledCatalogue | null>>();

  constructor(
    private readonly store: CatalogueStore,
    private readonly cursors: CursorCodec,
  ) {}

  // ---- For the referral workflow (the gate) -------------------------------------------------------------------

  /** The latest published version; 503 before the seed has loaded. */
  async latestPublishedVersion(): Promise<number> {
    const latest = await this.store.latestVersion();
    if (latest === null) throw new DomainError('SERVICE_UNAVAILABLE', 'The condition catalogue has not been loaded yet.');
    return latest;
  }

  /** The condition of that version whose ranges contain the code (narrowest wins), or null. Bad code → 400. */
  async matchCondition(icd10: string, version: number): Promise<Condition | null> {
    if (!isIcd10Code(icd10)) throw invalidField('icd10', 'icd10 must be an ICD-10 code such as I10 or I10.x00');
    return (await this.published(version)).matcher.match(icd10);
  }

  /** The codes that are an upward indication of no condition of that version (each once, in the given order). */
  async unknownIndicationCodes(codes: string[], version: number): Promise<string[]> {
    const known = (await this.published(version)).upwardIndicationCodes;
    return [...new Set(codes)].filter((c) => !known.has(c));
  }

  // ---- Reading ------------------------------------------------------------------------------------------------

  async list(actor: Actor, query: ConditionQuery): Promise<Page<Condition>> {
    const scope = `catalogue:conditions:${query.version ?? 'latest'}:${query.q ?? ''}:${query.category ?? ''}`;
    const after = this.cursors.decode(scope, query.cursor) as [VersionRef, number, string] | undefined;
    // A listing of "the latest" keeps paging through the version its first page came from.
    const catalogue = await this.catalogue(actor, query.version ?? after?.[0]);
    let ranked = catalogue.search(query.q, query.category);
    if (after) {
      const [, rank, code] = after;
      ranked = ranked.filter((r) => r.rank > rank || (r.rank === rank && r.condition.code > code));
    }
    return this.cursors.page(scope, ranked.slice(0, query.limit + 1), query.limit, (r) => [catalogue.version, r.rank, r.condition.code], (r) => r.condition);
  }

  async get(actor: Actor, code: string, version?: VersionRef): Promise<Condition> {
    const condition = (await this.catalogue(actor, version)).byCode.get(code);
    if (!condition) throw notFound(`Condition "${code}"`);
    return condition;
  }

  async match(actor: Actor, icd10: string, version?: VersionRef): Promise<{ version: number | 'draft'; condition: Condition | null }> {
    if (!isIcd10Code(icd10)) throw invalidField('icd10', 'icd10 must be an ICD-10 code such as I10 or I10.x00');
    const catalogue = await this.catalogue(actor, version);
    return { version: catalogue.version, condition: catalogue.matcher.match(icd10) };
  }

  async exportConditions(actor: Actor, version?: VersionRef): Promise<Condition[]> {
    return (await this.catalogue(actor, version)).conditions;
  }

  /** Published versions, newest first. */
  async versions(page: PageRequest): Promise<Page<VersionView>> {
    const scope = 'catalogue:versions';
    const after = this.cursors.decode(scope, page.cursor) as [number] | undefined;
    const rows = await this.store.versions(page.limit + 1, after?.[0]);
    return this.cursors.page(scope, rows, page.limit, (r) => [r.version], ({ changes: _c, ...v }) => v);
  }

  /** What a version changed from the one before it; `draft` (admins) previews the next publish. */
  async diff(actor: Actor, version: VersionRef): Promise<DiffView> {
    if (version === 'draft') {
      const draft = await this.catalogue(actor, 'draft');
      const latest = await this.store.latestVersion();
      const base = latest === null ? [] : (await this.published(latest)).conditions;
      return { version: 'draft', previousVersion: latest, changes: diffCatalogues(base, draft.conditions) };
    }
    const row = version >= 1 && version <= MAX_VERSION ? await this.store.version(version) : null;
    if (!row) throw notFound(`Catalogue version ${version}`);
    return { version: row.version, previousVersion: row.version > 1 ? row.version - 1 : null, changes: row.changes };
  }

  async auditLog(page: PageRequest): Promise<Page<AuditView>> {
    const scope = 'catalogue:audit';
    const after = this.cursors.decode(scope, page.cursor) as [string, string] | undefined;
    const rows = await this.store.auditEntries(page.limit + 1, after);
    return this.cursors.page(
      scope,
      rows,
      page.limit,
      (r) => [new Date(r.at).toISOString(), r.id],
      (r) => ({
        id: String(r.id),
        at: r.at,
        action: r.action,
        by: r.actor_id ? { id: r.actor_id, displayName: r.actor_name ?? '' } : null,
        conditionCode: r.condition_code,
        version: r.version,
        details: r.details,
      }),
    );
  }

  // ---- Editing the draft (admins) -----------------------------------------------------------------------------

  async create(actor: Actor, body: unknown): Promise<Condition> {
    const input = this.checked(checkConditionInput(body));
    return this.store.write(async (em) => {
      if (await this.store.draftCondition(em, input.code)) {
        throw alreadyExists(`The draft already has a condition "${input.code}".`, { field: 'code' });
      }
      const [fields] = await this.withItemCodes(em, [input]);
      await this.store.upsertDraft(em, [fields], actor.id);
      await this.store.audit(em, [{ action: 'create', actorId: actor.id, conditionCode: fields.code, details: { after: fields } }]);
      return asCondition(fields);
    });
  }

  /** Changes the given fields of a draft condition; its code cannot change. */
  async update(actor: Actor, code: string, patch: Partial<ConditionInput>): Promise<Condition> {
    return this.store.write(async (em) => {
      const current = await this.store.draftCondition(em, code);
      if (!current) throw notFound(`Condition "${code}" in the draft`);
      const given = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && k !== 'code' && k !== 'pinyin'));
      const input = this.checked(checkConditionInput({ ...fieldsOf(current), ...given, code }));
      const [next] = await this.withItemCodes(em, [input]);
      const fields = changedFields(fieldsOf(current), next);
      if (fields.length === 0) return current;
      await this.store.upsertDraft(em, [next], actor.id);
      await this.store.audit(em, [
        { action: 'update', actorId: actor.id, conditionCode: code, details: { fields, before: pick(fieldsOf(current), fields), after: pick(next, fields) } },
      ]);
      return asCondition(next);
    });
  }

  async remove(actor: Actor, code: string): Promise<void> {
    await this.store.write(async (em) => {
      const current = await this.store.draftCondition(em, code);
      if (!current || !(await this.store.deleteDraft(em, code))) throw notFound(`Condition "${code}" in the draft`);
      await this.store.audit(em, [{ action: 'delete', actorId: actor.id, conditionCode: code, details: { before: fieldsOf(current) } }]);
    });
  }

  /**
   * Freezes the draft as the next version. Refused (400) when nothing changed since the latest version, or when
   * two conditions' ranges overlap other than by nesting.
   */
  async publish(actor: Actor, note = ''): Promise<PublishResult> {
    return this.store.write(async (em) => {
      const latest = (await this.store.latestVersion(em)) ?? 0;
      const previous = latest > 0 ? (await this.published(latest, em)).conditions : [];
      const draft = (await this.store.draftConditions(em)).map((r) => fieldsOf(r.condition));
      const changes = diffCatalogues(previous.map(fieldsOf), draft);
      if (changes.length === 0) {
        throw validationFailed([{ field: 'draft', message: `the draft has no changes since version ${latest}` }], `Nothing to publish: the draft equals version ${latest}.`);
      }
      this.assertNoOverlaps(draft);
      const version = latest + 1;
      const publishedAt = await this.store.insertVersion(em, { version, publishedBy: actor.id, note, changes, conditions: draft });
      await this.store.audit(em, [{ action: 'publish', actorId: actor.id, version, details: { note, changeCount: changes.length, changes } }]);
      return { version, publishedAt, changes };
    });
  }

  /**
   * Upserts conditions (read shape or `conditions.json` shape) into the draft by code. Every entry is checked
   * first; if any is invalid nothing is imported. `updated` counts codes that were already in the draft.
   */
  async importConditions(actor: Actor, body: unknown): Promise<{ created: number; updated: number }> {
    const checked = checkImport(body);
    if (!checked.ok) {
      const entries = checked.problems.filter((p) => p.index >= 0);
      const fields = checked.problems.flatMap((p) => p.fields.map((f) => ({ field: p.index >= 0 ? `[${p.index}].${f.field}` : f.field, message: f.message })));
      const message = entries.length > 0 ? `${entries.length} import entries are invalid; nothing was imported.` : 'The import is not valid; nothing was imported.';
      throw validationFailed(fields, message, { entries });
    }
    return this.store.write(async (em) => {
      const codes = checked.entries.map((e) => e.code);
      const existing = new Map((await this.store.draftConditionsIn(em, codes)).map((c) => [c.code, fieldsOf(c)]));
      const next = await this.withItemCodes(em, checked.entries);
      await this.store.upsertDraft(em, next, actor.id);
      const audit: AuditRecord[] = [];
      for (const c of next) {
        const before = existing.get(c.code);
        const fields = before ? changedFields(before, c) : [];
        if (!before) audit.push({ action: 'import', actorId: actor.id, conditionCode: c.code, details: { change: 'created', after: c } });
        else if (fields.length > 0) audit.push({ action: 'import', actorId: actor.id, conditionCode: c.code, details: { change: 'updated', fields, before: pick(before, fields), after: pick(c, fields) } });
      }
      await this.store.audit(em, audit);
      return { created: codes.length - existing.size, updated: existing.size };
    });
  }

  // ---- Seed -----------------------------------------------------------------------------------------------------

  /**
   * On first start: publishes the seed entries as version 1 (and makes them the draft), by the configured admin if
   * there is one. Does nothing once any version exists. Returns the version it published, if any.
   */
  async seedIfEmpty(entries: unknown, adminUsername: string, note: string): Promise<number | null> {
    return this.store.write(async (em) => {
      if ((await this.store.latestVersion(em)) !== null) return null;
      const checked = checkImport(entries);
      if (!checked.ok) throw new Error(`the catalogue seed is invalid: ${JSON.stringify(checked.problems.slice(0, 5))}`);
      const conditions = await this.withItemCodes(em, checked.entries);
      this.assertNoOverlaps(conditions);
      const publishedBy = await this.store.seedPublisher(em, adminUsername);
      const changes = diffCatalogues([], conditions);
      await this.store.insertVersion(em, { version: 1, publishedBy, note, changes, conditions });
      if ((await this.store.draftConditions(em)).length === 0) await this.store.upsertDraft(em, conditions, publishedBy);
      await this.store.audit(em, [{ action: 'seed', actorId: publishedBy, version: 1, details: { note, conditionCount: conditions.length } }]);
      return 1;
    });
  }

  // ---- Internals ------------------------------------------------------------------------------------------------

  private checked(result: ReturnType<typeof checkConditionInput>): ConditionInput {
    if (!result.ok) throw validationFailed(result.problems);
    return result.value;
  }

  private assertNoOverlaps(conditions: ConditionFields[]): void {
    const overlaps = findOverlaps(conditions);
    if (overlaps.length === 0) return;
    const first = describeOverlap(overlaps[0]);
    throw validationFailed(
      overlaps.map((o) => ({ field: 'icd10', message: describeOverlap(o) })),
      overlaps.length === 1 ? `ICD-10 ranges overlap: ${first}.` : `ICD-10 ranges overlap in ${overlaps.length} places, e.g. ${first}.`,
      { overlaps },
    );
  }

  /** Gives every indication and criterion a code that was never used for anything else in this condition. */
  private async withItemCodes(em: EntityManager, inputs: ConditionInput[]): Promise<ConditionFields[]> {
    const known = await this.store.knownItems(em, inputs.map((i) => i.code));
    return inputs.map((input) => {
      const history = known.get(input.code) ?? { up: [], down: [] };
      return {
        ...input,
        upwardIndications: assignItemCodes(input.code, 'up', input.upwardIndications, history.up),
        downwardCriteria: assignItemCodes(input.code, 'down', input.downwardCriteria, history.down),
      };
    });
  }

  private async catalogue(actor: Actor | null, version: VersionRef | undefined): Promise<CompiledCatalogue> {
    if (version === 'draft') {
      if (actor?.role !== 'admin') throw forbidden('Only admins may read the draft catalogue.');
      return new CompiledCatalogue('draft', await this.store.draftConditions());
    }
    return this.published(version ?? (await this.latestPublishedVersion()));
  }

  /**
   * A published version, compiled once and kept (least recently used evicted); unknown → 404. Inside a write
   * transaction pass its manager (published rows are immutable, so what it reads is safe to cache).
   */
  private async published(version: number, em?: EntityManager): Promise<CompiledCatalogue> {
    if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) throw notFound(`Catalogue version ${version}`);
    let loading = this.compiled.get(version);
    if (loading) {
      this.compiled.delete(version);
      this.compiled.set(version, loading);
    } else {
      loading = (async () => ((await this.store.versionExists(version, em)) ? new CompiledCatalogue(version, await this.store.publishedConditions(version, em)) : null))();
      this.compiled.set(version, loading);
      // A version that does not exist yet may be published later, and a failed load should be retried.
      loading.then(
        (c) => c === null && this.compiled.delete(version),
        () => this.compiled.delete(version),
      );
      while (this.compiled.size > CACHED_VERSIONS) this.compiled.delete(this.compiled.keys().next().value!);
    }
    const catalogue = await loading;
    if (!catalogue) throw notFound(`Catalogue version ${version}`);
    return catalogue;
  }
}
