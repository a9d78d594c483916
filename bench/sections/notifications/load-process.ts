/**
 * A load process of the notifications bench (started with child_process.fork): the engine's API modules on the
 * bench database, no worker, driving transitions through ReferralCommands (the write path HTTP uses) on its share
 * of the schedule, so that neither the load nor the measured pipeline waits for the other's event loop.
 *
 * Protocol: the parent sends { kind: 'plan' }, this answers { kind: 'ready' } once the app is up; the parent sends
 * { kind: 'go', startAt }, this answers { kind: 'done', outcome } and exits.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ApiModule } from '../../../apps/api/api.module.js';
import { loadEngineConfig } from '../../../libs/config/engine-config.js';
import { ReferralCommands } from '../../../libs/referrals/referral-commands.service.js';
import type { Community } from './community.js';
import { runShare, type LoadOutcome, type LoadShare } from './steady-load.js';

export type ToLoadProcess = { kind: 'plan'; community: Community; share: LoadShare } | { kind: 'go'; startAt: number };
export type FromLoadProcess = { kind: 'ready' } | { kind: 'done'; outcome: LoadOutcome } | { kind: 'failed'; message: string };

const send = (message: FromLoadProcess) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
const next = () => new Promise<ToLoadProcess>((resolve) => process.once('message', (m) => resolve(m as ToLoadProcess)));

try {
  const plan = await next();
  if (plan.kind !== 'plan') throw new Error(`expected a plan, got ${plan.kind}`);
  const app = await NestFactory.createApplicationContext(ApiModule.forRoot({ config: loadEngineConfig(process.env), withWorker: false }), { logger: false });
  await send({ kind: 'ready' });
  const go = await next();
  if (go.kind !== 'go') throw new Error(`expected go, got ${go.kind}`);
  const outcome = await runShare(app.get(ReferralCommands), plan.community, plan.share, go.startAt);
  await send({ kind: 'done', outcome });
  await app.close();
} catch (e) {
  await send({ kind: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exitCode = 1;
}
process.disconnect?.();
