/** Small descriptive statistics for benchmark samples. */

/** Nearest-rank percentile (p in 0..100) of the samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1];
}

/** The middle sample, or the mean of the two middle ones for an even count (two rounds: their mean). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

/** `1,234 ms`, or `1.23 ms` below 10 ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${formatInt(ms)} ms`;
}

/** autocannon reports whole milliseconds: no false decimals. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms === 0) return '<1 ms';
  return Number.isInteger(ms) ? `${ms} ms` : `${ms.toFixed(1)} ms`;
}

export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** `median (min–max)` of the samples, or the single value. */
export function formatSpread(samples: readonly number[], format: (n: number) => string = formatMs): string {
  if (samples.length === 0) return 'n/a';
  if (samples.length === 1) return format(samples[0]);
  return `${format(median(samples))} (${format(Math.min(...samples))}–${format(Math.max(...samples))})`;
}
