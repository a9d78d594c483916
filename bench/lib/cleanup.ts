/**
 * Everything a benchmark creates (processes, databases, directories, queue keys) registers how to undo it here,
 * so it is undone when the section ends, fails, or the run is interrupted.
 */
type Undo = () => Promise<void> | void;

const pending = new Set<{ label: string; undo: Undo }>();

export class CleanupScope {
  private readonly undos: { label: string; undo: Undo }[] = [];

  /** Registers an undo step; steps run in reverse order of registration. */
  defer(label: string, undo: Undo): void {
    const entry = { label, undo };
    this.undos.push(entry);
    pending.add(entry);
  }

  /** Runs every step (last first), even when some fail; returns the failures' descriptions. */
  async close(): Promise<string[]> {
    const failures: string[] = [];
    while (this.undos.length > 0) {
      const entry = this.undos.pop()!;
      pending.delete(entry);
      try {
        await entry.undo();
      } catch (e) {
        failures.push(`${entry.label}: ${(e as Error).message}`);
      }
    }
    return failures;
  }
}

/** For an interrupted run: undo everything still registered, newest first. */
export async function cleanupEverything(): Promise<void> {
  for (const entry of [...pending].reverse()) {
    pending.delete(entry);
    try {
      await entry.undo();
    } catch {
      // best effort while exiting
    }
  }
}
