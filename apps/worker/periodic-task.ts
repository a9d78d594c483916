/**
 * Runs `task` every `ms`, one run at a time: a run that outlasts the interval (one waiting for a Redis that is away)
 * makes the next ticks skip rather than pile up. The timer does not keep the process alive; `stop` waits for a
 * run in progress.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(ms: number): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.task()
        .catch(this.onError)
        .finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
