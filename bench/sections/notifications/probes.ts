import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../lib/cpu.js';

const CHUNK = 500;

/**
 * Waits until every outbox event in `ids` (oldest first) has its inbox entries; answers performance.now() at the
 * check that found the last one, and how many checks (statements) it took. It asks only about the oldest CHUNK still missing, one index probe each, so the
 * bench's own polling stays a small, constant load on the database it measures (a NOT EXISTS over the whole
 * outbox every 20 ms cost as much PostgreSQL CPU as the fan-out itself).
 */
export async function waitForInbox(db: Db, ids: string[], timeoutMs: number, everyMs = 20): Promise<{ at: number; checks: number }> {
  const deadline = performance.now() + timeoutMs;
  let pending = ids;
  for (let checks = 1; ; checks++) {
    const head = pending.slice(0, CHUNK);
    const { rows } = await db.query<{ id: string }>(
      `SELECT x.id FROM unnest($1::uuid[]) AS x(id)
        WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.outbox_event_id = x.id AND n.channel = 'inbox' AND n.user_id IS NOT NULL)`,
      [head],
    );
    const missing = new Set(rows.map((r) => r.id));
    pending = [...head.filter((id) => missing.has(id)), ...pending.slice(CHUNK)];
    if (pending.length === 0) return { at: performance.now(), checks };
    if (performance.now() > deadline) throw new Error(`${pending.length} of ${ids.length} events still without inbox entries after ${timeoutMs / 1000} s`);
    if (missing.size > 0) await sleep(everyMs);
  }
}

/** Transactions committed or rolled back in the database `db` is on, as its statistics have them so far. */
export async function transactionCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].n);
}
