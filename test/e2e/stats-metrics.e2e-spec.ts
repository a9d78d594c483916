import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCommunity, type Community } from '../../libs/testing/fixtures.js';
import { createReferral, upReferral } from '../../libs/testing/referral-builders.js';
import { createTestApp, type TestApp } from '../../libs/testing/test-app.js';

/** Without the worker nothing dispatches the outbox, so its backlog can be aged and measured exactly. */
describe('business gauges on /metrics: outbox lag and open referrals', () => {
  let t: TestApp;
  let c: Community;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: false });
    c = await createCommunity(t);
  });
  afterAll(async () => t?.close());

  const scrape = async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    return (series: string) => {
      const line = res.text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
  };

  it('reports 0 lag with an empty outbox, then the age of the oldest undispatched event', async () => {
    let value = await scrape();
    expect(value('outbox_lag_seconds')).toBe(0);
    expect(value('outbox_pending')).toBe(0);
    expect(value('referrals_open{direction="up",status="submitted"}')).toBe(0);

    const first = await createReferral(t, c.townshipDoctor, upReferral(c));
    await createReferral(t, c.townshipDoctor, upReferral(c));
    await t.dataSource.query(`UPDATE outbox_events SET created_at = now() - interval '1 hour' WHERE referral_id = $1`, [first.id]);
    value = await scrape();
    expect(value('outbox_pending')).toBe(2);
    expect(value('outbox_lag_seconds')).toBeGreaterThanOrEqual(3600);
    expect(value('outbox_lag_seconds')).toBeLessThan(3660);
    expect(value('referrals_open{direction="up",status="submitted"}')).toBe(2);

    // Handed to the queue (10 minutes ago) but never fanned out: in flight, and for how long.
    await t.dataSource.query(`UPDATE outbox_events SET dispatched_at = now() - interval '10 minutes'`);
    value = await scrape();
    expect(value('outbox_pending')).toBe(0);
    expect(value('outbox_lag_seconds')).toBe(0);
    expect(value('outbox_in_flight')).toBe(2);
    expect(value('outbox_in_flight_seconds')).toBeGreaterThanOrEqual(600);
    expect(value('outbox_in_flight_seconds')).toBeLessThan(660);

    await t.dataSource.query(`UPDATE outbox_events SET fanned_out_at = now()`);
    value = await scrape();
    expect(value('outbox_in_flight')).toBe(0);
    expect(value('outbox_in_flight_seconds')).toBe(0);
  });

  it('exports every label combination, 0 when none', async () => {
    const value = await scrape();
    for (const kind of ['respond', 'arrive', 'follow_up']) expect(value(`referral_deadlines_breached{kind="${kind}"}`)).toBe(0);
    for (const direction of ['up', 'down']) {
      for (const status of ['draft', 'returned', 'accepted', 'arrived']) expect(value(`referrals_open{direction="${direction}",status="${status}"}`)).toBe(0);
    }
    expect(value('notification_deliveries{channel="webhook",state="failed"}')).toBe(0);
  });
});
