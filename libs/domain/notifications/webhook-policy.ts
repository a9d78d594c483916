/**
 * Webhook rules that need no I/O: which target URLs are allowed, and what an attempt's result means for retries.
 */

/** Hosts every non-production engine may call, so a developer can point a webhook at a local receiver. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

/**
 * Why `raw` may not be a webhook target, or null when it may: http(s) only, and the host must be listed in
 * WEBHOOK_ALLOWED_HOSTS (exact host, `host:port`, or `*.suffix` for subdomains) or, outside production, be a
 * loopback host.
 */
export function webhookUrlProblem(raw: string, allowedHosts: readonly string[], production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must use http or https';
  const hostname = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (!hostname) return 'url must name a host';
  const host = url.port ? `${hostname}:${url.port}` : hostname;
  const listed = allowedHosts.some((entry) => {
    const e = entry.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!e) return false;
    if (e.startsWith('*.')) return hostname.endsWith(e.slice(1)) && hostname.length > e.length - 1;
    return e === hostname || e === host;
  });
  if (listed) return null;
  if (!production && (LOOPBACK_HOSTS as readonly string[]).includes(hostname)) return null;
  return `the host ${hostname} is not allowed for webhooks (WEBHOOK_ALLOWED_HOSTS)`;
}

/** One attempt's raw result: an HTTP status, or a transport failure. */
export type AttemptResult = { httpStatus: number } | { failure: 'timeout' | 'network' };

export type AttemptVerdict = 'delivered' | 'retry' | 'permanent';

/**
 * 2xx is delivered. Timeouts, network errors, 5xx, 408 and 429 may heal: retry. Redirects are not followed and
 * other 4xx will not change by asking again: permanent.
 */
export function judgeAttempt(result: AttemptResult): AttemptVerdict {
  if ('failure' in result) return 'retry';
  const s = result.httpStatus;
  if (s >= 200 && s < 300) return 'delivered';
  if (s === 408 || s === 429 || s >= 500) return 'retry';
  return 'permanent';
}

/**
 * Retry schedule: exponential from 2 s with up to 50 % jitter (first retry after 1–2 s), 10 attempts in all,
 * about 17 minutes from the first attempt to the last.
 */
export const WEBHOOK_RETRY = { attempts: 10, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } } as const;

/** The longest wait before retry `n` (1-based: the wait after the n-th failed attempt). */
export const maxRetryDelayMs = (n: number): number => Math.round(2 ** (n - 1) * WEBHOOK_RETRY.backoff.delay);
