import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { EngineConfig } from '../../libs/config/engine-config.js';
import { CoreModule } from '../../libs/core.module.js';
import { WorkerModule } from '../worker/worker.module.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { InstitutionsController } from './identity/institutions.controller.js';
import { UsersController } from './identity/users.controller.js';
import { HealthController } from './ops/health.controller.js';

export interface ApiModuleOptions {
  config?: EngineConfig;
  /** Also run the worker (outbox relay, processors, sweeper) in this process: `npm start` and the tests. */
  withWorker?: boolean;
}

/** HTTP only: controllers, the auth guard and the one exception filter. */
@Module({})
export class ApiModule {
  static forRoot(options: ApiModuleOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [CoreModule.forRoot(options.config), TerminusModule, ...(options.withWorker ? [WorkerModule.forFeature()] : [])],
      controllers: [AuthController, InstitutionsController, UsersController, HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
