/** PostgreSQL error classification, so services can turn constraint violations into domain errors. */
export const pgCode = (e: unknown): string | undefined =>
  (e as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (e as { code?: string })?.code;

export const pgConstraint = (e: unknown): string | undefined =>
  (e as { constraint?: string; driverError?: { constraint?: string } })?.driverError?.constraint ??
  (e as { constraint?: string })?.constraint;

export const isUniqueViolation = (e: unknown, constraint?: string) =>
  pgCode(e) === '23505' && (constraint === undefined || pgConstraint(e) === constraint);

export const isForeignKeyViolation = (e: unknown) => pgCode(e) === '23503';

/** Connection-level failures: the database is unreachable or restarting → 503, not 500. */
export function isDatabaseUnavailable(e: unknown): boolean {
  const code = pgCode(e);
  if (code && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300')) return true;
  const msg = (e as Error)?.message ?? '';
  return /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect|connect ETIMEDOUT|Client has encountered a connection error|Connection terminated unexpectedly/i.test(msg);
}
