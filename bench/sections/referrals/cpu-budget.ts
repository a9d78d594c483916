import { performance } from 'node:perf_hooks';
import { backendCpu, cpuDelta, cpuSeconds, machineCpu, TICK_MS } from '../../lib/cpu.js';
import { runLoad } from '../../lib/load.js';
import { table } from '../../lib/markdown.js';
import type { PgbenchResult } from '../../lib/pgbench.js';
import { withPgClient } from '../../lib/postgres.js';
import { formatInt } from '../../lib/stats.js';

/** CPU milliseconds one unit of work (a transition, a request) cost, by process, over one measured window. */
export interface CpuShare {
  units: number;
  seconds: number;
  machineMs: number;
  apiMs: number;
  postgresMs: number;
  /** The benchmark process: the load generator, and anything else the runner did meanwhile. */
  benchMs: number;
}

/**
 * Runs `work` and charges the CPU used meanwhile to the units of work it did (`unitsOf` its result): the whole
 * machine's busy time (/proc/stat), the API process's, the PostgreSQL backends' of the database, and this process's.
 */
export async function measureCpu<T>(dbUrl: string, apiPid: number | undefined, work: () => Promise<T>, unitsOf: (result: T) => number): Promise<{ result: T; share: CpuShare }> {
  return withPgClient(dbUrl, async (db) => {
    const [pg0, api0, machine0, bench0, t0] = [await backendCpu(db), await cpuSeconds(apiPid), await machineCpu(), process.cpuUsage(), performance.now()];
    const result = await work();
    const units = unitsOf(result);
    const seconds = (performance.now() - t0) / 1000;
    const bench = process.cpuUsage(bench0);
    const [machine1, api1, pg1] = [await machineCpu(), await cpuSeconds(apiPid), await backendCpu(db)];
    const per = (ms: number) => ms / Math.max(units, 1);
    const share: CpuShare = {
      units,
      seconds,
      machineMs: per((machine1.busy - machine0.busy) * TICK_MS),
      apiMs: per((api1 - api0) * 1000),
      postgresMs: per(cpuDelta(pg0, pg1) * 1000),
      benchMs: per((bench.user + bench.system) / 1000),
    };
    return { result, share };
  });
}

/** The control: the same API answering `GET /referrals/{id}` (authenticated, scoped, one prepared read) under autocannon. */
export async function measureOneRead(base: string, dbUrl: string, apiPid: number | undefined, token: string, referralId: string, seconds: number): Promise<CpuShare> {
  const url = `${base}/api/v1/referrals/${referralId}`;
  const load = { url, connections: 50, headers: { authorization: `Bearer ${token}` } };
  await runLoad({ ...load, durationS: 1 });
  const { result, share } = await measureCpu(dbUrl, apiPid, () => runLoad({ ...load, durationS: seconds }), (r) => r.total);
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`GET ${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return share;
}

/**
 * Where each transition's CPU goes, beside a TPC-B transaction and a one-read request, and the ceiling that sets: on
 * a machine whose cores are all busy, throughput is cores ÷ CPU per unit, so the ratio to pgbench cannot pass the
 * ratio of their CPU costs (times how much busier the machine was).
 */
export function renderCpuBudget(pgbench: PgbenchResult, transitions: CpuShare, oneRead: CpuShare, clients: number): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const rate = (s: CpuShare) => s.units / s.seconds;
  const row = (label: string, s: CpuShare) => [label, formatInt(rate(s)), `${(rate(s) / pgbench.tps).toFixed(2)}×`, ms(s.machineMs), ms(s.apiMs), ms(s.postgresMs), ms(s.benchMs)];
  const cost = transitions.machineMs / pgbench.machineCpuMsPerTransaction;
  return [
    `### Where a transition's CPU goes (one API process, ${clients} clients)`,
    '',
    'CPU time per unit of work over the measured window, read from /proc: the whole machine (every process, the kernel included), the API process, the PostgreSQL backends of the engine\'s database, and the benchmark process (the load generator). The one-read control is the same API answering `GET /api/v1/referrals/{id}` (token checked, scope checked, one prepared statement) to autocannon with 50 connections.',
    '',
    table(
      ['work', 'per second', 'ratio to pgbench TPC-B', 'machine CPU per unit', 'API process', 'PostgreSQL', 'load generator'],
      [
        ['pgbench TPC-B transaction (`-c 4 -j 2`)', formatInt(pgbench.tps), '1.00×', ms(pgbench.machineCpuMsPerTransaction), '—', '—', '—'],
        row(`transition through HTTP (${clients} clients)`, transitions),
        row('one-read request through HTTP (50 connections)', oneRead),
      ],
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    `A transition costs the machine ${cost.toFixed(1)}× the CPU of a TPC-B transaction. When CPU is what limits both (2 shared cores here), the ratio of their rates can only pass 1 ÷ ${cost.toFixed(1)} = ${(1 / cost).toFixed(2)}× by keeping the cores busier than pgbench did, so the goal of 0.7× needs a transition to cost at most ${ms(pgbench.machineCpuMsPerTransaction / 0.7)} of machine CPU. The one-read control shows how much of that budget the HTTP request alone takes (authentication, scoping, routing, logging, one statement, serialisation).`,
  ].join('\n');
}
