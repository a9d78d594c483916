import { performance } from 'node:perf_hooks';

/** A small HTTP client for the engine's API, timing every call (keep-alive via Node's fetch). */
export class EngineClient {
  readonly latencies: number[] = [];
  errors = 0;

  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, token: string | undefined, body?: unknown, expect = [200, 201]): Promise<T> {
    const t0 = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    this.latencies.push(performance.now() - t0);
    if (!expect.includes(response.status)) {
      this.errors++;
      throw new Error(`${method} ${path} → ${response.status} ${text.slice(0, 300)}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.call<{ accessToken: string }>('POST', '/api/v1/auth/login', undefined, { username, password });
    return res.accessToken;
  }
}
