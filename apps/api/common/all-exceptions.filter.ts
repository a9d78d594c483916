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
      this.logger.error({ err: exception, correlationId: request.id, route: request.routeOptions?.url }, 'unhandled error');
    }
    void reply.status(status).header('X-Correlation-Id', request.id).send({ ...body, correlationId: request.id });
  }
}
