import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { machineCpu, TICK_MS } from './cpu.js';
import { createScratchDatabase, databaseUrl, dropDatabase } from './postgres.js';

const run = promisify(execFile);

export interface PgbenchResult {
  tps: number;
  transactions: number;
  /** Busy CPU of the whole machine (pgbench, PostgreSQL, anything else) per transaction, in milliseconds. */
  machineCpuMsPerTransaction: number;
}

/**
 * The baseline the referral figures are compared with: pgbench TPC-B (scale 1, 4 clients, 2 threads) on the same
 * PostgreSQL, in a scratch database. Returns transactions per second and what each cost the machine's CPU.
 */
export async function pgbenchTpcB(adminUrl: string, seconds: number): Promise<PgbenchResult> {
  const name = await createScratchDatabase(adminUrl, 'bench_pgbench');
  try {
    const url = databaseUrl(adminUrl, name);
    await run('pgbench', ['-i', '-s', '1', '-q', url], { timeout: 120_000 });
    const cpu0 = await machineCpu();
    const { stdout } = await run('pgbench', ['-c', '4', '-j', '2', '-T', String(seconds), url], { timeout: (seconds + 60) * 1000 });
    const cpu1 = await machineCpu();
    const tps = /tps = ([\d.]+)/.exec(stdout);
    const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
    if (!tps || !processed) throw new Error(`pgbench printed no tps:\n${stdout}`);
    const transactions = Number(processed[1]);
    return { tps: Number(tps[1]), transactions, machineCpuMsPerTransaction: ((cpu1.busy - cpu0.busy) * TICK_MS) / transactions };
  } finally {
    await dropDatabase(adminUrl, name);
  }
}
