import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs one at a time: ticks during a slow run are skipped, not queued', async () => {
    jest.useFakeTimers();
    let runs = 0;
    let finish: () => void = () => undefined;
    const task = new PeriodicTask(() => {
      runs++;
      return new Promise<void>((resolve) => (finish = resolve));
    }, () => undefined);
    task.start(1000);
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(1);
    finish();
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    finish();
    await task.stop();
  });

  it('reports a failed run and runs again at the next tick; stop waits for a run in progress', async () => {
    jest.useFakeTimers();
    const errors: unknown[] = [];
    let runs = 0;
    const task = new PeriodicTask(async () => {
      runs++;
      if (runs === 1) throw new Error('redis away');
    }, (e) => errors.push(e));
    task.start(1000);
    await jest.advanceTimersByTimeAsync(2000);
    expect(runs).toBe(2);
    expect(errors).toEqual([new Error('redis away')]);
    await task.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(2);
  });
});
