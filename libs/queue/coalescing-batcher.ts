/** Runs a batch of keys at once: each key's value, or the error that concerns that key alone. */
export type BatchRunner<V> = (keys: string[]) => Promise<Map<string, V | Error>>;

export interface CoalescingOptions {
  /** Keys in one batch at most. */
  maxBatch: number;
  /** Batches running at once; further keys wait and leave together when one finishes. */
  maxConcurrent: number;
}

interface Waiter<V> {
  resolve(value: V): void;
  reject(error: Error): void;
}

/**
 * Turns concurrent single-key calls (a queue worker's jobs running side by side) into batches: a call waits only
 * for the end of the current event-loop turn, so an idle system answers one key at once, while under load the keys
 * that arrive during a running batch leave together in the next one. A key asked for twice while waiting is run
 * once. A batch that throws rejects all of its keys; an Error in the batch's answer rejects only its key.
 */
export class CoalescingBatcher<V> {
  private readonly waiting = new Map<string, Waiter<V>[]>();
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly runBatch: BatchRunner<V>,
    private readonly options: CoalescingOptions,
  ) {}

  run(key: string): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.size === 0 || this.running >= this.options.maxConcurrent) return;
    this.scheduled = true;
    // setImmediate, not a microtask: jobs whose replies arrived in the same read from the queue join this batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.waiting.size > 0 && this.running < this.options.maxConcurrent) void this.flush(this.take());
    });
  }

  private take(): Map<string, Waiter<V>[]> {
    const batch = new Map<string, Waiter<V>[]>();
    for (const [key, waiters] of this.waiting) {
      if (batch.size >= this.options.maxBatch) break;
      batch.set(key, waiters);
      this.waiting.delete(key);
    }
    return batch;
  }

  private async flush(batch: Map<string, Waiter<V>[]>): Promise<void> {
    this.running++;
    try {
      const answers = await this.runBatch([...batch.keys()]);
      for (const [key, waiters] of batch) {
        const answer = answers.get(key);
        for (const w of waiters) {
          if (answer instanceof Error) w.reject(answer);
          else if (answer === undefined) w.reject(new Error(`the batch gave no answer for ${key}`));
          else w.resolve(answer);
        }
      }
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    } finally {
      this.running--;
      this.schedule();
    }
  }
}
