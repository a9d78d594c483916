import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { EngineConfigModule } from './config/config.module.js';
import type { EngineConfig } from './config/engine-config.js';
import { loadEngineConfig } from './config/engine-config.js';
import { IdentityModule } from './identity/identity.module.js';
import { loggerOptions } from './observability/logger-options.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { PersistenceModule } from './persistence/persistence.module.js';
import { QueueModule } from './queue/queue.module.js';

/** What both processes (API and worker) stand on: config, logs, metrics, database, queues, identity. */
@Module({})
export class CoreModule {
  static forRoot(config: EngineConfig = loadEngineConfig()): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        EngineConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        ObservabilityModule,
        PersistenceModule,
        QueueModule,
        IdentityModule,
      ],
      exports: [EngineConfigModule, PersistenceModule, QueueModule, IdentityModule, ObservabilityModule],
    };
  }
}
