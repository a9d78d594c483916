import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogueService, parseVersionRef } from '../../../libs/catalogue/catalogue.service.js';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import { ListQueryDto } from '../common/list-query.dto.js';
import { ConditionDto, ConditionListQueryDto, ConditionPageDto, DiffDto, MatchQueryDto, MatchResultDto, VersionPageDto, VersionQueryDto } from './catalogue.dto.js';

/** Reading the catalogue: any signed-in user (the draft, `?version=draft`, is for admins). */
@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('catalogue')
export class CatalogueController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Get('conditions')
  @ApiOperation({ summary: 'Search or list conditions; exact code matches first' })
  @ApiOkResponse({ type: ConditionPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: ConditionListQueryDto) {
    return this.catalogue.list(actor, { ...query.page(), q: query.q, category: query.category, version: parseVersionRef(query.version) });
  }

  @Get('conditions/:code')
  @ApiOkResponse({ type: ConditionDto })
  get(@CurrentActor() actor: Actor, @Param('code') code: string, @Query() query: VersionQueryDto) {
    return this.catalogue.get(actor, code, parseVersionRef(query.version));
  }

  @Get('match')
  @ApiOperation({ summary: 'The condition whose ICD-10 ranges contain the code (the narrowest wins), or null' })
  @ApiOkResponse({ type: MatchResultDto })
  match(@CurrentActor() actor: Actor, @Query() query: MatchQueryDto) {
    return this.catalogue.match(actor, query.icd10, parseVersionRef(query.version));
  }

  @Get('versions')
  @ApiOperation({ summary: 'Published versions, newest first' })
  @ApiOkResponse({ type: VersionPageDto })
  versions(@Query() query: ListQueryDto) {
    return this.catalogue.versions(query.page());
  }

  @Get('versions/:version/diff')
  @ApiOperation({ summary: 'What a version changed from the previous one ("draft": what publishing would change; admins)' })
  @ApiOkResponse({ type: DiffDto })
  diff(@CurrentActor() actor: Actor, @Param('version') version: string) {
    return this.catalogue.diff(actor, parseVersionRef(version) ?? Number.NaN);
  }

  @Get('export')
  @ApiOperation({ summary: 'Every condition of a version as a JSON array (the read shape; importable)' })
  @ApiOkResponse({ type: [ConditionDto] })
  export(@CurrentActor() actor: Actor, @Query() query: VersionQueryDto) {
    return this.catalogue.exportConditions(actor, parseVersionRef(query.version));
  }
}
