/** Stable error codes of the HTTP contract; the one exception filter maps them to statuses. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  VERSION_CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  DUPLICATE_OPEN_REFERRAL: 409,
  PAYLOAD_TOO_LARGE: 413,
  GATE_NOT_SATISFIED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem { field: string; message: string }

/** Every rule violation the domain or application layer reports. Never an HTTP exception. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const validationFailed = (fields: FieldProblem[], message = 'The request is not valid.', extra?: Record<string, unknown>) =>
  new DomainError('VALIDATION_FAILED', message, { fields, ...extra });

export const invalidField = (field: string, message: string) => validationFailed([{ field, message }], message);

export const notFound = (what = 'Resource') => new DomainError('NOT_FOUND', `${what} not found.`);

export const forbidden = (message = 'You are not allowed to do this.') => new DomainError('FORBIDDEN', message);

export const unauthenticated = (message = 'Authentication required.') => new DomainError('UNAUTHENTICATED', message);

export const alreadyExists = (message: string, details?: Record<string, unknown>) =>
  new DomainError('ALREADY_EXISTS', message, details);
