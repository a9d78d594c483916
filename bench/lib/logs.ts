import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** How many lines of the file contain `needle`. */
export async function countLinesContaining(file: string, needle: string): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.includes(needle)) count++;
  return count;
}

/** Keeps only the beginning of a log (startup messages) once a load run has made it large. */
export async function trimLog(file: string, keepBytes = 64 * 1024): Promise<void> {
  const { size } = await stat(file);
  if (size > keepBytes) await truncate(file, keepBytes);
}

/** Waits until the file has stopped growing for `quietMs` (a server may still be writing buffered log lines). */
export async function waitForQuietLog(file: string, quietMs = 500, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  while (Date.now() < deadline) {
    const { size } = await stat(file);
    if (size === last) return;
    last = size;
    await sleep(quietMs);
  }
}
