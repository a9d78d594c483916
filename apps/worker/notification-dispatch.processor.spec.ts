import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DispatchResult, NotificationDispatcher } from '../../libs/notifications/notification-dispatcher.service.js';
import { JobName } from '../../libs/queue/queue-names.js';
import { NotificationDispatchProcessor } from './notification-dispatch.processor.js';

const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
const done: DispatchResult = { superseded: false, inbox: 2, sms: 0, webhooks: 1 };

/** A dispatcher that answers every id with `done`, or with an error for the ids in `failing`; it records its batches. */
function dispatcher(failing: string[] = []) {
  const batches: string[][] = [];
  const fake = {
    dispatchMany: async (outboxIds: string[]) => {
      batches.push(outboxIds);
      return new Map<string, DispatchResult | Error>(outboxIds.map((id) => [id, failing.includes(id) ? new Error(`SMS refused for ${id}`) : done]));
    },
  };
  return { batches, processor: new NotificationDispatchProcessor(fake as unknown as NotificationDispatcher) };
}

const job = (name: string, data: unknown) => ({ name, data, id: 'j' }) as unknown as Job;
const batchJob = (outboxIds: string[]) => job(JobName.DispatchEvents, { events: outboxIds.map((outboxId) => ({ outboxId })) });

describe('NotificationDispatchProcessor', () => {
  it('fans a job’s events out in one batch and sums what they wrote', async () => {
    const { batches, processor } = dispatcher();
    await expect(processor.process(batchJob(ids))).resolves.toEqual({ events: 3, superseded: 0, inbox: 6, sms: 0, webhooks: 3 });
    expect(batches).toEqual([ids]);
  });

  it('shares one statement between the jobs that run side by side', async () => {
    const { batches, processor } = dispatcher();
    await Promise.all([processor.process(batchJob(ids.slice(0, 2))), processor.process(batchJob(ids.slice(2)))]);
    expect(batches).toEqual([ids]);
  });

  it('fails the job when one of its events failed, once the others are done, so a retry repeats what is undone', async () => {
    const { batches, processor } = dispatcher([ids[1]]);
    await expect(processor.process(batchJob(ids))).rejects.toThrow(`1 of 3 events failed; first: SMS refused for ${ids[1]}`);
    await expect(processor.process(batchJob(ids))).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(batches).toEqual([ids, ids]);
  });

  it('still takes the one-event jobs that earlier versions enqueued', async () => {
    const { batches, processor } = dispatcher();
    await expect(processor.process(job(JobName.DispatchEvent, { outboxId: ids[0] }))).resolves.toMatchObject({ events: 1, inbox: 2 });
    expect(batches).toEqual([[ids[0]]]);
  });

  it.each([
    ['an unknown job name', job('something-else', { events: [{ outboxId: ids[0] }] })],
    ['no events', batchJob([])],
    ['an id that is not a UUID', batchJob([ids[0], 'not-a-uuid'])],
    ['events that are not a list', job(JobName.DispatchEvents, { events: { outboxId: ids[0] } })],
    ['more events than a job carries', batchJob(Array.from({ length: 1001 }, () => ids[0]))],
    ['a one-event job without its id', job(JobName.DispatchEvent, {})],
  ])('refuses for good a job with %s, touching nothing', async (_, bad) => {
    const { batches, processor } = dispatcher();
    await expect(processor.process(bad)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(batches).toEqual([]);
  });
});
