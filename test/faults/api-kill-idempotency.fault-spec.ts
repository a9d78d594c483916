import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { residentIdFor } from '../../libs/testing/care-loop-load.js';
import { waitUntil } from '../../libs/testing/child-processes.js';
import { createFaultCommunity, expectStatus } from '../../libs/testing/engine-http.js';
import { expectConsistent, faultSummary, waitForDelivery } from '../../libs/testing/fault-invariants.js';
import { FaultStack, faultsUnavailable } from '../../libs/testing/fault-stack.js';
import { patient, upReferral } from '../../libs/testing/referral-builders.js';

const unavailable = faultsUnavailable();
if (unavailable) console.warn(`[faults] API SIGKILL skipped: ${unavailable}`);

/**
 * A session of the test's own that holds a row lock, so the API's request stops exactly where the test wants. FOR NO
 * KEY UPDATE, the lock an UPDATE of the row takes: the worker's inserts that only reference the row (foreign keys
 * take KEY SHARE) pass.
 */
async function lockRow(url: string, sql: string, params: unknown[]): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
  await client.query('BEGIN');
  const locked = await client.query(sql, params);
  if (locked.rowCount !== 1) throw new Error(`lockRow: ${sql} locked ${locked.rowCount} rows`);
  return {
    pid: rows[0].pid,
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

(unavailable ? describe.skip : describe)('fault: the API is SIGKILLed in the middle of a request with an Idempotency-Key', () => {
  let stack: FaultStack | undefined;
  const locks: { release(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(locks.map((l) => l.release().catch(() => undefined)));
    await stack?.close();
  });

  it(
    'a retry with the same key after the restart: the action happens exactly once, and the retry gets an answer',
    async () => {
      stack = await FaultStack.create();
      const sql = stack.sql;
      const [api] = await Promise.all([stack.startApi(), stack.startWorker()]);
      const c = await createFaultCommunity(api.http, await stack.signInAdmin(api.http));
      const create = async (n: number) =>
        expectStatus('create', await api.http.post('/api/v1/referrals', c.townshipDoctor.token, upReferral(c, { patient: patient({ idNumber: residentIdFor(n) }) })), 201);
      // A: killed before its transaction commits. B: killed after the commit, before the response is stored.
      const [a, b] = await Promise.all([create(1), create(2)]);
      const accept = { department: '心内科', appointmentAt: '2030-01-02T09:00:00+08:00' };
      // The same request each time (the key's fingerprint is method, path and body); patient enough for a lease.
      const send = (r: { id: string }, key: string) =>
        api.http.request('POST', `/api/v1/referrals/${r.id}/actions/accept`, {
          token: c.countyCoordinator.token,
          body: { version: 1, ...accept },
          headers: { 'Idempotency-Key': key },
          timeoutMs: 45_000,
        });
      const blockedBy = async (pid: number): Promise<number[]> =>
        (await sql.query(`SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid])).rows.map((r) => r.pid);

      const lockA = await lockRow(stack.databaseUrl, 'SELECT 1 FROM referrals WHERE id = $1 FOR NO KEY UPDATE', [a.id]);
      const lockB = await lockRow(stack.databaseUrl, 'SELECT 1 FROM referrals WHERE id = $1 FOR NO KEY UPDATE', [b.id]);
      locks.push(lockA, lockB);
      const firstA = send(a, 'fault-key-a');
      const firstB = send(b, 'fault-key-b');
      // Both requests own their keys and wait at the referral's UPDATE (an answer before the kill is a failure).
      const early = Promise.race([firstA, firstB]).then((answer) => {
        throw new Error(`a request answered before the kill: ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`);
      });
      early.catch(() => undefined);
      await Promise.race([early, waitUntil('both actions to wait at the UPDATE', async () => (await blockedBy(lockA.pid)).length === 1 && (await blockedBy(lockB.pid)).length === 1, 15_000)]);
      // B may commit, but storing its response must wait: hold its idempotency row, then let its transaction go.
      const keyB = await lockRow(stack.databaseUrl, `SELECT 1 FROM idempotency_keys WHERE key = 'fault-key-b' AND state = 'running' FOR NO KEY UPDATE`, []);
      locks.push(keyB);
      await lockB.release();
      await waitUntil(
        'B committed and waiting to store its response',
        async () =>
          Number((await sql.query(`SELECT count(*) AS n FROM referral_transitions WHERE referral_id = $1 AND action = 'accept'`, [b.id])).rows[0].n) === 1 &&
          (await blockedBy(keyB.pid)).length === 1,
        15_000,
      );

      await api.child.stop('SIGKILL');
      // A crashed process's server sessions would end when PostgreSQL next hears from the dead socket, or run one
      // more statement first; end them now, as a host crash would, so nothing of the dead process lands later.
      const orphans = [...(await blockedBy(lockA.pid)), ...(await blockedBy(keyB.pid))];
      await sql.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [orphans]);
      await waitUntil('the dead API sessions to end', async () => (await sql.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)', [orphans])).rowCount === 0, 10_000);
      await lockA.release();
      await keyB.release();
      const [lostA, lostB] = await Promise.all([firstA, firstB]);
      expect([lostA.status, lostB.status]).toEqual([0, 0]); // the client saw no answer to either

      const state = async (id: string) =>
        (await sql.query(`SELECT status, version, (SELECT count(*)::int FROM referral_transitions WHERE referral_id = $1) AS history FROM referrals WHERE id = $1`, [id])).rows[0];
      expect(await state(a.id)).toEqual({ status: 'submitted', version: 1, history: 1 });
      expect(await state(b.id)).toEqual({ status: 'accepted', version: 2, history: 2 });

      await stack.startApi('api-restarted', api.port);
      const retriedAt = Date.now();
      // The keys are still "running" under the dead process's lease: each retry waits for it to lapse (30 s), then runs.
      const [retryA, retryB] = await Promise.all([send(a, 'fault-key-a'), send(b, 'fault-key-b')]);
      const waited = ((Date.now() - retriedAt) / 1000).toFixed(1);
      const [againA, againB] = await Promise.all([send(a, 'fault-key-a'), send(b, 'fault-key-b')]);

      const counts = await waitForDelivery(sql, undefined, 20_000);
      console.log(
        faultSummary(
          'API SIGKILL with Idempotency-Key',
          counts,
          `killed before commit → retry ${retryA.status} (version ${retryA.body?.version}); killed after commit → retry ${retryB.status} (${retryB.body?.status ?? retryB.body?.code}); ` +
            `retries waited ${waited} s for the dead process's lease; replays ${againA.status}/${againB.status}`,
        ),
      );
      // Killed before the commit: the retry takes the lapsed lease and acts, once.
      expect(retryA.status).toBe(200);
      expect(retryA.body).toMatchObject({ id: a.id, status: 'accepted', version: 2 });
      // Killed after the commit, before the response was stored: the change's history row carries the key, so the
      // retry answers with the accepted referral instead of acting again.
      expect(retryB.status).toBe(200);
      expect(retryB.body).toMatchObject({ id: b.id, status: 'accepted', version: 2, appointment: { department: '心内科' } });
      // Both answers are stored now: a further retry replays them, acting no more.
      expect([againA.status, againA.body]).toEqual([200, retryA.body]);
      expect([againB.status, againB.body]).toEqual([200, retryB.body]);
      for (const r of [a, b]) {
        expect(await state(r.id)).toEqual({ status: 'accepted', version: 2, history: 2 });
        const accepts = await sql.query(`SELECT count(*)::int AS n FROM referral_transitions WHERE referral_id = $1 AND action = 'accept'`, [r.id]);
        expect(accepts.rows[0].n).toBe(1);
      }
      expect(counts.transitions).toBe(4);
      expectConsistent(counts);
    },
    100_000,
  );
});
