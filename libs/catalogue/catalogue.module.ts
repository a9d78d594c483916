import { Module } from '@nestjs/common';
import { CatalogueSeed } from './catalogue-seed.js';
import { CatalogueStore } from './catalogue-store.js';
import { CatalogueService } from './catalogue.service.js';

/**
 * The condition catalogue: versions, draft, publish, import/export, ICD-10 matching and search. Exports
 * CatalogueService (also the referral gate's look-up) and seeds version 1 on first start.
 */
@Module({
  providers: [CatalogueStore, CatalogueService, CatalogueSeed],
  exports: [CatalogueService],
})
export class CatalogueModule {}
