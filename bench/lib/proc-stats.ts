import { readFile } from 'node:fs/promises';

/** Resident set size of a process in bytes (Linux /proc), or NaN when unknown. */
export async function residentBytes(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? Number.NaN : Number(kib) * 1024;
  } catch {
    return Number.NaN;
  }
}
