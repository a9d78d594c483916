import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../domain/errors/domain-error.js';
import { dueEscalations, orderedLadder } from '../domain/notifications/escalation.js';
import { DEADLINE_BREACHED_EVENT, type EscalationPayload } from '../domain/notifications/notification-events.js';
import type { DeadlineSettings } from '../domain/referral/deadlines.js';
import { DeadlineSettingsService } from '../referrals/deadline-settings.service.js';
import { ReferralCommands } from '../referrals/referral-commands.service.js';

export interface SweepResult {
  /** Deadlines this sweep marked breached, by kind. */
  breached: Record<string, number>;
  noShows: number;
  expired: number;
  escalations: number;
}

const BATCH = 500;

/**
 * The deadline engine. Every step is safe to run twice and from several workers at once: deadlines are claimed with
 * FOR UPDATE SKIP LOCKED and a conditional update; escalation steps are counted with a conditional update on
 * `escalations_done`; status changes go through ReferralCommands.actAsEngine, whose version check lets exactly one
 * sweeper win.
 */
@Injectable()
export class DeadlineSweeper {
  private readonly logger = new Logger(DeadlineSweeper.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: DeadlineSettingsService,
    private readonly commands: ReferralCommands,
  ) {}

  async sweep(now: Date = new Date()): Promise<SweepResult> {
    const settings = await this.settings.get();
    const breached = await this.markBreached(now);
    const noShows = await this.moveNoShows();
    const expired = await this.expireStale(now, settings);
    const escalations = await this.escalate(now, settings);
    const result = { breached, noShows, expired, escalations };
    if (Object.keys(breached).length || noShows || expired || escalations) this.logger.log(result, 'deadline sweep');
    return result;
  }

  /** Open deadlines whose time has passed become `breached`, with a deadline event each. */
  private async markBreached(now: Date): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (;;) {
      const rows: { kind: string }[] = await this.dataSource.query(
        `WITH due AS (
           SELECT id FROM referral_deadlines WHERE state = 'open' AND due_at <= $1
            ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
         ), breached AS (
           UPDATE referral_deadlines d SET state = 'breached', breached_at = $1
             FROM due WHERE d.id = due.id AND d.state = 'open'
           RETURNING d.id, d.referral_id, d.kind, d.due_at
         ), events AS (
           INSERT INTO deadline_events (referral_id, deadline_id, kind, due_at, event, at)
           SELECT referral_id, id, kind, due_at, 'breached', $1 FROM breached
         )
         SELECT kind FROM breached`,
        [now, BATCH],
      );
      for (const r of rows) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
      if (rows.length < BATCH) return counts;
    }
  }

  /** An accepted referral whose arrive deadline has been breached: the patient did not come (no_show). */
  private async moveNoShows(): Promise<number> {
    const rows: { id: string; version: number }[] = await this.dataSource.query(
      `SELECT r.id, r.version FROM referrals r
         JOIN referral_deadlines d ON d.referral_id = r.id AND d.kind = 'arrive' AND d.state = 'breached'
        WHERE r.status = 'accepted'`,
    );
    let moved = 0;
    for (const r of rows) {
      if (await this.actAsEngine(r.id, 'no_show', r.version, '未在到诊时限内到达 (arrive deadline passed)')) moved++;
    }
    return moved;
  }

  /** Still `submitted` `expireAfterDays` after the last submit: expired. */
  private async expireStale(now: Date, settings: DeadlineSettings): Promise<number> {
    const rows: { id: string; version: number }[] = await this.dataSource.query(
      `SELECT id, version FROM referrals
        WHERE status = 'submitted' AND last_submitted_at <= $1::timestamptz - make_interval(days => $2)`,
      [now, settings.expireAfterDays],
    );
    let expired = 0;
    for (const r of rows) {
      const reason = `提交后${settings.expireAfterDays}天未处理 (not answered within ${settings.expireAfterDays} days)`;
      if (await this.actAsEngine(r.id, 'expire', r.version, reason)) expired++;
    }
    return expired;
  }

  /**
   * Runs the escalation ladder for breached respond deadlines of referrals still waiting for an answer (the latest
   * respond deadline of a `submitted` referral): each step once, `afterMinutes` after the breach. A step is an
   * `escalated` deadline event and a `referral.deadline_breached` outbox row, which the notification pipeline
   * turns into inbox entries for the step's role and webhook deliveries.
   */
  private async escalate(now: Date, settings: DeadlineSettings): Promise<number> {
    const ladder = orderedLadder(settings.escalation);
    if (ladder.length === 0) return 0;
    const candidates: { id: string; referral_id: string; breached_at: Date; escalations_done: number }[] = await this.dataSource.query(
      `SELECT d.id, d.referral_id, d.breached_at, d.escalations_done
         FROM referral_deadlines d JOIN referrals r ON r.id = d.referral_id
        WHERE d.kind = 'respond' AND d.state = 'breached' AND d.escalations_done < $1 AND r.status = 'submitted'
          AND NOT EXISTS (SELECT 1 FROM referral_deadlines n
                           WHERE n.referral_id = d.referral_id AND n.kind = 'respond' AND n.opened_at > d.opened_at)`,
      [ladder.length],
    );
    let done = 0;
    for (const d of candidates) {
      for (const { index, step } of dueEscalations(ladder, d.escalations_done, new Date(d.breached_at), now)) {
        const payload: EscalationPayload = { deadlineId: d.id, step: index, notify: step.notify };
        const ran = await this.dataSource.transaction(async (tx) => {
          // TypeORM answers an UPDATE with [rows, affected].
          const [, claimed]: [unknown[], number] = await tx.query(
            `UPDATE referral_deadlines SET escalations_done = escalations_done + 1
              WHERE id = $1 AND escalations_done = $2 AND state = 'breached'`,
            [d.id, index],
          );
          if (claimed !== 1) return false; // another sweeper ran this step
          await tx.query(
            `INSERT INTO deadline_events (referral_id, deadline_id, kind, due_at, event, at)
             SELECT referral_id, id, kind, due_at, 'escalated', $2 FROM referral_deadlines WHERE id = $1`,
            [d.id, now],
          );
          await tx.query(
            `INSERT INTO outbox_events (referral_id, event, referral_status, referral_version, payload)
             SELECT id, $2, status, version, $3 FROM referrals WHERE id = $1`,
            [d.referral_id, DEADLINE_BREACHED_EVENT, JSON.stringify(payload)],
          );
          return true;
        });
        if (!ran) break;
        done++;
      }
    }
    return done;
  }

  /**
   * The engine's move through the one write path; losing the race to a user or another sweeper is fine. True when
   * the referral is now in the target status at the next version (a concurrent sweeper may count the same one).
   */
  private async actAsEngine(id: string, action: 'no_show' | 'expire', version: number, reason: string): Promise<boolean> {
    try {
      await this.commands.actAsEngine(id, action, version, reason);
    } catch (e) {
      if (e instanceof DomainError && (e.code === 'VERSION_CONFLICT' || e.code === 'ILLEGAL_TRANSITION')) return false;
      throw e;
    }
    const target = action === 'no_show' ? 'no_show' : 'expired';
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM referrals WHERE id = $1 AND version = $2 AND status = $3`, [id, version + 1, target]);
    return rows.length > 0;
  }
}
