import { setTimeout as sleep } from 'node:timers/promises';
import type { ReferralCommands } from '../../../libs/referrals/referral-commands.service.js';
import { referralBody, type Community } from './community.js';

/** One load process's part of the schedule. */
export interface LoadShare {
  /** Transitions per second, all load processes together. */
  rate: number;
  seconds: number;
  /** This process takes slots k with k % shares === share. */
  share: number;
  shares: number;
  /** Referrals walked side by side in this process (bounds its transitions in flight). */
  chains: number;
  /** Patient numbers start here, so that processes and runs never reuse a resident ID. */
  firstPatient: number;
}

export interface LoadOutcome {
  transitions: number;
  errors: number;
  /** Date.now() when the last transition of this process returned. */
  endedAt: number;
  /** CPU time (user + system) this process used for the load, in ms. */
  cpuMs: number;
}

/**
 * Open-loop load: slot k of the whole schedule starts at startAt + k / rate (Date.now() time, which every process
 * on the machine shares) whatever happened to earlier ones; each chain walks one referral through
 * create-and-submit → accept → arrive → complete, taking the next free slot of this process for each step.
 */
export async function runShare(commands: ReferralCommands, c: Community, plan: LoadShare, startAt: number): Promise<LoadOutcome> {
  const end = startAt + plan.seconds * 1000;
  const cpu0 = process.cpuUsage();
  let slot = 0;
  let patient = plan.firstPatient;
  let transitions = 0;
  let errors = 0;
  const nextSlot = async (): Promise<boolean> => {
    const at = startAt + ((slot++ * plan.shares + plan.share) * 1000) / plan.rate;
    if (at >= end) return false;
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
    return true;
  };
  const done = <T>(r: T): T => {
    transitions++;
    return r;
  };
  const chain = async (n: number) => {
    const doctor = c.townDoctors[n % c.townDoctors.length];
    const coordinator = c.countyStaff[n % 2];
    const countyDoctor = c.countyStaff[2 + (n % 4)];
    while (await nextSlot()) {
      try {
        let r = done(await commands.create(doctor, referralBody(c, patient++)));
        if (!(await nextSlot())) break;
        r = done(await commands.act(coordinator, r.id, 'accept', { version: r.version, department: '心内科' }));
        if (!(await nextSlot())) break;
        r = done(await commands.act(countyDoctor, r.id, 'arrive', { version: r.version }));
        if (!(await nextSlot())) break;
        done(await commands.act(countyDoctor, r.id, 'complete', { version: r.version, outcome: { diagnosis: '高血压', summary: '好转' } }));
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.chains }, (_, i) => chain(i * plan.shares + plan.share)));
  const cpu = process.cpuUsage(cpu0);
  return { transitions, errors, endedAt: Date.now(), cpuMs: (cpu.user + cpu.system) / 1000 };
}
