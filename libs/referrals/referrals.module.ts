import { Module } from '@nestjs/common';
import { DeadlineSettingsService } from './deadline-settings.service.js';
import { ReasonCodesService } from './reason-codes.service.js';
import { ReferralCommands } from './referral-commands.service.js';
import { ReferralQueries } from './referral-queries.service.js';
import { ReferralColumns } from './referral-rows.js';
import { InstitutionDirectory } from './institution-directory.js';
import { RecentReferrals } from './recent-referrals.js';
import { ReferralTimeline } from './referral-timeline.service.js';
import { ReferralWriter } from './referral-writer.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { CATALOGUE_LOOKUP } from './catalogue-lookup.js';

/** The referral workflow: the one write path, commands, worklists, timeline, reason codes, deadline settings. */
@Module({
  imports: [CatalogueModule],
  providers: [
    ReferralColumns,
    InstitutionDirectory,
    RecentReferrals,
    ReferralWriter,
    ReferralCommands,
    ReferralQueries,
    ReferralTimeline,
    ReasonCodesService,
    DeadlineSettingsService,
    IdempotencyService,
    { provide: CATALOGUE_LOOKUP, useExisting: CatalogueService },
  ],
  exports: [ReferralCommands, ReferralQueries, ReferralTimeline, ReasonCodesService, DeadlineSettingsService, IdempotencyService],
})
export class ReferralsModule {}
