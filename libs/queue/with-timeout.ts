/**
 * Rejects with `message` when `p` has not settled within `ms`. The queue's client waits for a Redis that is away
 * (it keeps commands until it reconnects): callers holding database locks or connections bound that wait.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
