import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';
import { ReplayedResponse } from './idempotency.interceptor.js';

/** The one exception filter: every error leaves as `{ code, message, details?, correlationId }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof ReplayedResponse) {
      void reply.status(exception.status).header('X-Correlation-Id', request.id).send(exception.body);
      return;
    }
    const { status, body, unexpected } = toErrorResponse(exception);
    if (unexpected) {
      // Logged with the correlation id only: no request body, so no patient data reaches the log.
      this.logger.error({ err: safeError(exception), correlationId: request.id, route: request.routeOptions?.url }, 'unhandled error');
    }
    void reply.status(status).header('X-Correlation-Id', request.id).send({ ...body, correlationId: request.id });
  }
}

/**
 * What of an unexpected error may reach the log: never TypeORM's query parameters or PostgreSQL's DETAIL, which
 * carry patient identifiers (a duplicate key's detail names the resident ID).
 */
export function safeError(e: unknown): Record<string, unknown> {
  const err = e as { name?: string; message?: string; code?: string; constraint?: string; stack?: string; driverError?: { code?: string; constraint?: string } };
  return {
    name: err?.name,
    code: err?.driverError?.code ?? err?.code,
    constraint: err?.driverError?.constraint ?? err?.constraint,
    message: err?.message?.slice(0, 500),
    stack: err?.stack?.split('\n').slice(1, 8).join('\n'),
  };
}
