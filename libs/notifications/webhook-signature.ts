import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Referral-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body bytes>" with the secret>`. Signing the
 * timestamp with the body lets receivers refuse replays of an old delivery.
 */
export function signWebhook(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  return `sha256=${mac.digest('hex')}`;
}

/** What a receiver does: recompute and compare in constant time. */
export function verifyWebhookSignature(secret: string, timestamp: string, rawBody: string | Buffer, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
