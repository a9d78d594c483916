import type { Params } from 'nestjs-pino';
import type { EngineConfig } from '../config/engine-config.js';
import { CORRELATION_HEADER } from './correlation-id.js';

/**
 * Structured JSON logs. The correlation id is the request id; authorization headers and cookies are redacted;
 * request bodies (which carry patient data) are never logged.
 */
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
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}

/** Search terms in query strings may be a patient's name or ID digits: never log them. */
export function maskUrl(url: string): string {
  return url.replace(/([?&](?:q|idNumber|phone)=)[^&]*/g, '$1***');
}
