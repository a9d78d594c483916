import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { notFound } from '../domain/errors/domain-error.js';
import type { Actor } from '../domain/shared/actor.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';

export interface InboxItem {
  id: string;
  referralId: string | null;
  event: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

interface InboxRow {
  id: string;
  referral_id: string | null;
  event: string;
  title: string | null;
  body: string | null;
  created_at: Date;
  read_at: Date | null;
  at_key: string;
}

const COLUMNS = `id, referral_id, event, title, body, created_at, read_at, created_at::text AS at_key`;
/** The caller's inbox: their own in-app notifications, superseded ones left out. */
const MINE = `user_id = $1 AND channel = 'inbox' AND state <> 'superseded'`;

export const mapInboxItem = (r: InboxRow): InboxItem => ({
  id: r.id,
  referralId: r.referral_id,
  event: r.event,
  title: r.title ?? '',
  body: r.body ?? '',
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
});

/** The in-app inbox (站内消息) of the signed-in user. */
@Injectable()
export class InboxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  /** Newest first; `unread` keeps only entries not yet read. */
  async list(actor: Actor, req: PageRequest & { unread?: boolean }): Promise<Page<InboxItem>> {
    const scope = `inbox:${actor.id}:${req.unread ? 'unread' : 'all'}`;
    const after = this.cursors.decode(scope, req.cursor) as [string, string] | undefined;
    const params: unknown[] = [actor.id];
    let where = MINE;
    if (req.unread) where += ' AND read_at IS NULL';
    if (after) {
      params.push(String(after[0]), String(after[1]));
      where += ` AND (created_at, id) < ($2::timestamptz, $3::uuid)`;
    }
    params.push(req.limit + 1);
    const rows: InboxRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM notifications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return this.cursors.page(scope, rows, req.limit, (r) => [r.at_key, r.id], mapInboxItem);
  }

  /** Marks one of the caller's entries read (the first time only); anyone else's → 404. */
  async markRead(actor: Actor, id: string): Promise<InboxItem> {
    const [rows]: [InboxRow[], number] = await this.dataSource.query(
      `UPDATE notifications SET read_at = COALESCE(read_at, now()), state = 'read', updated_at = now()
        WHERE id = $2 AND ${MINE} RETURNING ${COLUMNS}`,
      [actor.id, id],
    );
    if (!rows?.[0]) throw notFound('Notification');
    return mapInboxItem(rows[0]);
  }

  async unreadCount(actor: Actor): Promise<{ count: number }> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM notifications WHERE ${MINE} AND read_at IS NULL`, [actor.id]);
    return { count };
  }
}
