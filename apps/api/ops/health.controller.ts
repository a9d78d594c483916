import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, HealthIndicatorService } from '@nestjs/terminus';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '../../../libs/queue/queue-names.js';
import { SeedRunner } from '../../../libs/persistence/seed-runner.js';
import { MetricsService } from '../../../libs/observability/metrics.service.js';
import { Public } from '../auth/auth.decorators.js';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

/** Operations endpoints: no auth, not in the OpenAPI document. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly seeds: SeedRunner,
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
  ) {}

  /** The process is alive. */
  @Get('health')
  alive() {
    return { status: 'ok' };
  }

  /** Database and queue reachable, seed data loaded; 503 otherwise. */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('queue');
        try {
          await withTimeout(this.queue.getJobCounts('waiting'), 2000);
          return indicator.up();
        } catch (e) {
          return indicator.down({ message: (e as Error).message });
        }
      },
      () => {
        const indicator = this.indicators.check('seed');
        return this.seeds.ready ? indicator.up() : indicator.down({ message: 'seed data not loaded yet' });
      },
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}
