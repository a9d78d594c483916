import { afterAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { residentIdFor, runCareLoops, transitionsOf, TransitionLedger } from '../../libs/testing/care-loop-load.js';
import { sleep, waitUntil, type TestChild } from '../../libs/testing/child-processes.js';
import { createFaultCommunity, expectStatus } from '../../libs/testing/engine-http.js';
import { expectConsistent, faultSummary, waitForDelivery } from '../../libs/testing/fault-invariants.js';
import { FaultStack, faultsUnavailable } from '../../libs/testing/fault-stack.js';
import { redisOptionsFromUrl } from '../../libs/queue/queue-connection.js';
import { JobName, QueueName } from '../../libs/queue/queue-names.js';
import { patient, upReferral } from '../../libs/testing/referral-builders.js';

const unavailable = faultsUnavailable();
if (unavailable) console.warn(`[faults] scale-out skipped: ${unavailable}`);

const WALKED = 40;
const RACES = 15;
const OVERDUE = 20;
const WALKED_TRANSITIONS = Array.from({ length: WALKED }, (_, i) => transitionsOf(i)).reduce((a, b) => a + b, 0);
/** The settings cache of every process (DeadlineSettingsService) lets a PUT through one API reach all within 5 s. */
const SETTINGS_CACHE_MS = 5000;

/**
 * Escalation steps a worker's sweeps reported running (its log: one JSON line per sweep that changed something).
 * Reported, not asserted: the database says what ran; the log only shows that both workers took part.
 */
const escalationsLogged = (worker: TestChild) =>
  worker.matching(/"deadline sweep"/).reduce((sum, line) => sum + (Number((JSON.parse(line) as { escalations?: number }).escalations) || 0), 0);

(unavailable ? describe.skip : describe)('scale-out: two API processes and two workers on one database and one Redis', () => {
  let stack: FaultStack | undefined;
  let deadlines: Queue | undefined;
  afterAll(async () => {
    await deadlines?.close();
    await stack?.close();
  });

  it(
    'requests spread over both APIs; races have one winner; the relays never double-deliver; the sweepers never double-escalate',
    async () => {
      stack = await FaultStack.create();
      // All four start at once on an empty database: the migrations' advisory lock lets exactly one migrate.
      const [api1, api2, worker1, worker2] = await Promise.all([stack.startApi('api-1'), stack.startApi('api-2'), stack.startWorker('worker-1'), stack.startWorker('worker-2')]);
      const apis = [api1.http, api2.http];
      const c = await createFaultCommunity(api1.http, await stack.signInAdmin(api1.http));

      // Both escalation steps due at the breach: step 0 to the county's coordinators, step 1 to the admins.
      const settings = expectStatus('GET settings', await api1.http.get('/api/v1/settings/deadlines', c.admin.token), 200);
      const ladder = [
        { afterMinutes: 0, notify: 'coordinator' },
        { afterMinutes: 0, notify: 'admin' },
      ];
      expectStatus('PUT settings', await api1.http.request('PUT', '/api/v1/settings/deadlines', { token: c.admin.token, body: { ...settings, escalation: ladder } }), 200);
      const settingsPutAt = Date.now();

      const ledger = new TransitionLedger();
      // Conflicting actions on one referral through different APIs: accept through one, return through the other.
      const race = async (i: number) => {
        const body = upReferral(c, { patient: patient({ idNumber: residentIdFor(1000 + i) }) });
        const r = expectStatus('create', await apis[i % 2].post('/api/v1/referrals', c.townshipDoctor.token, body), 201);
        ledger.record({ referralId: r.id, action: 'submit' });
        const [accepted, returned] = await Promise.all([
          apis[i % 2].act(c.countyCoordinator, r, 'accept', { department: '心内科' }),
          apis[(i + 1) % 2].act(c.countyDoctors[0], r, 'return', { reasonCode: 'capacity_full' }),
        ]);
        const winner = accepted.status === 200 ? 'accept' : 'return';
        if ([accepted.status, returned.status].sort().join() === '200,409') ledger.record({ referralId: r.id, action: winner });
        return { id: r.id, statuses: [accepted.status, returned.status].sort(), loser: (accepted.status === 409 ? accepted : returned).body?.code, winner };
      };
      const [, races, overdue] = await Promise.all([
        runCareLoops({ apis, community: c, from: 0, count: WALKED, concurrency: 6 }, ledger),
        Promise.all(Array.from({ length: RACES }, (_, i) => race(i))),
        runCareLoops({ apis, community: c, from: 2000, count: OVERDUE, concurrency: 2, submitOnly: true }, ledger),
      ]);

      // The overdue referrals' respond deadlines pass; then several sweeps at once on both workers (one job each at a
      // time), besides the scheduled one, all after every process has the new ladder.
      const overdueIds = overdue.map((r) => r.id);
      await stack.sql.query(`UPDATE referral_deadlines SET due_at = now() - interval '1 minute' WHERE kind = 'respond' AND state = 'open' AND referral_id = ANY($1)`, [overdueIds]);
      await sleep(Math.max(0, settingsPutAt + SETTINGS_CACHE_MS + 500 - Date.now()));
      deadlines = new Queue(QueueName.Deadlines, { connection: redisOptionsFromUrl(stack.redisUrl), prefix: stack.queuePrefix });
      await deadlines.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: JobName.SweepDeadlines, data: {}, opts: { jobId: `fault-sweep-${i}`, attempts: 1 } })));
      await waitUntil(
        'every escalation step of the overdue referrals',
        async () => Number((await stack!.sql.query(`SELECT count(*) AS n FROM deadline_events WHERE event = 'escalated'`)).rows[0].n) >= OVERDUE * ladder.length,
        20_000,
      );
      await waitUntil('the extra sweeps to finish', async () => (await deadlines!.getJobCounts('completed')).completed >= 6 && (await deadlines!.getActiveCount()) === 0, 20_000);
      const counts = await waitForDelivery(stack.sql, ledger, 30_000);

      const perDeadline = (
        await stack.sql.query(
          `SELECT d.referral_id, d.state, d.escalations_done,
                  (SELECT count(*)::int FROM deadline_events e WHERE e.deadline_id = d.id AND e.event = 'breached') AS breached,
                  (SELECT count(*)::int FROM deadline_events e WHERE e.deadline_id = d.id AND e.event = 'escalated') AS escalated,
                  (SELECT array_agg((o.payload->>'step')::int ORDER BY (o.payload->>'step')::int) FROM outbox_events o
                    WHERE o.referral_id = d.referral_id AND o.event = 'referral.deadline_breached') AS steps
             FROM referral_deadlines d WHERE d.kind = 'respond' AND d.referral_id = ANY($1)`,
          [overdueIds],
        )
      ).rows;
      const byWorker = [escalationsLogged(worker1), escalationsLogged(worker2)];
      console.log(
        faultSummary(
          'scale-out (2 APIs, 2 workers)',
          counts,
          `${RACES} accept/return races through different APIs (${races.filter((r) => r.winner === 'accept').length} accepts won), ` +
            `${perDeadline.reduce((a, d) => a + d.escalated, 0)} escalation steps for ${OVERDUE} overdue referrals (worker-1 ran ${byWorker[0]}, worker-2 ${byWorker[1]})`,
        ),
      );

      for (const r of races) {
        expect(r.statuses).toEqual([200, 409]);
        expect(['VERSION_CONFLICT', 'ILLEGAL_TRANSITION']).toContain(r.loser);
      }
      expect(perDeadline).toHaveLength(OVERDUE);
      for (const d of perDeadline) expect(d).toEqual({ referral_id: d.referral_id, state: 'breached', escalations_done: 2, breached: 1, escalated: 2, steps: [0, 1] });
      expect(counts.transitions).toBe(WALKED_TRANSITIONS + RACES * 2 + OVERDUE);
      expect(counts.events).toBe(counts.transitions + OVERDUE * ladder.length);
      expect([api1.child, api2.child, worker1, worker2].every((p) => p.alive)).toBe(true);
      expectConsistent(counts);
    },
    100_000,
  );
});
