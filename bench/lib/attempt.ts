/** One measurement's outcome: a value, or why it failed (the section goes on and reports it). */
export type Attempt<T> = { ok: true; value: T } | { ok: false; label: string; error: string };

export async function attempt<T>(label: string, log: (message: string) => void, work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`  ${label} FAILED: ${error.split('\n')[0]}`);
    return { ok: false, label, error };
  }
}

export const succeeded = <T>(attempts: readonly Attempt<T>[]): T[] => attempts.flatMap((a) => (a.ok ? [a.value] : []));
export const failed = <T>(attempts: readonly Attempt<T>[]) => attempts.flatMap((a) => (a.ok ? [] : [a]));
