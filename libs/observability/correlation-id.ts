import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's request-id generator: the caller's X-Correlation-Id when it is well-formed, else a new one.
 * Writes the choice back onto the raw headers so the HTTP logger (pino-http) logs the same id.
 */
export function correlationIdOf(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && VALID.test(given) ? given : randomUUID();
  req.headers[CORRELATION_HEADER] = id;
  return id;
}
