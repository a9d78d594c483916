import { performance } from 'node:perf_hooks';
import { makeResidentId } from '../../libs/domain/referral/resident-id.js';
import type { Community } from './community.js';
import { EngineClient } from './engine-client.js';
import { percentile } from './stats.js';

/** One load level: every client looping the referral workflow for a fixed window. */
export interface LoadLevel {
  clients: number;
  /** API processes the clients were spread over. */
  processes: number;
  transitions: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

export const perSecond = (l: LoadLevel) => l.transitions / l.seconds;

let patientSeq = 0;
function benchPatient() {
  patientSeq++;
  const seq = String(patientSeq % 1000).padStart(3, '0');
  const region = String(110000 + (Math.floor(patientSeq / 1000) % 890000)).padStart(6, '1');
  const idNumber = makeResidentId(region, '1960-05-05', seq);
  return { name: `压测患者${patientSeq}`, gender: Number(seq[2]) % 2 === 1 ? 'male' : 'female', birthDate: '1960-05-05', idNumber };
}

/**
 * `clients` concurrent clients, client i talking to `bases[i % bases.length]`, each looping create-and-submit
 * (上转, gate judged) → accept → arrive → complete on its own referral; every step is one transition and one HTTP
 * request. No step starts after `seconds`; the requests still running then are waited for and counted (the
 * window's length is measured, not assumed).
 */
export async function transitionLoad(bases: readonly string[], c: Community, clients: number, seconds: number): Promise<LoadLevel> {
  const http = bases.map((b) => new EngineClient(b));
  const end = performance.now() + seconds * 1000;
  let transitions = 0;
  const client = async (n: number) => {
    const api = http[n % http.length];
    const doctor = c.townDoctors[n % c.townDoctors.length];
    const step = async <T>(path: string, token: string, body: unknown): Promise<T | undefined> => {
      if (performance.now() >= end) return undefined;
      const result = await api.call<T>('POST', path, token, body);
      transitions++;
      return result;
    };
    while (performance.now() < end) {
      try {
        const created = await step<{ id: string; version: number }>('/api/v1/referrals', doctor, {
          direction: 'up',
          urgency: 'routine',
          patient: benchPatient(),
          toInstitutionId: c.county,
          diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
          reason: '血压控制不佳',
          indications: ['hypertension.up.14'],
          consent: { obtained: true, by: 'patient' },
        });
        if (!created) break;
        const accepted = await step<{ version: number }>(`/api/v1/referrals/${created.id}/actions/accept`, c.countyCoordinator, { version: created.version, department: '心内科' });
        if (!accepted) break;
        const arrived = await step<{ version: number }>(`/api/v1/referrals/${created.id}/actions/arrive`, c.countyDoctor, { version: accepted.version });
        if (!arrived) break;
        await step(`/api/v1/referrals/${created.id}/actions/complete`, c.countyDoctor, { version: arrived.version, outcome: { diagnosis: '高血压', summary: '好转' } });
      } catch {
        // counted in the client's errors; the next loop starts a new referral
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const elapsed = (performance.now() - t0) / 1000;
  const latencies = http.flatMap((h) => h.latencies);
  for (const h of http) h.close();
  return {
    clients,
    processes: bases.length,
    transitions,
    seconds: elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: http.reduce((sum, h) => sum + h.errors, 0),
  };
}
