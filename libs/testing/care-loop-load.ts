import { makeResidentId } from '../domain/referral/resident-id.js';
import type { SignedIn } from './fixtures.js';
import { sleep } from './child-processes.js';
import type { EngineHttp, FaultCommunity, HttpAnswer } from './engine-http.js';
import { patient, upReferral } from './referral-builders.js';

/** A transition as the client saw it succeed (a 2xx answer): it must be in the history, whatever happened next. */
export interface SeenTransition {
  referralId: string;
  action: string;
}

/**
 * What the clients of a burst saw. `unanswered` counts writes whose outcome the client could not know (no answer,
 * or a 5xx): they may or may not have happened, and the client found out by reading the referral again (or, for a
 * create, by the duplicate its retry met).
 */
export class TransitionLedger {
  readonly seen: SeenTransition[] = [];
  unanswered = 0;
  /** Writes that turned out to have happened although the client got no answer. */
  happenedUnseen = 0;
  private waiters: { n: number; resolve: () => void }[] = [];

  record(t: SeenTransition): void {
    this.seen.push(t);
    this.waiters = this.waiters.filter((w) => (this.seen.length >= w.n ? (w.resolve(), false) : true));
  }

  /** Resolves once `n` transitions have been seen to succeed (so a fault can strike mid-burst). */
  reached(n: number, timeoutMs = 60_000): Promise<void> {
    if (this.seen.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the burst did not reach ${n} transitions within ${timeoutMs} ms (at ${this.seen.length})`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** A referral as the care loop tracks it. */
interface Tracked {
  id: string;
  version: number;
  status: string;
}

type Step = { action: string; by: (c: FaultCommunity) => SignedIn; to: string; payload?: Record<string, unknown> };

const accept: Step = { action: 'accept', by: (c) => c.countyCoordinator, to: 'accepted', payload: { department: '心内科' } };
const arrive: Step = { action: 'arrive', by: (c) => c.countyDoctors[0], to: 'arrived' };
const complete: Step = {
  action: 'complete',
  by: (c) => c.countyDoctors[1],
  to: 'completed',
  payload: { outcome: { diagnosis: '原发性高血压 2级', summary: '调整用药后血压达标', recommendations: '下转社区随访' } },
};
const giveBack: Step = { action: 'return', by: (c) => c.countyCoordinator, to: 'returned', payload: { reasonCode: 'information_incomplete', comment: '缺少近期血压记录' } };
const resubmit: Step = { action: 'resubmit', by: (c) => c.townshipDoctor, to: 'submitted' };

/** The two walks of the up care loop: straight through (4 transitions), or returned and resubmitted first (6). */
const STRAIGHT_LOOP: Step[] = [accept, arrive, complete];
const RETURNED_LOOP: Step[] = [giveBack, resubmit, accept, arrive, complete];
/** Transitions of referral `index`'s walk, creation included: what a burst of them must leave in the history. */
export const transitionsOf = (index: number) => 1 + (index % 3 === 0 ? RETURNED_LOOP : STRAIGHT_LOOP).length;

export interface CareLoopOptions {
  /** Requests go round-robin over these (several API processes in the scale-out test). */
  apis: EngineHttp[];
  community: FaultCommunity;
  /** Referral indexes to walk, e.g. 0..59; the index picks the walk and a resident ID unique in the test file. */
  from: number;
  count: number;
  concurrency: number;
  /** Stop after the referral is submitted (the deadline tests keep referrals waiting). */
  submitOnly?: boolean;
  /** How long one step keeps retrying while the engine gives no answer or 5xx (the outage may last a while). */
  stepTimeoutMs?: number;
}

/**
 * Drives referrals through the up care loop over HTTP, `concurrency` at a time, as real clients would: each write
 * carries the version last read; a write without a definite answer is followed by a read, and redone only if it
 * did not happen. Any other answer than 2xx, no answer or 5xx fails the burst: under faults the engine must still
 * answer every well-formed request correctly.
 */
export async function runCareLoops(options: CareLoopOptions, ledger: TransitionLedger): Promise<Tracked[]> {
  const { apis, community: c } = options;
  let turn = 0;
  const nextApi = () => apis[turn++ % apis.length];
  const stepTimeoutMs = options.stepTimeoutMs ?? 30_000;
  const done: Tracked[] = [];

  const read = async (id: string): Promise<Tracked | null> => {
    const a = await nextApi().get(`/api/v1/referrals/${id}`, c.townshipDoctor.token);
    return a.status === 200 ? { id, version: a.body.version, status: a.body.status } : null;
  };

  /**
   * Sends until a definite answer. After a write without one, `happened` reads whether it took effect after all
   * (then the read result stands for the answer) before sending again; a 409 after such a write is the same
   * question (the first attempt may have committed late).
   */
  const write = async (
    what: string,
    send: () => Promise<HttpAnswer>,
    happened: () => Promise<Tracked | null | 'unknown'>,
  ): Promise<{ outcome: Tracked | HttpAnswer; doubt: boolean }> => {
    const deadline = Date.now() + stepTimeoutMs;
    let doubt = false;
    for (;;) {
      const answer = await send();
      if (answer.status > 0 && answer.status < 500 && !(doubt && answer.body?.code === 'VERSION_CONFLICT')) return { outcome: answer, doubt };
      if (answer.status === 0 || answer.status >= 500) ledger.unanswered++;
      doubt = true;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`${what}: no definite answer within ${stepTimeoutMs} ms (last: ${answer.status} ${answer.error ?? JSON.stringify(answer.body)})`);
        await sleep(150);
        const outcome = await happened();
        if (outcome === 'unknown') continue; // cannot tell yet (the engine is still down)
        if (outcome) {
          ledger.happenedUnseen++;
          return { outcome, doubt };
        }
        break; // it did not happen: send again
      }
    }
  };

  const walk = async (index: number) => {
    const body = upReferral(c, { patient: patient({ idNumber: residentIdFor(index) }) });
    // A create that committed without an answer makes the next attempt a duplicate naming it: that is the probe.
    const { outcome: created, doubt } = await write(
      `create #${index}`,
      () => nextApi().post('/api/v1/referrals', c.townshipDoctor.token, body),
      async () => null,
    );
    let r: Tracked;
    if (doubt && 'ms' in created && created.status === 409 && created.body?.code === 'DUPLICATE_OPEN_REFERRAL') {
      const adopted = await waitForRead(created.body.details.referralId);
      ledger.happenedUnseen++;
      r = adopted;
    } else {
      r = asTracked(`create #${index}`, created, 201, (body) => ledger.record({ referralId: body.id, action: 'submit' }));
    }
    if (options.submitOnly) return done.push(r);
    for (const step of index % 3 === 0 ? RETURNED_LOOP : STRAIGHT_LOOP) {
      const before = r;
      const { outcome } = await write(
        `${step.action} #${index}`,
        () => nextApi().act(step.by(c), before, step.action, step.payload),
        async () => {
          const now = await read(before.id);
          if (!now) return 'unknown';
          return now.version === before.version + 1 && now.status === step.to ? now : null;
        },
      );
      r = asTracked(`${step.action} #${index}`, outcome, 200, () => ledger.record({ referralId: before.id, action: step.action }));
    }
    done.push(r);
  };

  const waitForRead = async (id: string): Promise<Tracked> => {
    const deadline = Date.now() + stepTimeoutMs;
    for (;;) {
      const r = await read(id);
      if (r) return r;
      if (Date.now() > deadline) throw new Error(`referral ${id} could not be read within ${stepTimeoutMs} ms`);
      await sleep(150);
    }
  };

  const queue = Array.from({ length: options.count }, (_, i) => options.from + i);
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await walk(next);
    }),
  );
  return done;
}

function asTracked(what: string, outcome: Tracked | HttpAnswer, status: number, onSeen: (body: { id: string }) => void): Tracked {
  if (!('ms' in outcome)) return outcome; // learnt by reading after an unanswered write
  if (outcome.status !== status) throw new Error(`${what}: expected ${status}, got ${outcome.status} ${JSON.stringify(outcome.body)}`);
  onSeen(outcome.body);
  return { id: outcome.body.id, version: outcome.body.version, status: outcome.body.status };
}

/** A valid resident ID per index (male, born 1958-03-07), distinct within a test file. */
export function residentIdFor(index: number): string {
  return makeResidentId(String(110101 + Math.floor(index / 500)), '1958-03-07', String((index % 500) * 2 + 1).padStart(3, '0'));
}
