import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DISPATCH_JOB_EVENTS, dispatchJobId, groupByJob, intoDispatchJobs } from './dispatch-jobs.js';

const event = (i: number) => ({ id: `e${i}`, correlationId: i % 2 ? `c${i}` : null });

describe('dispatch jobs', () => {
  it('split events, in order, into jobs of at most DISPATCH_JOB_EVENTS under one claim', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * DISPATCH_JOB_EVENTS + 3 }), (n) => {
        const events = Array.from({ length: n }, (_, i) => event(i));
        const jobs = intoDispatchJobs(events, 'claim');
        expect(jobs.length).toBe(Math.ceil(n / DISPATCH_JOB_EVENTS));
        expect(jobs.flatMap((j) => j.events)).toEqual(events);
        expect(jobs.every((j) => j.events.length >= 1 && j.events.length <= DISPATCH_JOB_EVENTS)).toBe(true);
        expect(jobs.map((j) => j.jobId)).toEqual(jobs.map((_, i) => dispatchJobId('claim', i)));
      }),
    );
  });

  it('give every claim ids of its own', () => {
    const [a] = intoDispatchJobs([event(1)]);
    const [b] = intoDispatchJobs([event(1)]);
    expect(a.jobId).not.toBe(b.jobId);
  });

  it('regroup rows by the job they name, keeping each job’s events in their order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 40 }), (names) => {
        const rows = names.map((jobId, i) => ({ ...event(i), jobId }));
        const jobs = groupByJob(rows);
        expect(jobs.map((j) => j.jobId)).toEqual([...new Set(names)]);
        for (const job of jobs) expect(job.events).toEqual(rows.filter((r) => r.jobId === job.jobId).map(({ jobId: _, ...e }) => e));
      }),
    );
  });
});
