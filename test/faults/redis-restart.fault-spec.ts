import { afterEach, describe, expect, it } from '@jest/globals';
import { runCareLoops, transitionsOf, TransitionLedger } from '../../libs/testing/care-loop-load.js';
import { sleep } from '../../libs/testing/child-processes.js';
import { DedicatedRedis } from '../../libs/testing/dedicated-servers.js';
import { createFaultCommunity } from '../../libs/testing/engine-http.js';
import { eventsMissingInbox, expectConsistent, faultSummary, readFaultCounts, waitForDelivery, type FaultCounts } from '../../libs/testing/fault-invariants.js';
import { FaultStack, faultsUnavailable } from '../../libs/testing/fault-stack.js';

const unavailable = faultsUnavailable();
if (unavailable) console.warn(`[faults] Redis restart skipped: ${unavailable}`);

const REFERRALS = 45;
const TRANSITIONS = Array.from({ length: REFERRALS }, (_, i) => transitionsOf(i)).reduce((a, b) => a + b, 0);

(unavailable ? describe.skip : describe)('fault: Redis is killed in the middle of a burst, then restarted on the same port', () => {
  let redis: DedicatedRedis | undefined;
  let stack: FaultStack | undefined;
  afterEach(async () => {
    await stack?.close();
    await redis?.destroy();
  });

  /** API and worker on a Redis of their own; SIGKILL it a quarter into the burst, restart it a third later. */
  async function killRedisMidBurst(durable: boolean) {
    redis = await DedicatedRedis.start({ durable });
    stack = await FaultStack.create({ redisUrl: redis.url });
    const [api] = await Promise.all([stack.startApi(), stack.startWorker()]);
    const community = await createFaultCommunity(api.http, await stack.signInAdmin(api.http));

    const ledger = new TransitionLedger();
    const burst = runCareLoops({ apis: [api.http], community, from: 0, count: REFERRALS, concurrency: 8 }, ledger);
    burst.catch(() => undefined); // awaited below

    await ledger.reached(Math.floor(TRANSITIONS / 4));
    await redis.kill();
    const killedAt: Date = (await stack.sql.query('SELECT clock_timestamp() AS at')).rows[0].at;
    const atKill = await readFaultCounts(stack.sql);
    const outageStart = ledger.seen.length;
    await ledger.reached(outageStart + Math.floor(TRANSITIONS / 3));
    const ready = await api.http.get('/health/ready', undefined, 10_000);
    const duringOutage = await readFaultCounts(stack.sql);
    const acceptedDuringOutage = ledger.seen.length - outageStart;
    await redis.restart();
    await burst;
    // Restarted empty, Redis has forgotten the jobs it held at the crash: caught up means everything handed to it
    // since then has been delivered (nothing else can come).
    const caughtUp = durable
      ? undefined
      : async (c: FaultCounts) => c.undispatched === 0 && (await eventsMissingInbox(stack!.sql)).every((m) => m.dispatchedAt !== null && m.dispatchedAt <= killedAt);
    const counts = await waitForDelivery(stack.sql, ledger, 30_000, caughtUp);
    const outage =
      `${acceptedDuringOutage} transitions accepted while Redis was down (${duringOutage.undispatched} events waiting in the outbox), ` +
      `${atKill.expectedInbox - atKill.inbox} inbox rows still to come at the kill`;
    return { stack, ledger, ready, acceptedDuringOutage, duringOutage, counts, killedAt, outage };
  }

  function expectOutageAbsorbed(r: { ready: { status: number }; acceptedDuringOutage: number; duringOutage: FaultCounts; ledger: TransitionLedger; counts: FaultCounts }) {
    // A queue outage is the readiness probe's business; the write path never waits for Redis.
    expect(r.ready.status).toBe(503);
    expect(r.acceptedDuringOutage).toBeGreaterThan(0);
    expect(r.duringOutage.undispatched).toBeGreaterThan(0);
    expect(r.ledger.seen).toHaveLength(TRANSITIONS);
    expect(r.ledger.unanswered).toBe(0);
    expect(r.counts.transitions).toBe(TRANSITIONS);
    expect(r.counts.events).toBe(TRANSITIONS);
  }

  it(
    'durable Redis (append-only file, as in docker/compose.yaml): every notification arrives, exactly once',
    async () => {
      const r = await killRedisMidBurst(true);
      console.log(faultSummary('Redis restart (append-only file)', r.counts, r.outage));
      expectOutageAbsorbed(r);
      expectConsistent(r.counts);
    },
    60_000,
  );

  it(
    'Redis restarted empty: everything committed from the crash on arrives exactly once; only jobs Redis held at the crash can be lost',
    async () => {
      const r = await killRedisMidBurst(false);
      // Jobs that were running at the crash finish their statements within moments: let them, then count once.
      await sleep(1000);
      r.counts = await readFaultCounts(r.stack.sql, r.ledger);
      // Inbox entries missing for good, by whether their event had been handed to Redis before the crash.
      const missing = await eventsMissingInbox(r.stack.sql);
      const before = missing.filter((m) => m.dispatchedAt !== null && m.dispatchedAt <= r.killedAt);
      const lost = { beforeCrash: before.reduce((a, m) => a + m.missing, 0), events: before.length, afterCrash: missing.length - before.length };
      console.log(
        faultSummary(
          'Redis restart (empty)',
          r.counts,
          `${r.outage}; ${lost.beforeCrash} inbox rows lost with the jobs Redis held at the crash (${lost.events} events), ${lost.afterCrash} events handed over after it missing`,
        ),
      );
      expectOutageAbsorbed(r);
      expect(lost.afterCrash).toBe(0);
      expect(r.counts.missingInbox).toBe(lost.beforeCrash);
      expect({ unexpected: r.counts.unexpectedInbox, duplicates: r.counts.duplicateInbox, undispatched: r.counts.undispatched }).toEqual({
        unexpected: 0,
        duplicates: 0,
        undispatched: 0,
      });
      expect({ lost: r.counts.lostTransitions, status: r.counts.statusMismatches, version: r.counts.versionMismatches }).toEqual({ lost: 0, status: 0, version: 0 });
    },
    60_000,
  );
});
