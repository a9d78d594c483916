import { randomBytes } from 'node:crypto';
import type { Role } from '../domain/shared/actor.js';
import { TEST_PASSWORD, type Institution, type SignedIn } from './fixtures.js';

/** One answer as a client saw it; `status` 0 = no HTTP answer at all (refused, reset, timed out). */
export interface HttpAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  correlationId: string | null;
  ms: number;
  error?: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A client never waits forever: a hung request is a finding (status 0, error "timeout"). */
  timeoutMs?: number;
}

/** A real HTTP client for an engine process on 127.0.0.1 (what a hospital system would be). */
export class EngineHttp {
  constructor(public baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
    const started = Date.now();
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (Prometheus text, say): kept as text
      }
      return { status: res.status, body, correlationId: res.headers.get('x-correlation-id'), ms: Date.now() - started };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const error = err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? err.message);
      return { status: 0, body: null, correlationId: null, ms: Date.now() - started, error };
    }
  }

  get = (path: string, token?: string, timeoutMs?: number) => this.request('GET', path, { token, timeoutMs });
  post = (path: string, token: string | undefined, body: unknown, headers?: Record<string, string>) => this.request('POST', path, { token, body, headers });

  /** `POST …/actions/:action` with the version the caller last read. */
  act(who: SignedIn, referral: { id: string; version: number }, action: string, payload: Record<string, unknown> = {}, headers?: Record<string, string>) {
    return this.post(`/api/v1/referrals/${referral.id}/actions/${action}`, who.token, { version: referral.version, ...payload }, headers);
  }
}

/** Insists on `status`; the error names the request and what came back. */
export function expectStatus(what: string, answer: HttpAnswer, status: number): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function signIn(http: EngineHttp, username: string, password: string): Promise<SignedIn> {
  const body = expectStatus(`login ${username}`, await http.post('/api/v1/auth/login', undefined, { username, password }), 200);
  return { token: body.accessToken, user: body.user };
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * The medical community of the fault tests, made through the API like fixtures.createCommunity: a county hospital
 * whose three staff receive every submission, and a township whose doctor writes the referrals and whose
 * coordinator hears every answer (so a submission has 3 inbox recipients, every answer 2).
 */
export interface FaultCommunity {
  admin: SignedIn;
  county: Institution;
  township: Institution;
  countyCoordinator: SignedIn;
  countyDoctors: SignedIn[];
  townshipDoctor: SignedIn;
  townshipCoordinator: SignedIn;
}

export async function createFaultCommunity(http: EngineHttp, admin: SignedIn): Promise<FaultCommunity> {
  const institution = async (level: Institution['level'], name: string): Promise<Institution> =>
    expectStatus('create institution', await http.post('/api/v1/institutions', admin.token, { code: unique(level), name, level }), 201);
  const user = async (role: Role, institutionId: string, displayName: string): Promise<SignedIn> => {
    const username = unique(role.replace('_', '.'));
    const body = { username, password: TEST_PASSWORD, displayName, role, institutionId };
    expectStatus('create user', await http.post('/api/v1/users', admin.token, body), 201);
    return signIn(http, username, TEST_PASSWORD);
  };
  const [county, township] = await Promise.all([institution('county', '县人民医院'), institution('township', '城关镇卫生院')]);
  const [countyCoordinator, d1, d2, townshipDoctor, townshipCoordinator] = await Promise.all([
    user('coordinator', county.id, '王协调员'),
    user('county_doctor', county.id, '李医生'),
    user('county_doctor', county.id, '赵医生'),
    user('township_doctor', township.id, '张医生'),
    user('coordinator', township.id, '陈协调员'),
  ]);
  return { admin, county, township, countyCoordinator, countyDoctors: [d1, d2], townshipDoctor, townshipCoordinator };
}
