import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, type SignedIn } from '../../../libs/testing/fixtures.js';
import type { TestApp } from '../../../libs/testing/test-app.js';

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  at: number;
}

/** A local webhook receiver on 127.0.0.1 answering with `statuses` in turn (the last one repeats). */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;

  constructor(private readonly statuses: number[] = [200]) {}

  get url(): string {
    const port = (this.server!.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}/hook`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const n = this.requests.length;
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks), at: Date.now() });
        const status = this.statuses[Math.min(n, this.statuses.length - 1)];
        if (status >= 300 && status < 400) res.setHeader('Location', 'http://127.0.0.1:1/elsewhere');
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(String(status));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  bodies(): Record<string, any>[] {
    return this.requests.map((r) => JSON.parse(r.raw.toString('utf8')));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export async function subscribe(t: TestApp, admin: SignedIn, body: Record<string, unknown>): Promise<{ id: string; url: string; events: string[]; institutionId: string | null }> {
  const res = await t.http.post('/api/v1/webhooks').set(bearer(admin)).send(body);
  if (res.status !== 201) throw new Error(`webhook subscription failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function inbox(t: TestApp, who: SignedIn, query = ''): Promise<{ id: string; referralId: string; event: string; title: string; body: string; createdAt: string; readAt: string | null }[]> {
  const res = await t.http.get(`/api/v1/inbox${query}`).set(bearer(who));
  if (res.status !== 200) throw new Error(`inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

/** Inbox entries of one user about one referral and event, read straight from the database. */
export async function inboxRows(t: TestApp, referralId: string, event?: string): Promise<{ user_id: string; state: string; event: string }[]> {
  return t.dataSource.query(
    `SELECT user_id, state, event FROM notifications WHERE referral_id = $1 AND channel = 'inbox' ${event ? 'AND event = $2' : ''} ORDER BY user_id`,
    event ? [referralId, event] : [referralId],
  );
}

export async function deliveries(t: TestApp, admin: SignedIn, webhookId: string) {
  const res = await t.http.get(`/api/v1/webhooks/${webhookId}/deliveries`).set(bearer(admin));
  if (res.status !== 200) throw new Error(`deliveries failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items as { id: string; event: string; referralId: string; state: string; attempts: { at: string; httpStatus: number | null; error: string | null }[] }[];
}

/** The outbox events of one referral, oldest first. */
export const outboxIds = async (t: TestApp, referralId: string): Promise<string[]> =>
  (await t.dataSource.query(`SELECT id FROM outbox_events WHERE referral_id = $1 ORDER BY created_at`, [referralId])).map((r: { id: string }) => r.id);

/** (event, channel, recipient) keys among `ids`' notifications that have more than one row: exactly once means 0. */
export const duplicates = async (t: TestApp, ids: string[]): Promise<number> =>
  (
    await t.dataSource.query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM notifications WHERE outbox_event_id = ANY($1::uuid[])
          GROUP BY outbox_event_id, channel, coalesce(user_id, webhook_id) HAVING count(*) > 1) d`,
      [ids],
    )
  )[0].n;
