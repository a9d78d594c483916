import { HttpException } from '@nestjs/common';
import { DomainError, ERROR_STATUS, type ErrorCode } from '../../../libs/domain/errors/domain-error.js';
import { isDatabaseUnavailable, pgCode } from '../../../libs/persistence/pg-errors.js';

export interface ErrorBody { code: ErrorCode; message: string; details?: Record<string, unknown> }
export interface ErrorResponse { status: number; body: ErrorBody; unexpected: boolean }

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** character_not_in_repertoire (NUL in text), untranslatable_character (\u0000 in jsonb). */
const UNSTORABLE_TEXT = ['22021', '22P05'];

/**
 * Maps anything thrown to the contract's error body. The one place that knows statuses:
 * the exception filter and the idempotency store both use it, so a replay is byte-for-byte the first answer.
 */
export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof DomainError) {
    return { status: exception.status, body: withDetails(exception.code, exception.message, exception.details), unexpected: false };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    if (code === 'NOT_FOUND') return { status: 404, body: { code, message: 'Not found.' }, unexpected: false };
    const message = status >= 500 ? 'The service is unavailable.' : exception.message;
    if (code === 'VALIDATION_FAILED') {
      // e.g. 415 for a body that is not JSON: the contract knows it as a 400 that names what was wrong.
      const field = status === 415 ? 'Content-Type' : 'request';
      return { status: ERROR_STATUS[code], body: withDetails(code, message, { fields: [{ field, message }] }), unexpected: false };
    }
    // The status always matches the code (405 → 404 NOT_FOUND above, 502 → 500 INTERNAL).
    return { status: ERROR_STATUS[code], body: { code, message }, unexpected: status >= 500 && status !== 503 };
  }
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    if (status === 413) return { status, body: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' }, unexpected: false };
    const code = STATUS_CODES[status] ?? 'VALIDATION_FAILED';
    const httpStatus = ERROR_STATUS[code];
    if (code === 'VALIDATION_FAILED') {
      return { status: httpStatus, body: withDetails(code, 'The request body could not be read.', { fields: [{ field: 'body', message: fastifyError.message ?? 'invalid body' }] }), unexpected: false };
    }
    return { status: httpStatus, body: { code, message: fastifyError.message ?? 'Bad request.' }, unexpected: false };
  }
  if (UNSTORABLE_TEXT.includes(pgCode(exception) ?? '')) {
    // Text from the URL that PostgreSQL cannot hold (NUL): the client's doing, and nothing was written.
    const message = 'The request contains text that cannot be stored (a NUL character).';
    return { status: 400, body: withDetails('VALIDATION_FAILED', message, { fields: [{ field: 'request', message }] }), unexpected: false };
  }
  if (isDatabaseUnavailable(exception)) {
    return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable; try again shortly.' }, unexpected: false };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'An unexpected error occurred.' }, unexpected: true };
}

function withDetails(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return details === undefined ? { code, message } : { code, message, details };
}
