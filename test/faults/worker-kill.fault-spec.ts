import { afterAll, describe, expect, it } from '@jest/globals';
import { runCareLoops, transitionsOf, TransitionLedger } from '../../libs/testing/care-loop-load.js';
import { createFaultCommunity } from '../../libs/testing/engine-http.js';
import { expectConsistent, faultSummary, readFaultCounts, waitForDelivery } from '../../libs/testing/fault-invariants.js';
import { FaultStack, faultsUnavailable } from '../../libs/testing/fault-stack.js';

const unavailable = faultsUnavailable();
if (unavailable) console.warn(`[faults] worker SIGKILL skipped: ${unavailable}`);

const REFERRALS = 50;
const TRANSITIONS = Array.from({ length: REFERRALS }, (_, i) => transitionsOf(i)).reduce((a, b) => a + b, 0);

(unavailable ? describe.skip : describe)('fault: the worker is SIGKILLed in the middle of a burst', () => {
  let stack: FaultStack | undefined;
  afterAll(async () => {
    await stack?.close();
  });

  it(
    'a new worker dispatches every outbox event and writes every inbox entry exactly once',
    async () => {
      stack = await FaultStack.create();
      const [api, first] = await Promise.all([stack.startApi(), stack.startWorker('worker-1')]);
      const community = await createFaultCommunity(api.http, await stack.signInAdmin(api.http));

      const ledger = new TransitionLedger();
      const burst = runCareLoops({ apis: [api.http], community, from: 0, count: REFERRALS, concurrency: 8 }, ledger);
      burst.catch(() => undefined); // awaited below; it must not surface as an unhandled rejection first

      // SIGKILL while the relay and the fan-out are busy: no shutdown hook; claims, locks and running jobs stay as
      // they were (the running jobs come back through BullMQ's stalled-job check once their locks lapse).
      await ledger.reached(Math.floor(TRANSITIONS / 3));
      await first.stop('SIGKILL');
      const killedAt = Date.now();
      const atKill = await readFaultCounts(stack.sql);
      // Transitions keep coming while no worker runs; then a new worker takes over, mid-burst.
      await ledger.reached(Math.floor((TRANSITIONS * 2) / 3));
      const withoutWorker = await readFaultCounts(stack.sql);
      await stack.startWorker('worker-2');
      await burst;

      const counts = await waitForDelivery(stack.sql, ledger, 30_000);
      const caughtUp = ((Date.now() - killedAt) / 1000).toFixed(1);
      console.log(
        faultSummary(
          'worker SIGKILL',
          counts,
          `killed after ${atKill.transitions} transitions with ${atKill.undispatched} events undispatched and ` +
            `${atKill.inbox}/${atKill.expectedInbox} inbox rows written, ${withoutWorker.undispatched} events waiting when worker-2 started; ` +
            `all delivered ${caughtUp} s after the kill`,
        ),
      );
      expect(ledger.seen).toHaveLength(TRANSITIONS);
      expect(counts.transitions).toBe(TRANSITIONS);
      expect(counts.events).toBe(TRANSITIONS);
      // The new worker had work left by the dead one and by the transitions made while none ran.
      expect(withoutWorker.undispatched).toBeGreaterThan(0);
      expectConsistent(counts);
    },
    90_000,
  );
});
