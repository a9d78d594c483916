import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext, BenchSection } from './bench-context.js';
import { cleanupEverything } from './lib/cleanup.js';
import { dropUntaken } from './lib/handover.js';
import { machineInfo } from './lib/machine.js';
import { codeBlock, table } from './lib/markdown.js';
import { REPO_ROOT } from './lib/paths.js';
import { mergeSectionResults, parseSectionResults, renderSectionResult, type SectionResult } from './lib/results-file.js';
import { redisAnswers } from './lib/redis.js';
import { SECTIONS } from './sections/index.js';

/**
 * `npm run bench [-- --quick] [-- --only=foundation,…]`: runs the benchmark sections in order and writes
 * bench/RESULTS.md (with --quick: bench/out/RESULTS.quick.md), replacing the blocks of the sections it ran and
 * keeping the others. A failing section is reported and the run goes on.
 */
interface Args { quick: boolean; only: string[] | undefined }

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: undefined };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--only=')) args.only = arg.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
    else throw new Error(`unknown argument "${arg}" (use --quick and --only=<section,…>)`);
  }
  return args;
}

function selectSections(only: string[] | undefined): BenchSection[] {
  if (!only) return SECTIONS;
  const unknown = only.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  return SECTIONS.filter((s) => only.includes(s.name));
}

interface Outcome { name: string; ok: boolean; seconds: number; markdown: string }

/** A section that does not finish in time is reported as failed; its processes are stopped by the cleanup. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runSection(section: BenchSection, ctx: BenchContext, timeoutMs: number): Promise<Outcome> {
  const t0 = performance.now();
  ctx.log(`section ${section.name}: start`);
  try {
    const fragment = await withTimeout(section.run({ ...ctx, log: (m) => ctx.log(`[${section.name}] ${m}`) }), timeoutMs, `section ${section.name}`);
    const seconds = (performance.now() - t0) / 1000;
    ctx.log(`section ${section.name}: done in ${seconds.toFixed(1)} s`);
    const markdown = fragment.trimStart().startsWith('#') ? fragment.trim() : `## ${section.name}\n\n${fragment.trim()}`;
    return { name: section.name, ok: true, seconds, markdown };
  } catch (e) {
    const seconds = (performance.now() - t0) / 1000;
    const message = e instanceof Error ? e.message : String(e);
    ctx.log(`section ${section.name}: FAILED after ${seconds.toFixed(1)} s: ${message.split('\n')[0]}`);
    await cleanupEverything();
    return { name: section.name, ok: false, seconds, markdown: `## ${section.name}: FAILED\n\nThe section failed after ${seconds.toFixed(1)} s:\n\n${codeBlock(message)}` };
  }
}

function commandLine(argv: string[]): string {
  const args = argv.map((a) => (/^[\w=,.\-/]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node dist/bench/run.js${args ? ` ${args}` : ''}`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const sections = selectSections(args.only);
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const workDir = join(REPO_ROOT, 'bench', 'out', stamp);
  await mkdir(workDir, { recursive: true });

  const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
  const pgAdminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisCandidate = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisUrl = (await redisAnswers(redisCandidate)) ? redisCandidate : undefined;
  if (!redisUrl) log(`no Redis at ${redisCandidate}: sections use BullMQ's Postgres backend`);
  const ctx: BenchContext = { quick: args.quick, pgAdminUrl, redisUrl, workDir, log };

  const machine = await machineInfo(pgAdminUrl, redisUrl);
  log(`benchmarks: ${sections.map((s) => s.name).join(', ')}${args.quick ? ' (quick)' : ''}; scratch dir ${relative(REPO_ROOT, workDir)}`);

  const timeoutMs = Number(process.env.BENCH_SECTION_TIMEOUT_S ?? 300) * 1000;
  const outcomes: Outcome[] = [];
  for (const section of sections) outcomes.push(await runSection(section, ctx, timeoutMs));
  for (const failure of await dropUntaken()) log(`cleanup failed: ${failure}`);
  const totalSeconds = outcomes.reduce((sum, o) => sum + o.seconds, 0);

  const target = args.quick ? join(REPO_ROOT, 'bench', 'out', 'RESULTS.quick.md') : join(REPO_ROOT, 'bench', 'RESULTS.md');
  const command = commandLine(argv);
  const fresh: SectionResult[] = outcomes.map((o) => ({ ...o, date: started.toISOString(), command }));
  // Read just before writing: another run (`--only=<other section>`) may have written meanwhile.
  const previous = parseSectionResults(await readFile(target, 'utf8').catch(() => ''));
  const results = mergeSectionResults(previous, fresh, SECTIONS.map((s) => s.name));

  const document = [
    `# Referral engine benchmarks${args.quick ? ' (quick run)' : ''}`,
    '',
    `Each section keeps the result of its latest run (\`npm run bench\` runs them all; \`--only=<name>\` reruns one and keeps the others). Latest run: ${started.toISOString()}, \`${command}\`.`,
    '',
    '## Machine',
    '',
    table(
      ['', 'value'],
      [
        ['CPU', machine.cpu],
        ['cores', String(machine.cores)],
        ['memory', machine.memory],
        ['OS', machine.os],
        ['Node.js', machine.node],
        ['PostgreSQL server', machine.postgres],
        ['Redis server', machine.redis],
        ['pgbench (baseline)', machine.pgbench],
        ['packages', machine.packages],
        ['1/5/15-minute load average when the latest run started', machine.loadAverage],
      ],
    ),
    '',
    `The load generators run on this same machine as the servers they measure (${machine.cores} cores shared), and other work on the machine may have run at the same time: compare figures within one run rather than across machines.`,
    '',
    '## Sections',
    '',
    table(
      ['section', 'result', 'time', 'run at', 'command'],
      results.map((r) => [r.name, r.ok ? 'ok' : '**failed**', `${r.seconds.toFixed(1)} s`, r.date, `\`${r.command}\``]),
      ['left', 'left', 'right', 'left', 'left'],
    ),
    '',
    `The latest run (${outcomes.length} section${outcomes.length === 1 ? '' : 's'}) took ${totalSeconds.toFixed(0)} s, ${(process.uptime()).toFixed(0)} s from the runner's start to this file${args.quick ? '' : '; the budget for a full `npm run bench` is 10 minutes on 2 cores, build included'}.`,
    '',
    ...results.flatMap((r) => [renderSectionResult(r), '']),
  ].join('\n');

  await writeFile(target, document);
  log(`wrote ${relative(REPO_ROOT, target)} in ${totalSeconds.toFixed(1)} s of sections; ${outcomes.filter((o) => !o.ok).length} failed`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void cleanupEverything().finally(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  await cleanupEverything();
  process.exitCode = 2;
}
