import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';

/**
 * Runs the hot statements (a referral's read and its one-statement writes) as named prepared statements: each
 * connection parses and plans a statement once, then only binds and executes it. On this machine parsing and
 * planning cost PostgreSQL about as much CPU as executing these statements. The name is derived from the text, so
 * statements that differ get different names, and the set stays small: callers pass texts built from a bounded set
 * of shapes (never values spliced into SQL). The texts list their columns rather than `*`, so a migration that adds
 * a column does not invalidate the plans of processes still running the old code.
 *
 * Off on the embedded PGlite (one session shared by every client) and with `DB_PREPARED_STATEMENTS=false` (a
 * transaction-mode connection pooler that does not track prepared statements); TypeORM's `query` runs them then.
 * Errors match TypeORM's: a statement's failure is a QueryFailedError, a connection's failure passes through.
 */
const MAX_NAMES = 500;

@Injectable()
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  /**
   * `planEachTime`: for a statement whose best plan depends on its values, such as `name LIKE $1` (a prefix can use
   * the index only when the planner sees it); a prepared statement would switch to a generic plan after five runs.
   */
  async query<T>(text: string, values: unknown[], options: { planEachTime?: boolean } = {}): Promise<T[]> {
    if (!this.config.database.preparedStatements || options.planEachTime) return this.dataSource.query(text, values);
    const pool = (this.dataSource.driver as unknown as { master: pg.Pool }).master;
    try {
      return (await pool.query<T & pg.QueryResultRow>({ name: this.nameOf(text), text, values })).rows;
    } catch (e) {
      throw e instanceof pg.DatabaseError ? new QueryFailedError(text, values, e) : e;
    }
  }

  /** Unnamed (parsed each time) past MAX_NAMES texts: a caller building unbounded texts costs speed, not memory. */
  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (!name && this.names.size < MAX_NAMES) {
      name = `re_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
