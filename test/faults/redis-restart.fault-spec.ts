import { afterEach, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { redisOptionsFromUrl } from '../../libs/queue/queue-connection.js';
import { QueueName } from '../../libs/queue/queue-names.js';
import { withTimeout } from '../../libs/queue/with-timeout.js';
import { runCareLoops, transitionsOf, TransitionLedger } from '../../libs/testing/care-loop-load.js';
import { DedicatedRedis } from '../../libs/testing/dedicated-servers.js';
import { createFaultCommunity } from '../../libs/testing/engine-http.js';
import { expectConsistent, faultSummary, readFaultCounts, waitForDelivery, type FaultCounts } from '../../libs/testing/fault-invariants.js';
import { FaultStack, faultsUnavailable } from '../../libs/testing/fault-stack.js';

const unavailable = faultsUnavailable();
if (unavailable) console.warn(`[faults] Redis restart skipped: ${unavailable}`);

const REFERRALS = 45;
/** Each wait of a run has a deadline well inside the test's, so a stuck run says where it stuck. */
const STEP_MS = 15_000;
const step = <T>(what: string, promise: Promise<T>) => withTimeout(promise, STEP_MS, `${what} took over ${STEP_MS} ms`);
const TRANSITIONS = Array.from({ length: REFERRALS }, (_, i) => transitionsOf(i)).reduce((a, b) => a + b, 0);

(unavailable ? describe.skip : describe)('fault: Redis is killed in the middle of a burst, then restarted on the same port', () => {
  let redis: DedicatedRedis | undefined;
  let stack: FaultStack | undefined;
  let queue: Queue | undefined;
  afterEach(async () => {
    await queue?.close().catch(() => undefined);
    await stack?.close();
    await redis?.destroy();
  });

  /**
   * API and worker on a Redis of their own; SIGKILL it a quarter into the burst, restart it a third later. Just
   * before the kill the fan-out queue is paused for a moment, so Redis surely holds jobs no worker has taken: the
   * ones a Redis restarted empty forgets.
   */
  async function killRedisMidBurst(durable: boolean) {
    redis = await DedicatedRedis.start({ durable });
    stack = await FaultStack.create({ redisUrl: redis.url });
    const [api, worker] = await Promise.all([stack.startApi(), stack.startWorker()]);
    const community = await createFaultCommunity(api.http, await stack.signInAdmin(api.http));

    const ledger = new TransitionLedger();
    const burst = runCareLoops({ apis: [api.http], community, from: 0, count: REFERRALS, concurrency: 8 }, ledger);
    burst.catch(() => undefined); // awaited below

    queue = new Queue(QueueName.Notifications, { connection: redisOptionsFromUrl(redis.url), prefix: stack.queuePrefix });
    queue.on('error', () => undefined); // while Redis is down
    await ledger.reached(Math.floor(TRANSITIONS / 4), STEP_MS);
    await step('pausing the queue', queue.pause());
    const heldFrom = ledger.seen.length;
    await ledger.reached(heldFrom + 10, STEP_MS);
    const held = await step('counting the held jobs', queue.getWaitingCount());
    // Unflushed appends die with the process: the durable Redis may forget the last writes too.
    await redis.kill();
    const atKill = await readFaultCounts(stack.sql);
    const outageStart = ledger.seen.length;
    await ledger.reached(outageStart + Math.floor(TRANSITIONS / 3), STEP_MS);
    const ready = await api.http.get('/health/ready', undefined, 10_000);
    const duringOutage = await readFaultCounts(stack.sql);
    const acceptedDuringOutage = ledger.seen.length - outageStart;
    await redis.restart();
    await step('resuming the queue', queue.resume()); // a durable Redis remembers the pause
    await step('the burst to end', burst);
    // Restarted empty, Redis has forgotten the jobs it held at the crash: the queue-loss sweep (every 2 s here,
    // QUEUE_LOSS_SWEEP_S) hands those events to it again, so caught up means everything, as with a durable Redis.
    const counts = await waitForDelivery(stack.sql, ledger, 40_000);
    const outage =
      `${acceptedDuringOutage} transitions accepted while Redis was down (${duringOutage.undispatched} events waiting in the outbox), ` +
      `${atKill.expectedInbox - atKill.inbox} inbox rows still to come at the kill, ${held} fan-out jobs held in Redis`;
    return { stack, worker, ledger, ready, acceptedDuringOutage, duringOutage, counts, outage, held };
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
    'Redis restarted empty: the jobs it forgot are handed to it again, and every notification arrives, exactly once',
    async () => {
      const r = await killRedisMidBurst(false);
      console.log(faultSummary('Redis restart (empty)', r.counts, r.outage));
      expectOutageAbsorbed(r);
      expectConsistent(r.counts);
      // The jobs held at the kill were forgotten, and the sweep sent each of them again.
      expect(r.held).toBeGreaterThan(0);
      expect(r.counts.redispatches).toBeGreaterThanOrEqual(r.held);
      // The repeatable deadline sweep went with Redis's data; the worker registers it again by itself.
      await r.worker.waitForLine(/repeatable jobs had gone from the queue; registered again/, 10_000);
    },
    80_000,
  );
});
