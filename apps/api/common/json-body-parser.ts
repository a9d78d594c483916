import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidField, type FieldProblem } from '../../../libs/domain/errors/domain-error.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;
const LARGE_BODY_ROUTES = [/^\/api\/v1\/catalogue\/import(?:\?|$)/];
/** No request of the contract nests deeper than a few levels; class-transformer recurses and overflows near 1,000. */
export const MAX_JSON_DEPTH = 64;
/** NUL (PostgreSQL text cannot hold it) and unpaired UTF-16 surrogates (not text at all; I-JSON, RFC 7493 §2.1). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

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
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        return done(fail(400, e instanceof RangeError ? 'The JSON body is nested too deeply.' : 'The body is not valid JSON.'));
      }
      const problem = bodyProblem(value);
      done(problem ? invalidField(problem.field, problem.message) : null, problem ? undefined : value);
    },
  );
}

/**
 * The first part of a parsed body no endpoint can take: nesting deeper than MAX_JSON_DEPTH, or a key or string
 * with NUL or an unpaired surrogate (JSON escapes can carry them; stored, they fail or are silently replaced).
 * Walks with its own stack, so a deep body cannot overflow it.
 */
export function bodyProblem(value: unknown): FieldProblem | undefined {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) return { field: path || 'body', message: 'text must not contain NUL characters or unpaired surrogates' };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { field: 'body', message: `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.` };
    for (const [key, child] of Object.entries(node)) {
      const childPath = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return { field: childPath, message: 'names must not contain NUL characters or unpaired surrogates' };
      stack.push([child, childPath, depth + 1]);
    }
  }
  return undefined;
}
