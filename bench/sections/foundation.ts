import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { attempt, failed, succeeded, type Attempt } from '../lib/attempt.js';
import { CleanupScope } from '../lib/cleanup.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { countLinesContaining, trimLog, waitForQuietLog } from '../lib/logs.js';
import { codeBlock, table } from '../lib/markdown.js';
import { freePort } from '../lib/net.js';
import { distPath, REPO_ROOT } from '../lib/paths.js';
import { createScratchDatabase, databaseUrl, dropDatabase, postgresVersion } from '../lib/postgres.js';
import { residentBytes } from '../lib/proc-stats.js';
import { childEnv, describeExit, NodeProcess, type StopResult } from '../lib/processes.js';
import { deleteKeysWithPrefix, redisVersion } from '../lib/redis.js';
import { formatBytes, formatInt, formatLatency, formatMs, formatSpread, median } from '../lib/stats.js';

/**
 * Foundation: how long the engine takes to become ready and to shut down (embedded and server mode, first and
 * second start), and what the engine's HTTP stack costs compared with a bare Nest fastify hello-world.
 */
export const foundationSection: BenchSection = { name: 'foundation', run: runFoundation };

const READY_TIMEOUT_MS = 120_000;
const CONNECTIONS = 50;
const BASELINE = 'bare Nest 12 fastify hello-world `GET /`';

interface StartSample { readyMs: number; rss: number; stop: StopResult }
interface StartSeries { first: Attempt<StartSample>[]; second: Attempt<StartSample>[] }
interface LoadSample extends LoadResult { logLinesPerRequest: number }
interface LoadRun { target: string; round: number; outcome: Attempt<LoadSample> }

interface Plan {
  rounds: number;
  loadRounds: number;
  durationS: number;
  warmupS: number;
}

async function runFoundation(ctx: BenchContext): Promise<string> {
  // Two rounds and 5 s windows keep the whole bench within its 10 minutes; the tables show every round, so the
  // spread stays visible (three rounds of 10 s took the section from ~70 s to ~180 s).
  const plan: Plan = ctx.quick ? { rounds: 1, loadRounds: 1, durationS: 2, warmupS: 1 } : { rounds: 2, loadRounds: 2, durationS: 5, warmupS: 1 };
  const dir = join(ctx.workDir, 'foundation');
  await mkdir(dir, { recursive: true });
  const scope = new CleanupScope();
  const loadBefore = os.loadavg()[0];
  const tag = `bench_foundation_${randomBytes(3).toString('hex')}`;
  try {
    const postgres = await postgresVersion(ctx.pgAdminUrl).catch(() => undefined);
    const redis = ctx.redisUrl ? await redisVersion(ctx.redisUrl).catch(() => undefined) : undefined;
    const redisUrl = redis ? ctx.redisUrl : undefined;
    if (redisUrl) scope.defer('delete the queue keys', () => deleteKeysWithPrefix(redisUrl, tag).then(() => undefined));
    const starter = new Starter(ctx, scope, dir);

    // First and second start: the second on the data the first left behind (skipped when the first failed).
    const startTwice = async (series: StartSeries, label: string, env: Record<string, string>) => {
      const first = await starter.timedStart(`${label}-first`, env);
      series.first.push(first);
      if (first.ok) series.second.push(await starter.timedStart(`${label}-second`, env));
    };
    const embedded: StartSeries = { first: [], second: [] };
    const server: StartSeries = { first: [], second: [] };
    let serverEnv: Record<string, string> | undefined;
    for (let round = 1; round <= plan.rounds; round++) {
      const dataDir = join(dir, `pglite-${round}`);
      scope.defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
      ctx.log(`round ${round}/${plan.rounds}: embedded engine, first and second start`);
      await startTwice(embedded, `embedded-${round}`, { PGLITE_DIR: dataDir, DEMO_DATA: 'true' });
      if (postgres) {
        const database = await createScratchDatabase(ctx.pgAdminUrl, tag);
        scope.defer(`drop database ${database}`, () => dropDatabase(ctx.pgAdminUrl, database));
        serverEnv = { DATABASE_URL: databaseUrl(ctx.pgAdminUrl, database), QUEUE_PREFIX: tag, DEMO_DATA: 'true', ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
        ctx.log(`round ${round}/${plan.rounds}: server-mode engine, first and second start`);
        await startTwice(server, `server-${round}`, serverEnv);
      }
    }

    // Throughput: the API process on PostgreSQL (+ Redis) when there is one, else the embedded engine.
    const engine = serverEnv
      ? { label: 'engine API `GET /health` (server mode, `dist/apps/api/main.js`)', script: 'apps/api/main.js', env: serverEnv }
      : { label: 'engine `GET /health` (embedded mode, `dist/apps/engine/main.js`)', script: 'apps/engine/main.js', env: { PGLITE_DIR: join(dir, 'pglite-load'), DEMO_DATA: 'true' } };
    if (!serverEnv) scope.defer('remove the load data dir', () => rm(engine.env.PGLITE_DIR!, { recursive: true, force: true }));
    const loads: LoadRun[] = [];
    for (let round = 1; round <= plan.loadRounds; round++) {
      ctx.log(`load round ${round}/${plan.loadRounds}: hello-world baseline, then the engine`);
      loads.push({ target: BASELINE, round, outcome: await starter.load(`hello-world-${round}`, 'bench/hello-world/main.js', {}, '/', '/', plan) });
      loads.push({ target: engine.label, round, outcome: await starter.load(`engine-api-${round}`, engine.script, engine.env, '/health/ready', '/health', plan) });
    }

    return render({ plan, postgres, redis, embedded, server, loads, engineLabel: engine.label, loadBefore, loadAfter: os.loadavg()[0] });
  } finally {
    const failures = await scope.close();
    for (const failure of failures) ctx.log(`cleanup failed: ${failure}`);
  }
}

/** Starts processes on free ports, registers their cleanup, times them; a failure becomes a failed Attempt. */
class Starter {
  constructor(
    private readonly ctx: BenchContext,
    private readonly scope: CleanupScope,
    private readonly dir: string,
  ) {}

  private async spawn(label: string, script: string, env: Record<string, string>): Promise<{ proc: NodeProcess; base: string }> {
    const port = await freePort();
    const proc = NodeProcess.start(label, distPath(script), childEnv({ ...env, PORT: String(port), HOST: '127.0.0.1' }), join(this.dir, `${label}.log`), REPO_ROOT);
    this.scope.defer(`stop ${label}`, () => proc.stop().then(() => undefined));
    return { proc, base: `http://127.0.0.1:${port}` };
  }

  /** The engine (API + worker) from spawn until /health/ready answers 200, then SIGTERM until it exited. */
  timedStart(label: string, env: Record<string, string>): Promise<Attempt<StartSample>> {
    return attempt(label, this.ctx.log, async () => {
      const { proc, base } = await this.spawn(label, 'apps/engine/main.js', env);
      try {
        const readyMs = await proc.waitForHttp200(`${base}/health/ready`, READY_TIMEOUT_MS);
        const rss = await residentBytes(proc.pid);
        const stop = await proc.stop();
        this.ctx.log(`  ${label}: ready after ${formatMs(readyMs)}, shutdown ${formatMs(stop.ms)} (${describeExit(stop)})`);
        return { readyMs, rss, stop };
      } finally {
        await proc.stop();
      }
    });
  }

  /**
   * Starts a server, warms it up, measures `path` with autocannon, stops it; also counts the request-log lines
   * the server wrote for `path` (then trims its log, which a load run makes large).
   */
  load(label: string, script: string, env: Record<string, string>, readyPath: string, path: string, plan: Plan): Promise<Attempt<LoadSample>> {
    return attempt(label, this.ctx.log, async () => {
      const { proc, base } = await this.spawn(label, script, env);
      try {
        await proc.waitForHttp200(`${base}${readyPath}`, READY_TIMEOUT_MS);
        const warmup = await runLoad({ url: `${base}${path}`, connections: CONNECTIONS, durationS: plan.warmupS });
        const result = await runLoad({ url: `${base}${path}`, connections: CONNECTIONS, durationS: plan.durationS });
        // Under load the engine's logger falls behind; let it catch up, since lines still buffered at exit are lost.
        await waitForQuietLog(proc.logFile);
        await proc.stop();
        const logLinesPerRequest = (await countLinesContaining(proc.logFile, `"url":"${path}"`)) / (warmup.total + result.total);
        this.ctx.log(`  ${label}: ${formatInt(result.requestsPerSec)} req/s, p50 ${formatLatency(result.p50)}, p99 ${formatLatency(result.p99)}, ${logLinesPerRequest.toFixed(2)} log lines per request`);
        return { ...result, logLinesPerRequest };
      } finally {
        await proc.stop();
        await trimLog(proc.logFile);
      }
    });
  }
}

interface Findings {
  plan: Plan;
  postgres: string | undefined;
  redis: string | undefined;
  embedded: StartSeries;
  server: StartSeries;
  loads: LoadRun[];
  engineLabel: string;
  loadBefore: number;
  loadAfter: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percent = (ratio: number) => `${(ratio * 100).toFixed(0)} %`;

/** `median (min–max)`, with the failures counted. */
function cell(attempts: Attempt<StartSample>[], pick: (s: StartSample) => number, format: (n: number) => string): string {
  const ok = succeeded(attempts);
  const failures = attempts.length - ok.length;
  if (ok.length === 0) return failures > 0 ? '**failed**' : 'not run';
  return formatSpread(ok.map(pick), format) + (failures > 0 ? ` (**${failures} of ${attempts.length} failed**)` : '');
}

function shutdownCell(attempts: Attempt<StartSample>[]): string {
  const ok = succeeded(attempts);
  if (ok.length === 0) return '';
  const forced = ok.filter((s) => s.stop.forced).length;
  // Nest's shutdown hooks re-raise the signal once they are done, so "killed by SIGTERM" is a clean exit too.
  const unclean = ok.filter((s) => !s.stop.forced && s.stop.code !== 0 && s.stop.signal !== 'SIGTERM').map((s) => describeExit(s.stop));
  return [formatSpread(ok.map((s) => s.stop.ms)), forced > 0 ? `**${forced} killed after 15 s**` : '', unclean.length > 0 ? `exit ${unclean.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

function render(f: Findings): string {
  const { plan } = f;
  const startRow = (mode: string, start: string, attempts: Attempt<StartSample>[]) => [
    mode,
    start,
    cell(attempts, (s) => s.readyMs, formatMs),
    cell(attempts, (s) => s.rss, formatBytes),
    shutdownCell(attempts),
  ];
  const embeddedMode = 'embedded (PGlite, queue on PGlite)';
  const serverMode = `server (PostgreSQL ${f.postgres?.split(' ')[0] ?? '?'}${f.redis ? ` + Redis ${f.redis}` : ", queue on BullMQ's Postgres backend"})`;
  const startRows = [
    startRow(embeddedMode, 'first: empty data dir (migrations, seed, demo data)', f.embedded.first),
    startRow(embeddedMode, 'second: same data dir', f.embedded.second),
    ...(f.postgres
      ? [startRow(serverMode, 'first: empty database (migrations, seed, demo data)', f.server.first), startRow(serverMode, 'second: same database', f.server.second)]
      : []),
  ];

  const loadRows = f.loads.map(({ target, round, outcome }) =>
    outcome.ok
      ? [
          target,
          String(round),
          formatInt(outcome.value.requestsPerSec),
          formatLatency(outcome.value.p50),
          formatLatency(outcome.value.p99),
          `${formatInt(outcome.value.errors)} / ${formatInt(outcome.value.non2xx)}`,
          outcome.value.logLinesPerRequest.toFixed(2),
        ]
      : [target, String(round), '**failed**', '', '', '', ''],
  );
  const runs = (target: string) => succeeded(f.loads.filter((l) => l.target === target).map((l) => l.outcome));
  const baseline = runs(BASELINE);
  const engine = runs(f.engineLabel);
  const rate = (r: LoadSample[]) => median(r.map((x) => x.requestsPerSec));
  const p99 = (r: LoadSample[]) => median(r.map((x) => x.p99));
  const ratio = engine.length > 0 && baseline.length > 0 ? rate(engine) / rate(baseline) : undefined;
  const engineLogLines = engine.length > 0 ? median(engine.map((r) => r.logLinesPerRequest)) : 0;

  const failures = [
    ...failed(f.embedded.first), ...failed(f.embedded.second), ...failed(f.server.first), ...failed(f.server.second),
    ...failed(f.loads.map((l) => l.outcome)),
  ];
  const measured = f.embedded.first.length + f.embedded.second.length + f.server.first.length + f.server.second.length + f.loads.length;

  const readyIn = (attempts: Attempt<StartSample>[]) => {
    const ok = succeeded(attempts);
    if (ok.length > 0) return seconds(median(ok.map((s) => s.readyMs)));
    return attempts.length > 0 ? 'failed' : 'not measured';
  };
  const summary = [
    `ready after spawn: embedded ${readyIn(f.embedded.first)} (empty data dir) and ${readyIn(f.embedded.second)} (initialised)`,
    f.postgres ? `on PostgreSQL ${readyIn(f.server.first)} (empty database) and ${readyIn(f.server.second)} (second start)` : 'server mode not measured (PostgreSQL not reachable)',
    ratio !== undefined
      ? `the engine's \`/health\` answers ${percent(ratio)} of a bare Nest hello-world's request rate, the price of what runs on every request${engineLogLines > 0 ? ' (request logging included)' : ''}`
      : 'the throughput comparison failed',
  ];

  return [
    `## Foundation: startup, shutdown and HTTP overhead${failures.length > 0 ? ` (${failures.length} of ${measured} measurements FAILED)` : ''}`,
    '',
    `Startup is the time from \`spawn()\` of \`node dist/apps/engine/main.js\` (API and worker in one process, \`DEMO_DATA=true\`) until \`GET /health/ready\` first answers 200 (database and queue reachable, seed loaded; polled every 25 ms). Shutdown is the time from SIGTERM until the process exited. ${plan.rounds === 1 ? 'One round' : `${plan.rounds} rounds, each on a fresh data directory and a fresh database; median (min–max)`}. RSS is the process's resident memory when it became ready (PGlite runs inside the process in embedded mode).`,
    '',
    table(['mode', 'start', 'ready after', 'RSS when ready', 'graceful shutdown'], startRows, ['left', 'left', 'right', 'right', 'right']),
    '',
    '### `GET` throughput against a bare Nest baseline',
    '',
    `autocannon, ${CONNECTIONS} connections, ${plan.durationS} s per run after a ${plan.warmupS} s warm-up, on a freshly started process (latency resolution 1 ms); ${plan.loadRounds === 1 ? 'one run per target' : `${plan.loadRounds} alternating runs per target`}. Both answer \`{"status":"ok"}\`; the engine's request passes through everything every request does (helmet headers, correlation id, metrics hook, global guards, request logger). *Log lines per request*: lines of the server's log naming the measured URL, warm-up included, divided by the requests sent.`,
    '',
    table(['target', 'run', 'req/s', 'p50', 'p99', 'errors / non-2xx', 'log lines per request'], loadRows, ['left', 'right', 'right', 'right', 'right', 'right', 'right']),
    '',
    ...(ratio !== undefined
      ? [`Engine / baseline: **${percent(ratio)}** of the baseline's requests per second (${formatInt(rate(engine))} vs ${formatInt(rate(baseline))} req/s, median of the runs); p99 ${formatLatency(p99(engine))} vs ${formatLatency(p99(baseline))}.`, '']
      : []),
    ...(engine.length > 0
      ? [
          engineLogLines > 0
            ? `The engine wrote ${engineLogLines.toFixed(2)} request-log lines per \`/health\` request although its request logger is configured to skip \`/health\` (\`autoLogging.ignore\` in libs/observability/logger-options.ts): serialising and writing those lines is part of the cost measured here.`
            : 'The engine wrote no request-log line for `/health` (its request logger skips it: `autoLogging.ignore` in libs/observability/logger-options.ts), so logging is not part of the cost measured here.',
          '',
        ]
      : []),
    `> The load generator runs in the benchmark runner's process on the same ${os.availableParallelism()} cores as the server under test, so absolute numbers understate what a dedicated client would measure; the ratio is the meaningful figure. 1-minute load average ${f.loadBefore.toFixed(2)} when the section started, ${f.loadAfter.toFixed(2)} when it ended (other work on the machine lowers every number).`,
    '',
    `**In short:** ${summary.join('; ')}.`,
    ...(failures.length > 0
      ? ['', '### Failures', '', ...failures.map(failureDetails)]
      : []),
  ].join('\n');
}

/** A collapsible block: the first line as summary, the whole message (with the log tail) inside. */
function failureDetails(failure: { label: string; error: string }): string {
  const firstLine = failure.error.split('\n')[0];
  const summary = firstLine.startsWith(failure.label) ? firstLine : `${failure.label}: ${firstLine}`;
  const html = summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<details><summary>${html}</summary>\n\n${codeBlock(failure.error)}\n\n</details>\n`;
}
