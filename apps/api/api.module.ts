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
import { CatalogueAdminController } from './catalogue/catalogue-admin.controller.js';
import { CatalogueController } from './catalogue/catalogue.controller.js';
import { CatalogueModule } from '../../libs/catalogue/catalogue.module.js';
import { ReasonCodesController } from './referrals/reason-codes.controller.js';
import { ReferralsController } from './referrals/referrals.controller.js';
import { SettingsController } from './referrals/settings.controller.js';
import { ReferralsModule } from '../../libs/referrals/referrals.module.js';
import { NotificationsModule } from '../../libs/notifications/notifications.module.js';
import { InboxController } from './notifications/inbox.controller.js';
import { WebhooksController } from './notifications/webhooks.controller.js';
import { StatsModule } from '../../libs/stats/stats.module.js';
import { StatsController } from './stats/stats.controller.js';

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
      imports: [
        CoreModule.forRoot(options.config),
        TerminusModule,
        CatalogueModule,
        ReferralsModule,
        NotificationsModule,
        StatsModule,
        ...(options.withWorker ? [WorkerModule.forFeature()] : []),
      ],
      // One per line: feature modules append their controllers here.
      controllers: [
        AuthController,
        InstitutionsController,
        UsersController,
        HealthController,
        ReferralsController,
        ReasonCodesController,
        SettingsController,
        CatalogueController,
        CatalogueAdminController,
        InboxController,
        WebhooksController,
        StatsController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
