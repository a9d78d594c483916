import { Module } from '@nestjs/common';
import { StatsMetrics } from './stats-metrics.js';
import { StatsService } from './stats.service.js';

/** Statistics for the medical community and the business gauges on /metrics (read-only; reads the database). */
@Module({
  providers: [StatsService, StatsMetrics],
  exports: [StatsService],
})
export class StatsModule {}
