import type { FastifyInstance, FastifyRequest } from 'fastify';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;
const LARGE_BODY_ROUTES = [/^\/api\/v1\/catalogue\/import(?:\?|$)/];

const fail = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

/**
 * JSON bodies: 1 MiB, 20 MiB for the catalogue import (the contract's limits), and a malformed body is a 400
 * that names `body`. An empty body reads as `{}` so body-less actions need no special casing.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT },
    (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      const limit = LARGE_BODY_ROUTES.some((r) => r.test(request.url)) ? IMPORT_BODY_LIMIT : DEFAULT_BODY_LIMIT;
      if (Buffer.byteLength(text) > limit) return done(fail(413, 'The request body is too large.'));
      if (text.trim() === '') return done(null, {});
      try {
        done(null, JSON.parse(text));
      } catch (e) {
        done(fail(400, e instanceof RangeError ? 'The JSON body is nested too deeply.' : 'The body is not valid JSON.'));
      }
    },
  );
}
