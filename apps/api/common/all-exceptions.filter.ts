import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

/** The one exception filter: every error leaves as `{ code, message, details?, correlationId }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, unexpected } = toErrorResponse(exception);
    if (unexpected) {
      // Logged with the correlation id only: no request body, so no patient data reaches the log.
      this.logger.error({ err: exception, correlationId: request.id, route: request.routeOptions?.url }, 'unhandled error');
    }
    const replay = (exception as { replayBody?: unknown })?.replayBody;
    void reply
      .status(status)
      .header('X-Correlation-Id', request.id)
      .send(replay ?? { ...body, correlationId: request.id });
  }
}
