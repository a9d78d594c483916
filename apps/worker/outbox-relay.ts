import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ENGINE_CONFIG } from '../../libs/config/config.module.js';
import type { EngineConfig } from '../../libs/config/engine-config.js';
import pg from 'pg';
import { groupByJob, intoDispatchJobs, jobOfEachEvent, newClaimId, DISPATCH_JOB_EVENTS, type DispatchJob } from '../../libs/notifications/dispatch-jobs.js';
import { NotificationProducer } from '../../libs/notifications/notification-producer.js';
import { withTimeout } from '../../libs/queue/with-timeout.js';

/**
 * How often an idle relay looks for new outbox rows: a full batch is followed at once by the next, and a commit
 * that wrote outbox rows wakes the relay through LISTEN/NOTIFY (trigger TRG_outbox_events_notify). Polling is the
 * safety net, fast only where notifications cannot arrive (embedded PGlite, or while the listener reconnects).
 */
export const RELAY_POLL_MS = 50;
export const RELAY_POLL_LISTENING_MS = 1000;
export const RELAY_BATCH = 200;
/**
 * Claims in flight at once while a backlog drains: each one waits mostly on the queue's answer to its addBulk, so a
 * second and third overlap those waits (SKIP LOCKED keeps them on different rows). One while the outbox is quiet.
 */
export const RELAY_LANES = 3;
/** A queue that does not answer in this time fails the batch; the rows stay undispatched for the next try. */
const ENQUEUE_TIMEOUT_MS = 5000;
const MAX_BACKOFF_MS = 5000;

/**
 * The transactional outbox's relay: claims undispatched rows (FOR UPDATE SKIP LOCKED, so several workers share
 * the work) and marks them dispatched, each with the id of the job that will carry it, in one statement; enqueues
 * one dispatch job per DISPATCH_JOB_EVENTS rows under those ids, and commits. A crash after the enqueue and before
 * the commit leaves jobs that fan their events out, and the rows, claimed again, go out in new jobs: fanning an event
 * out twice writes nothing new (unique per event and recipient). A queue outage only delays delivery.
 *
 * Embedded mode is the one exception to holding the claim across the enqueue: PGlite serves one session, so while
 * the relay's transaction is open the queue (BullMQ's PostgreSQL backend on the same PGlite) could not write its
 * job and both would wait forever. There the same steps run without a transaction; every crash point stays safe
 * because rows enqueued and not yet marked only go out again in new jobs (fanning an event out twice writes nothing
 * new), and there is only one relay to skip rows for.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set by a notification; a notification during a batch means "look again" rather than sleep. */
  private notified = false;

  private readonly holdClaimWhileEnqueuing: boolean;
  private listener: pg.Client | undefined;
  private listening = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: NotificationProducer,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {
    this.holdClaimWhileEnqueuing = !config.embedded;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    // PGlite does not pass notifications between connections: there the relay polls.
    if (!this.config.embedded && this.config.database.url) void this.listen(this.config.database.url);
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** A dedicated connection LISTENing on outbox_events; reconnects after a few seconds when it drops. */
  private async listen(url: string): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (this.running) setTimeout(() => void this.listen(url), 3000).unref();
    };
    client.on('notification', () => this.poke());
    client.on('error', retry);
    client.on('end', retry);
    try {
      await client.connect();
      await client.query('LISTEN outbox_events');
      this.listening = true;
      // Rows committed before LISTEN took effect are picked up by this wake-up.
      this.poke();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'outbox relay cannot LISTEN; polling meanwhile');
      retry();
    }
  }

  /** Relays one batch; returns how many rows it dispatched. */
  async relayOnce(batch = RELAY_BATCH): Promise<number> {
    if (this.holdClaimWhileEnqueuing) return this.dataSource.transaction((tx) => this.claimAndEnqueue(tx, batch));
    return this.enqueueThenMark(batch);
  }

  /**
   * Claims and marks the rows in one statement (locked until the commit, so other relays skip them), then enqueues
   * them: if the enqueue fails, the rollback leaves them undispatched. BEGIN, UPDATE … RETURNING, COMMIT. The
   * statement numbers the claimed rows oldest first and writes each one's job id (see dispatchJobId).
   *
   * The commit does not wait for its WAL to reach the disk (synchronous_commit off for this transaction only): a
   * crash can lose only the marks, which makes the next relay enqueue those rows again, the case the design already
   * absorbs; and the fan-out's own, synchronous, commit flushes the marks before any inbox row is durable. It takes a
   * disk flush off every event's path from commit to inbox.
   */
  private async claimAndEnqueue(tx: EntityManager, batch: number): Promise<number> {
    const [rows]: [ClaimedRow[], number] = await tx.query(
      `UPDATE outbox_events o SET dispatched_at = clock_timestamp(), dispatch_job_id = $2::text || '.' || ((claimed.n - 1) / $3::int)
         FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n
                 FROM (SELECT id, created_at FROM outbox_events WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED) l) claimed,
              (SELECT set_config('synchronous_commit', 'off', true)) async_commit
        WHERE o.id = claimed.id
       RETURNING o.id, o.correlation_id, o.created_at, o.dispatch_job_id`,
      [batch, newClaimId(), DISPATCH_JOB_EVENTS],
    );
    await this.enqueue(groupByJob(oldestFirst(rows).map((r) => ({ id: r.id, correlationId: r.correlation_id, jobId: r.dispatch_job_id }))));
    return rows.length;
  }

  /** Embedded mode: nothing held across the enqueue (see the class comment); marked only once enqueued. */
  private async enqueueThenMark(batch: number): Promise<number> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id, correlation_id, created_at FROM outbox_events WHERE dispatched_at IS NULL ORDER BY created_at, id LIMIT $1`,
      [batch],
    );
    const jobs = intoDispatchJobs(rows.map((r) => ({ id: r.id, correlationId: r.correlation_id })));
    await this.enqueue(jobs);
    if (rows.length > 0) {
      await this.dataSource.query(
        `UPDATE outbox_events o SET dispatched_at = now(), dispatch_job_id = m.job
           FROM json_to_recordset($1::json) AS m(id uuid, job text)
          WHERE o.id = m.id AND o.dispatched_at IS NULL`,
        [jobOfEachEvent(jobs)],
      );
    }
    return rows.length;
  }

  private async enqueue(jobs: DispatchJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await withTimeout(this.producer.dispatch(jobs), ENQUEUE_TIMEOUT_MS, 'the queue did not accept the outbox batch in time');
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.notified = false;
      try {
        if ((await this.relayOnce()) === RELAY_BATCH) await this.drainBacklog();
        failures = 0;
      } catch (e) {
        failures++;
        if (failures === 1 || failures % 20 === 0) this.logger.warn({ err: e, failures }, 'outbox relay failed; will retry');
      }
      if (!this.running) break;
      if (this.notified && !failures) continue;
      await this.sleep(failures ? Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 5)) : this.listening ? RELAY_POLL_LISTENING_MS : RELAY_POLL_MS);
    }
  }

  /**
   * A full batch means a backlog: drain it with several claims in flight until one comes back short. Embedded mode
   * has one session and holds no claim (nothing would keep two lanes apart), so it drains with one.
   */
  private async drainBacklog(): Promise<void> {
    const lanes = this.holdClaimWhileEnqueuing ? RELAY_LANES : 1;
    const outcomes = await Promise.allSettled(
      Array.from({ length: lanes }, async () => {
        while (this.running && (await this.relayOnce()) === RELAY_BATCH);
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private poke(): void {
    this.notified = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

interface OutboxRow {
  id: string;
  correlation_id: string | null;
  created_at: Date;
}

interface ClaimedRow extends OutboxRow {
  dispatch_job_id: string;
}

/** Oldest first, as they were committed (RETURNING keeps no order), so each job fans its events out in that order. */
function oldestFirst<R extends OutboxRow>(rows: R[]): R[] {
  return rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || (a.id < b.id ? -1 : 1));
}
