import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError } from '../domain/errors/domain-error.js';
import { IdempotencyKeyEntity } from '../persistence/entities/idempotency-key.entity.js';

export type IdempotencyClaim =
  /**
   * `takenOver`: from a first attempt whose lease lapsed (its process died), whose change may have committed.
   * `claimedAt`: when the key was first claimed, the same for every attempt of this request (and different for a
   * later request that reuses the key once this one has been purged).
   */
  | { kind: 'owner'; takenOver: boolean; claimedAt: string }
  | { kind: 'replay'; status: number; body: unknown };

/** How long a running request holds its key; a crashed owner's retry takes over after this. */
export const LEASE_SECONDS = 30;
const POLL_MS = 50;
/** Keys are kept at least 24 hours (the contract); housekeeping removes them after 48. */
export const RETENTION_HOURS = 48;

/**
 * Idempotency-Key storage: the first request for (user, key) owns it; a concurrent duplicate waits for the owner's
 * response and replays it; a different request under the same key is refused. 5xx responses are not stored.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectRepository(IdempotencyKeyEntity) private readonly keys: Repository<IdempotencyKeyEntity>) {}

  async claim(userId: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const deadline = Date.now() + (LEASE_SECONDS + 5) * 1000;
    for (;;) {
      const inserted = await this.keys.query(
        `INSERT INTO idempotency_keys (user_id, key, fingerprint, state, lease_until)
         VALUES ($1, $2, $3, 'running', now() + make_interval(secs => $4))
         ON CONFLICT (user_id, key) DO NOTHING RETURNING created_at::text AS claimed_at`,
        [userId, key, fingerprint, LEASE_SECONDS],
      );
      if (inserted.length > 0) return { kind: 'owner', takenOver: false, claimedAt: inserted[0].claimed_at };
      const existing = await this.keys.findOneBy({ userId, key });
      if (!existing) continue; // the owner failed with a 5xx and released it: try again
      if (existing.fingerprint !== fingerprint) {
        throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request.');
      }
      if (existing.state === 'done') return { kind: 'replay', status: existing.responseStatus!, body: existing.responseBody };
      // Still running elsewhere: take it over if its owner's lease lapsed (a crashed process), else wait.
      const takeover = await this.keys.query(
        `UPDATE idempotency_keys SET lease_until = now() + make_interval(secs => $3)
         WHERE user_id = $1 AND key = $2 AND state = 'running' AND lease_until < now() RETURNING created_at::text AS claimed_at`,
        [userId, key, LEASE_SECONDS],
      );
      const [taken] = takeover[0] as { claimed_at: string }[];
      if (taken) return { kind: 'owner', takenOver: true, claimedAt: taken.claimed_at };
      if (Date.now() > deadline) throw new DomainError('SERVICE_UNAVAILABLE', 'The first request with this Idempotency-Key is still running.');
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async complete(userId: string, key: string, status: number, body: unknown): Promise<void> {
    if (status >= 500) {
      await this.keys.delete({ userId, key });
      return;
    }
    await this.keys.update({ userId, key }, { state: 'done', responseStatus: status, responseBody: body as never });
  }

  async purgeExpired(): Promise<void> {
    await this.keys.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [RETENTION_HOURS]);
  }
}
