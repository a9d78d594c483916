import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../domain/shared/actor.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { ReferralQueries } from './referral-queries.service.js';

export type TimelineItem =
  | { type: 'transition'; at: string; from: string | null; to: string; action: string; actor: Record<string, unknown> | null; reason: string | null }
  | { type: 'deadline'; at: string; kind: string; dueAt: string; event: string }
  | {
      type: 'notification';
      at: string;
      notificationId: string;
      channel: string;
      recipient: { userId: string } | { webhookId: string };
      event: string;
      state: string;
    };

/**
 * The referral's timeline, oldest first: transitions, deadline events and (once the notification tables exist)
 * notifications, merged in SQL and paged by (at, type, sequence).
 */
@Injectable()
export class ReferralTimeline {
  /** Extra timeline sources registered by other modules (notifications), as SQL selecting the common columns. */
  private readonly sources: string[] = [
    `SELECT 'transition' AS type, at, lpad(id::text, 20, '0') AS seq,
            jsonb_build_object('from', from_status, 'to', to_status, 'action', action, 'actor', actor, 'reason', reason) AS data
       FROM referral_transitions WHERE referral_id = $1`,
    `SELECT 'deadline' AS type, at, lpad(id::text, 20, '0') AS seq,
            jsonb_build_object('kind', kind, 'dueAt', due_at, 'event', event) AS data
       FROM deadline_events WHERE referral_id = $1`,
  ];

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ReferralQueries,
    private readonly cursors: CursorCodec,
  ) {}

  /** `sql` selects (type, at, seq, data) for referral $1. */
  addSource(sql: string): void {
    this.sources.push(sql);
  }

  async list(referralId: string, actor: Actor, page: PageRequest): Promise<Page<TimelineItem>> {
    await this.queries.findVisible(referralId, actor);
    const scope = `timeline:${referralId}`;
    const after = this.cursors.decode(scope, page.cursor) as [string, number, string] | undefined;
    const params: unknown[] = [referralId];
    let filter = '';
    if (after) {
      params.push(after[0], after[1], after[2]);
      filter = `WHERE (t.at, t.rank, t.seq) > ($2::timestamptz, $3::int, $4)`;
    }
    params.push(page.limit + 1);
    // At the same instant a transition comes before the deadlines it opened and the notifications it caused.
    const rows: { type: string; at_key: string; at: Date; rank: number; seq: string; data: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT s.type, s.at, s.at::text AS at_key, s.seq, s.data,
                CASE s.type WHEN 'transition' THEN 0 WHEN 'deadline' THEN 1 ELSE 2 END AS rank
         FROM (${this.sources.join(' UNION ALL ')}) s) t ${filter}
       ORDER BY t.at, t.rank, t.seq LIMIT $${params.length}`,
      params,
    );
    return this.cursors.page(scope, rows, page.limit, (r) => [r.at_key, r.rank, r.seq], toItem);
  }
}

function toItem(row: { type: string; at: Date; data: Record<string, unknown> }): TimelineItem {
  const at = new Date(row.at).toISOString();
  const d = row.data;
  if (row.type === 'deadline') return { type: 'deadline', at, kind: String(d.kind), dueAt: new Date(String(d.dueAt)).toISOString(), event: String(d.event) };
  if (row.type === 'notification') return { type: 'notification', at, ...(d as object) } as TimelineItem;
  return {
    type: 'transition',
    at,
    from: (d.from as string | null) ?? null,
    to: String(d.to),
    action: String(d.action),
    actor: (d.actor as Record<string, unknown> | null) ?? null,
    reason: (d.reason as string | null) ?? null,
  };
}
