import { randomUUID } from 'node:crypto';

/**
 * Outbox events travel to the fan-out in jobs of up to this many. A job per event made the queue's own work (a
 * Lua script to add it, another to take it, its lock and its completion) most of an event's cost: on one machine the
 * bench drained a backlog at 0.39× bare BullMQ's rate with a job per event, 0.68–0.77× with jobs of 50, and
 * 0.77–0.81× with jobs of 100. Fifty keeps a backlog spread over several workers and a retried job small.
 */
export const DISPATCH_JOB_EVENTS = 50;

/** An outbox event as a dispatch job carries it. */
export interface DispatchedEvent {
  id: string;
  correlationId: string | null;
}

/** One fan-out job: its id (recorded on each of its outbox rows as `dispatch_job_id`) and its events. */
export interface DispatchJob {
  jobId: string;
  events: DispatchedEvent[];
}

/**
 * The id of the `index`-th job of a claim: the relay's claim statement writes the same `<claim>.<index>` into each
 * outbox row (see OutboxRelay), so a row always names the job that carries it. A fresh claim id per claim: a claim
 * rolled back after its enqueue leaves jobs that fan out anyway, and the rows' next claim gets jobs of its own
 * (fanning an event out twice writes nothing new).
 */
export function dispatchJobId(claimId: string, index: number): string {
  return `${claimId}.${index}`;
}

export function newClaimId(): string {
  return randomUUID();
}

/** Splits events (in the order they should be fanned out) into jobs of DISPATCH_JOB_EVENTS under a new claim id. */
export function intoDispatchJobs(events: DispatchedEvent[], claimId = newClaimId()): DispatchJob[] {
  const jobs: DispatchJob[] = [];
  for (let i = 0; i < events.length; i += DISPATCH_JOB_EVENTS) {
    jobs.push({ jobId: dispatchJobId(claimId, jobs.length), events: events.slice(i, i + DISPATCH_JOB_EVENTS) });
  }
  return jobs;
}

/** Rows that name their job, grouped into one job per id, in the order each job's first row came. */
export function groupByJob(rows: (DispatchedEvent & { jobId: string })[]): DispatchJob[] {
  const jobs = new Map<string, DispatchJob>();
  for (const { jobId, ...event } of rows) {
    const job = jobs.get(jobId);
    if (job) job.events.push(event);
    else jobs.set(jobId, { jobId, events: [event] });
  }
  return [...jobs.values()];
}

/** Each event with the job that carries it, as the statements recording `dispatch_job_id` take them (JSON). */
export function jobOfEachEvent(jobs: DispatchJob[]): string {
  return JSON.stringify(jobs.flatMap((j) => j.events.map((e) => ({ id: e.id, job: j.jobId }))));
}
