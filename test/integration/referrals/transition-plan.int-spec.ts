import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PreparedStatements } from '../../../libs/persistence/prepared-statements.js';
import { createCommunity, type Community } from '../../../libs/testing/fixtures.js';
import { actOk, createReferral, patient, upReferral } from '../../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../../libs/testing/test-app.js';

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows': number; 'Actual Loops': number; Plans?: PlanNode[] }
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];
const DEADLINE_INDEXES = /IDX_referral_deadlines/;

/**
 * A transition closes and re-dates its own referral's open deadlines. However many deadlines run elsewhere in the
 * community (every referral in flight has one, every patient referred down a 30-day follow-up), that statement must
 * read only its referral's: its cost may not grow with the community. The statement is the real one the write path
 * sends, explained with its own values in a transaction that is rolled back before it runs for real.
 */
describe('a transition statement with many open deadlines elsewhere', () => {
  let t: TestApp;
  let c: Community;
  const OTHER_OPEN = 3000;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it('reads only its own referral deadlines (no index scan returns the others)', async () => {
    const elsewhere = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient() }));
    // Open deadlines of the rest of the community, added after the table's statistics were last gathered (as
    // between two autovacuum analyses): the planner underestimates them, which is when a bad plan is chosen.
    await t.dataSource.query(
      `INSERT INTO referral_deadlines (referral_id, kind, due_at, state) SELECT $1, 'follow_up', now() + make_interval(mins => g), 'open' FROM generate_series(1, $2) g`,
      [elsewhere.id, OTHER_OPEN],
    );
    const mine = await createReferral(t, c.townshipDoctor, upReferral(c, { patient: patient() }));

    const prepared = t.app.get(PreparedStatements);
    const original = prepared.query.bind(prepared);
    const plans: PlanNode[] = [];
    jest.spyOn(prepared, 'query').mockImplementation(async (text: string, values: unknown[], options?: { planEachTime?: boolean }) => {
      if (/UPDATE referrals SET/.test(text)) {
        const runner = t.dataSource.createQueryRunner();
        try {
          await runner.startTransaction();
          const [row] = await runner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
          plans.push(row['QUERY PLAN'][0].Plan);
        } finally {
          await runner.rollbackTransaction();
          await runner.release();
        }
      }
      return original(text, values, options);
    });

    const accepted = await actOk(t, c.countyCoordinator, mine, 'accept', { department: '心内科' });
    await actOk(t, c.countyDoctor, accepted, 'arrive');
    expect(plans).toHaveLength(2);

    const deadlineScans = plans.flatMap(nodesOf).filter((n) => DEADLINE_INDEXES.test(n['Index Name'] ?? ''));
    expect(deadlineScans.length).toBeGreaterThan(0);
    const wide = deadlineScans.filter((n) => n['Actual Rows'] * n['Actual Loops'] > 5).map((n) => `${n['Node Type']} on ${n['Index Name']}: ${n['Actual Rows']} rows`);
    expect(wide).toEqual([]);
  });
});
