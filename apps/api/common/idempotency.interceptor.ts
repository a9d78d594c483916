import { createHash } from 'node:crypto';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { invalidField } from '../../../libs/domain/errors/domain-error.js';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { IdempotencyService } from '../../../libs/idempotency/idempotency.service.js';
import { requestKeyOf, type RequestContext, type RequestKey } from '../../../libs/idempotency/request-key.js';
import { toErrorResponse } from './error-response.js';

const KEY_FORMAT = /^[\x21-\x7E]{1,128}$/;

/** A stored error response sent again as it was (status and body, including the first correlation id). */
export class ReplayedResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('replayed response');
  }
}

type KeyedRequest = FastifyRequest & { requestKey?: RequestKey };

/** The request's correlation id, and its Idempotency-Key once the interceptor let it through, for the write path. */
export const requestContextOf = (request: FastifyRequest): RequestContext => ({ correlationId: request.id, requestKey: (request as KeyedRequest).requestKey });

/**
 * `Idempotency-Key` on writes that create or act: checked before anything else, fingerprinted by method, path
 * and body, scoped per user. The first response (status < 500) is stored and replayed for the same request.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const raw = request.headers['idempotency-key'];
    if (raw === undefined || !request.actor) return next.handle();
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY_FORMAT.test(key)) return throwError(() => invalidField('Idempotency-Key', 'Idempotency-Key must be 1-128 visible ASCII characters'));
    const userId = request.actor.id;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const successStatus =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? (request.method === 'POST' ? 201 : 200);

    return from(this.store.claim(userId, key, fingerprint)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'replay') {
          return claim.status >= 400 ? throwError(() => new ReplayedResponse(claim.status, claim.body)) : of(claim.body);
        }
        (request as KeyedRequest).requestKey = requestKeyOf(userId, key, claim.claimedAt, claim.takenOver);
        return next.handle().pipe(
          mergeMap((body) => from(this.store.complete(userId, key, successStatus, body)).pipe(mergeMap(() => of(body)))),
          catchError((error: unknown) => {
            const { status, body } = toErrorResponse(error);
            const stored = { ...body, correlationId: request.id };
            return from(this.store.complete(userId, key, status, stored)).pipe(mergeMap(() => throwError(() => error)));
          }),
        );
      }),
    );
  }
}
