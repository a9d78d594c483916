import { afterAll, describe, expect, it } from '@jest/globals';
import { residentIdFor, runCareLoops, transitionsOf, TransitionLedger } from '../../libs/testing/care-loop-load.js';
import { sleep, waitUntil } from '../../libs/testing/child-processes.js';
import { DedicatedPostgres } from '../../libs/testing/dedicated-servers.js';
import { createFaultCommunity, expectStatus, type EngineHttp, type FaultCommunity, type HttpAnswer } from '../../libs/testing/engine-http.js';
import { expectConsistent, faultSummary, waitForDelivery } from '../../libs/testing/fault-invariants.js';
import { FaultStack, faultsUnavailable } from '../../libs/testing/fault-stack.js';
import { TEST_PASSWORD } from '../../libs/testing/fixtures.js';
import { patient, upReferral } from '../../libs/testing/referral-builders.js';

const unavailable = faultsUnavailable();
if (unavailable) console.warn(`[faults] PostgreSQL restart skipped: ${unavailable}`);

const REFERRALS = 40;
const TRANSITIONS = Array.from({ length: REFERRALS }, (_, i) => transitionsOf(i)).reduce((a, b) => a + b, 0);
const OUTAGE_MS = 4000;
/** "Quickly": a request never waits for the database longer than the pool's connection timeout (5 s) and a bit. */
const ANSWER_WITHIN_MS = 6000;

interface Probe {
  what: string;
  sentAt: number;
  answer: HttpAnswer;
}

/** One of each kind of request a client sends: reads, a worklist, a write, a create, a sign-in, the readiness probe. */
function probeRound(http: EngineHttp, c: FaultCommunity, referral: { id: string; version: number }, n: number): Promise<Probe>[] {
  const probes: [string, () => Promise<HttpAnswer>][] = [
    ['GET /referrals/:id', () => http.get(`/api/v1/referrals/${referral.id}`, c.countyCoordinator.token)],
    ['GET /referrals?box=incoming', () => http.get('/api/v1/referrals?box=incoming', c.countyCoordinator.token)],
    ['GET /inbox', () => http.get('/api/v1/inbox', c.townshipDoctor.token)],
    ['POST …/actions/accept', () => http.act(c.countyCoordinator, referral, 'accept', { department: '心内科' })],
    ['POST /referrals', () => http.post('/api/v1/referrals', c.townshipDoctor.token, upReferral(c, { patient: patient({ idNumber: residentIdFor(10_000 + n) }) }))],
    ['POST /auth/login', () => http.post('/api/v1/auth/login', undefined, { username: c.townshipCoordinator.user.username, password: TEST_PASSWORD })],
    ['GET /health/ready', () => http.get('/health/ready')],
  ];
  return probes.map(async ([what, send]) => {
    const sentAt = Date.now();
    return { what, sentAt, answer: await send() };
  });
}

(unavailable ? describe.skip : describe)('fault: PostgreSQL stops (immediate shutdown) under load, then starts again', () => {
  let pgServer: DedicatedPostgres | undefined;
  let stack: FaultStack | undefined;
  afterAll(async () => {
    await stack?.close();
    await pgServer?.destroy();
  });

  it(
    'requests answer 503 SERVICE_UNAVAILABLE quickly while it is down; the same processes recover by themselves',
    async () => {
      pgServer = await DedicatedPostgres.start();
      stack = await FaultStack.create({ pgAdminUrl: pgServer.adminUrl });
      const [api, worker] = await Promise.all([stack.startApi(), stack.startWorker()]);
      const c = await createFaultCommunity(api.http, await stack.signInAdmin(api.http));
      const target = expectStatus('create', await api.http.post('/api/v1/referrals', c.townshipDoctor.token, upReferral(c, { patient: patient({ idNumber: residentIdFor(9_999) }) })), 201);

      const ledger = new TransitionLedger();
      const burst = runCareLoops({ apis: [api.http], community: c, from: 0, count: REFERRALS, concurrency: 6, stepTimeoutMs: 40_000 }, ledger);
      burst.catch(() => undefined); // awaited below

      await ledger.reached(Math.floor(TRANSITIONS / 4));
      await pgServer.stop('immediate');
      const stoppedAt = Date.now();
      const outage: Promise<Probe>[] = [];
      for (let n = 0; Date.now() - stoppedAt < OUTAGE_MS; n++) {
        outage.push(...probeRound(api.http, c, target, n));
        await sleep(400);
      }
      const restartedAt = Date.now();
      await pgServer.restart();
      const down = (await Promise.all(outage)).filter((p) => p.sentAt < restartedAt);
      const recovered = await waitUntil('the API to be ready again', async () => (await api.http.get('/health/ready')).status === 200 && Date.now(), 20_000, 100);
      const after = await Promise.all(probeRound(api.http, c, { id: target.id, version: 0 }, 1_000));
      await burst;
      const counts = await waitForDelivery(stack.sql, ledger, 30_000);

      const slowest = Math.max(...down.map((p) => p.answer.ms));
      console.log(
        faultSummary(
          'PostgreSQL restart',
          counts,
          `${down.length} requests while it was down, ${down.filter((p) => p.answer.status === 503).length} answered 503 (slowest ${slowest} ms); ` +
            `ready again ${((recovered - restartedAt) / 1000).toFixed(1)} s after the start; ${ledger.unanswered} writes of the burst retried, ` +
            `${ledger.happenedUnseen} of them had happened`,
        ),
      );
      // While it is down: every request a 503 in the contract's error shape, none hanging.
      expect(down.length).toBeGreaterThan(20);
      for (const p of down) {
        const shape = { what: p.what, status: p.answer.status, fast: p.answer.ms <= ANSWER_WITHIN_MS };
        expect(shape).toEqual({ what: p.what, status: 503, fast: true });
        if (p.what === 'GET /health/ready') continue; // the readiness probe's body is its report, not an error
        expect(p.answer.body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: expect.any(String), correlationId: p.answer.correlationId });
      }
      // Afterwards the same processes serve again (no restart): reads, writes, sign-in.
      expect(api.child.alive && worker.alive).toBe(true);
      expect(after.map((p) => [p.what, p.answer.status])).toEqual([
        ['GET /referrals/:id', 200],
        ['GET /referrals?box=incoming', 200],
        ['GET /inbox', 200],
        ['POST …/actions/accept', 409], // a stale version, answered by the database again
        ['POST /referrals', 201],
        ['POST /auth/login', 200],
        ['GET /health/ready', 200],
      ]);
      // The burst's clients bridged the outage: every referral walked to its end, each change recorded once.
      expect(ledger.seen.length + ledger.happenedUnseen).toBe(TRANSITIONS);
      expect(ledger.unanswered).toBeGreaterThan(0);
      expect(counts.transitions).toBe(TRANSITIONS + 2); // and the two referrals the probes created
      expectConsistent(counts);
    },
    90_000,
  );
});
