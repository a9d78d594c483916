import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { forbidden, invalidField } from '../domain/errors/domain-error.js';
import type { Actor } from '../domain/shared/actor.js';
import {
  conditionsCsv,
  institutionsCsv,
  monthsCsv,
  summaryCsv,
  type CsvLang,
  type ReasonLabels,
  type StatsTable,
} from '../domain/stats/csv-tables.js';
import {
  buildFigures,
  buildSide,
  emptyCounts,
  NO_DURATIONS,
  toSummary,
  type CountRow,
  type DurationRow,
  type Figures,
  type Summary,
} from '../domain/stats/figures.js';
import { describeConditionGroup, isConditionGroupKey, type ConditionRow, type InstitutionRow, type MonthRow } from '../domain/stats/groups.js';
import { isMonthKey, monthCount, monthKeyOf, monthSlices, monthStart, nextMonthKey, parsePeriod } from '../domain/stats/period.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { STATS_STATEMENT_SETTINGS, statsStatement, type Grouping, type StatsResultRow } from './stats-sql.js';

/** `?from=&to=&institutionId=` as received (strings, already shape-checked by the DTO). */
export interface StatsFilter { from?: string; to?: string; institutionId?: string }

/** Whose figures, over which period: what every statistics endpoint resolves first. */
export interface StatsScope { from: Date | null; to: Date | null; institutionId: string | null }

/** The CSV export refuses periods longer than this many months by month (a spreadsheet, not a data dump). */
export const MAX_EXPORT_MONTHS = 1200;

/** A group's figures for both sides together (`party`) and, by institution, for each side. */
interface GroupAgg { party: CountRow; sides: Map<string, CountRow>; toAccept: DurationRow; toArrive: DurationRow }

/**
 * Statistics for the medical community (医共体转诊统计). One aggregate statement per request (stats-sql.ts);
 * formulas in README.md, "Statistics: definitions". Admins see any institution or all; everyone else sees the
 * referrals where their own institution is a party.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  /** Period and institution the caller may see: 400 for a bad period, 403 for someone else's institution. */
  async resolveScope(actor: Actor, filter: StatsFilter): Promise<StatsScope> {
    const period = parsePeriod(filter);
    if (actor.role !== 'admin') {
      if (!actor.institutionId) throw forbidden('Statistics need an institution.');
      if (filter.institutionId !== undefined && filter.institutionId !== actor.institutionId) {
        throw forbidden('You may only see your own institution’s statistics.');
      }
      return { ...period, institutionId: actor.institutionId };
    }
    if (filter.institutionId === undefined) return { ...period, institutionId: null };
    const [known] = await this.dataSource.query(`SELECT 1 FROM institutions WHERE id = $1`, [filter.institutionId]);
    if (!known) throw invalidField('institutionId', 'institutionId must name an existing institution');
    return { ...period, institutionId: filter.institutionId };
  }

  async summary(actor: Actor, filter: StatsFilter): Promise<Summary> {
    const scope = await this.resolveScope(actor, filter);
    return toSummary(scope, await this.summaryFigures(scope));
  }

  async byInstitution(actor: Actor, filter: StatsFilter, page: PageRequest): Promise<Page<InstitutionRow>> {
    const scope = await this.resolveScope(actor, filter);
    const rows = await this.institutionRows(scope);
    return this.slice(`stats:by-institution:${scopeKey(scope)}`, rows, page, (r) => [r.institution.code, r.institution.id], (a, key) => {
      const [code, id] = key as [string, string];
      return a.institution.code > code || (a.institution.code === code && a.institution.id > id);
    });
  }

  async byCondition(actor: Actor, filter: StatsFilter, page: PageRequest): Promise<Page<ConditionRow>> {
    const scope = await this.resolveScope(actor, filter);
    const rows = await this.conditionRows(scope);
    return this.slice(`stats:by-condition:${scopeKey(scope)}`, rows, page, (r) => [internalKeyOf(r)], (a, key) => internalKeyOf(a) > String(key[0]));
  }

  async byMonth(actor: Actor, filter: StatsFilter, page: PageRequest): Promise<Page<MonthRow>> {
    const scope = await this.resolveScope(actor, filter);
    const cursorScope = `stats:by-month:${scopeKey(scope)}`;
    const after = this.cursors.decode(cursorScope, page.cursor);
    if (after && !isMonthKey(after[0])) throw invalidField('cursor', 'cursor is not valid for this list');
    const rows = await this.monthRows(scope, page.limit + 1, after?.[0] as string | undefined);
    return this.cursors.page(cursorScope, rows, page.limit, (r) => [r.month], (r) => r);
  }

  /** The same tables as CSV (UTF-8 with BOM, CRLF), every row (no paging). */
  async exportCsv(actor: Actor, filter: StatsFilter, table: StatsTable, lang: CsvLang): Promise<{ filename: string; body: string }> {
    const scope = await this.resolveScope(actor, filter);
    const labels = await this.reasonLabels();
    const filename = `referral-stats-${table}.csv`;
    switch (table) {
      case 'summary': {
        const figures = await this.summaryFigures(scope);
        return { filename, body: summaryCsv(toSummary(scope, figures), figures, lang, labels) };
      }
      case 'by-institution':
        return { filename, body: institutionsCsv(await this.institutionRows(scope), lang, labels) };
      case 'by-condition':
        return { filename, body: conditionsCsv(await this.conditionRows(scope), lang, labels) };
      case 'by-month':
        return { filename, body: monthsCsv(await this.monthRows(scope, MAX_EXPORT_MONTHS + 1), lang, labels) };
    }
  }

  private async summaryFigures(scope: StatsScope): Promise<Figures> {
    const groups = await this.aggregate('all', scope);
    return figuresOf(groups.get(''));
  }

  /**
   * Every institution when unscoped (institutions without referrals show zeros); when scoped to one institution,
   * that institution and those it shares a referral with in the period. Ordered by code.
   */
  private async institutionRows(scope: StatsScope): Promise<InstitutionRow[]> {
    const groups = await this.aggregate('institution', scope);
    const institutions: { id: string; code: string; name: string; level: string }[] = await this.dataSource.query(
      `SELECT id, code, name, level FROM institutions ORDER BY code, id`,
    );
    return institutions
      .filter((i) => scope.institutionId === null || i.id === scope.institutionId || groups.has(i.id))
      .map((institution) => {
        const g = groups.get(institution.id);
        return {
          institution,
          ...figuresOf(g),
          asReferrer: buildSide(g?.sides.get('referrer') ?? emptyCounts()),
          asReceiver: buildSide(g?.sides.get('receiver') ?? emptyCounts()),
        };
      });
  }

  /** Only groups that have referrals; catalogue conditions first (by code), then ICD-10 letters, then unmatched. */
  private async conditionRows(scope: StatsScope): Promise<ConditionRow[]> {
    const groups = await this.aggregate('condition', scope);
    const keys = [...groups.keys()].filter(isConditionGroupKey).sort();
    const codes = keys.filter((k) => k.startsWith('c:')).map((k) => k.slice(2));
    const names = new Map<string, { nameZh: string; nameEn: string }>();
    if (codes.length) {
      const rows: { code: string; name_zh: string; name_en: string }[] = await this.dataSource.query(
        `SELECT DISTINCT ON (code) code, name_zh, name_en FROM catalogue_conditions WHERE code = ANY($1) ORDER BY code, version DESC`,
        [codes],
      );
      for (const r of rows) names.set(r.code, { nameZh: r.name_zh, nameEn: r.name_en });
    }
    return keys.map((k) => ({ condition: describeConditionGroup(k, names.get(k.slice(2))), ...figuresOf(groups.get(k)) }));
  }

  /**
   * Calendar months (UTC+8) overlapping the period, empty months included. An open `from` starts at the first
   * month with referrals; an open `to` ends with the current month (or the last month with referrals, if later).
   */
  private async monthRows(scope: StatsScope, limit: number, afterKey?: string): Promise<MonthRow[]> {
    const groups = await this.aggregate('month', scope);
    const keys = [...groups.keys()].sort();
    if (scope.from === null && keys.length === 0) return [];
    const from = scope.from ?? monthStart(keys[0]);
    const lastKey = [monthKeyOf(new Date()), keys[keys.length - 1] ?? ''].sort()[1];
    const to = scope.to ?? monthStart(nextMonthKey(lastKey));
    if (limit > MAX_EXPORT_MONTHS && monthCount(from, to) > MAX_EXPORT_MONTHS) {
      throw invalidField('from', `by month, a CSV export covers at most ${MAX_EXPORT_MONTHS} months; narrow from/to`);
    }
    return monthSlices(from, to, limit, afterKey).map((m) => ({
      month: m.month,
      from: m.from.toISOString(),
      to: m.to.toISOString(),
      ...figuresOf(groups.get(m.month)),
    }));
  }

  private async aggregate(grouping: Grouping, scope: StatsScope): Promise<Map<string, GroupAgg>> {
    const { sql, params } = statsStatement(grouping, scope);
    const rows = await this.readOnly<StatsResultRow>(sql, params);
    const groups = new Map<string, GroupAgg>();
    const group = (k: string) => {
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { party: emptyCounts(), sides: new Map(), toAccept: NO_DURATIONS, toArrive: NO_DURATIONS }));
      return g;
    };
    const counts = (k: string, side: string) => {
      const g = group(k);
      if (side === '*') return g.party;
      let c = g.sides.get(side);
      if (!c) g.sides.set(side, (c = emptyCounts()));
      return c;
    };
    for (const { part, k, side, v } of rows) {
      const n = (name: string) => Number(v[name] ?? 0);
      const q = (name: string) => (v[name] === null || v[name] === undefined ? null : Number(v[name]));
      const c = counts(k, side);
      if (part === 'counts') {
        const count = n('n');
        c.statuses.push({ direction: String(v.direction), status: String(v.status), count });
        if (v.outcome !== null && v.outcome !== undefined) c.gateOutcomes.push({ outcome: String(v.outcome), count });
        c.answered += n('answered');
        c.accepted += n('accepted');
        c.returned += n('returned');
      } else if (part === 'durations') {
        if (side === '*') {
          group(k).toAccept = { count: n('acceptN'), median: q('acceptP50'), p90: q('acceptP90') };
          group(k).toArrive = { count: n('arriveN'), median: q('arriveP50'), p90: q('arriveP90') };
        }
      } else if (part === 'loops') {
        c.careLoopsClosed += n('n');
      } else if (part === 'reasons') {
        c.returnReasons.push({ code: String(v.code), count: n('n') });
      } else {
        c.deadlineBreaches += n('breaches');
        c.escalations += n('escalations');
        c.followUpMet += n('followUpMet');
        c.followUpBreached += n('followUpBreached');
      }
    }
    return groups;
  }

  /** The statement in a read-only transaction of its own, with its settings: three round trips. */
  private async readOnly<R>(sql: string, params: unknown[]): Promise<R[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.query(['BEGIN READ ONLY', ...STATS_STATEMENT_SETTINGS].join('; '));
      const rows: R[] = await runner.query(sql, params);
      await runner.query('COMMIT');
      return rows;
    } catch (e) {
      // Never hand the connection back inside a failed transaction (harmless warning when none is open).
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }

  private async reasonLabels(): Promise<ReasonLabels> {
    const rows: { code: string; label_zh: string; label_en: string }[] = await this.dataSource.query(`SELECT code, label_zh, label_en FROM reason_codes`);
    return new Map(rows.map((r) => [r.code, { labelZh: r.label_zh, labelEn: r.label_en }]));
  }

  /** Keyset paging over rows already in key order (groups are few: institutions, conditions). */
  private slice<R>(scope: string, rows: R[], page: PageRequest, keyOf: (r: R) => string[], isAfter: (r: R, key: unknown[]) => boolean): Page<R> {
    const after = this.cursors.decode(scope, page.cursor);
    const rest = after ? rows.filter((r) => isAfter(r, after)) : rows;
    return this.cursors.page(scope, rest.slice(0, page.limit + 1), page.limit, keyOf, (r) => r);
  }
}

function figuresOf(g: GroupAgg | undefined): Figures {
  return g ? buildFigures(g.party, g.toAccept, g.toArrive) : buildFigures(emptyCounts());
}

const internalKeyOf = (r: ConditionRow): string =>
  r.condition.kind === 'catalogue' ? `c:${r.condition.key}` : r.condition.kind === 'icd10_letter' ? `l:${r.condition.key}` : 'u:';

const scopeKey = (s: StatsScope) => `${s.from?.toISOString() ?? ''}:${s.to?.toISOString() ?? ''}:${s.institutionId ?? ''}`;
