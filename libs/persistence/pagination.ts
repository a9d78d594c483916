import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError, invalidField } from '../domain/errors/domain-error.js';

/** A page of a collection, as every list endpoint of the contract answers. */
export interface Page<T> { items: T[]; nextCursor: string | null }

export interface PageRequest { limit: number; cursor?: string }

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `?limit=` per the contract: an integer 1–100, default 20; anything else → 400. */
export function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw)) throw invalidField('limit', 'limit must be an integer from 1 to 100');
  const n = Number(raw);
  if (n < 1 || n > MAX_LIMIT) throw invalidField('limit', 'limit must be an integer from 1 to 100');
  return n;
}

/**
 * Opaque keyset cursors: the last row's sort key, signed, so a cursor the server did not issue is refused (400)
 * rather than turned into a query. The scope string binds a cursor to one list (and its filters).
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(scope: string, key: unknown[]): string {
    const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
    return `${payload}.${this.sign(scope, payload)}`;
  }

  decode(scope: string, cursor: string | undefined): unknown[] | undefined {
    if (cursor === undefined || cursor === '') return undefined;
    const bad = () => invalidField('cursor', 'cursor is not valid for this list');
    if (typeof cursor !== 'string' || cursor.length > 1024) throw bad();
    const [payload, sig, extra] = cursor.split('.');
    if (!payload || !sig || extra !== undefined) throw bad();
    const expected = Buffer.from(this.sign(scope, payload));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
    try {
      const key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (!Array.isArray(key)) throw bad();
      return key;
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw bad();
    }
  }

  /** Builds a page from rows fetched with `limit + 1`. */
  page<R, T>(scope: string, rows: R[], limit: number, keyOf: (row: R) => unknown[], map: (row: R) => T): Page<T> {
    const more = rows.length > limit;
    const slice = more ? rows.slice(0, limit) : rows;
    return { items: slice.map(map), nextCursor: more ? this.encode(scope, keyOf(slice[slice.length - 1])) : null };
  }

  private sign(scope: string, payload: string): string {
    return createHmac('sha256', this.secret).update(`${scope}\n${payload}`).digest('base64url').slice(0, 22);
  }
}
