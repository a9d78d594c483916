import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATES } from '../domain/notifications/notification-events.js';
import { DEADLINE_KINDS } from '../domain/referral/deadlines.js';
import { DIRECTIONS, OPEN_UP_STATUSES } from '../domain/referral/referral-status.js';
import { MetricsService } from '../observability/metrics.service.js';

/** Referral statuses counted as open on /metrics: not yet terminal (the contract's open upward statuses). */
const OPEN_STATUSES = OPEN_UP_STATUSES;

interface Snapshot {
  open: Map<string, number>;
  breached: Map<string, number>;
  notifications: Map<string, number>;
  outboxPending: number;
  outboxLagSeconds: number;
  outboxInFlight: number;
  outboxInFlightSeconds: number;
}

/**
 * One statement per scrape, each part answered from an index (see stats-indexes.ts): open referrals by status
 * (partial index on open statuses), breached deadlines (partial index), notifications by channel and state, and the
 * outbox backlog (partial index on undispatched rows) and the events in flight (partial index on those dispatched
 * and not yet fanned out).
 */
const SCRAPE_SQL = `
  SELECT 'open' AS part, direction || '|' || status AS label, count(*)::float8 AS v
    FROM referrals WHERE status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')}) GROUP BY direction, status
  UNION ALL
  SELECT 'breached', kind, count(*)::float8 FROM referral_deadlines WHERE state = 'breached' GROUP BY kind
  UNION ALL
  SELECT 'notifications', channel || '|' || state, count(*)::float8 FROM notifications GROUP BY channel, state
  UNION ALL
  SELECT 'outbox', 'pending', count(*)::float8 FROM outbox_events WHERE dispatched_at IS NULL
  UNION ALL
  SELECT 'outbox', 'lag', coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8
    FROM outbox_events WHERE dispatched_at IS NULL
  UNION ALL
  SELECT 'in_flight', 'count', count(*)::float8 FROM outbox_events WHERE fanned_out_at IS NULL AND dispatched_at IS NOT NULL
  UNION ALL
  SELECT 'in_flight', 'age', coalesce(extract(epoch FROM clock_timestamp() - min(dispatched_at)), 0)::float8
    FROM outbox_events WHERE fanned_out_at IS NULL AND dispatched_at IS NOT NULL`;

/**
 * Business gauges on the process's Prometheus registry, read from the database at scrape time. Every label
 * combination is always exported (0 when none) so series do not appear and vanish. A failed read leaves the
 * gauges empty for that scrape and counts `stats_scrape_errors_total`; /metrics itself still answers.
 */
@Injectable()
export class StatsMetrics implements OnModuleInit {
  private readonly logger = new Logger(StatsMetrics.name);
  private pending: Promise<Snapshot | null> | null = null;

  constructor(
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    if (this.metrics.registry.getSingleMetric('referrals_open')) return;
    const errors = new Counter({ name: 'stats_scrape_errors_total', help: 'Scrapes whose business gauges could not be read from the database', registers });
    const read = () => this.snapshot(errors);

    new Gauge({
      name: 'referrals_open',
      help: 'Referrals not yet in a terminal status, by direction and status',
      labelNames: ['direction', 'status'] as const,
      registers,
      async collect() {
        const s = await read();
        this.reset();
        if (!s) return;
        for (const direction of DIRECTIONS) {
          for (const status of OPEN_STATUSES) this.set({ direction, status }, s.open.get(`${direction}|${status}`) ?? 0);
        }
      },
    });
    new Gauge({
      name: 'referral_deadlines_breached',
      help: 'Deadlines ever breached (respond, arrive, follow_up), by kind',
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        const s = await read();
        this.reset();
        if (!s) return;
        for (const kind of DEADLINE_KINDS) this.set({ kind }, s.breached.get(kind) ?? 0);
      },
    });
    new Gauge({
      name: 'notification_deliveries',
      help: 'Notifications (inbox, SMS, webhook deliveries) by channel and state',
      labelNames: ['channel', 'state'] as const,
      registers,
      async collect() {
        const s = await read();
        this.reset();
        if (!s) return;
        for (const channel of NOTIFICATION_CHANNELS) {
          for (const state of NOTIFICATION_STATES) this.set({ channel, state }, s.notifications.get(`${channel}|${state}`) ?? 0);
        }
      },
    });
    // One number each, from the same read.
    const scalar = (name: string, help: string, pick: (s: Snapshot) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const s = await read();
          this.reset();
          if (s) this.set(pick(s));
        },
      });
    scalar('outbox_pending', 'Outbox events not yet handed to the queue', (s) => s.outboxPending);
    scalar(
      'outbox_in_flight',
      'Outbox events handed to the queue whose fan-out has not committed (a steady rise: the queue is losing or failing them)',
      (s) => s.outboxInFlight,
    );
    scalar('outbox_in_flight_seconds', 'Time since the oldest event still in flight was handed to the queue (0 when none)', (s) => s.outboxInFlightSeconds);
    scalar('outbox_lag_seconds', 'Age of the oldest outbox event not yet handed to the queue (0 when none)', (s) => s.outboxLagSeconds);
  }

  /** The gauges of one scrape share one read; a read in flight is reused, never cached beyond it. */
  private snapshot(errors: Counter): Promise<Snapshot | null> {
    this.pending ??= this.load()
      .catch((e: unknown) => {
        errors.inc();
        this.logger.warn(`business gauges unavailable: ${(e as Error).message}`);
        return null;
      })
      .finally(() => setTimeout(() => (this.pending = null), 0).unref());
    return this.pending;
  }

  private async load(): Promise<Snapshot> {
    const rows: { part: string; label: string; v: number }[] = await this.dataSource.query(SCRAPE_SQL);
    const snapshot: Snapshot = {
      open: new Map(),
      breached: new Map(),
      notifications: new Map(),
      outboxPending: 0,
      outboxLagSeconds: 0,
      outboxInFlight: 0,
      outboxInFlightSeconds: 0,
    };
    for (const r of rows) {
      const v = Number(r.v);
      if (r.part === 'open') snapshot.open.set(r.label, v);
      else if (r.part === 'breached') snapshot.breached.set(r.label, v);
      else if (r.part === 'notifications') snapshot.notifications.set(r.label, v);
      else if (r.part === 'in_flight') snapshot[r.label === 'count' ? 'outboxInFlight' : 'outboxInFlightSeconds'] = v;
      else if (r.label === 'pending') snapshot.outboxPending = v;
      else snapshot.outboxLagSeconds = v;
    }
    return snapshot;
  }
}
