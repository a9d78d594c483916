import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { withSchemaLock } from './run-migrations.js';

export interface SeedStep {
  /** Lower runs first: identity (10) before the catalogue (20) before reason codes (30) before demo data (90). */
  order: number;
  name: string;
  run(): Promise<void>;
}

/**
 * Runs every module's idempotent seed step once on start, under the schema advisory lock, and reports readiness:
 * `/health/ready` answers 200 only after all steps have completed.
 */
@Injectable()
export class SeedRunner implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedRunner.name);
  private readonly steps: SeedStep[] = [];
  private done = false;

  constructor(private readonly dataSource: DataSource) {}

  register(step: SeedStep): void {
    this.steps.push(step);
  }

  get ready(): boolean {
    return this.done;
  }

  async onApplicationBootstrap(): Promise<void> {
    const steps = [...this.steps].sort((a, b) => a.order - b.order);
    await withSchemaLock(this.dataSource, async () => {
      for (const step of steps) {
        const started = Date.now();
        await step.run();
        this.logger.log(`seed step "${step.name}" done in ${Date.now() - started} ms`);
      }
    });
    this.done = true;
  }
}
