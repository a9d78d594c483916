import { expect, jest } from '@jest/globals';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { ERROR_STATUS } from '../domain/errors/domain-error.js';
import type { TestApp } from './test-app.js';

// fastify's inject() loads light-my-request, whose cookie helper requires the ESM-only `cookie` package; Jest's
// CommonJS loader cannot require ESM on Node 20. The fuzz requests never use cookies, so a stub is enough.
jest.mock('cookie', () => ({ stringifySetCookie: () => '' }));

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FuzzRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as it is (malformed JSON, deep nesting); anything else is JSON-encoded. */
  body?: unknown;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;
const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const ERROR_KEYS = new Set(['code', 'message', 'details', 'correlationId']);

/** What a failing assertion shows of the request: enough to reproduce it, never megabytes of it. */
export function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : typeof req.body === 'string' ? req.body : safeStringify(req.body);
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k, k === 'authorization' ? clip(v, 40) : clip(v, 80)]));
  return `${req.method} ${clip(req.url, 300)} headers=${JSON.stringify(headers)} body=${JSON.stringify(clip(body, 300))}`;
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'undefined';
  } catch {
    return String(v);
  }
}

/**
 * Sends requests in-process through fastify's inject (no sockets; ~10× supertest) and checks every answer
 * against the contract's general rules: never 5xx, the error shape for ≥ 400 with a code that matches the
 * status, and the X-Correlation-Id echo.
 */
export class FuzzClient {
  /** Requests sent so far (the suite proves its volume with it). */
  count = 0;
  private seq = 0;

  constructor(private readonly t: TestApp) {}

  async send(req: FuzzRequest): Promise<FuzzResponse> {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'x-correlation-id')) headers['x-correlation-id'] = `fuzz-${++this.seq}`;
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const fastify = this.t.app.getHttpAdapter().getInstance();
    const res = await fastify.inject({ method: req.method, url: req.url, headers, payload });
    this.count++;
    let body: unknown = undefined;
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const out: FuzzResponse = { status: res.statusCode, headers: res.headers as Record<string, unknown>, text: res.body, body };
    assertContract({ ...req, headers }, out);
    return out;
  }
}

/** The contract's rules for every response, whatever was sent. */
export function assertContract(req: FuzzRequest, res: FuzzResponse): void {
  const where = () => `${describeRequest(req)}\n→ ${res.status} ${res.text.slice(0, 500)}`;
  const given = Object.entries(req.headers ?? {}).find(([h]) => h.toLowerCase() === 'x-correlation-id')?.[1];
  const echoed = res.headers['x-correlation-id'];
  if (res.status >= 500) throw new Error(`5xx answer (never allowed for client input):\n${where()}`);
  if (typeof echoed !== 'string' || !CORRELATION.test(echoed)) throw new Error(`missing or malformed X-Correlation-Id ${String(echoed)}:\n${where()}`);
  if (given !== undefined && CORRELATION.test(given) && echoed !== given) throw new Error(`X-Correlation-Id ${given} not echoed (got ${echoed}):\n${where()}`);
  if (given !== undefined && !CORRELATION.test(given) && echoed === given) throw new Error(`an invalid X-Correlation-Id was echoed:\n${where()}`);
  if (res.status < 400) return;
  const body = res.body as Record<string, unknown> | undefined;
  const problem = errorShapeProblem(body, res.status, echoed);
  if (problem) throw new Error(`error body breaks the contract (${problem}):\n${where()}`);
}

function errorShapeProblem(body: Record<string, unknown> | undefined, status: number, correlationId: string): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  const extra = Object.keys(body).filter((k) => !ERROR_KEYS.has(k));
  if (extra.length) return `unexpected keys ${extra.join(', ')}`;
  if (typeof body.code !== 'string' || !UPPER_SNAKE.test(body.code)) return `code ${String(body.code)} is not UPPER_SNAKE`;
  const expected = (ERROR_STATUS as Record<string, number>)[body.code];
  if (expected === undefined) return `code ${body.code} is not a contract code`;
  if (expected !== status) return `code ${body.code} belongs with ${expected}, not ${status}`;
  if (typeof body.message !== 'string' || body.message === '') return 'message is not a non-empty string';
  if (body.correlationId !== correlationId) return `correlationId ${String(body.correlationId)} differs from the header ${correlationId}`;
  if ('details' in body && (typeof body.details !== 'object' || body.details === null || Array.isArray(body.details))) return 'details is not an object';
  if (body.code === 'VALIDATION_FAILED') {
    const fields = (body.details as { fields?: unknown } | undefined)?.fields;
    if (!Array.isArray(fields) || fields.length === 0) return 'VALIDATION_FAILED without details.fields';
    if (!fields.every((f) => f && typeof f.field === 'string' && typeof f.message === 'string')) return 'details.fields items are not { field, message }';
  }
  return undefined;
}

/** A list answer: `{ items: [...], nextCursor: string | null }`, never a bare array. */
export function expectPage(res: FuzzResponse): void {
  expect(res.status).toBe(200);
  expect(Array.isArray(res.body?.items)).toBe(true);
  expect(res.body.nextCursor === null || typeof res.body.nextCursor === 'string').toBe(true);
}

export function expectError(res: FuzzResponse, status: number, code?: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code: code ?? res.body?.code });
}

// ---- "nothing was written" ---------------------------------------------------------------------------------------

export type DbSnapshot = Record<string, { rows: number; digest: string }>;

/**
 * Every table of the public schema: its row count and a digest of its whole content, so an UPDATE that a refused
 * request should never have made shows up as well as an INSERT or DELETE.
 */
export async function snapshotDatabase(ds: DataSource): Promise<DbSnapshot> {
  const tables: { tablename: string }[] = await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const parts = tables.map(
    ({ tablename }, i) =>
      `SELECT ${i} AS i, count(*)::int AS rows, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS digest FROM public."${tablename}" t`,
  );
  const rows: { i: number; rows: number; digest: string }[] = await ds.query(parts.join(' UNION ALL '));
  const out: DbSnapshot = {};
  for (const r of rows) out[tables[r.i].tablename] = { rows: r.rows, digest: r.digest };
  return out;
}

/** Fails naming every table that changed, except those the batch may legitimately touch (e.g. login_failures). */
export function expectUnchanged(before: DbSnapshot, after: DbSnapshot, except: string[] = []): void {
  const changed = Object.keys({ ...before, ...after }).filter(
    (t) => !except.includes(t) && (before[t]?.rows !== after[t]?.rows || before[t]?.digest !== after[t]?.digest),
  );
  expect(changed.map((t) => `${t}: ${before[t]?.rows} → ${after[t]?.rows} rows${before[t]?.rows === after[t]?.rows ? ' (content changed)' : ''}`)).toEqual([]);
}

/** Runs `batch` and insists the database is exactly as it was afterwards. */
export async function expectNothingWritten(ds: DataSource, batch: () => Promise<void>, except: string[] = []): Promise<void> {
  const before = await snapshotDatabase(ds);
  await batch();
  expectUnchanged(before, await snapshotDatabase(ds), except);
}

// ---- properties with fixed seeds -----------------------------------------------------------------------------------

/**
 * fc.assert with a fixed seed (FUZZ_SEED overrides it, to explore) and the seed printed on failure, so any
 * failure reproduces with `FUZZ_SEED=<seed> npm test -- test/fuzz/<file>`.
 */
export async function checkProperty<T>(name: string, arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>, options: { seed: number; numRuns: number }): Promise<void> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : options.seed;
  try {
    await fc.assert(fc.asyncProperty(arb, run), { seed, numRuns: options.numRuns, endOnFailure: true, includeErrorInReport: true });
  } catch (e) {
    const message = `[fuzz] property "${name}" failed with seed ${seed} (reproduce: FUZZ_SEED=${seed})\n${(e as Error).message}`;
    console.error(message.slice(0, 4000));
    throw Object.assign(new Error(message), { stack: (e as Error).stack });
  }
}

// ---- the endpoints, from the OpenAPI document --------------------------------------------------------------------

export interface Endpoint {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/api/v1/referrals/{id}`. */
  path: string;
  pathParams: string[];
  queryParams: { name: string; required: boolean; enum?: string[] }[];
  /** Declared in the OpenAPI document (ops endpoints are not). */
  documented: boolean;
}

/** Operations endpoints: no auth, not in the OpenAPI document. */
export const OPS_ENDPOINTS: Endpoint[] = ['/health', '/health/ready', '/metrics'].map((path) => ({
  method: 'GET',
  path,
  pathParams: [],
  queryParams: [],
  documented: false,
}));

/** Endpoints that need no token (the contract: sign-in and the operations endpoints). */
export const isPublic = (e: Pick<Endpoint, 'method' | 'path'>) =>
  (e.method === 'POST' && e.path === '/api/v1/auth/login') || OPS_ENDPOINTS.some((o) => o.path === e.path);

/** Every operation the running app documents at /docs-json, so endpoints added later are fuzzed too. */
export async function discoverEndpoints(client: FuzzClient): Promise<Endpoint[]> {
  const res = await client.send({ method: 'GET', url: '/docs-json' });
  expect(res.status).toBe(200);
  const out: Endpoint[] = [];
  type Parameter = { in: string; name: string; required?: boolean; schema?: { enum?: unknown[] } };
  for (const [path, operations] of Object.entries<Record<string, { parameters?: Parameter[] }>>(res.body.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      out.push({
        method: method.toUpperCase() as HttpMethod,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required === true, ...(p.schema?.enum ? { enum: p.schema.enum.map(String) } : {}) })),
        documented: true,
      });
    }
  }
  return out;
}

/** Fills `{name}` segments; values are percent-encoded unless `raw` (to send malformed encodings on purpose). */
export function fillPath(template: string, values: Record<string, string>, raw = false): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = values[name] ?? `missing-${name}`;
    return raw ? v : percentEncode(v);
  });
}

/**
 * encodeURIComponent, except that it never throws: a lone surrogate is sent as its (invalid) UTF-8 bytes, which a
 * hostile client can do as easily as anything else.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

export function queryString(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v as string)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
