import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { judgeAttempt, maxRetryDelayMs, WEBHOOK_RETRY, webhookUrlProblem } from './webhook-policy.js';

describe('webhook target URLs', () => {
  it('allows loopback receivers outside production even when no host is configured', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/x', 'http://[::1]:9000/']) {
      expect(webhookUrlProblem(url, [], false)).toBeNull();
      expect(webhookUrlProblem(url, [], true)).toMatch(/not allowed/);
    }
  });

  it('allows configured hosts, host:port entries and *.suffix wildcards, case-insensitively', () => {
    const allowed = ['hooks.example.com', 'his.local:8443', '*.county.gov.cn'];
    expect(webhookUrlProblem('https://HOOKS.example.com/a', allowed, true)).toBeNull();
    expect(webhookUrlProblem('https://his.local:8443/a', allowed, true)).toBeNull();
    expect(webhookUrlProblem('https://his.local:9999/a', allowed, true)).toMatch(/not allowed/);
    expect(webhookUrlProblem('https://emr.county.gov.cn/a', allowed, true)).toBeNull();
    expect(webhookUrlProblem('https://county.gov.cn/a', allowed, true)).toMatch(/not allowed/);
    expect(webhookUrlProblem('https://evilcounty.gov.cn/a', allowed, true)).toMatch(/not allowed/);
    expect(webhookUrlProblem('https://example.com/a', allowed, false)).toMatch(/not allowed/);
  });

  it('refuses other schemes and garbage', () => {
    expect(webhookUrlProblem('ftp://127.0.0.1/x', [], false)).toMatch(/http or https/);
    expect(webhookUrlProblem('file:///etc/passwd', [], false)).toMatch(/http or https/);
    expect(webhookUrlProblem('not a url', [], false)).toMatch(/absolute/);
  });
});

describe('webhook attempt verdicts', () => {
  it('delivers on 2xx, retries on timeouts, network errors, 5xx, 408 and 429, gives up on redirects and other 4xx', () => {
    expect(judgeAttempt({ httpStatus: 200 })).toBe('delivered');
    expect(judgeAttempt({ httpStatus: 204 })).toBe('delivered');
    expect(judgeAttempt({ failure: 'timeout' })).toBe('retry');
    expect(judgeAttempt({ failure: 'network' })).toBe('retry');
    for (const s of [408, 429, 500, 502, 503]) expect(judgeAttempt({ httpStatus: s })).toBe('retry');
    for (const s of [301, 302, 307, 400, 401, 403, 404, 410, 422]) expect(judgeAttempt({ httpStatus: s })).toBe('permanent');
  });

  it('classifies every status into exactly one verdict consistent with its class (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), (s) => {
        const v = judgeAttempt({ httpStatus: s });
        if (s < 300) expect(v).toBe('delivered');
        else if (s >= 500 || s === 408 || s === 429) expect(v).toBe('retry');
        else expect(v).toBe('permanent');
      }),
    );
  });

  it('retries at least 5 times in all, the first retry within 10 s', () => {
    expect(WEBHOOK_RETRY.attempts).toBeGreaterThanOrEqual(5);
    expect(maxRetryDelayMs(1)).toBeLessThanOrEqual(10_000);
  });
});
