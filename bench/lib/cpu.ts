import { readFile } from 'node:fs/promises';

/** What the CPU probes need of a database client. */
export interface Db {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** /proc/stat counts in USER_HZ ticks, 100 per second on Linux. */
export const TICK_MS = 10;

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
