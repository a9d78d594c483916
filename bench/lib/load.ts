import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Mean of the per-second request counts. */
  requestsPerSec: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  total: number;
  errors: number;
  non2xx: number;
}

/** One autocannon run (in this process, so the load generator shares the machine with the server under test). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({ url: options.url, connections: options.connections, duration: options.durationS, timeout: 10, headers: options.headers });
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result['2xx'] + result.non2xx,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
