import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';
import type { SqlParams } from './referral-change.sql.js';
import type { ReferralExtras } from './referral.mapper.js';

/** What a referral's view needs beside its row and the institution names: its deadlines and its children. */
export type Related = Pick<ReferralExtras, 'deadlines' | 'childReferralIds'>;

/** A referral row with its deadlines and children, as one statement reads or writes it. */
export interface LoadedReferral {
  referral: ReferralEntity;
  related: Related;
}

/** Entity properties to write, by name (undefined ones are left out), and columns set to SQL expressions. */
export type ReferralValues = Partial<Record<keyof ReferralEntity, unknown>>;

/**
 * The referrals table's columns, read once from the entity's metadata: hot statements name them (never `*`, see
 * PreparedStatements), the write path's INSERT and UPDATE are built from them, and rows come back under their
 * column names, mapped to the entity here. TypeORM's query builder did the same per call, and its SQL generation
 * and hydration were a large share of the API's CPU per request.
 */
@Injectable()
export class ReferralColumns {
  private readonly columns: { db: string; prop: keyof ReferralEntity; json: boolean }[];
  private readonly byProp: Map<string, { db: string; json: boolean }>;
  private readonly lists = new Map<string, string>();

  constructor(dataSource: DataSource) {
    this.columns = dataSource
      .getMetadata(ReferralEntity)
      .columns.map((c) => ({ db: c.databaseName, prop: c.propertyName as keyof ReferralEntity, json: c.type === 'jsonb' || c.type === 'json' }));
    this.byProp = new Map(this.columns.map((c) => [c.prop, c]));
  }

  /** `INSERT INTO referrals (…) VALUES (…) RETURNING <every column>`; columns not given take their defaults. */
  insert(values: ReferralValues, expressions: Record<string, string>, p: SqlParams): string {
    const names: string[] = [];
    const placeholders: string[] = [];
    for (const [column, value] of this.encoded(values, p)) {
      names.push(column);
      placeholders.push(value);
    }
    for (const [column, expr] of Object.entries(expressions)) {
      names.push(`"${column}"`);
      placeholders.push(expr);
    }
    return `INSERT INTO referrals (${names.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING ${this.list()}`;
  }

  /** The `"column" = $n` assignments of an UPDATE's SET, values encoded for the driver. */
  assignments(values: ReferralValues, p: SqlParams): string[] {
    return this.encoded(values, p).map(([column, placeholder]) => `${column} = ${placeholder}`);
  }

  /** JSON columns travel as JSON text (the driver would send a JavaScript array as a PostgreSQL array). */
  private encoded(values: ReferralValues, p: SqlParams): [string, string][] {
    return Object.entries(values).flatMap(([prop, value]): [string, string][] => {
      if (value === undefined) return [];
      const column = this.byProp.get(prop);
      if (!column) throw new Error(`referrals has no column for ${prop}`);
      const type = column.json ? '::jsonb' : '';
      return [[`"${column.db}"`, `${p.add(column.json && value !== null ? JSON.stringify(value) : value)}${type}`]];
    });
  }

  /** `alias."id", alias."number", …` (or bare names without an alias, as RETURNING wants them); built once per alias. */
  list(alias = ''): string {
    let list = this.lists.get(alias);
    if (!list) {
      list = this.columns.map((c) => (alias ? `${alias}."${c.db}"` : `"${c.db}"`)).join(', ');
      this.lists.set(alias, list);
    }
    return list;
  }

  /** The driver already gives each column its JavaScript type (Date, parsed JSON, number); only names change. */
  hydrate(row: Record<string, unknown>): ReferralEntity {
    const entity = new ReferralEntity();
    for (const c of this.columns) (entity as unknown as Record<string, unknown>)[c.prop] = row[c.db];
    return entity;
  }

  /** A row carrying `related_deadlines` and `related_children` (see RELATED_SELECT). */
  load(row: Record<string, unknown>): LoadedReferral {
    const deadlines = row.related_deadlines as { kind: string; dueAt: string; state: string }[];
    return {
      referral: this.hydrate(row),
      related: {
        deadlines: deadlines.map((d) => ({ kind: d.kind, dueAt: new Date(d.dueAt).toISOString(), state: d.state })),
        childReferralIds: row.related_children as string[],
      },
    };
  }
}

/** A deadline list as JSON, oldest first; `source` yields (id, kind, due_at, state, opened_at). */
export const deadlinesJson = (source: string) =>
  `(SELECT coalesce(json_agg(json_build_object('kind', x.kind, 'dueAt', x.due_at, 'state', x.state) ORDER BY x.opened_at, x.id), '[]') FROM (${source}) x)`;

/** The ids of the referrals that continue `idExpr` (the care loop's down referrals), oldest first. */
export const childrenJson = (idExpr: string) => `(SELECT coalesce(json_agg(c.id ORDER BY c.created_at), '[]') FROM referrals c WHERE c.parent_referral_id = ${idExpr})`;

/** The two related columns of a read of referral `r`. */
export const RELATED_SELECT =
  `${deadlinesJson(`SELECT d.id, d.kind, d.due_at, d.state, d.opened_at FROM referral_deadlines d WHERE d.referral_id = r.id`)} AS related_deadlines, ` +
  `${childrenJson('r.id')} AS related_children`;
