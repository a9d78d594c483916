import { describe, expect, it } from '@jest/globals';
import { CoalescingBatcher } from './coalescing-batcher.js';

/** A batch runner that records its batches and answers when told to. */
function gatedRunner() {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const run = async (keys: string[]) => {
    batches.push(keys);
    await new Promise<void>((resolve) => gates.push(resolve));
    return new Map(keys.map((k) => [k, `v:${k}`]));
  };
  const openAll = () => gates.splice(0).forEach((open) => open());
  return { batches, run, openAll };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingBatcher', () => {
  it('runs a lone call at once, as a batch of one', async () => {
    const batcher = new CoalescingBatcher(async (keys) => new Map(keys.map((k) => [k, k.length])), { maxBatch: 10, maxConcurrent: 2 });
    await expect(batcher.run('abc')).resolves.toBe(3);
  });

  it('groups the calls of one turn, and those that arrive while every slot is busy', async () => {
    const g = gatedRunner();
    const batcher = new CoalescingBatcher(g.run, { maxBatch: 10, maxConcurrent: 1 });
    const first = [batcher.run('a'), batcher.run('b')];
    await turn();
    expect(g.batches).toEqual([['a', 'b']]);
    const later = [batcher.run('c'), batcher.run('d'), batcher.run('e')];
    await turn();
    expect(g.batches).toHaveLength(1);
    g.openAll();
    await expect(Promise.all(first)).resolves.toEqual(['v:a', 'v:b']);
    await turn();
    expect(g.batches).toEqual([['a', 'b'], ['c', 'd', 'e']]);
    g.openAll();
    await expect(Promise.all(later)).resolves.toEqual(['v:c', 'v:d', 'v:e']);
  });

  it('keeps to maxBatch and maxConcurrent', async () => {
    const g = gatedRunner();
    const batcher = new CoalescingBatcher(g.run, { maxBatch: 2, maxConcurrent: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((k) => batcher.run(k));
    await turn();
    expect(g.batches).toEqual([['a', 'b'], ['c', 'd']]);
    g.openAll();
    await turn();
    await turn();
    expect(g.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    g.openAll();
    await expect(Promise.all(all)).resolves.toEqual(['v:a', 'v:b', 'v:c', 'v:d', 'v:e']);
  });

  it('runs a key asked for twice while waiting once, answering both callers', async () => {
    const g = gatedRunner();
    const batcher = new CoalescingBatcher(g.run, { maxBatch: 10, maxConcurrent: 1 });
    const both = [batcher.run('a'), batcher.run('a'), batcher.run('b')];
    await turn();
    expect(g.batches).toEqual([['a', 'b']]);
    g.openAll();
    await expect(Promise.all(both)).resolves.toEqual(['v:a', 'v:a', 'v:b']);
  });

  it("rejects only the key whose answer is an Error, and a missing answer", async () => {
    const batcher = new CoalescingBatcher<string>(async () => new Map<string, string | Error>([['ok', 'fine'], ['bad', new Error('refused')]]), {
      maxBatch: 10,
      maxConcurrent: 1,
    });
    const [ok, bad, missing] = await Promise.allSettled([batcher.run('ok'), batcher.run('bad'), batcher.run('missing')]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'fine' });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'refused' } });
    expect(missing).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('missing') } });
  });

  it('rejects every key of a batch that throws, and goes on with the next batch', async () => {
    let calls = 0;
    const batcher = new CoalescingBatcher(
      async (keys) => {
        if (calls++ === 0) throw new Error('database down');
        return new Map(keys.map((k) => [k, k]));
      },
      { maxBatch: 10, maxConcurrent: 1 },
    );
    const failed = await Promise.allSettled([batcher.run('a'), batcher.run('b')]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.run('c')).resolves.toBe('c');
  });
});
