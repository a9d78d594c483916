/** What every benchmark section gets; sections return a markdown fragment for bench/RESULTS.md. */
export interface BenchContext {
  /** `--quick`: CI-sized runs (seconds, not minutes). */
  quick: boolean;
  /** Admin URL of the local PostgreSQL (benchmarks create and drop their own databases). */
  pgAdminUrl: string;
  /** Local Redis, or undefined when none is reachable. */
  redisUrl: string | undefined;
  /** Scratch directory for this run (data dirs, logs). */
  workDir: string;
  log(message: string): void;
}

export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<string>;
}
