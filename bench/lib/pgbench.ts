import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createScratchDatabase, databaseUrl, dropDatabase } from './postgres.js';

const run = promisify(execFile);

/**
 * The baseline the referral figures are compared with: pgbench TPC-B (scale 1, 4 clients, 2 threads) on the same
 * PostgreSQL, in a scratch database. Returns transactions per second.
 */
export async function pgbenchTpcB(adminUrl: string, seconds: number): Promise<number> {
  const name = await createScratchDatabase(adminUrl, 'bench_pgbench');
  try {
    const url = databaseUrl(adminUrl, name);
    await run('pgbench', ['-i', '-s', '1', '-q', url], { timeout: 120_000 });
    const { stdout } = await run('pgbench', ['-c', '4', '-j', '2', '-T', String(seconds), url], { timeout: (seconds + 60) * 1000 });
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Number(tps[1]);
  } finally {
    await dropDatabase(adminUrl, name);
  }
}
