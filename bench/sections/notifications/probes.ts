import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Db {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

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

/** CPU time (user + system) of a process in seconds (Linux /proc), or 0 when it is gone. */
export async function cpuSeconds(pid: number | undefined): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the PostgreSQL backends serving the database `db` is on (`db`'s own excepted), per backend, so that
 * a delta counts backends that connected in between from their start (those that left in between are missed).
 */
export async function backendCpu(db: Db): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  const cpu = new Map<number, number>();
  for (const r of rows) cpu.set(r.pid, await cpuSeconds(r.pid));
  return cpu;
}

export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** Transactions committed or rolled back in the database `db` is on, as its statistics have them so far. */
export async function transactionCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].n);
}

/** The machine's CPU time so far, busy and in all (Linux /proc/stat, in clock ticks): for a utilisation between two readings. */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  try {
    const ticks = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - ticks[3] - ticks[4], total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}
