import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A small HTTP client for the engine's API, timing every call. Plain `node:http` on a keep-alive agent rather than
 * `fetch`: the load generator shares the machine's 2 cores with what it measures, and fetch's streams and header
 * objects cost it about twice the CPU per request (the referrals section's client used 0.75 ms per transition).
 */
export class EngineClient {
  readonly latencies: number[] = [];
  errors = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly url: URL;

  constructor(readonly baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  async call<T = any>(method: string, path: string, token: string | undefined, body?: unknown, expect = [200, 201]): Promise<T> {
    const t0 = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { status, text } = await this.send(method, path, token, payload);
    this.latencies.push(performance.now() - t0);
    if (!expect.includes(status)) {
      this.errors++;
      throw new Error(`${method} ${path} → ${status} ${text.slice(0, 300)}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.call<{ accessToken: string }>('POST', '/api/v1/auth/login', undefined, { username, password });
    return res.accessToken;
  }

  /** Closes the kept-alive connections (the process can then exit without waiting for them to time out). */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, token: string | undefined, payload: string | undefined): Promise<{ status: number; text: string }> {
    const headers: Record<string, string | number> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
