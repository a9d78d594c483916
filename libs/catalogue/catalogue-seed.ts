import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { SeedRunner } from '../persistence/seed-runner.js';
import { CatalogueService } from './catalogue.service.js';
import seedConditions from './seed/conditions.json' with { type: 'json' };

export const SEED_NOTE =
  'Seed catalogue from conditions.json: 44 conditions (18 found in official lists, 26 placeholders). ' +
  "Not the official list of Chongqing's 66 grassroots-first conditions; admins complete, correct and publish it.";

/** Publishes the seed catalogue as version 1 on first start, after the admin exists (order 10), whatever DEMO_DATA says. */
@Injectable()
export class CatalogueSeed implements OnModuleInit {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly runner: SeedRunner,
    private readonly catalogue: CatalogueService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register({ order: 20, name: 'catalogue', run: () => this.run() });
  }

  private async run(): Promise<void> {
    const version = await this.catalogue.seedIfEmpty(seedConditions, this.config.auth.adminUsername, SEED_NOTE);
    if (version !== null) this.logger.log(`condition catalogue seeded as version ${version} (${seedConditions.length} conditions)`);
  }
}
