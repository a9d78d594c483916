import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<raw body>" with the secret, prefixed sha256=', () => {
    const body = '{"id":"d1","event":"referral.submitted"}';
    const expected = createHmac('sha256', 'whsec').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('whsec', 1700000000, body)).toBe(`sha256=${expected}`);
  });

  it('verifies its own signatures and refuses any change of secret, timestamp or body (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.string(), fc.string({ minLength: 1 }), (secret, ts, body, extra) => {
        const sig = signWebhook(secret, ts, body);
        expect(verifyWebhookSignature(secret, String(ts), body, sig)).toBe(true);
        expect(verifyWebhookSignature(secret + extra, String(ts), body, sig)).toBe(false);
        expect(verifyWebhookSignature(secret, String(ts + 1), body, sig)).toBe(false);
        expect(verifyWebhookSignature(secret, String(ts), body + extra, sig)).toBe(false);
      }),
    );
  });

  it('signs raw bytes: the same text as a Buffer gives the same signature', () => {
    const body = '{"patient":{"name":"王建国"}}';
    expect(signWebhook('k', 1, Buffer.from(body, 'utf8'))).toBe(signWebhook('k', 1, body));
  });
});
