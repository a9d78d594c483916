import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { EngineConfig } from '../config/engine-config.js';
import { CORRELATION_HEADER } from './correlation-id.js';

/**
 * Structured JSON logs. The correlation id is the request id; authorization headers and cookies are redacted;
 * request bodies (which carry patient data) are never logged.
 */
/** Served outside the API's global prefix (see apps/api/bootstrap.ts). */
export const OPERATIONS_PATHS = ['health', 'health/ready', 'metrics'];

export function loggerOptions(config: EngineConfig): Params {
  return {
    pinoHttp: {
      level: config.log.level,
      genReqId: (req) => String(req.headers[CORRELATION_HEADER] ?? ''),
      customProps: (req) => ({ correlationId: req.headers[CORRELATION_HEADER] }),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskUrl(req.url) }),
      },
    },
    // Only the API's own routes (under the global prefix): the operations endpoints (/health, /health/ready,
    // /metrics), which probes and scrapers call every few seconds, are not logged. nestjs-pino's default would
    // also mount the middleware on the prefix's excluded paths, a second time, so each probe was logged twice;
    // and pino-http's autoLogging.ignore cannot tell them apart, since middie strips the mount path from req.url.
    forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
    exclude: OPERATIONS_PATHS.map((path) => ({ path, method: RequestMethod.ALL })),
  };
}

/** Search terms in query strings may be a patient's name or ID digits: never log them. */
export function maskUrl(url: string): string {
  return url.replace(/([?&](?:q|idNumber|phone)=)[^&]*/g, '$1***');
}
